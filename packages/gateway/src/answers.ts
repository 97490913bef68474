// The answers the gateway gives itself (refusals), for plain requests and CONNECT alike. Each
// carries `x-leasehold-error: <code>` and a one-line body built from fixed text and validated
// names only: never a credential.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type GatewayErrorCode =
  | 'auth_required'
  | 'bad_username'
  | 'pool_not_found'
  | 'session_not_found'
  | 'no_proxy_available'
  | 'upstream_failed'
  | 'bad_request'
  | 'not_found'
  | 'host_not_allowed'
  | 'shutting_down';

const STATUS: Record<GatewayErrorCode, number> = {
  auth_required: 407,
  bad_username: 400,
  pool_not_found: 400,
  session_not_found: 400,
  no_proxy_available: 503,
  upstream_failed: 502,
  bad_request: 400,
  not_found: 404,
  host_not_allowed: 403,
  shutting_down: 503,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  407: 'Proxy Authentication Required',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** A refusal: its code, a message for the body, and headers such as Retry-After. */
export interface GatewayRefusal {
  code: GatewayErrorCode;
  message: string;
  headers?: Record<string, string>;
}

export const AUTH_REQUIRED: GatewayRefusal = {
  code: 'auth_required',
  message: 'send the gateway token as the proxy password',
  headers: { 'proxy-authenticate': 'Basic realm="leasehold"' },
};

function headersOf(refusal: GatewayRefusal, body: string): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'x-leasehold-error': refusal.code,
    ...refusal.headers,
  };
}

export function statusOf(code: GatewayErrorCode): number {
  return STATUS[code];
}

/** Answers a plain request with the refusal. */
export function refuseRequest(res: ServerResponse, refusal: GatewayRefusal): void {
  const body = `${refusal.code}: ${refusal.message}\n`;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(STATUS[refusal.code], headersOf(refusal, body)).end(body);
}

/** Answers a CONNECT with the refusal, then ends the connection (no tunnel follows). */
export function refuseConnect(socket: Socket, refusal: GatewayRefusal): void {
  const body = `${refusal.code}: ${refusal.message}\n`;
  const status = STATUS[refusal.code];
  const lines = Object.entries(headersOf(refusal, body)).map(([k, v]) => `${k}: ${v}\r\n`);
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${REASON[status]}\r\n${lines.join('')}connection: close\r\n\r\n${body}`,
  );
}
