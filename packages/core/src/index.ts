// The public API of @leasehold/core: what applications may rely on, every export by name.
// Plumbing shared by Leasehold's own packages is in internal.ts (`@leasehold/core/internal`).
export {
  boundedCount,
  boundedSeconds,
  isWellFormed,
  LIMITS,
  utf8Bytes,
  wellFormedString,
} from './bounds.js';
export {
  ClientClosedError,
  LeaseExpiredError,
  LeaseholdError,
  type LeaseholdErrorCode,
  type LeaseholdErrorDetails,
  LeaseNotFoundError,
  NoProxyAvailableError,
  PoolBusyError,
  PoolNotFoundError,
  ProxyBusyError,
  ProxyNotFoundError,
  RedisConnectionError,
  ScriptFailedError,
  SessionDisabledError,
  SessionNotFoundError,
  SessionProxyUnavailableError,
  ValidationError,
} from './errors.js';
export {
  type FilledGatewayUrl,
  fillGatewayUrl,
  GATEWAY_SESSION_PLACEHOLDER,
  GATEWAY_TOKEN_DEFAULT_LENGTH,
  GATEWAY_TOKEN_MAX_LENGTH,
  GATEWAY_TOKEN_MIN_LENGTH,
  type GatewayTemplate,
  gatewaySessionToken,
  gatewayTemplateOf,
  parseGatewayTemplate,
} from './gatewaySession.js';
export {
  type ClassifiedOutcome,
  type ClassifyInput,
  classifyOutcome,
  parseRetryAfter,
} from './outcomes.js';
export {
  formatProxyUrl,
  type ParsedProxyUrl,
  PROXY_PROTOCOLS,
  type ProxyProtocol,
  parseProxyUrl,
  proxyIdFromUrl,
  redactProxyUrl,
} from './proxyUrl.js';
export {
  type Credentials,
  outcomeMessage,
  redactConnectionUrl,
  redactCredentials,
  redactMessage,
  scrubSecrets,
  secretForms,
} from './redaction.js';
export {
  type AcquireOptions,
  AcquireOptionsSchema,
  consumerSchema,
  extendSecondsSchema,
  leaseIdSchema,
  type ParsedAcquireOptions,
  type RetryOptions,
  RetryOptionsSchema,
  scopeSchema,
  sessionIdSchema,
} from './schemas/acquire.js';
export {
  type FilterClause,
  FilterClauseSchema,
  type NearFilter,
  NearFilterSchema,
  type ProxyFilters,
  ProxyFiltersSchema,
} from './schemas/filters.js';
export {
  ERROR_CATEGORIES,
  type ErrorCategory,
  type ErrorLogQuery,
  ErrorLogQuerySchema,
  type Outcome,
  OutcomeSchema,
  transitionReasonSchema,
} from './schemas/outcomes.js';
export { parseInput } from './schemas/parseInput.js';
export {
  HealthCheckSchema,
  type HealthCheckSettings,
  type PoolSettings,
  type PoolSettingsInput,
  PoolSettingsSchema,
  poolNameSchema,
  SELECTOR_STRATEGIES,
  SelectorStrategy,
} from './schemas/poolSettings.js';
export {
  FILTER_WORDS,
  GEO_BOUNDS,
  isLabelName,
  LABEL_NAME_PATTERN,
  LABEL_NAMES,
  type LabelName,
  type ListProxiesOptions,
  ListProxiesOptionsSchema,
  type ProxyInput,
  ProxyInputSchema,
  type ProxyLabels,
  ProxyLabelsSchema,
  type ProxyLocation,
  ProxyLocationSchema,
  proxyIdSchema,
} from './schemas/proxies.js';
