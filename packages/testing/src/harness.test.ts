// Tests of the harness itself, against the real redis-server processes from globalSetup.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runInChildProcesses } from './childProcess.js';
import { describeEachTarget, injectTarget } from './fixtures.js';
import { closeRedisClient, createRedisClient } from './redisClients.js';
import { startRedisCluster } from './redisCluster.js';
import { startRedisServer } from './redisServer.js';
import { clusterTargetFromEnv } from './redisTarget.js';
import { assertSameSlot, keySlot, scanKeys } from './slots.js';
import { trackedPids } from './trackedProcesses.js';
import { uniquePrefix } from './uniquePrefix.js';

const SHARED_REDIS_PORT = 6379;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('standalone server from globalSetup', () => {
  it('answers PING and is not the shared server on 6379', async () => {
    const target = injectTarget('standalone');
    expect(target.kind).toBe('standalone');
    const redis = await createRedisClient(target);
    try {
      expect(await redis.ping()).toBe('PONG');
      const info = await redis.info('server');
      const tcpPort = Number(/tcp_port:(\d+)/.exec(info)?.[1]);
      expect(tcpPort).toBeGreaterThan(0);
      expect(tcpPort).not.toBe(SHARED_REDIS_PORT);
      expect(new URL(target.url).port).toBe(String(tcpPort));
    } finally {
      await closeRedisClient(redis);
    }
  });
});

describe('cluster from globalSetup', () => {
  it('has 3 masters covering all 16384 slots', async () => {
    const target = injectTarget('cluster');
    expect(target.nodes).toHaveLength(3);
    expect(target.nodes.map((node) => node.port)).not.toContain(SHARED_REDIS_PORT);
    const cluster = await createRedisClient(target);
    try {
      expect(cluster.nodes('master')).toHaveLength(3);
      const info = (await cluster.cluster('INFO')) as string;
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      const ranges = (await cluster.cluster('SLOTS')) as Array<[number, number, ...unknown[]]>;
      const covered = ranges.reduce((sum, [from, to]) => sum + (to - from + 1), 0);
      expect(covered).toBe(16_384);
      expect(new Set(ranges.map((range) => JSON.stringify(range[2]))).size).toBe(3);
    } finally {
      await closeRedisClient(cluster);
    }
  });
});

describe('slots', () => {
  it('puts keys with one {pool} hash tag on one slot, as the cluster itself computes', async () => {
    const keys = ['{pool}:free', '{pool}:leased', 'lease:{pool}:42', '{pool}'];
    expect(new Set(keys.map((key) => keySlot(key))).size).toBe(1);
    expect(() => assertSameSlot(keys)).not.toThrow();

    const cluster = await createRedisClient(injectTarget('cluster'));
    try {
      // Edge cases of the hash tag rule, checked against the server's CLUSTER KEYSLOT.
      const samples = [
        ...keys,
        'plain',
        '{}',
        '{}{pool}',
        'foo{',
        'a{b}{c}',
        '{ü}',
        'lht-abc:{x}:y',
        '',
      ];
      for (const key of samples) {
        expect(keySlot(key), key).toBe(await cluster.cluster('KEYSLOT', key));
      }
      // The real proof: a multi-key command on the tagged keys is accepted by the cluster.
      const prefix = uniquePrefix();
      const tagged = keys.map((key) => `${prefix}:${key}`);
      assertSameSlot(tagged);
      await expect(cluster.mset(...tagged.flatMap((key) => [key, '1']))).resolves.toBe('OK');
    } finally {
      await closeRedisClient(cluster);
    }
  });

  it('assertSameSlot throws, listing keys and slots, when hash tags differ', () => {
    const keys = ['{pool-a}:free', '{pool-b}:free'];
    expect(keySlot(keys[0] ?? '')).not.toBe(keySlot(keys[1] ?? ''));
    expect(() => assertSameSlot(keys)).toThrowError(
      new RegExp(
        `\\{pool-a\\}:free -> slot ${keySlot('{pool-a}:free')}[\\s\\S]*\\{pool-b\\}:free -> slot ${keySlot('{pool-b}:free')}`,
      ),
    );
  });
});

describeEachTarget('fixtures', (ctx) => {
  it('gives a connected shared client and independent extra clients', async () => {
    expect(await ctx.redis().ping()).toBe('PONG');
    const other = await ctx.newClient();
    expect(other).not.toBe(ctx.redis());
    const prefix = ctx.uniquePrefix();
    await other.set(`${prefix}:k`, 'v');
    expect(await ctx.redis().get(`${prefix}:k`)).toBe('v');
  });

  it('hands out distinct prefixes and a serialisable target', () => {
    const prefixes = new Set(Array.from({ length: 100 }, () => ctx.uniquePrefix()));
    expect(prefixes.size).toBe(100);
    for (const prefix of prefixes) expect(prefix).toMatch(/^lht-[0-9a-f]{12}$/);
    expect(JSON.parse(JSON.stringify(ctx.target))).toEqual(ctx.target);
  });

  it('scanKeys finds every key written under a prefix, and only those', async () => {
    const prefix = ctx.uniquePrefix();
    const keys = Array.from({ length: 60 }, (_, index) => `${prefix}:key:${index}`);
    await Promise.all(keys.map((key) => ctx.redis().set(key, '1')));
    await ctx.redis().set(`${ctx.uniquePrefix()}:other`, '1');
    expect(await scanKeys(ctx.redis(), `${prefix}:*`)).toEqual([...keys].sort());
  });

  it('races 4 OS processes for one key: exactly one wins', async () => {
    const key = `${ctx.uniquePrefix()}:race`;
    const results = await runInChildProcesses<{ index: number; won: boolean; pid: number }>({
      file: new URL('./setNxRace.worker.ts', import.meta.url),
      count: 4,
      payload: { target: ctx.target, key },
    });
    expect(results.map((result) => result.index)).toEqual([0, 1, 2, 3]);
    expect(new Set(results.map((result) => result.pid)).size).toBe(4);
    expect(results.filter((result) => result.won)).toHaveLength(1);
    const winner = results.find((result) => result.won);
    expect(await ctx.redis().get(key)).toBe(String(winner?.pid));
  });
});

describe('scanKeys on the cluster', () => {
  it('finds keys that live on different masters', async () => {
    const cluster = await createRedisClient(injectTarget('cluster'));
    try {
      const prefix = uniquePrefix();
      const keys = Array.from({ length: 60 }, (_, index) => `${prefix}:${index}`);
      await Promise.all(keys.map((key) => cluster.set(key, '1')));
      // Check that the keys really are spread, so the test proves a cross-node scan.
      const perMaster = await Promise.all(
        cluster.nodes('master').map(async (node) => (await node.keys(`${prefix}:*`)).length),
      );
      expect(perMaster.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
      expect(perMaster.reduce((a, b) => a + b, 0)).toBe(60);
      expect(await scanKeys(cluster, `${prefix}:*`)).toEqual([...keys].sort());
    } finally {
      await closeRedisClient(cluster);
    }
  });
});

describe('process lifecycle', () => {
  it('a stopped server is gone: pid, port and temp dir', async () => {
    const server = await startRedisServer();
    expect(server.port).not.toBe(SHARED_REDIS_PORT);
    expect(isAlive(server.pid)).toBe(true);
    expect(trackedPids()).toContain(server.pid);
    const redis = await createRedisClient({ kind: 'standalone', url: server.url });
    expect(await redis.ping()).toBe('PONG');
    await closeRedisClient(redis);

    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
    expect(trackedPids()).not.toContain(server.pid);
    expect(existsSync(server.dir)).toBe(false);
    await server.stop(); // idempotent
  });

  it('a stopped cluster leaves no node running', async () => {
    const cluster = await startRedisCluster({ masters: 3 });
    expect(cluster.pids).toHaveLength(3);
    expect(cluster.pids.every(isAlive)).toBe(true);
    await cluster.stop();
    for (const pid of cluster.pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('reports a failing child with its stderr', async () => {
    await expect(
      runInChildProcesses({
        file: new URL('./setNxRace.worker.ts', import.meta.url),
        count: 2,
        payload: (index: number) => ({
          target: injectTarget('standalone'),
          key: 'unused',
          fail: index === 1,
        }),
      }),
    ).rejects.toThrow(/child 1 failing on purpose/);
  });

  it('reads REDIS_CLUSTER_NODES as the client does, refusing a node without its port', () => {
    expect(
      clusterTargetFromEnv({ REDIS_CLUSTER_NODES: ' 127.0.0.1:7000, 10.0.0.2:7001 ' }),
    ).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(() => clusterTargetFromEnv({ REDIS_CLUSTER_NODES: 'nohost' })).toThrow(
      expect.objectContaining({ field: 'REDIS_CLUSTER_NODES' }),
    );
  });
});
