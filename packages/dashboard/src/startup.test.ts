import { createServer, type Server } from 'node:net';
import { describeEachTarget } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { duplicateOf } from '../test/testSupport.js';
import { startDashboard } from './server.js';

/** The connections startDashboard opens beside the caller's (bull-board's), as it opens them. */
function trackDuplicates<T extends { duplicate: () => unknown }>(client: T) {
  const opened: { status: string }[] = [];
  const duplicate = client.duplicate.bind(client);
  Object.assign(client, {
    duplicate: () => {
      const copy = duplicate() as { status: string };
      opened.push(copy);
      return copy;
    },
  });
  return opened;
}

describeEachTarget('startDashboard: checks first, leaves nothing open when it fails', (ctx) => {
  let blocker: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    blocker = undefined;
  });

  it('a host that is no address (127.999.1.1) is a typed error before any connection opens', async () => {
    const redis = duplicateOf(ctx.redis());
    const opened = trackDuplicates(redis);
    await expect(startDashboard({ host: '127.999.1.1', port: 0, redis })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'host',
    });
    await expect(startDashboard({ host: '0.0.0.0', port: 0, redis })).rejects.toMatchObject({
      field: 'token',
    });
    expect(opened).toHaveLength(0);
    redis.disconnect();
  });

  it('a port in use is a typed error naming the port, and what it opened is closed', async () => {
    const server = createServer();
    blocker = server;
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    const redis = duplicateOf(ctx.redis());
    const opened = trackDuplicates(redis);
    await expect(startDashboard({ port, redis })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'port',
      hint: expect.stringContaining('port'),
    });
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.map((c) => c.status)).toEqual(opened.map(() => 'end'));
    // The caller's connection is the caller's: still usable.
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });
});
