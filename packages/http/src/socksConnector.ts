import { SocksClient } from 'socks';
import { buildConnector } from 'undici';
import type { LeaseProxy } from './leaseProxy.js';

const SOCKS_CONNECT_TIMEOUT_MS = 10_000;

/** A SOCKS failure as an error classifyOutcome can read, with no proxy credentials in it. */
export class SocksProxyError extends Error {
  readonly code: string;

  constructor(message: string) {
    super(`SOCKS proxy: ${message.slice(0, 200)}`);
    this.name = 'SocksProxyError';
    // The socks package keeps only the socket error's message: recover its code from it.
    const code = /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
    if (code) this.code = code;
    else if (/timed out/i.test(message)) this.code = 'ETIMEDOUT';
    else if (/authentication/i.test(message)) this.code = 'ERR_PROXY_AUTH';
    else this.code = 'ECONNRESET';
  }
}

/**
 * An undici connector that opens each connection through a SOCKS4/5 proxy (the `socks`
 * package), then TLS on top for https targets. Used instead of undici's Socks5ProxyAgent,
 * which is experimental in undici 7 and prints an ExperimentalWarning on first use.
 * Host names are sent to the proxy unresolved (as socks5h), like Chromium does.
 */
export function socksConnector(
  proxy: LeaseProxy,
  requestTls: buildConnector.BuildOptions = {},
): buildConnector.connector {
  const tlsOver = buildConnector(requestTls);
  return (options, callback) => {
    const https = options.protocol === 'https:';
    SocksClient.createConnection({
      proxy: {
        host: proxy.host,
        port: proxy.port,
        type: proxy.protocol === 'socks4' ? 4 : 5,
        ...(proxy.username === undefined ? {} : { userId: proxy.username }),
        ...(proxy.password === undefined ? {} : { password: proxy.password }),
      },
      command: 'connect',
      destination: { host: options.hostname, port: Number(options.port) || (https ? 443 : 80) },
      timeout: SOCKS_CONNECT_TIMEOUT_MS,
    }).then(
      ({ socket }) => {
        if (https) tlsOver({ ...options, httpSocket: socket }, callback);
        else callback(null, socket);
      },
      // Never the SocksClientError itself: its `options` hold the proxy password.
      (error: unknown) => callback(new SocksProxyError(String((error as Error)?.message)), null),
    );
  };
}
