// Who may use the gateway: with a token configured, the proxy password must be it (the
// username carries the request's options). Without a token (loopback only) anyone may.
import type { IncomingMessage } from 'node:http';
import { sameSecret } from '@leasehold/core/internal';
import { proxyCredentials } from '@leasehold/forward-proxy';
import { AUTH_REQUIRED, type GatewayRefusal } from './answers.js';

/** The proxy username to read options from, or the refusal. */
export function authorize(
  req: IncomingMessage,
  token: string | undefined,
): { username: string } | { refusal: GatewayRefusal } {
  const header = req.headers['proxy-authorization'];
  const credentials = proxyCredentials(req);
  if (token !== undefined)
    return credentials !== null && sameSecret(credentials.password, token)
      ? { username: credentials.username }
      : { refusal: AUTH_REQUIRED };
  if (header !== undefined && credentials === null)
    return { refusal: { code: 'bad_request', message: 'Proxy-Authorization must be Basic' } };
  return { username: credentials?.username ?? '' };
}
