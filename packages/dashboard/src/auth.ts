import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'lh_dashboard';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Token auth and CSRF tokens for one dashboard process. The cookie holds an HMAC of the
 * token, never the token itself; the CSRF token is random per process, embedded in every
 * action form, and checked on every action POST.
 */
export class Guard {
  readonly csrfToken = randomBytes(24).toString('base64url');
  private readonly cookieValue: string | undefined;

  constructor(private readonly token: string | undefined) {
    this.cookieValue =
      token === undefined
        ? undefined
        : createHmac('sha256', token).update('leasehold-dashboard-session').digest('base64url');
  }

  get enabled(): boolean {
    return this.token !== undefined;
  }

  /** Bearer header or session cookie; always true without a token (loopback only). */
  authorized(headers: {
    authorization?: string | undefined;
    cookie?: string | undefined;
  }): boolean {
    if (this.token === undefined || this.cookieValue === undefined) return true;
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
    if (bearer !== undefined && sameSecret(bearer, this.token)) return true;
    const cookie = parseCookies(headers.cookie).get(SESSION_COOKIE);
    return cookie !== undefined && sameSecret(cookie, this.cookieValue);
  }

  /** The Set-Cookie for a correct login, or undefined for a wrong one. */
  login(candidate: string, secure: boolean): string | undefined {
    if (this.token === undefined || this.cookieValue === undefined) return undefined;
    if (!sameSecret(candidate, this.token)) return undefined;
    return `${SESSION_COOKIE}=${this.cookieValue}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  csrfValid(candidate: unknown): boolean {
    return typeof candidate === 'string' && sameSecret(candidate, this.csrfToken);
  }
}
