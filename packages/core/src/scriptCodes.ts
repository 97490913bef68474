import {
  LeaseExpiredError,
  type LeaseholdError,
  LeaseNotFoundError,
  PoolBusyError,
  PoolNotFoundError,
  ProxyBusyError,
  ProxyNotFoundError,
  ScriptFailedError,
  SessionDisabledError,
  SessionNotFoundError,
  SessionProxyUnavailableError,
  ValidationError,
} from './errors.js';

/**
 * Numeric failure codes returned by the Lua scripts (first element of the reply). One table
 * here maps them to typed errors; TypeScript never matches on Redis error strings.
 * Keep in sync with the Output sections of the lua/ script headers.
 */
export const ScriptCode = {
  OK: 1,
  NONE: 0,
  POOL_NOT_FOUND: -1,
  LEASE_NOT_FOUND: -2,
  LEASE_EXPIRED: -3,
  PROXY_NOT_FOUND: -4,
  PROXY_BUSY: -5,
  SESSION_NOT_FOUND: -6,
  SESSION_DISABLED: -7,
  SESSION_PROXY_UNAVAILABLE: -8,
  /** A duration Redis would refuse (over 30 days); the reply names the field. */
  OUT_OF_RANGE: -9,
  /** upsertPool: the given settings conflict with the pool's others (the reply names the field). */
  SETTINGS_CONFLICT: -10,
  /** deletePoolBatch: the pool has live leases. */
  POOL_BUSY: -11,
} as const;

export interface ScriptFailureContext {
  script: string;
  pool: string;
  proxyId?: string;
  leaseId?: string;
  activeLeases?: number;
  sessionId?: string;
  reason?: string;
  /** The input at fault, as the script's reply names it (OUT_OF_RANGE). */
  field?: string;
}

export function errorForScriptCode(code: number, ctx: ScriptFailureContext): LeaseholdError {
  switch (code) {
    case ScriptCode.POOL_NOT_FOUND:
      return new PoolNotFoundError(ctx.pool);
    case ScriptCode.LEASE_NOT_FOUND:
      return new LeaseNotFoundError(ctx.leaseId ?? '(unknown)');
    case ScriptCode.LEASE_EXPIRED:
      return new LeaseExpiredError(ctx.leaseId ?? '(unknown)');
    case ScriptCode.PROXY_NOT_FOUND:
      return new ProxyNotFoundError(ctx.pool, ctx.proxyId ?? '(unknown)');
    case ScriptCode.PROXY_BUSY:
      return new ProxyBusyError(ctx.pool, ctx.proxyId ?? '(unknown)', ctx.activeLeases ?? 0);
    case ScriptCode.POOL_BUSY:
      return new PoolBusyError(ctx.pool, ctx.activeLeases ?? 0);
    case ScriptCode.SESSION_NOT_FOUND:
      return new SessionNotFoundError(ctx.sessionId ?? '(unknown)');
    case ScriptCode.SESSION_DISABLED:
      return new SessionDisabledError(ctx.sessionId ?? '(unknown)', ctx.reason ?? 'disabled');
    case ScriptCode.SESSION_PROXY_UNAVAILABLE:
      return new SessionProxyUnavailableError(ctx.sessionId ?? '(unknown)');
    case ScriptCode.OUT_OF_RANGE:
      return new ValidationError(
        [{ field: outOfRangeField(ctx), message: 'must be at most 30 days' }],
        'Durations, cooldowns and ages are at most 30 days (2,592,000 s)',
      );
    case ScriptCode.SETTINGS_CONFLICT:
      return new ValidationError(
        [
          {
            field: ctx.field ?? 'pool',
            message:
              "conflicts with the pool's other settings (must be at least cooldown.baseSeconds)",
          },
        ],
        'Give both cooldown.baseSeconds and cooldown.maxSeconds',
      );
    default:
      return new ScriptFailedError(ctx.script, code);
  }
}

/** The field a -9 reply names (acquire passes it as `reason`); extendLease's is `seconds`. */
function outOfRangeField(ctx: ScriptFailureContext): string {
  return ctx.field || ctx.reason || (ctx.script === 'extendLease' ? 'seconds' : 'durationSeconds');
}
