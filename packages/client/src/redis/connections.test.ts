import { randomUUID } from 'node:crypto';
import { describeEachTarget, type StandaloneTarget } from '@leasehold/testing';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';

// Connections named for this test, as the server sees them (CLIENT LIST), with the last
// command each one ran.
async function namedConnections(redis: Redis, name: string): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /cmd=(\S+)/.exec(line)?.[1] ?? '');
}

describeEachTarget(
  'ProxyManager connections',
  (ctx) => {
    it('spreads script calls over `connections` duplicates and closes only those it opened', async () => {
      const url = (ctx.target as StandaloneTarget).url;
      const name = `lh-conn-${randomUUID().slice(0, 8)}`;
      const own = new Redis(url, { connectionName: name, enableAutoPipelining: true });
      const observer = new Redis(url);
      try {
        const manager = new ProxyManager({
          redis: own,
          prefix: ctx.uniquePrefix(),
          connections: 3,
        });
        await manager.upsertPool({ name: 'p' });
        await manager.addProxies('p', proxyUrls(4));
        // Round-robin: six sequential calls reach each of the three connections.
        for (let i = 0; i < 3; i++) {
          const lease = await manager.acquireProxy({ pool: 'p' });
          expect(lease).not.toBeNull();
          await manager.releaseProxy(lease as NonNullable<typeof lease>, { ok: true });
        }
        const seen = await namedConnections(observer, name);
        expect(seen).toHaveLength(3);
        expect(seen.every((cmd) => cmd === 'fcall')).toBe(true);

        await manager.close();
        // The client we passed stays open (it is ours); the two duplicates are gone.
        expect(own.status).toBe('ready');
        expect(await namedConnections(observer, name)).toHaveLength(1);
      } finally {
        await own.quit();
        await observer.quit();
      }
    });

    it('uses one connection by default, whether given a client or a URL', async () => {
      const url = (ctx.target as StandaloneTarget).url;
      const name = `lh-conn-${randomUUID().slice(0, 8)}`;
      const observer = new Redis(url);
      const own = new Redis(url, { connectionName: name });
      try {
        const given = new ProxyManager({ redis: own, prefix: ctx.uniquePrefix() });
        await given.upsertPool({ name: 'p' });
        expect(await namedConnections(observer, name)).toHaveLength(1);
        await given.close();

        // ioredis copies URL query parameters into its options: the name marks each one.
        for (const [connections, expected] of [
          [undefined, 1],
          [2, 2],
        ] as const) {
          const urlName = `${name}-url${expected}`;
          const fromUrl = new ProxyManager({
            redis: `${url}?connectionName=${urlName}`,
            prefix: ctx.uniquePrefix(),
            ...(connections === undefined ? {} : { connections }),
          });
          await fromUrl.upsertPool({ name: 'p' });
          await fromUrl.upsertPool({ name: 'q' });
          expect(await namedConnections(observer, urlName)).toHaveLength(expected);
          await fromUrl.close();
          expect(await namedConnections(observer, urlName)).toHaveLength(0);
        }
      } finally {
        await own.quit();
        await observer.quit();
      }
    });
  },
  { targets: ['standalone'] },
);
