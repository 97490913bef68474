// Public API of @leasehold/crawlee. Every export is listed by name on purpose.
export {
  type CrawlerOptionsLike,
  type LeaseholdCrawlee,
  type LeaseholdCrawleeOptions,
  LeaseholdCrawleeOptionsSchema,
  leaseholdForCrawlee,
} from './crawlee3.js';
export {
  type GetSessionOptions,
  type LeaseholdSession,
  LeaseholdSessions,
  type LeaseholdSessionsOptions,
  LeaseholdSessionsOptionsSchema,
  type SessionReport,
} from './leaseholdSessions.js';
