// A tunnel holds its lease as long as it is open, past the pool's lease duration: the lease is
// extended while the tunnel lives, so the cap still counts it. Time moves on the TestClock.
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it, vi } from 'vitest';
import {
  basic,
  connectVia,
  TOKEN,
  useGatewayFixtures,
  viaGateway,
} from '../test/gatewaySupport.js';

useTestClockLibrary();

describeEachTarget('gateway tunnel leases', (ctx) => {
  const fx = useGatewayFixtures(ctx);

  it("a tunnel open past the lease duration keeps its lease: the upstream's cap still holds", async () => {
    const { gateway, manager, pool } = await fx.setup(
      [{ maxConcurrency: 1 }],
      { renewEveryMs: 20 },
      { leaseSeconds: 60 },
    );
    const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
    const deadlines = manager.keys.poolKeys(pool).leaseDeadlines;
    const deadline = async () =>
      Number((await ctx.redis().zrange(deadlines, 0, 0, 'WITHSCORES'))[1]);
    const tunnel = await connectVia(gateway, `127.0.0.1:${fx.sites.https.port}`, basic('', TOKEN));
    expect(tunnel.status).toBe(200);
    const first = await deadline();
    // 40 s on: the renewal after the move pushes the deadline ~40 s later.
    await clock.advance(40_000);
    await vi.waitFor(async () => expect(await deadline()).toBeGreaterThan(first + 39_000));
    // Past the first deadline: still live, nothing to reclaim, the proxy still busy.
    await clock.advance(40_000);
    expect(await manager.cleanupExpiredLeases(pool)).toBe(0);
    const res = await viaGateway(gateway, `${fx.sites.http.origin}/ok`, basic('wait=0', TOKEN));
    expect(res.headers['x-leasehold-error']).toBe('no_proxy_available');
    tunnel.socket.destroy();
    await vi.waitFor(async () => expect((await manager.getPoolStats(pool)).totalLeases).toBe(0));
  });
});
