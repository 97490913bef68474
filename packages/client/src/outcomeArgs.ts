import { type Outcome, redactCredentials } from '@leasehold/core';

/**
 * The outcome block of releaseLease / recordResult ARGV (see the script headers):
 * ok, category, statusCode, retryAfterMs, message, latencyMs, sessionData, random.
 */
export function outcomeArgs(outcome: Outcome | undefined): string[] {
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
    redactCredentials(outcome.message ?? ''),
    latency,
    data,
    random,
  ];
}
