import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
} from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ForwardProxy, type ForwardProxyOptions, startForwardProxy } from './index.js';

/** An origin on `host` that echoes what it received and sets a few headers of each kind. */
async function startOrigin(host: string) {
  const seen: IncomingHttpHeaders[] = [];
  const held: (() => void)[] = [];
  let holdUntil = 0;
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const answer = () =>
      res
        .writeHead(200, {
          'x-origin': 'yes',
          'keep-alive': 'timeout=99',
          'proxy-authenticate': 'Basic realm="origin"',
        })
        .end(`${req.method} ${req.url}`);
    held.push(answer);
    // Answers wait until `holdUntil` requests are in, then all go at once.
    if (held.length >= holdUntil) for (const go of held.splice(0)) go();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    seen,
    holdFor(n: number) {
      holdUntil = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    server: server as Server,
  };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function collect(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks).toString(),
      }),
    );
    res.on('error', reject);
  });
}

/** GET an absolute URL through the proxy. */
function viaProxy(proxy: ForwardProxy, target: string, headers: Record<string, string> = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: proxy.port, path: target, headers, agent: false },
      (res) => collect(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end();
  });
}

/** CONNECT through the proxy, then a plain GET inside the tunnel; or the CONNECT's refusal. */
function throughTunnel(
  proxy: ForwardProxy,
  authority: string,
  headers: Record<string, string> = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: proxy.port,
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
    });
    req.on('connect', (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
      }
      const inner = request(
        { createConnection: () => socket, path: '/inside', headers: { host: authority } },
        (answer) => collect(answer).then(resolve, reject),
      );
      inner.on('error', reject);
      inner.end();
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('@leasehold/forward-proxy', () => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  let origin6: Awaited<ReturnType<typeof startOrigin>>;
  const proxies: ForwardProxy[] = [];
  const start = async (options: ForwardProxyOptions = {}) => {
    const proxy = await startForwardProxy(options);
    proxies.push(proxy);
    return proxy;
  };
  beforeAll(async () => {
    origin = await startOrigin('127.0.0.1');
    origin6 = await startOrigin('::1');
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    await origin.close();
    await origin6.close();
  });

  it('forwards an absolute-form request and drops hop-by-hop headers both ways', async () => {
    const proxy = await start();
    const answer = await viaProxy(proxy, `http://127.0.0.1:${origin.port}/page?q=1`, {
      connection: 'x-trace',
      'x-trace': 'hop',
      'x-kept': 'end-to-end',
      'proxy-authorization': basic('u', 'p'),
    });
    expect(answer).toMatchObject({ status: 200, body: 'GET /page?q=1' });
    const received = origin.seen.at(-1) ?? {};
    expect(received['x-kept']).toBe('end-to-end');
    expect(received).not.toHaveProperty('x-trace');
    expect(received).not.toHaveProperty('proxy-authorization');
    expect(answer.headers['x-origin']).toBe('yes');
    expect(answer.headers).not.toHaveProperty('proxy-authenticate');
    expect(answer.headers['keep-alive']).not.toBe('timeout=99');
    expect(proxy.requests).toBe(1);
  });

  it('tunnels CONNECT to IPv6 and IPv4 targets; a bad target is 400, an unreachable one 502', async () => {
    const proxy = await start();
    expect(await throughTunnel(proxy, `[::1]:${origin6.port}`)).toMatchObject({
      status: 200,
      body: 'GET /inside',
    });
    expect(await throughTunnel(proxy, `127.0.0.1:${origin.port}`)).toMatchObject({ status: 200 });
    expect((await throughTunnel(proxy, '[::1]:99999')).status).toBe(400);
    const closed = await startOrigin('127.0.0.1');
    await closed.close();
    expect((await throughTunnel(proxy, `127.0.0.1:${closed.port}`)).status).toBe(502);
    expect(proxy.tunnels).toBe(4);
  });

  it('asks for Basic credentials (407) and records the username of each admitted request', async () => {
    const proxy = await start({ auth: { username: 'alice', password: 'p@ss:word' } });
    expect(proxy.url).toBe(`http://alice:p%40ss%3Aword@127.0.0.1:${proxy.port}`);
    const target = `http://127.0.0.1:${origin.port}/`;
    const refused = await viaProxy(proxy, target, {
      'proxy-authorization': basic('alice', 'wrong'),
    });
    expect(refused.status).toBe(407);
    expect(refused.headers['proxy-authenticate']).toMatch(/^Basic/);
    expect((await throughTunnel(proxy, `127.0.0.1:${origin.port}`)).status).toBe(407);
    const ok = { 'proxy-authorization': basic('alice', 'p@ss:word') };
    expect((await viaProxy(proxy, target, ok)).status).toBe(200);
    expect((await throughTunnel(proxy, `127.0.0.1:${origin.port}`, ok)).status).toBe(200);
    expect({ refused: proxy.refused, usernames: proxy.usernames }).toEqual({
      refused: 2,
      usernames: ['alice', 'alice'],
    });
  });

  it('answers, resets or delays a request as its verdict says', async () => {
    const verdicts = [
      { action: 'answer', status: 429, headers: { 'retry-after': '2' } },
      { action: 'reset' },
      { action: 'forward', delayMs: 1 },
    ] as const;
    const proxy = await start({ verdict: ({ served }) => verdicts[served - 1] });
    const target = `http://127.0.0.1:${origin.port}/v`;
    const limited = await viaProxy(proxy, target);
    expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': '2' } });
    await expect(viaProxy(proxy, target)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await viaProxy(proxy, target)).toMatchObject({ status: 200, body: 'GET /v' });
    const unjudged = await throughTunnel(proxy, `127.0.0.1:${origin.port}`);
    expect(unjudged.status).toBe(200);
  });

  it('counts its own peak of concurrent requests and lets each one go once', async () => {
    const proxy = await start();
    origin.holdFor(3);
    const target = `http://127.0.0.1:${origin.port}/held`;
    const answers = await Promise.all([
      viaProxy(proxy, target),
      viaProxy(proxy, target),
      viaProxy(proxy, target),
    ]);
    origin.holdFor(0);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(proxy.peak).toBe(3);
    await vi.waitFor(() => expect(proxy.inFlight).toBe(0));
    expect(proxy.requests).toBe(3);
  });

  it('refuses bad options by name', async () => {
    await expect(startForwardProxy({ port: 70_000 })).rejects.toThrow('options.port');
    await expect(
      startForwardProxy({
        auth: { username: 'u' } as unknown as { username: string; password: string },
      }),
    ).rejects.toThrow('options.auth');
  });
});
