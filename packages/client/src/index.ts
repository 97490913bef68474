export {
  type AcquireOptions,
  LeaseExpiredError,
  LeaseholdError,
  LeaseNotFoundError,
  NoProxyAvailableError,
  PoolNotFoundError,
  type PoolSettings,
  type PoolSettingsInput,
  ProxyBusyError,
  type ProxyFilters,
  type ProxyInput,
  ProxyNotFoundError,
  type RetryOptions,
  redactProxyUrl,
  SelectorStrategy,
  ValidationError,
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
