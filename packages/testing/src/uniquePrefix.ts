// Fresh key prefixes so tests never collide and never need FLUSHDB (which would also be
// unsafe against a server given through REDIS_URL).
import { randomBytes } from 'node:crypto';

/** A new prefix like `lht-3f9a0c1b2d4e` on every call. */
export function uniquePrefix(): string {
  return `lht-${randomBytes(6).toString('hex')}`;
}
