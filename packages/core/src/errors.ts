/**
 * Typed errors. Every error carries a stable `code`, the `field` (or key) at fault and a
 * `hint`. Messages are built from validated, redacted values only, so they never leak a
 * proxy password.
 */

export type LeaseholdErrorCode =
  | 'VALIDATION'
  | 'POOL_NOT_FOUND'
  | 'PROXY_NOT_FOUND'
  | 'PROXY_BUSY'
  | 'POOL_BUSY'
  | 'LEASE_NOT_FOUND'
  | 'LEASE_EXPIRED'
  | 'NO_PROXY_AVAILABLE'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_DISABLED'
  | 'SESSION_PROXY_UNAVAILABLE'
  | 'SCRIPT_FAILED'
  | 'HISTORY_UNAVAILABLE'
  | 'REDIS_AUTH_FAILED'
  | 'REDIS_NO_PERMISSION'
  | 'REDIS_CONNECTION_FAILED'
  | 'CLIENT_CLOSED'
  /** An optional module (the dashboard, the demo) is not installed. */
  | 'NOT_INSTALLED'
  /** @leasehold/http: a proxy the client at hand cannot use (Chromium and SOCKS auth). */
  | 'UNSUPPORTED_PROXY'
  /** @leasehold/http: a response body past leasedFetch's maxBodyBytes. */
  | 'RESPONSE_TOO_LARGE'
  /** @leasehold/http: every leasedFetch attempt failed before an HTTP answer. */
  | 'ATTEMPTS_EXHAUSTED'
  /** @leasehold/http: fetch refused what the site answered (a redirect loop, a garbled response). */
  | 'SITE_RESPONSE_REFUSED';

export interface LeaseholdErrorDetails {
  field?: string | undefined;
  hint?: string | undefined;
  cause?: unknown;
}

export class LeaseholdError extends Error {
  readonly code: LeaseholdErrorCode;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(code: LeaseholdErrorCode, message: string, details: LeaseholdErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = details.field;
    this.hint = details.hint;
  }
}

/** Bad input at the public boundary; nothing was written. */
export class ValidationError extends LeaseholdError {
  readonly issues: readonly { field: string; message: string }[];

  constructor(issues: readonly { field: string; message: string }[], hint?: string) {
    const first = issues[0] ?? { field: '(input)', message: 'invalid' };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('VALIDATION', `Invalid ${first.field}: ${first.message}${more}`, {
      field: first.field,
      hint,
    });
    this.issues = issues;
  }
}

export class PoolNotFoundError extends LeaseholdError {
  constructor(pool: string) {
    super('POOL_NOT_FOUND', `Pool "${pool}" does not exist`, {
      field: 'pool',
      hint: 'Create it first with upsertPool({ name })',
    });
  }
}

export class ProxyNotFoundError extends LeaseholdError {
  constructor(pool: string, proxyId: string) {
    super('PROXY_NOT_FOUND', `Proxy ${proxyId} is not in pool "${pool}"`, {
      field: 'proxyId',
      hint: 'listProxies(pool) shows the ids of a pool',
    });
  }
}

export class ProxyBusyError extends LeaseholdError {
  readonly activeLeases: number;

  constructor(pool: string, proxyId: string, activeLeases: number) {
    super('PROXY_BUSY', `Proxy ${proxyId} in pool "${pool}" has ${activeLeases} live lease(s)`, {
      field: 'proxyId',
      hint: 'Release its leases (or let them expire) before removing it',
    });
    this.activeLeases = activeLeases;
  }
}

export class PoolBusyError extends LeaseholdError {
  readonly activeLeases: number;

  constructor(pool: string, activeLeases: number) {
    super('POOL_BUSY', `Pool "${pool}" has ${activeLeases} live lease(s)`, {
      field: 'pool',
      hint: 'Release its leases (or let them expire) before deleting it',
    });
    this.activeLeases = activeLeases;
  }
}

export class LeaseNotFoundError extends LeaseholdError {
  constructor(leaseId: string) {
    super('LEASE_NOT_FOUND', `Lease ${leaseId} is not live (released or unknown)`, {
      field: 'lease',
      hint: 'Acquire a new lease',
    });
  }
}

export class LeaseExpiredError extends LeaseholdError {
  constructor(leaseId: string) {
    super('LEASE_EXPIRED', `Lease ${leaseId} has expired; its capacity was reclaimed`, {
      field: 'lease',
      hint: 'Extend leases before they expire, or acquire a new one',
    });
  }
}

export class NoProxyAvailableError extends LeaseholdError {
  constructor(pool: string) {
    super('NO_PROXY_AVAILABLE', `No proxy of pool "${pool}" is available`, {
      field: 'pool',
      hint: 'Use waitMs, acquireProxyWithRetry, or add proxies / raise maxConcurrency',
    });
  }
}

export class SessionNotFoundError extends LeaseholdError {
  constructor(sessionId: string) {
    super('SESSION_NOT_FOUND', `Session ${sessionId} does not exist (or its record expired)`, {
      field: 'session.id',
      hint: 'Acquire with session: true to start a new session',
    });
  }
}

export class SessionDisabledError extends LeaseholdError {
  readonly reason: string;

  constructor(sessionId: string, reason: string) {
    super('SESSION_DISABLED', `Session ${sessionId} is disabled (${reason})`, {
      field: 'session.id',
      hint: 'Start a new session with session: true, or re-enable it with transitionSessionState',
    });
    this.reason = reason;
  }
}

export class SessionProxyUnavailableError extends LeaseholdError {
  constructor(sessionId: string) {
    super(
      'SESSION_PROXY_UNAVAILABLE',
      `Session ${sessionId} cannot be re-enabled: its proxy is gone or disabled`,
      {
        field: 'sessionId',
        hint: 'Re-enable the proxy first, or start a new session',
      },
    );
  }
}

/**
 * The ProxyManager was closed: before this call, or while it was waiting. No `cause`: what
 * the closing connection threw may quote the command it failed (an AUTH password).
 */
export class ClientClosedError extends LeaseholdError {
  constructor() {
    super('CLIENT_CLOSED', 'The ProxyManager is closed', {
      field: 'manager',
      hint: 'Create a new ProxyManager; close() only at shutdown',
    });
  }
}

/** A Lua script answered with a failure code that TypeScript does not know. */
export class ScriptFailedError extends LeaseholdError {
  constructor(script: string, code: number) {
    super('SCRIPT_FAILED', `Script ${script} failed with code ${code}`, {
      hint: 'This is a bug in Leasehold; please report it',
    });
  }
}

/**
 * Redis could not be used: unreachable, a TLS or credential problem, a missing database, or an
 * ACL that lacks a command. Built from the server's reply code and the endpoint with its
 * credentials masked; never from the command that failed (AUTH carries the password).
 */
export class RedisConnectionError extends LeaseholdError {
  constructor(
    code: 'REDIS_AUTH_FAILED' | 'REDIS_NO_PERMISSION' | 'REDIS_CONNECTION_FAILED',
    message: string,
    hint: string,
  ) {
    super(code, message, { field: 'redis', hint });
  }
}
