// A Crawlee session's cookies as Leasehold session data: the tough-cookie jar's own JSON
// serialization, so every attribute (domain, path, expiry, flags) survives the round trip.
import type { Session } from '@crawlee/core';

type Jar = Session['cookieJar'];
/** CookieJar.deserializeSync(data, store) fills an existing store: the session's own. */
type JarClass = { deserializeSync(data: string, store: Jar['store']): unknown };

export function saveCookies(session: Session): string {
  const serialized = session.cookieJar.serializeSync();
  return serialized === undefined ? '' : JSON.stringify(serialized);
}

/**
 * Replaces the session's cookies with those in `data` ('' clears them): the Leasehold
 * session, which any process may have used last, is the one source of truth.
 */
export function restoreCookies(session: Session, data: string): void {
  const jar = session.cookieJar;
  jar.removeAllCookiesSync();
  if (data === '') return;
  try {
    (jar.constructor as unknown as JarClass).deserializeSync(data, jar.store);
  } catch {
    // Data some other tool wrote is not a cookie jar: start this session without cookies.
    jar.removeAllCookiesSync();
  }
}
