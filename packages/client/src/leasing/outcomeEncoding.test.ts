import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

describeEachTarget('outcome encoding and stored text', (ctx) => {
  it('an empty sessionData clears the session blob; an absent one keeps it', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const first = (await manager.acquireProxy({ pool, session: true })) as Lease;
    const id = first.session?.id as string;
    await manager.releaseProxy(first, { ok: true, sessionData: 'cookie=1' });
    const second = (await manager.acquireProxy({ pool, session: { id } })) as Lease;
    await manager.releaseProxy(second, { ok: true });
    expect((await manager.getSessionState(pool, id)).data).toBe('cookie=1');
    const third = (await manager.acquireProxy({ pool, session: { id } })) as Lease;
    await manager.releaseProxy(third, { ok: true, sessionData: '' });
    expect((await manager.getSessionState(pool, id)).data).toBe('');
  });

  it('credentials pasted into a transition reason are masked in the error log', async () => {
    const { manager, pool } = await freshPool(ctx);
    const [proxy] = await manager.addProxies(pool, proxyUrls(1));
    await manager.transitionProxyState(
      pool,
      proxy?.id as string,
      'disabled',
      'dead: http://bob:hunter2@10.1.1.1:80',
    );
    const [entry] = await manager.getErrorLog(pool, { limit: 1 });
    expect(entry?.reason).toBe('dead: http://***:***@10.1.1.1:80');
    expect(JSON.stringify(await manager.getErrorLog(pool))).not.toContain('hunter2');
  });
});
