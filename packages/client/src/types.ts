import type {
  ErrorCategory,
  GatewayTemplate,
  Outcome,
  ProxyFilters,
  ProxyLabels,
  ProxyLocation,
  ProxyProtocol,
  SelectorStrategy,
} from '@leasehold/core';

/** The proxy a lease hands out, with its credentials (percent-decoded) to use it. */
export interface LeasedProxy {
  url: string;
  protocol: ProxyProtocol;
  host: string;
  port: number;
  username?: string;
  password?: string;
  /**
   * Leases of a gateway proxy only: the token that replaced `{session}` in its username or
   * password (the session's `gatewaySessionToken`, or a fresh one for a lease without session):
   * what the provider's dashboard shows as the session id.
   */
  gatewaySession?: string;
  labels: ProxyLabels;
  tags: string[];
}

/** A proxy as stored in a pool. `url` is redacted and credentials are left out unless asked for. */
export interface ProxyRecord extends LeasedProxy {
  id: string;
  pool: string;
  /** A gateway proxy: where its URL has `{session}` and the token length (see README). */
  gateway?: GatewayTemplate;
  /** Where the proxy exits, when given: what `near` filters test. */
  location?: ProxyLocation;
  /** undefined = no cap. */
  maxConcurrency: number | undefined;
  status: 'active' | 'disabled';
  activeLeases: number;
  /** Server epoch ms. */
  addedAt: number;
}

export interface Lease {
  id: string;
  pool: string;
  proxyId: string;
  proxy: LeasedProxy;
  consumer: string;
  /** Redis server epoch ms. */
  acquiredAt: number;
  /** Redis server epoch ms. */
  expiresAt: number;
  /** Strictly increases for each new lease of the same proxy (a pool-wide sequence). */
  fencingToken: number;
  /** The sticky session leased with the proxy, when asked for. */
  session?: { id: string; data: string };
  /** The scope (e.g. a domain) the lease was taken under. */
  scope?: string;
}

export interface PoolStats {
  /** Every proxy of the pool. */
  totalProxies: number;
  /** Proxies whose status is active. */
  activeProxies: number;
  /** Proxies that can be leased now. */
  availableProxies: number;
  /** Proxies with at least one live lease. */
  leasedProxies: number;
  /** Live leases. */
  totalLeases: number;
  /** Proxies whose circuit is open now. */
  openCircuits: number;
  /** Live (active) sessions. */
  liveSessions: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface ProxyState {
  proxyId: string;
  status: 'active' | 'disabled';
  circuit: CircuitState;
  consecutiveFailures: number;
  /** Circuit openings in a row (the cooldown doubles with each). */
  opens: number;
  activeLeases: number;
  maxConcurrency: number | undefined;
  labels: ProxyLabels;
  tags: string[];
  location?: ProxyLocation;
  /** Server epoch ms until which a rate limit rests the proxy, or null. */
  rateLimitedUntil: number | null;
  /** Server epoch ms until which the pool's reuseDelaySeconds holds the proxy back, or null. */
  reuseDelayUntil: number | null;
  /** Server epoch ms at which an open circuit turns half-open, or null. */
  cooldownUntil: number | null;
  /** A half-open (or bench-probing) proxy's probe lease is out. */
  probeInFlight: boolean;
  /**
   * Benched by the pool's minHealthScore: resting until `benchedUntil`, then (null) awaiting
   * the one probe lease or active health check that decides.
   */
  benched: boolean;
  benchReason: string | null;
  benchedUntil: number | null;
  /** Leases ever taken. */
  usageCount: number;
  lastLeasedAt: number | null;
}

export interface ProxyHealth {
  proxyId: string;
  status: 'active' | 'disabled';
  circuit: CircuitState;
  requests: number;
  successes: number;
  failures: number;
  failuresByCategory: Partial<Record<ErrorCategory, number>>;
  rateLimits: number;
  consecutiveFailures: number;
  /** successes / (successes + failures); null before any. Rate limits are not failures. */
  successRate: number | null;
  /** Mean, and p50/p95 as the upper bound of their histogram bucket (ms); null before any. */
  latency: { samples: number; meanMs: number | null; p50Ms: number | null; p95Ms: number | null };
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  usageCount: number;
  /** 0..1: 60% success rate, 20% recency of last success, 20% latency; open circuit ×0.1. */
  score: number;
}

export interface SessionState {
  id: string;
  proxyId: string;
  status: 'active' | 'disabled';
  /** Why it was disabled: auth, blocked, consecutive_failures, max_usage, max_age, proxy_disabled … */
  disabledReason: string | null;
  data: string;
  usageCount: number;
  consecutiveFailures: number;
  createdAt: number;
  lastUsedAt: number;
  /** A live lease holds it now. */
  leased: boolean;
}

export interface ErrorLogEntry {
  /** Stream entry id (time-ordered). */
  id: string;
  type: 'failure' | 'transition' | 'lease_expired';
  /** Server epoch ms. */
  at: number;
  pool: string;
  proxyId?: string;
  sessionId?: string;
  leaseId?: string;
  consumer?: string;
  category?: ErrorCategory;
  statusCode?: number;
  message?: string;
  latencyMs?: number;
  scope?: string;
  /** Transitions: what changed, from, to and why (e.g. circuit closed → open). */
  subject?: 'proxy' | 'session';
  from?: string;
  to?: string;
  reason?: string;
  /** Written by an active health check (a failed probe, or the transitions a passed one made). */
  probe?: true;
}

export interface ReleaseResult {
  released: boolean;
  /** Why nothing was released: never known / already released, or past its deadline. */
  reason?: 'not_found' | 'expired';
}

export interface AcquireEvent {
  lease: Lease | null;
  pool: string;
  consumer: string;
  selector: SelectorStrategy | undefined;
  filters: ProxyFilters | undefined;
  /** How long the acquire call took, client side. */
  durationMs: number;
  poolStats: PoolStats | undefined;
}

export interface ReleaseEvent {
  lease: Lease;
  pool: string;
  outcome: Outcome | undefined;
  result: ReleaseResult;
  /** How long the lease was held (server time); undefined when nothing was released. */
  leaseDurationMs: number | undefined;
  poolStats: PoolStats | undefined;
}

/** Monotonic pool-wide totals kept in Redis (the same for every reader): for metrics. */
export interface PoolCounters {
  selections: number;
  successes: number;
  failures: Partial<Record<ErrorCategory, number>>;
  circuitOpens: number;
  leasesExpired: number;
  latency: {
    sumMs: number;
    count: number;
    /** Non-cumulative counts per bucket upper bound in ms (`Infinity` for the last). */
    buckets: { leMs: number; count: number }[];
  };
}
