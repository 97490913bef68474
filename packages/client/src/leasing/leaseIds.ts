import { randomBytes } from 'node:crypto';

// 72 random bits in 12 characters: unique among live leases, small where leases are kept.
const ID_BYTES = 9;
// One getrandom() call per 512 ids instead of one per acquire (it showed up at ~5% of the
// client's CPU in the benchmark).
const POOL_BYTES = ID_BYTES * 512;

let pool = Buffer.alloc(0);
let offset = 0;

export function newLeaseId(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  // Ids are typed into commands (`leasehold lease release <pool> <id>`), where a leading '-'
  // reads as an option: 1 id in 64 would fail without `--`. Never start with one (the first
  // character has 63 values instead of 64: still ~72 bits).
  return id.charCodeAt(0) === 45 /* '-' */ ? `x${id.slice(1)}` : id;
}
