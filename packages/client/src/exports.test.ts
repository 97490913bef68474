import { expect, it } from 'vitest';

// What users may rely on, and nothing else: a name added to or dropped from the package is a
// decision, made here on purpose, not a side effect of an edit elsewhere.
it('@leasehold/client exports exactly these names', async () => {
  expect(Object.keys(await import('@leasehold/client')).sort()).toEqual([
    'ClientClosedError',
    'DEFAULT_REDIS_URL',
    'LIMITS',
    'LeaseExpiredError',
    'LeaseNotFoundError',
    'LeaseholdError',
    'NoProxyAvailableError',
    'PoolBusyError',
    'PoolNotFoundError',
    'PoolStatsReader',
    'ProxyBusyError',
    'ProxyManager',
    'ProxyNotFoundError',
    'RedisConnectionError',
    'SelectorStrategy',
    'SessionDisabledError',
    'SessionNotFoundError',
    'SessionProxyUnavailableError',
    'ValidationError',
    'classifyOutcome',
    'closeRedis',
    'connectRedis',
    'createRedisClient',
    'describeRedisEndpoint',
    'errorLogEntryFromStream',
    'gatewaySessionToken',
    'isRedisClient',
    'parseRetryAfter',
    'redactCredentials',
    'redactMessage',
    'redactProxyUrl',
    'redisEndpointFromEnv',
    'redisEndpointSchema',
    'redisOptionsFromUrl',
    'typedRedisError',
  ]);
});
