// `leasehold gateway` in-process: a refusal to start off loopback without a token, and SIGTERM
// (here SIGINT, the same path) mid-tunnel: the tunnel finishes within the grace period, every
// lease is released, exit 0.
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { ProxyManager } from '@leasehold/client';
import { startForwardProxy } from '@leasehold/forward-proxy';
import { describeEachTarget, redisTargetEnv } from '@leasehold/testing';
import { expect, it, vi } from 'vitest';
import { cliInProcess, startCli } from '../../test/cliSupport.js';

const TOKEN = 'cli-gateway-token-0123456789';

function openTunnel(port: number, authority: string): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const auth = `Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`;
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'CONNECT',
      path: authority,
      headers: { 'proxy-authorization': auth },
      agent: false,
    });
    req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('error', reject);
    req.end();
  });
}

describeEachTarget('leasehold gateway', (ctx) => {
  it('a bind beyond loopback without LEASEHOLD_GATEWAY_TOKEN: one line saying why, exit 1', async () => {
    const env = { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: ctx.uniquePrefix() };
    const { code, stdout, stderr } = await cliInProcess(
      ['gateway', '--pool', 'p', '--host', '0.0.0.0', '--port', '0'],
      env,
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('LEASEHOLD_GATEWAY_TOKEN');
    expect(stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('SIGTERM mid-tunnel: stops accepting, lets the tunnel finish, releases every lease, exits 0', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    const upstream = await startForwardProxy();
    const target = await startForwardProxy();
    try {
      await manager.upsertPool({ name: 'scrape' });
      await manager.addProxies('scrape', [upstream.url]);
      const env = {
        ...redisTargetEnv(ctx.target),
        LEASEHOLD_PREFIX: prefix,
        LEASEHOLD_GATEWAY_TOKEN: TOKEN,
      };
      const cli = startCli(
        ['gateway', '--pool', 'scrape', '--port', '0', '--grace-ms', '60000'],
        env,
      );
      await vi.waitFor(() => expect(cli.stdout()).toMatch(/gateway on http:\/\/127\.0\.0\.1:\d+/));
      const port = Number(/:(\d+)/.exec(cli.stdout().split('gateway on ')[1] ?? '')?.[1]);
      // Any TCP listener will do as the tunnel's target: another forward proxy.
      const tunnel = await openTunnel(port, `127.0.0.1:${target.port}`);
      expect(tunnel.status).toBe(200);
      expect((await manager.getPoolStats('scrape')).totalLeases).toBe(1);
      cli.interrupt();
      await vi.waitFor(async () =>
        expect(await openTunnel(port, '127.0.0.1:1').catch((e) => e)).toBeInstanceOf(Error),
      );
      expect((await manager.getPoolStats('scrape')).totalLeases).toBe(1);
      tunnel.socket.end();
      expect(await cli.done).toBe(0);
      expect((await manager.getPoolStats('scrape')).totalLeases).toBe(0);
      expect(cli.both()).not.toContain(TOKEN);
    } finally {
      await manager.close();
      await upstream.close();
      await target.close();
    }
  });
});
