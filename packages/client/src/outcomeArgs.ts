import type { Outcome } from '@leasehold/core';

/**
 * The outcome block of releaseLease / recordResult ARGV (see the script headers):
 * ok, category, statusCode, retryAfterMs, message, latencyMs, sessionData, random.
 */
export function outcomeArgs(outcome: Outcome | undefined): string[] {
  // The random number feeds cooldown jitter; scripts stay deterministic.
  const random = String(Math.random());
  if (outcome === undefined) return ['', '', '', '', '', '', '', random];
  const latency = outcome.latencyMs === undefined ? '' : String(outcome.latencyMs);
  const data = outcome.sessionData ?? '';
  if (outcome.ok) return ['1', '', '', '', '', latency, data, random];
  return [
    '0',
    outcome.error,
    outcome.statusCode === undefined ? '' : String(outcome.statusCode),
    outcome.retryAfterMs === undefined ? '' : String(Math.round(outcome.retryAfterMs)),
    redactSecrets(outcome.message ?? ''),
    latency,
    data,
    random,
  ];
}

/** Mask URL credentials (`scheme://user:pass@host`) in free text before it is stored. */
export function redactSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***:***@');
}
