import { ValidationError } from '@leasehold/core';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, WorkerConfigError } from './config.js';
import { startWorker } from './worker.js';

describe('worker configuration', () => {
  it('has a default for everything', () => {
    expect(loadWorkerConfig({})).toEqual({
      options: {
        redis: 'redis://127.0.0.1:6379',
        metrics: {},
        intervals: {},
        errorLog: {},
      },
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadWorkerConfig({
      REDIS_URL: 'redis://:pw@10.0.0.5:6380/2',
      LEASEHOLD_PREFIX: 'prod',
      DATABASE_URL: 'postgres://lh:pw@db:5432/leasehold',
      DATABASE_SCHEMA: 'leasehold',
      METRICS_PORT: '9100',
      METRICS_HOST: '0.0.0.0',
      LEASE_EXPIRY_EVERY_MS: '500',
      COOLDOWN_RECOVERY_EVERY_MS: '750',
      PERSIST_ERROR_LOGS_EVERY_MS: '10000',
      ERROR_LOG_BATCH_SIZE: '250',
      ERROR_LOG_CLAIM_IDLE_MS: '30000',
      ERROR_LOG_BACKLOG_MAX_ENTRIES: '5000',
      WORKER_CONCURRENCY: '2',
      LOG_LEVEL: 'debug',
    });
    expect(config).toEqual({
      options: {
        redis: 'redis://:pw@10.0.0.5:6380/2',
        prefix: 'prod',
        database: { url: 'postgres://lh:pw@db:5432/leasehold', schema: 'leasehold' },
        metrics: { port: 9100, host: '0.0.0.0' },
        intervals: { leaseExpiryMs: 500, cooldownRecoveryMs: 750, persistErrorLogsMs: 10000 },
        errorLog: { batchSize: 250, claimIdleMs: 30000, backlogMaxEntries: 5000 },
        concurrency: 2,
      },
      logLevel: 'debug',
    });
  });

  it('takes a cluster from REDIS_CLUSTER_NODES and treats blank variables as unset', () => {
    const config = loadWorkerConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001',
      DATABASE_URL: ' ',
    });
    expect(config.options.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(config.options.database).toBeUndefined();
  });

  it('names every bad variable at once and never echoes a secret', () => {
    let error: unknown;
    try {
      loadWorkerConfig({
        REDIS_URL: 'http://user:redis-secret@host',
        DATABASE_URL: 'mysql://root:db-secret@db/x',
        METRICS_PORT: '99999',
        LOG_LEVEL: 'loud',
        LEASE_EXPIRY_EVERY_MS: 'soon',
        ERROR_LOG_BACKLOG_MAX_ENTRIES: '20000000',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkerConfigError);
    const { issues, message } = error as WorkerConfigError;
    expect(issues.map((i) => i.variable).sort()).toEqual(
      [
        'DATABASE_URL',
        'ERROR_LOG_BACKLOG_MAX_ENTRIES',
        'LEASE_EXPIRY_EVERY_MS',
        'LOG_LEVEL',
        'METRICS_PORT',
        'REDIS_URL',
      ].sort(),
    );
    expect(message).toContain('ERROR_LOG_BACKLOG_MAX_ENTRIES: must be at most 10000000');
    expect(message).toContain('METRICS_PORT: must be at most 65535');
    expect(message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(message).not.toContain('secret');
  });

  it('checks option rules too (prefix characters)', () => {
    expect(() => loadWorkerConfig({ LEASEHOLD_PREFIX: 'has space' })).toThrow(
      /LEASEHOLD_PREFIX: must be 1-64/,
    );
  });

  it('startWorker rejects bad options before connecting to anything', async () => {
    await expect(startWorker({ redis: 'http://nope' })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      startWorker({ redis: 'redis://127.0.0.1:1', intervals: { leaseExpiryMs: 5 } }),
    ).rejects.toThrow(/options.intervals.leaseExpiryMs: must be at least 50 ms/);
  });
});
