import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

/** The package's own script and stylesheet (assets/ ships in the tarball; no CDN). */
const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** Read once at start: from src/routes/ and dist/routes/ alike, assets/ is two levels up. */
const load = (name: string) => readFileSync(new URL(`../../assets/${name}`, import.meta.url));

export const assetRoutes: FastifyPluginAsync = async (app) => {
  for (const [name, type] of Object.entries(ASSETS)) {
    const body = load(name);
    app.get(`/assets/${name}`, async (_req, reply) =>
      reply.header('content-type', type).header('cache-control', 'max-age=300').send(body),
    );
  }
};
