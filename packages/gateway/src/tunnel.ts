// CONNECT: one lease per tunnel, a CONNECT to the leased upstream, then bytes both ways until
// either side closes. The outcome is the upstream's CONNECT answer (the gateway cannot see
// inside the TLS); an upstream's 407 or refusal is the client's 502, never relayed.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { classifyOutcome, type Outcome } from '@leasehold/core';
import { connectTarget } from '@leasehold/forward-proxy';
import { refuseConnect } from './answers.js';
import type { Exchanges } from './exchanges.js';
import { failureMessage, type LeaseBook, leaseHeaders } from './leases.js';
import type { GatewayStats } from './metrics.js';
import { connectThrough } from './upstream.js';

export interface TunnelContext {
  leases: LeaseBook;
  exchanges: Exchanges;
  stats: GatewayStats;
  connectTimeoutMs: number;
  /** How often an open tunnel's lease is extended (default: a third of its duration). */
  renewEveryMs: number | undefined;
}

function elapsed(started: number): number {
  return Math.min(3_600_000, Math.round(performance.now() - started));
}

export async function handleConnect(
  ctx: TunnelContext,
  req: IncomingMessage,
  client: Socket,
  head: Buffer,
  username: string,
): Promise<void> {
  const authority = req.url ?? '';
  const target = connectTarget(authority);
  if (target === null) {
    refuseConnect(client, { code: 'bad_request', message: 'CONNECT wants host:port' });
    return;
  }
  let ended!: () => void;
  const done = new Promise<void>((resolve) => {
    ended = resolve;
  });
  let upstream: Socket | undefined;
  ctx.exchanges.track({
    done,
    cut: () => {
      client.destroy();
      upstream?.destroy();
    },
  });
  client.on('error', () => client.destroy());
  try {
    const answer = await ctx.leases.acquire(username, target.host);
    if ('refusal' in answer) {
      if (answer.refusal.code === 'no_proxy_available') ctx.stats.noProxy++;
      refuseConnect(client, answer.refusal);
      return;
    }
    const { lease } = answer;
    const started = performance.now();
    let outcome: Outcome | undefined;
    try {
      if (client.destroyed) return;
      const reply = await connectThrough(lease, target, authority, ctx.connectTimeoutMs).catch(
        (error: unknown) => ({ status: -1 as const, error }),
      );
      if (reply.status === -1 || !('socket' in reply)) {
        const classified =
          'error' in reply
            ? classifyOutcome({ error: reply.error })
            : classifyOutcome({ statusCode: reply.status });
        const message =
          'error' in reply
            ? failureMessage(lease, reply.error)
            : `CONNECT answered ${reply.status}`;
        outcome = classified.ok
          ? { ok: false, error: 'unknown', message, latencyMs: elapsed(started) }
          : { ...classified, message, latencyMs: elapsed(started) };
        refuseConnect(client, {
          code: 'upstream_failed',
          message: 'the upstream proxy refused the tunnel',
        });
        return;
      }
      outcome = { ok: true, latencyMs: elapsed(started) };
      const socket = reply.socket;
      upstream = socket;
      if (client.destroyed) return void socket.destroy();
      ctx.stats.tunnels++;
      const headers = Object.entries(leaseHeaders(lease)).map(([k, v]) => `${k}: ${v}\r\n`);
      client.write(`HTTP/1.1 200 Connection Established\r\n${headers.join('')}\r\n`);
      if (reply.head.length > 0) client.write(reply.head);
      if (head.length > 0) socket.write(head);
      socket.on('error', () => client.destroy());
      const stopRenewing = ctx.leases.keepAlive(lease, ctx.renewEveryMs);
      await new Promise<void>((resolve) => {
        socket.once('close', resolve);
        client.once('close', resolve);
        socket.pipe(client);
        client.pipe(socket);
      });
      stopRenewing();
      socket.destroy();
      client.destroy();
    } finally {
      await ctx.leases.release(lease, outcome);
    }
  } finally {
    ended();
  }
}
