import { LeaseholdError } from '@leasehold/core';
import { validationErrorOf as validationOf } from '@leasehold/testing';
import { describe, expect, it } from 'vitest';
import { describeRedisEndpoint, redisEndpointFromEnv, redisOptionsFromUrl } from './endpoint.js';

describe('Redis endpoints from URLs and the environment', () => {
  it('reads TLS, an ACL user, a percent-encoded password and the database index', () => {
    expect(redisOptionsFromUrl('rediss://lh-client:p%2Fss%20w0rd%40@redis.example:6380/3')).toEqual(
      {
        host: 'redis.example',
        port: 6380,
        username: 'lh-client',
        password: 'p/ss w0rd@',
        db: 3,
        tls: {},
      },
    );
    expect(redisOptionsFromUrl('redis://[::1]')).toEqual({ host: '::1', port: 6379 });
    expect(redisOptionsFromUrl('redis://h:1?connectionName=x&family=6')).toMatchObject({
      connectionName: 'x',
      family: 6,
    });
  });

  it('rejects what it cannot use, naming the field and never the password', () => {
    for (const url of [
      'http://u:hunter2@h',
      'redis://u:hunter2@h/x',
      'redis://u:hunter2@h/1/2',
      'redis://u:hunter2@h:0',
      'redis://u:hunter2@h:70000',
      'redis://u:%E0%A4%A@h',
      'redis://u:hunter2@h?password=x',
      'redis://u:hunter2@h#frag',
      'not a url hunter2',
      `redis://u:hunter2@h/${'\uD800'}`,
    ]) {
      const error = validationOf(() => redisOptionsFromUrl(url, 'REDIS_URL'));
      expect(error.field).toBe('REDIS_URL');
      expect(`${error.message} ${error.hint}`).not.toContain('hunter2');
    }
  });

  it('fills credentials and TLS from REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS', () => {
    expect(redisEndpointFromEnv({})).toEqual({ kind: 'standalone', url: 'redis://127.0.0.1:6379' });
    const filled = redisEndpointFromEnv({
      REDIS_URL: 'redis://db.internal:6380/2',
      REDIS_USERNAME: 'lh-worker',
      REDIS_PASSWORD: 'p@ss/word',
      REDIS_TLS: 'true',
    });
    expect(filled.kind === 'standalone' && redisOptionsFromUrl(filled.url)).toEqual({
      host: 'db.internal',
      port: 6380,
      db: 2,
      username: 'lh-worker',
      password: 'p@ss/word',
      tls: {},
    });
    // The URL's own credentials win over the variables.
    const own = redisEndpointFromEnv({ REDIS_URL: 'rediss://a:b@h', REDIS_PASSWORD: 'other' });
    expect(own).toEqual({ kind: 'standalone', url: 'rediss://a:b@h' });
    expect(validationOf(() => redisEndpointFromEnv({ REDIS_TLS: 'maybe' })).field).toBe(
      'REDIS_TLS',
    );
    expect(
      validationOf(() => redisEndpointFromEnv({ REDIS_URL: 'rediss://h', REDIS_TLS: 'false' }))
        .field,
    ).toBe('REDIS_TLS');
  });

  it('gives every cluster node the same credentials and TLS', () => {
    expect(
      redisEndpointFromEnv({
        REDIS_CLUSTER_NODES: 'rediss://lh:s3cret@10.0.0.1:7000, rediss://10.0.0.2:7001',
      }),
    ).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      username: 'lh',
      password: 's3cret',
      tls: true,
    });
    expect(
      redisEndpointFromEnv({
        REDIS_CLUSTER_NODES: '10.0.0.1:7000',
        REDIS_USERNAME: 'lh',
        REDIS_PASSWORD: 'pw',
        REDIS_TLS: '1',
      }),
    ).toEqual({
      kind: 'cluster',
      nodes: [{ host: '10.0.0.1', port: 7000 }],
      username: 'lh',
      password: 'pw',
      tls: true,
    });
    for (const list of ['a:1,b', 'u:x@a:1,u:y@b:2', 'a:1/2', 'rediss://a:1,redis://b:2', ' , ']) {
      const error = validationOf(() => redisEndpointFromEnv({ REDIS_CLUSTER_NODES: list }));
      expect(error.field).toBe('REDIS_CLUSTER_NODES');
      expect(error).toBeInstanceOf(LeaseholdError);
    }
  });

  it('describes an endpoint for a log line without its credentials', () => {
    expect(describeRedisEndpoint('rediss://u:hunter2@h:6380/4')).toBe('rediss://***@h:6380/4');
    expect(
      describeRedisEndpoint({
        kind: 'cluster',
        nodes: [{ host: 'a', port: 1 }],
        password: 'hunter2',
        tls: true,
      }),
    ).toBe('Redis Cluster rediss://***@a:1');
  });
});
