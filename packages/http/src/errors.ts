import { LeaseholdError } from '@leasehold/core';

/**
 * The proxy cannot be used by the client at hand. Chromium, for one, refuses SOCKS proxies
 * with credentials; failing here says so before a browser fails with a bare net:: error.
 */
export class UnsupportedProxyError extends LeaseholdError {
  constructor(message: string, hint: string) {
    super('UNSUPPORTED_PROXY', message, { field: 'proxy.protocol', hint });
  }
}

/** The response body went past `maxBodyBytes`; the lease was released, the body dropped. */
export class ResponseTooLargeError extends LeaseholdError {
  readonly maxBodyBytes: number;

  constructor(maxBodyBytes: number) {
    super('RESPONSE_TOO_LARGE', `The response body is larger than ${maxBodyBytes} bytes`, {
      field: 'maxBodyBytes',
      hint: 'Raise maxBodyBytes, or stream large bodies through proxyDispatcher(lease)',
    });
    this.maxBodyBytes = maxBodyBytes;
  }
}

/**
 * Every attempt of a leasedFetch failed before an HTTP answer (network, timeout, a proxy
 * refusing the tunnel). `cause` is the last attempt's error, its message scrubbed of the
 * proxy's credentials.
 */
export class AttemptsExhaustedError extends LeaseholdError {
  readonly attempts: number;

  constructor(attempts: number, lastMessage: string, cause: unknown) {
    super('ATTEMPTS_EXHAUSTED', `leasedFetch failed after ${attempts} attempt(s): ${lastMessage}`, {
      field: 'url',
      hint: 'Each attempt used another proxy; see the error log of the pool for each failure',
      cause,
    });
    this.attempts = attempts;
  }
}

/**
 * fetch refused what the site answered (a redirect loop, a redirect fetch will not follow, a
 * response that is not HTTP): the proxy delivered it, so it is not retried and not counted.
 */
export class SiteResponseError extends LeaseholdError {
  constructor(message: string, cause: unknown) {
    super('SITE_RESPONSE_REFUSED', `The site's response was refused: ${message}`, {
      field: 'url',
      hint: 'Another proxy would get the same answer; fetch this URL with redirect: "manual" to see it',
      cause,
    });
  }
}
