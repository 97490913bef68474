import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

/** bull-board's page links Google Fonts; the dashboard loads nothing from the internet. */
const REMOTE_STYLESHEET = /<link[^>]+href="https:\/\/[^"]*"[^>]*rel="stylesheet"[^>]*>/g;

/** bull-board for the housekeeping queue at /queues: one page of this app, not a server. */
export async function registerQueues(app: FastifyInstance, queue: Queue): Promise<void> {
  const board = new FastifyAdapter();
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter: board });
  board.setBasePath('/queues');
  await app.register(
    async (scope) => {
      scope.addHook('onSend', async (_req, reply, payload) =>
        typeof payload === 'string' &&
        String(reply.getHeader('content-type')).startsWith('text/html')
          ? payload.replace(REMOTE_STYLESHEET, '')
          : payload,
      );
      await scope.register(board.registerPlugin());
    },
    { prefix: '/queues' },
  );
}
