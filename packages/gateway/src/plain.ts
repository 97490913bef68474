// Plain HTTP (absolute-form requests): one lease per request, the request sent to the leased
// upstream proxy, the answer streamed back with x-leasehold-proxy. The outcome is the status
// and Retry-After as classifyOutcome reads them, under the target host's scope.
import {
  type Agent,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Lease } from '@leasehold/client';
import { classifyOutcome, type Outcome } from '@leasehold/core';
import { endToEndHeaders } from '@leasehold/forward-proxy';
import { refuseRequest } from './answers.js';
import type { Exchanges } from './exchanges.js';
import { failureMessage, type LeaseBook, leaseHeaders } from './leases.js';
import type { GatewayStats } from './metrics.js';
import { isSocks, socksSocket, upstreamAuthorization } from './upstream.js';

export interface PlainContext {
  leases: LeaseBook;
  exchanges: Exchanges;
  stats: GatewayStats;
  /** Keep-alive connections to http upstreams, shared by every lease of the same proxy. */
  agents: { http: Agent; https: Agent };
  connectTimeoutMs: number;
}

function elapsed(started: number): number {
  return Math.min(3_600_000, Math.round(performance.now() - started));
}

/** What the upstream's answer (or failure) says about the proxy. */
function outcomeOf(lease: Lease, answer: IncomingMessage | Error, started: number): Outcome {
  const latencyMs = elapsed(started);
  if (answer instanceof Error) {
    const classified = classifyOutcome({ error: answer });
    const message = failureMessage(lease, answer);
    return classified.ok
      ? { ok: false, error: 'unknown', message, latencyMs }
      : { ...classified, message, latencyMs };
  }
  const retryAfter = answer.headers['retry-after'];
  const classified = classifyOutcome({
    statusCode: answer.statusCode ?? 0,
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });
  return classified.ok
    ? { ok: true, latencyMs }
    : { ...classified, message: `HTTP ${answer.statusCode}`, latencyMs };
}

export async function handlePlain(
  ctx: PlainContext,
  req: IncomingMessage,
  res: ServerResponse,
  username: string,
): Promise<void> {
  let target: URL;
  try {
    target = new URL(req.url ?? '');
    if (target.protocol !== 'http:') throw new Error('not http');
  } catch {
    refuseRequest(res, {
      code: 'bad_request',
      message: 'absolute http:// URL expected (CONNECT for https)',
    });
    return;
  }
  let ended!: () => void;
  const done = new Promise<void>((resolve) => {
    ended = resolve;
  });
  ctx.exchanges.track({
    done,
    cut: () => {
      req.destroy();
      res.destroy();
    },
  });
  // A client may leave while its request waits for a proxy: the lease it gets goes back.
  let clientGone = false;
  res.once('close', () => {
    clientGone = true;
  });
  try {
    const answer = await ctx.leases.acquire(username, target.hostname.replace(/^\[|\]$/g, ''));
    if ('refusal' in answer) {
      if (answer.refusal.code === 'no_proxy_available') ctx.stats.noProxy++;
      refuseRequest(res, answer.refusal);
      return;
    }
    const outcome = clientGone ? undefined : await forward(ctx, answer.lease, target, req, res);
    await ctx.leases.release(answer.lease, outcome);
  } finally {
    ended();
  }
}

/** Where the request goes: to an http(s) upstream in absolute form, or origin-form over a SOCKS socket. */
async function upstreamRequestOptions(
  ctx: PlainContext,
  lease: Lease,
  target: URL,
): Promise<RequestOptions & { https: boolean; socks?: Socket }> {
  if (isSocks(lease)) {
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const socket = await socksSocket(lease, host, Number(target.port) || 80, ctx.connectTimeoutMs);
    const path = `${target.pathname}${target.search}`;
    return {
      https: false,
      socks: socket,
      path,
      headers: {},
      createConnection: () => socket,
    };
  }
  const https = lease.proxy.protocol === 'https';
  return {
    https,
    host: lease.proxy.host,
    port: lease.proxy.port,
    path: target.href,
    headers: upstreamAuthorization(lease),
    agent: https ? ctx.agents.https : ctx.agents.http,
  };
}

/** Sends the request through the lease's proxy; resolves with the outcome once it has ended. */
async function forward(
  ctx: PlainContext,
  lease: Lease,
  target: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Outcome | undefined> {
  const started = performance.now();
  let options: Awaited<ReturnType<typeof upstreamRequestOptions>>;
  try {
    options = await upstreamRequestOptions(ctx, lease, target);
  } catch (error) {
    refuseRequest(res, { code: 'upstream_failed', message: 'the upstream proxy failed' });
    return outcomeOf(lease, error as Error, started);
  }
  const { https, socks, headers: proxyHeaders, ...requestOptions } = options;
  // Gone while the upstream connection was opened: its 'close' has fired already.
  if (req.socket.destroyed) {
    socks?.destroy();
    return undefined;
  }
  return new Promise((resolve) => {
    let outcome: Outcome | undefined;
    const upstream = (https ? httpsRequest : httpRequest)(
      {
        ...requestOptions,
        method: req.method,
        headers: { ...endToEndHeaders(req.headers), host: target.host, ...proxyHeaders },
        timeout: ctx.connectTimeoutMs,
      },
      (answer) => {
        outcome = outcomeOf(lease, answer, started);
        if (answer.statusCode === 407) {
          // The upstream refused its credentials: the client's own proxy auth is not at issue.
          answer.resume();
          refuseRequest(res, {
            code: 'upstream_failed',
            message: 'the upstream proxy refused the request',
          });
          return;
        }
        ctx.stats.requests++;
        res.writeHead(answer.statusCode ?? 502, {
          ...endToEndHeaders(answer.headers),
          ...leaseHeaders(lease),
        });
        answer.pipe(res);
        answer.once('aborted', () => res.destroy());
      },
    );
    upstream.once('timeout', () =>
      upstream.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT' })),
    );
    upstream.once('error', (error) => {
      // An error after the answer began is the stream's end, not the proxy's verdict.
      if (outcome === undefined) outcome = outcomeOf(lease, error, started);
      if (!res.headersSent)
        refuseRequest(res, { code: 'upstream_failed', message: 'the upstream proxy failed' });
      else res.destroy();
    });
    // A client gone before the answer is nobody's fault: no outcome.
    res.once('close', () => {
      if (!upstream.destroyed && !res.writableFinished) upstream.destroy();
      resolve(outcome);
    });
    req.pipe(upstream);
  });
}
