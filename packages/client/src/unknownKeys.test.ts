import { ValidationError } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls, snapshotKeys } from '../test/testSupport.js';
import { ProxyManager } from './proxyManager.js';
import type { Lease } from './types.js';

// JSON.parse makes `__proto__` an own key, as a config file or an HTTP body would carry it.
// zod leaves such a key out of what it returns, so unchecked it would be silently ignored.
const json = <T = never>(text: string): T => JSON.parse(text) as T;

describeEachTarget('unknown keys', (ctx) => {
  it('an own __proto__ key is refused by every method, naming it, and nothing is written', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, labels: { city: 'Lima' } }]);
    const lease = (await manager.acquireProxy({ pool, durationSeconds: 600 })) as Lease;
    const filters = (text: string) => manager.acquireProxy({ pool, filters: json(text) });
    const cases: [() => Promise<unknown>, string][] = [
      [() => filters('{"__proto__":{"city":"Quito"}}'), 'options.filters.__proto__'],
      [() => filters('{"anyOf":[{"__proto__":"Quito"}]}'), 'options.filters.anyOf[0].__proto__'],
      [
        () => filters('{"noneOf":[{"allOf":[{"city":"Lima","__proto__":"x"}]}]}'),
        'options.filters.noneOf[0].allOf[0].__proto__',
      ],
      [() => manager.acquireProxy(json(`{"pool":"${pool}","__proto__":{}}`)), 'options.__proto__'],
      [
        () => manager.acquireProxyWithRetry(json(`{"pool":"${pool}","__proto__":{}}`)),
        'options.__proto__',
      ],
      [
        () => manager.addProxies(pool, [json('{"url":"http://10.1.0.1:80","__proto__":{}}')]),
        'proxies[0].__proto__',
      ],
      [
        () =>
          manager.addProxies(pool, [
            json('{"url":"http://10.1.0.1:80","labels":{"city":"Lima","__proto__":"x"}}'),
          ]),
        'proxies[0].labels.__proto__',
      ],
      [() => manager.upsertPool(json(`{"name":"${pool}","__proto__":{}}`)), 'pool.__proto__'],
      [
        () => manager.upsertPool(json(`{"name":"${pool}","cooldown":{"__proto__":{}}}`)),
        'pool.cooldown.__proto__',
      ],
      [() => manager.releaseProxy(lease, json('{"ok":true,"__proto__":{}}')), 'outcome.__proto__'],
      [() => manager.recordResult(lease, json('{"ok":true,"__proto__":{}}')), 'outcome.__proto__'],
      [() => manager.listProxies(pool, json('{"__proto__":{}}')), 'options.__proto__'],
      [() => manager.getErrorLog(pool, json('{"__proto__":{}}')), 'query.__proto__'],
      [() => manager.deletePool(pool, json('{"__proto__":{}}')), 'options.__proto__'],
    ];
    const before = await snapshotKeys(ctx.redis(), prefix);
    for (const [call, field] of cases) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.field)).toEqual([field]);
    }
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
    expect(() => new ProxyManager(json(`{"redis":"redis://h:1","__proto__":{}}`))).toThrow(
      expect.objectContaining({ field: 'options.__proto__' }),
    );
    expect(await manager.releaseProxy(lease)).toEqual({ released: true });
  });
});
