export {
  type AcquireOptions,
  type ClassifiedOutcome,
  type ClassifyInput,
  ClientClosedError,
  classifyOutcome,
  type ErrorCategory,
  type ErrorLogQuery,
  type FilterClause,
  type GatewayTemplate,
  gatewaySessionToken,
  type HealthCheckSettings,
  LeaseExpiredError,
  LeaseholdError,
  LeaseNotFoundError,
  LIMITS,
  type NearFilter,
  NoProxyAvailableError,
  type Outcome,
  PoolBusyError,
  PoolNotFoundError,
  type PoolSettings,
  type PoolSettingsInput,
  ProxyBusyError,
  type ProxyFilters,
  type ProxyInput,
  type ProxyLabels,
  type ProxyLocation,
  ProxyNotFoundError,
  parseRetryAfter,
  RedisConnectionError,
  type RetryOptions,
  redactCredentials,
  redactMessage,
  redactProxyUrl,
  SelectorStrategy,
  SessionDisabledError,
  SessionNotFoundError,
  SessionProxyUnavailableError,
  ValidationError,
} from '@leasehold/core';
export type {
  HealthCheckResult,
  HealthCheckTarget,
  HealthCheckVerdict,
} from './health/healthChecks.js';
export { PoolStatsReader } from './observability/poolStatsReader.js';
export type { DeletedPool, DeletePoolOptions } from './pools/poolAdmin.js';
export { ProxyManager, type ProxyManagerOptions } from './proxyManager.js';
export {
  type ConnectRedisOptions,
  closeRedis,
  connectRedis,
  createRedisClient,
  type RedisClient,
} from './redis/connect.js';
export {
  DEFAULT_REDIS_URL,
  describeRedisEndpoint,
  type RedisEndpoint,
  type RedisEnv,
  type RedisNode,
  redisEndpointFromEnv,
  redisEndpointSchema,
  redisOptionsFromUrl,
} from './redis/endpoint.js';
export { typedRedisError } from './redis/errors.js';
export { isRedisClient, type RedisConnectionOption } from './redis/managerConnections.js';
// For readers of the error-log stream itself (XREAD, `leasehold errors --follow`).
export { errorLogEntryFromStream } from './replies.js';
export type { ScriptLibrary } from './scriptRunner.js';
export type {
  AcquireEvent,
  CircuitState,
  ErrorLogEntry,
  Lease,
  LeasedProxy,
  PoolCounters,
  PoolStats,
  ProxyHealth,
  ProxyRecord,
  ProxyState,
  ReleaseEvent,
  ReleaseResult,
  SessionState,
} from './types.js';
