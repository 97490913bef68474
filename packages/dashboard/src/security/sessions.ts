import { randomBytes } from 'node:crypto';
import { sameSecret } from '@leasehold/core/internal';
import type { Clock } from '../clock.js';

const SESSION_COOKIE = 'lh_dashboard';
/** A login lasts a working day; after that the cookie is refused server-side too. */
export const SESSION_MS = 12 * 60 * 60 * 1000;
/** Live sessions kept at once; logins are throttled, so this is only a memory bound. */
const MAX_SESSIONS = 1000;

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

interface Headers {
  authorization?: string | undefined;
  cookie?: string | undefined;
}

/**
 * Token auth, login sessions and the CSRF token of one dashboard process. A session is a
 * random id the server remembers with its expiry (a restart signs everyone out); the token
 * itself never goes into a cookie. The CSRF token is random per process, embedded in every
 * action form and checked on every action POST.
 */
export class Guard {
  readonly csrfToken = randomBytes(24).toString('base64url');
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly token: string | undefined,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.token !== undefined;
  }

  /** Bearer header or a live session cookie; always true without a token (loopback only). */
  authorized(headers: Headers): boolean {
    if (this.token === undefined) return true;
    const bearer = /^Bearer ([^\s]+)$/i.exec(headers.authorization ?? '')?.[1];
    if (bearer !== undefined && sameSecret(bearer, this.token)) return true;
    const id = parseCookies(headers.cookie).get(SESSION_COOKIE);
    const expires = id === undefined ? undefined : this.sessions.get(id);
    if (id === undefined || expires === undefined) return false;
    if (expires > this.clock.now()) return true;
    this.sessions.delete(id);
    return false;
  }

  /** The Set-Cookie of a new session for the right token, or undefined for a wrong one. */
  login(candidate: string, secure: boolean): string | undefined {
    if (this.token === undefined || !sameSecret(candidate, this.token)) return undefined;
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, this.clock.now() + SESSION_MS);
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return cookie(id, SESSION_MS / 1000, secure);
  }

  /** Ends the request's session; returns the Set-Cookie that clears it in the browser. */
  logout(headers: Headers, secure: boolean): string {
    const id = parseCookies(headers.cookie).get(SESSION_COOKIE);
    if (id !== undefined) this.sessions.delete(id);
    return cookie('', 0, secure);
  }

  csrfValid(candidate: unknown): boolean {
    return typeof candidate === 'string' && sameSecret(candidate, this.csrfToken);
  }
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
