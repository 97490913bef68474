import type { ErrorLogStore } from '../errorLog/errorLogStore.js';
import type { RedisClient } from '../redisConnections.js';

/** A dependency that does not answer within this is reported down, not waited for. */
const CHECK_TIMEOUT_MS = 1_000;

export type CheckStatus = 'ok' | 'down' | 'not_configured';

export interface HealthReport {
  status: 'ok' | 'down';
  checks: { redis: CheckStatus; postgres: CheckStatus };
  /** Why a check is down (redacted error messages). */
  errors?: Record<string, string>;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Redis answers PING; PostgreSQL answers SELECT 1 when it is configured. */
export async function checkHealth(
  redis: RedisClient,
  store: ErrorLogStore | undefined,
): Promise<HealthReport> {
  const errors: Record<string, string> = {};
  const run = async (name: string, check: () => Promise<unknown>): Promise<CheckStatus> => {
    try {
      await withTimeout(check(), name);
      return 'ok';
    } catch (error) {
      errors[name] = error instanceof Error ? error.message : String(error);
      return 'down';
    }
  };
  const [redisStatus, postgresStatus] = await Promise.all([
    run('redis', () => redis.ping()),
    store === undefined
      ? Promise.resolve<CheckStatus>('not_configured')
      : run('postgres', () => store.ping()),
  ]);
  const down = redisStatus === 'down' || postgresStatus === 'down';
  return {
    status: down ? 'down' : 'ok',
    checks: { redis: redisStatus, postgres: postgresStatus },
    ...(down ? { errors } : {}),
  };
}
