// Crawlee 3 glue: a crawler's proxies and sessions come from a Leasehold pool, and every
// request's outcome goes back to it. Crawlee 3 has no per-request "finally" a user can hook,
// so the lease of an attempt is given back by whichever handler runs last for it:
// requestHandler (success, or a throw after a response), errorHandler (a retry follows),
// failedRequestHandler (retries exhausted), onSkippedRequest (redirected off the enqueue
// strategy); a new attempt of the same request, or releaseAll(), gives back one that none
// of them ended (a CriticalError).
import { ProxyConfiguration, type Session, SessionError } from '@crawlee/core';
import type { ProxyManager } from '@leasehold/client';
import { type ProxyProtocol, parseInput, redactMessage } from '@leasehold/core';
import { z } from 'zod';
import { restoreCookies, saveCookies } from './cookieJar.js';
import {
  type LeaseholdSession,
  LeaseholdSessions,
  LeaseholdSessionsOptionsSchema,
  type SessionReport,
} from './leaseholdSessions.js';
import { SessionTurns } from './sessionTurns.js';

type ScopeFunction = (url: string) => string | undefined;

/** What Crawlee 3's HTTP client (got-scraping) can send through: SOCKS proxies are never leased to it. */
const CRAWLEE_PROTOCOLS: ProxyProtocol[] = ['http', 'https'];

export const LeaseholdCrawleeOptionsSchema = LeaseholdSessionsOptionsSchema.extend({
  /**
   * Scope of each request's lease (per-domain rests and caps): 'host' (default) uses the
   * URL's host, 'none' leases without a scope, a function picks one per URL.
   */
  scope: z
    .union([
      z.enum(['host', 'none']),
      z.custom<ScopeFunction>((v) => typeof v === 'function', 'must be a function'),
    ])
    .default('host'),
  /** Crawlee→Leasehold session ids remembered, at most (the oldest are forgotten). */
  maxBoundSessions: z.int().min(1).max(1_000_000).default(10_000),
}).strict();
export type LeaseholdCrawleeOptions = z.input<typeof LeaseholdCrawleeOptionsSchema>;

/** What the glue needs of a crawling context (Crawlee 3's HTTP crawlers: Http, Cheerio, JSDOM …). */
interface ContextLike {
  request: { id?: string | undefined; uniqueKey: string; url: string };
  session?: Session | undefined;
  response?: { statusCode?: number; headers?: Record<string, unknown> } | undefined;
  log?: { warning(message: string, data?: Record<string, unknown>): void } | undefined;
  /** Crawlee's crawler: its router handles requests when no requestHandler is given. */
  crawler?: { router?: unknown } | undefined;
}

// `never` parameters: any handler of any crawler's context type fits.
type Handler = (context: never, ...rest: never[]) => unknown;

/** The crawler options crawlerOptions() fills in or wraps. */
export interface CrawlerOptionsLike {
  requestHandler?: Handler;
  errorHandler?: Handler;
  failedRequestHandler?: Handler;
  preNavigationHooks?: Handler[];
  postNavigationHooks?: Handler[];
  sessionPoolOptions?: object;
  additionalHttpErrorStatusCodes?: number[];
  onSkippedRequest?: Handler;
}

// biome-ignore lint/suspicious/noExplicitAny: any crawler class, whatever its constructor takes.
type CrawlerClass = abstract new (...args: any[]) => object;

/** One attempt of one request: the session it leased and what the site answered. */
interface Attempt {
  key: string;
  url: string;
  session?: LeaseholdSession;
  /** The Crawlee session whose turn this attempt holds. */
  turnOf?: string;
  ended: boolean;
  statusCode?: number;
  retryAfter?: string;
}

export interface LeaseholdCrawlee {
  /** The crawler-independent core (getSession(id?) → a handle bound to a lease). */
  readonly sessions: LeaseholdSessions;
  /** Leases a proxy (and a Leasehold session) for each request attempt. */
  readonly proxyConfiguration: ProxyConfiguration;
  /**
   * The crawler options with Leasehold wired in: proxyConfiguration, the session pool with
   * cookies per session, 401/403 as blocked (retire), 429 as an error (retry elsewhere),
   * and the user's handlers and hooks wrapped so each attempt's lease is released with its
   * outcome. Name the options type, Crawlee's handler types do not flow through a generic
   * call: `new CheerioCrawler(leasehold.crawlerOptions<CheerioCrawlerOptions>({ … }))`.
   */
  crawlerOptions<O extends CrawlerOptionsLike>(options: O): O;
  /**
   * A subclass of a Crawlee 3 crawler class whose constructor passes its options through
   * crawlerOptions(): `new (leasehold.crawlerClass(CheerioCrawler))({ requestHandler })`,
   * with the crawler's own option and context types.
   */
  crawlerClass<C extends CrawlerClass>(crawler: C): C;
  /** The Leasehold session a Crawlee session is bound to (last leased), if any. */
  leaseholdSessionId(crawleeSessionId: string): string | undefined;
  /** Releases leases no handler ended (after a crawler stopped on a critical error). */
  releaseAll(): Promise<number>;
}

/** Plug a Leasehold pool into a Crawlee 3 crawler. */
export function leaseholdForCrawlee(
  manager: ProxyManager,
  options: LeaseholdCrawleeOptions,
): LeaseholdCrawlee {
  const { scope, maxBoundSessions, ...sessionOptions } = parseInput(
    LeaseholdCrawleeOptionsSchema,
    options,
    'options',
  );
  const sessions = new LeaseholdSessions(manager, sessionOptions);
  const attempts = new Map<string, Attempt>();
  const bindings = new Map<string, string>();
  const turns = new SessionTurns();

  const scopeOf = (url: string): string | undefined => {
    if (scope === 'none') return undefined;
    if (scope === 'host') return new URL(url).host;
    return (scope as ScopeFunction)(url);
  };

  const bind = (crawleeSessionId: string, leaseholdId: string): void => {
    bindings.delete(crawleeSessionId);
    bindings.set(crawleeSessionId, leaseholdId);
    if (bindings.size > maxBoundSessions) {
      const oldest = bindings.keys().next().value;
      if (oldest !== undefined) bindings.delete(oldest);
    }
  };

  /**
   * Ends an attempt (once): the Crawlee session's cookies saved into the Leasehold session,
   * the outcome reported, the lease released, the Crawlee session's turn handed on.
   */
  const settle = async (
    attempt: Attempt,
    context: Pick<ContextLike, 'session' | 'log'>,
    error?: unknown,
  ): Promise<void> => {
    if (attempt.ended) return;
    attempt.ended = true;
    if (attempts.get(attempt.key) === attempt) attempts.delete(attempt.key);
    try {
      const session = attempt.session;
      if (!session) return;
      if (context.session) session.setData(saveCookies(context.session));
      const report = reportOf(attempt, error);
      await (report === null ? session.release() : session.report(report));
    } catch (failure) {
      // Never into Crawlee's handlers: an error there stops the whole crawl. The lease
      // expires after its duration if the release did not reach Redis.
      context.log?.warning('Leasehold: could not release the lease of a request', {
        error: redactMessage(failure instanceof Error ? failure.message : String(failure)),
      });
    } finally {
      if (attempt.turnOf !== undefined) turns.give(attempt.turnOf);
      attempt.turnOf = undefined;
    }
  };

  const newUrlFunction = async (
    crawleeSessionId: string | number | undefined,
    { request }: { request?: ContextLike['request'] } = {},
  ): Promise<string> => {
    if (request === undefined) {
      throw new Error(
        'Leasehold leases a proxy per request: newUrl() was called without a request',
      );
    }
    const key = requestKey(request);
    // A previous attempt no handler ended (it cannot be running: Crawlee retries in turn).
    const stale = attempts.get(key);
    if (stale) await settle(stale, {});
    const attempt: Attempt = { key, url: request.url, ended: false };
    attempts.set(key, attempt);
    const crawleeId = crawleeSessionId === undefined ? undefined : String(crawleeSessionId);
    if (crawleeId !== undefined) {
      await turns.take(crawleeId, sessions.options.waitMs);
      if (attempt.ended) {
        turns.give(crawleeId);
        throw new Error('The request ended while it waited for its Crawlee session');
      }
      attempt.turnOf = crawleeId;
    }
    const bound = crawleeId === undefined ? undefined : bindings.get(crawleeId);
    const session = await sessions.getSession(bound, {
      ...withScope(scopeOf(request.url)),
      protocols: CRAWLEE_PROTOCOLS,
    });
    if (crawleeId !== undefined) bind(crawleeId, session.id);
    if (attempt.ended) {
      // The attempt timed out (or was replaced) while this waited for a proxy.
      await session.release();
      throw new Error('The request ended while it waited for a Leasehold proxy');
    }
    attempt.session = session;
    return session.proxyUrl;
  };
  const proxyConfiguration = new ProxyConfiguration({
    newUrlFunction: newUrlFunction as never,
  });

  /** The Leasehold session's cookies replace the Crawlee session's before navigation. */
  const restoreSessionCookies = (context: ContextLike): void => {
    const attempt = attempts.get(requestKey(context.request));
    if (attempt?.session && context.session) restoreCookies(context.session, attempt.session.data);
  };

  const recordResponse = (context: ContextLike): void => {
    const attempt = attempts.get(requestKey(context.request));
    if (!attempt || !context.response) return;
    attempt.statusCode = context.response.statusCode;
    const retryAfter = context.response.headers?.['retry-after'];
    if (typeof retryAfter === 'string') attempt.retryAfter = retryAfter;
  };

  const finish = async (context: ContextLike, error?: unknown): Promise<void> => {
    // Crawlee's own post-navigation hook (refusing a content type) runs before recordResponse
    // and throws: the response is on the context all the same, and it decides the outcome.
    recordResponse(context);
    const attempt = attempts.get(requestKey(context.request));
    if (attempt) await settle(attempt, context, error);
  };

  /** Crawlee skips a request redirected off its enqueue strategy without any handler. */
  const finishSkipped = async ({ url, reason }: { url: string; reason: string }) => {
    if (reason !== 'redirect') return;
    for (const attempt of [...attempts.values()]) {
      if (attempt.url === url && attempt.statusCode !== undefined) await settle(attempt, {});
    }
  };

  const crawlerOptions = <O extends CrawlerOptionsLike>(user: O): O => {
    const call = (handler: Handler | undefined, ...args: unknown[]) =>
      (handler as ((...a: unknown[]) => unknown) | undefined)?.(...args);
    const userSessionPool = (user.sessionPoolOptions ?? {}) as Record<string, unknown>;
    return {
      ...user,
      proxyConfiguration,
      useSessionPool: true,
      persistCookiesPerSession: true,
      sessionPoolOptions: { blockedStatusCodes: [401, 403], ...userSessionPool },
      additionalHttpErrorStatusCodes: [
        ...new Set([...(user.additionalHttpErrorStatusCodes ?? []), 429]),
      ],
      preNavigationHooks: [restoreSessionCookies, ...(user.preNavigationHooks ?? [])],
      postNavigationHooks: [recordResponse, ...(user.postNavigationHooks ?? [])],
      requestHandler: async (context: ContextLike, ...rest: unknown[]) => {
        try {
          // No requestHandler: Crawlee's own fallback, the crawler's router.
          const handler = user.requestHandler ?? (context.crawler?.router as Handler | undefined);
          return await call(handler, context, ...rest);
        } finally {
          await finish(context);
        }
      },
      errorHandler: async (context: ContextLike, error: unknown) => {
        try {
          return await call(user.errorHandler, context, error);
        } finally {
          await finish(context, error);
        }
      },
      failedRequestHandler: async (context: ContextLike, error: unknown) => {
        try {
          return await call(user.failedRequestHandler, context, error);
        } finally {
          await finish(context, error);
        }
      },
      onSkippedRequest: async (skipped: { url: string; reason: string }) => {
        try {
          return await call(user.onSkippedRequest, skipped);
        } finally {
          await finishSkipped(skipped);
        }
      },
    } as O;
  };

  const crawlerClass = <C extends CrawlerClass>(Crawler: C): C => {
    const Base = Crawler as unknown as new (...args: unknown[]) => object;
    return class LeaseholdCrawler extends Base {
      constructor(...args: unknown[]) {
        const [options = {}, ...rest] = args;
        super(crawlerOptions(options as CrawlerOptionsLike), ...rest);
      }
    } as unknown as C;
  };

  return {
    sessions,
    proxyConfiguration,
    crawlerOptions,
    crawlerClass,
    leaseholdSessionId: (crawleeSessionId) => bindings.get(crawleeSessionId),
    releaseAll: async () => {
      const open = sessions.openSessions;
      await Promise.all([...attempts.values()].map((attempt) => settle(attempt, {})));
      await sessions.releaseAll();
      return open;
    },
  };
}

function requestKey(request: ContextLike['request']): string {
  return request.id ?? request.uniqueKey;
}

function withScope(scope: string | undefined): { scope?: string } {
  return scope === undefined ? {} : { scope };
}

/**
 * What an attempt ended with. A response decides (a handler that throws after a 200 is not
 * the proxy's fault), except a SessionError over a 2xx: Crawlee's retryOnBlocked found a
 * CAPTCHA page. Without a response, the error decides; with neither, nothing is reported.
 */
function reportOf(attempt: Attempt, error: unknown): SessionReport | null {
  const { statusCode, retryAfter } = attempt;
  const sessionError = error instanceof SessionError;
  if (statusCode !== undefined) {
    const blockedPage = sessionError && statusCode < 400;
    return {
      statusCode,
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(blockedPage ? { category: 'blocked' as const, message: error.message } : {}),
    };
  }
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    // Crawlee's timeouts (@apify/timeout) are TimeoutError by class, not by `name`.
    const timedOut = error instanceof Error && error.constructor.name === 'TimeoutError';
    return { error, message, ...(timedOut ? { category: 'timeout' as const } : {}) };
  }
  return null;
}
