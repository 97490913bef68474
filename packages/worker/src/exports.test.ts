import { describe, expect, it } from 'vitest';
import * as worker from './index.js';

// What the package exports is what users may rely on: a new export is a decision, not an
// accident of `export *`.
describe('@leasehold/worker public exports', () => {
  it('are exactly the listed values', () => {
    expect(Object.keys(worker).sort()).toEqual([
      'ERROR_LOG_TYPES',
      'ErrorLogHistory',
      'ErrorLogHistoryUnavailableError',
      'ErrorLogStore',
      'ErrorLogStream',
      'HOUSEKEEPING_QUEUE',
      'PoolSnapshots',
      'checkHealth',
      'createMetricsRegistry',
      'migrateDatabase',
      'persistErrorLogs',
      'queuePrefix',
      'recordPoolSamples',
      'runWorkerFromEnv',
      'silentLogger',
      'startWorker',
      'upsertSchedules',
    ]);
  });
});
