import { type Credentials, type Outcome, redactMessage } from '@leasehold/core';

/**
 * The outcome block of releaseLease / recordResult ARGV (see the script headers):
 * ok, category, statusCode, retryAfterMs, message, latencyMs, sessionData, random.
 *
 * `lease` is what the caller handed back: a full Lease carries its proxy's credentials, so
 * the message is scrubbed of them in every form (raw, percent-encoded, base64 `user:pass`)
 * before it reaches the error log. A bare `{ id, pool, proxyId }` ref has none; its message
 * gets the pattern-based redaction only (URL userinfo, password fields, auth headers).
 */
export function outcomeArgs(outcome: Outcome | undefined, lease?: object): string[] {
  // The random number feeds cooldown jitter; scripts stay deterministic.
  const random = String(Math.random());
  if (outcome === undefined) return ['', '', '', '', '', '', '', random];
  const latency = outcome.latencyMs === undefined ? '' : String(outcome.latencyMs);
  // '=' marks presence, so an empty string clears the session's data.
  const data = outcome.sessionData === undefined ? '' : `=${outcome.sessionData}`;
  if (outcome.ok) return ['1', '', '', '', '', latency, data, random];
  return [
    '0',
    outcome.error,
    outcome.statusCode === undefined ? '' : String(outcome.statusCode),
    outcome.retryAfterMs === undefined ? '' : String(Math.round(outcome.retryAfterMs)),
    redactMessage(outcome.message ?? '', leaseCredentials(lease)),
    latency,
    data,
    random,
  ];
}

/** The proxy credentials a Lease carries, if the caller passed one (not a bare ref). */
function leaseCredentials(lease: object | undefined): Credentials | undefined {
  const proxy = (lease as { proxy?: unknown } | undefined)?.proxy;
  if (typeof proxy !== 'object' || proxy === null) return undefined;
  const { username, password } = proxy as Record<string, unknown>;
  return {
    username: typeof username === 'string' ? username : undefined,
    password: typeof password === 'string' ? password : undefined,
  };
}
