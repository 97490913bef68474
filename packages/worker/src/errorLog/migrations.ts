import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger.js';

/** Shipped beside src/ and dist/ (package.json "files"), so one path works for both. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
export const MIGRATIONS_TABLE = 'leasehold_migrations';

/**
 * Bring the error-log schema up to date with node-pg-migrate (plain SQL files in
 * migrations/). Replicas starting together wait on the tool's advisory lock instead of
 * failing, and the schema is created if it does not exist. Returns the names applied.
 */
export async function migrateDatabase(
  databaseUrl: string,
  schema: string,
  logger: Logger,
): Promise<string[]> {
  const log = logger.child({ component: 'migrations' });
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: MIGRATIONS_TABLE,
    schema,
    createSchema: true,
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: (msg: string) => log.debug(msg),
      info: (msg: string) => log.debug(msg),
      warn: (msg: string) => log.warn(msg),
      error: (msg: string) => log.error(msg),
    },
  });
  return applied.map((m) => m.name);
}
