import {
  AcquireOptionsSchema,
  type ParsedAcquireOptions,
  parseInput,
  ValidationError,
} from '@leasehold/core';
import type { buildConnector, RequestInit } from 'undici';
import { z } from 'zod';
import { checkRequest, checkTarget, isStream } from './requestChecks.js';

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_BODY_BYTES_LIMIT = 1024 * 1024 * 1024;

const objectOf = <T>(what: string) =>
  z.custom<T>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), `must be ${what}`);

// The acquire's signal is init.signal: one signal ends the wait for a proxy and the fetch.
export const LeasedFetchOptionsSchema = AcquireOptionsSchema.omit({ signal: true })
  .extend({
    /** Attempts in all, each on a proxy not tried before. */
    maxAttempts: z.int().min(1).max(10).default(3),
    /** Per attempt: connect, headers and the whole body. */
    timeoutMs: z.int().min(1).max(600_000).default(30_000),
    maxBodyBytes: z.int().min(0).max(MAX_BODY_BYTES_LIMIT).default(DEFAULT_MAX_BODY_BYTES),
    /** fetch's init (method, headers, body, signal); the dispatcher is leasedFetch's own. */
    init: objectOf<RequestInit>('a fetch init object').optional(),
    /** TLS options for https targets (e.g. `{ ca }`), as proxyDispatcher takes them. */
    tls: objectOf<buildConnector.BuildOptions>('TLS options').optional(),
    /** Keep one dispatcher per proxy so its connections are reused (default) or a new one each time. */
    reuseConnections: z.boolean().default(true),
  })
  .strict();

export type LeasedFetchOptions = z.input<typeof LeasedFetchOptionsSchema>;

export interface ParsedLeasedFetch {
  target: URL;
  acquire: ParsedAcquireOptions;
  maxAttempts: number;
  timeoutMs: number;
  maxBodyBytes: number;
  init: RequestInit;
  signal: AbortSignal | undefined;
  tls: buildConnector.BuildOptions | undefined;
  reuseConnections: boolean;
}

/** Every input checked before anything is leased. */
export function parseLeasedFetch(url: unknown, options: unknown): ParsedLeasedFetch {
  const target = checkTarget(url);
  const { maxAttempts, timeoutMs, maxBodyBytes, init, tls, reuseConnections, ...acquire } =
    parseInput(LeasedFetchOptionsSchema, options);
  const given: RequestInit = init ?? {};
  if ('dispatcher' in given) {
    throw new ValidationError(
      [{ field: 'init.dispatcher', message: 'is set by leasedFetch (the leased proxy)' }],
      'Use proxyDispatcher(lease) with fetch to bring your own lease',
    );
  }
  const signal = given.signal ?? undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ValidationError([{ field: 'init.signal', message: 'must be an AbortSignal' }]);
  }
  checkRequest(target, given);
  // A session given by id is bound to its proxy: there is no other proxy to retry on.
  const attempts = typeof acquire.session === 'object' ? 1 : maxAttempts;
  if (attempts > 1 && isStream(given.body)) {
    throw new ValidationError(
      [{ field: 'init.body', message: 'a stream cannot be sent again on a retry' }],
      'Pass a string, Buffer or FormData body, or maxAttempts: 1',
    );
  }
  return {
    target,
    acquire: {
      ...acquire,
      scope: acquire.scope ?? target.hostname,
      ...(signal === undefined ? {} : { signal }),
    },
    maxAttempts: attempts,
    timeoutMs,
    maxBodyBytes,
    init: given,
    signal,
    tls,
    reuseConnections,
  };
}
