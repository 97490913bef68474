import { PoolNotFoundError } from '@leasehold/client';
import type { Cli } from '../runner/cli.js';

/** The pool's keys, once the pool is known to exist (getPool validates the name too). */
export async function existingPoolKeys(cli: Cli, pool: string) {
  const manager = cli.manager();
  if ((await manager.getPool(pool)) === null) throw new PoolNotFoundError(pool);
  return manager.keys.poolKeys(pool);
}
