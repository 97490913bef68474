import type { ProxyHealth, ProxyState } from '@leasehold/client';
import { gatewayTemplateOf, redactProxyUrl } from '@leasehold/core';

/** What a proxy is doing now, in the words of the pool page. */
type ProxyStateName = 'active' | 'disabled' | 'open' | 'half-open' | 'benched' | 'resting';

export interface ProxyRow {
  id: string;
  /** Redacted: credentials replaced by ***. */
  url: string;
  labels: Record<string, string | undefined>;
  location?: { latitude: number; longitude: number };
  status: 'active' | 'disabled';
  circuit: string;
  state: ProxyStateName;
  score: number;
  successRate: number | null;
  p50Ms: number | null;
  activeLeases: number;
  maxConcurrency: number | undefined;
  /** Server epoch ms when a rest, bench or open circuit ends, or null. */
  backAt: number | null;
  /** Why the pool's minHealthScore benched it (while benched), or null. */
  benchReason: string | null;
  lastError: string | null;
}

function stateName(state: ProxyState, restingUntil: number | null): ProxyStateName {
  if (state.status === 'disabled') return 'disabled';
  if (state.circuit !== 'closed') return state.circuit;
  if (state.benched) return 'benched';
  return restingUntil === null ? 'active' : 'resting';
}

/** One row of the pool page from the proxy's state, health and stored URL (shown redacted). */
export function proxyRow(
  state: ProxyState,
  health: ProxyHealth | undefined,
  storedUrl: string,
): Omit<ProxyRow, 'lastError'> {
  // A reuse delay rests the proxy too (not leasable until it ends): the later end shows.
  // ProxyState already leaves out rests that are over.
  const restEnd = Math.max(state.rateLimitedUntil ?? 0, state.reuseDelayUntil ?? 0);
  const restingUntil = restEnd > 0 ? restEnd : null;
  const gateway = gatewayTemplateOf(storedUrl);
  return {
    id: state.proxyId,
    // A gateway says where its {session} goes, never its template.
    url: `${redactProxyUrl(storedUrl)}${gateway ? ` (gateway: {session} in ${gateway.in})` : ''}`,
    labels: state.labels,
    ...(state.location ? { location: state.location } : {}),
    status: state.status,
    circuit: state.circuit,
    state: stateName(state, restingUntil),
    score: health?.score ?? 0,
    successRate: health?.successRate ?? null,
    p50Ms: health?.latency.p50Ms ?? null,
    activeLeases: state.activeLeases,
    maxConcurrency: state.maxConcurrency,
    backAt:
      state.circuit === 'open'
        ? state.cooldownUntil
        : state.benched
          ? state.benchedUntil
          : restingUntil,
    benchReason: state.benched ? state.benchReason : null,
  };
}
