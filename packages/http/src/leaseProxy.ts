import type { Lease } from '@leasehold/client';
import { PROXY_PROTOCOLS, parseInput } from '@leasehold/core';
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

function hostPart(proxy: LeaseProxy): string {
  return proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
}

/** `scheme://host:port`, no credentials. */
export function proxyOrigin(proxy: LeaseProxy, scheme: string = proxy.protocol): string {
  return `${scheme}://${hostPart(proxy)}:${proxy.port}`;
}

/** `scheme://user:pass@host:port` with percent-encoded credentials, for agents that want one URL. */
export function credentialedUrl(proxy: LeaseProxy, scheme: string = proxy.protocol): string {
  if (proxy.username === undefined) return proxyOrigin(proxy, scheme);
  const password = proxy.password === undefined ? '' : `:${encodeURIComponent(proxy.password)}`;
  return `${scheme}://${encodeURIComponent(proxy.username)}${password}@${hostPart(proxy)}:${proxy.port}`;
}

export function hasCredentials(proxy: LeaseProxy): boolean {
  return proxy.username !== undefined || proxy.password !== undefined;
}

export function isSocks(proxy: LeaseProxy): boolean {
  return proxy.protocol === 'socks4' || proxy.protocol === 'socks5';
}
