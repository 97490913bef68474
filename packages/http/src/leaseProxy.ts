import type { Lease } from '@leasehold/client';
import { formatProxyUrl, PROXY_PROTOCOLS, parseInput } from '@leasehold/core';
import { z } from 'zod';

/** What the helpers need of a lease: its proxy. A whole Lease fits. */
export type LeaseLike = Pick<Lease, 'proxy'>;
export type LeaseProxy = Lease['proxy'];

const LeaseLikeSchema = z.object({
  proxy: z.object({
    protocol: z.enum(PROXY_PROTOCOLS),
    host: z.string().min(1).max(253),
    port: z.int().min(1).max(65_535),
    username: z.string().max(1024).optional(),
    password: z.string().max(1024).optional(),
  }),
});

/** The lease's proxy, checked: helpers are called with whatever a user hands them. */
export function leasedProxy(lease: LeaseLike): LeaseProxy {
  parseInput(LeaseLikeSchema, lease, 'lease');
  return lease.proxy;
}

/** `scheme://host:port`, no credentials. */
export function proxyOrigin(proxy: LeaseProxy, scheme: string = proxy.protocol): string {
  return formatProxyUrl({ protocol: scheme, host: proxy.host, port: proxy.port });
}

/** `scheme://user:pass@host:port` with percent-encoded credentials, for agents that want one URL. */
export function credentialedUrl(proxy: LeaseProxy, scheme: string = proxy.protocol): string {
  const { host, port, username, password } = proxy;
  return formatProxyUrl({ protocol: scheme, host, port, username, password });
}

export function hasCredentials(proxy: LeaseProxy): boolean {
  return proxy.username !== undefined || proxy.password !== undefined;
}

export function isSocks(proxy: LeaseProxy): boolean {
  return proxy.protocol === 'socks4' || proxy.protocol === 'socks5';
}
