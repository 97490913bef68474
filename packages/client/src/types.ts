import type { ProxyFilters, ProxyLabels, ProxyProtocol, SelectorStrategy } from '@leasehold/core';

/** The proxy a lease hands out, with its credentials (percent-decoded) to use it. */
export interface LeasedProxy {
  url: string;
  protocol: ProxyProtocol;
  host: string;
  port: number;
  username?: string;
  password?: string;
  labels: ProxyLabels;
  tags: string[];
}

/** A proxy as stored in a pool. `url` is redacted and credentials are left out unless asked for. */
export interface ProxyRecord extends LeasedProxy {
  id: string;
  pool: string;
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
  result: ReleaseResult;
  /** How long the lease was held (server time); undefined when nothing was released. */
  leaseDurationMs: number | undefined;
  poolStats: PoolStats | undefined;
}
