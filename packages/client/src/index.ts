export {
  LeaseExpiredError,
  LeaseholdError,
  LeaseNotFoundError,
  NoProxyAvailableError,
  PoolNotFoundError,
  ProxyBusyError,
  ProxyNotFoundError,
  redactProxyUrl,
  SelectorStrategy,
  ValidationError,
  type AcquireOptions,
  type PoolSettings,
  type PoolSettingsInput,
  type ProxyFilters,
  type ProxyInput,
  type RetryOptions,
} from '@leasehold/core';
export type { RedisConnectionOption } from './connection.js';
export { ProxyManager, type ProxyManagerOptions } from './proxyManager.js';
export type {
  AcquireEvent,
  Lease,
  LeasedProxy,
  PoolStats,
  ProxyRecord,
  ReleaseEvent,
  ReleaseResult,
} from './types.js';
