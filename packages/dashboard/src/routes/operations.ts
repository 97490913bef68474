import { checkHealth, type createMetricsRegistry } from '@leasehold/worker';
import type { FastifyPluginAsync } from 'fastify';

interface OperationsOptions {
  redis: Parameters<typeof checkHealth>[0];
  registry: ReturnType<typeof createMetricsRegistry>;
}

/** `/healthz` for probes, `/metrics` for Prometheus (the worker's registry, read-only). */
export const operationsRoutes: FastifyPluginAsync<OperationsOptions> = async (
  app,
  { redis, registry },
) => {
  app.get('/healthz', async (_req, reply) => {
    const report = await checkHealth(redis, undefined);
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
};
