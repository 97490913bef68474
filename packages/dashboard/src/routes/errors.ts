import {
  LeaseholdError,
  PoolNotFoundError,
  redactCredentials,
  ValidationError,
} from '@leasehold/core';
import type { FastifyInstance } from 'fastify';
import { wantsHtml } from '../security/requestChecks.js';
import { errorPage } from '../views/errorPage.js';
import { type DashboardContext, pageOptions, sendHtml } from './context.js';

/** Typed errors become 404 / 400 with their message and hint (redacted), as a page or JSON. */
export function installErrorHandler(app: FastifyInstance, ctx: DashboardContext): void {
  app.setErrorHandler((error, req, reply) => {
    const status =
      error instanceof PoolNotFoundError
        ? 404
        : error instanceof ValidationError
          ? 400
          : ((error as { statusCode?: number }).statusCode ?? 500);
    const message = redactCredentials(error instanceof Error ? error.message : String(error));
    const hint = error instanceof LeaseholdError ? error.hint : undefined;
    if (wantsHtml(req))
      return sendHtml(reply, errorPage(status, message, hint, pageOptions(ctx)), status);
    return reply.code(status).send({ error: message, hint });
  });
}
