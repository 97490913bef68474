// The least ACLs README.md documents, read from the README itself, so the tests run the client
// and the worker under exactly what a reader is told to configure.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@leasehold/core';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type SecureRedisHandle, startSecureRedis } from './secureRedis.js';

const README = join(dirname(fileURLToPath(import.meta.url)), '../../../README.md');

export interface DocumentedAcl {
  username: string;
  /** The README's ACL SETUSER lines, with its password placeholder replaced. */
  lines: string[];
}

/** The ```acl-<part> block of README.md, e.g. part `client` or `worker`. */
export async function readDocumentedAcl(part: string, password: string): Promise<DocumentedAcl> {
  const text = await readFile(README, 'utf8');
  const block = new RegExp(`\`\`\`acl-${part}\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1];
  if (block === undefined) throw new Error(`README.md has no \`\`\`acl-${part} block`);
  const lines = block
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.replace(/>[A-Z]+-PASSWORD\b/, `>${password}`));
  const username = /^ACL SETUSER (\S+)/.exec(lines[0] ?? '')?.[1];
  if (username === undefined)
    throw new Error(`README's acl-${part} block must start with ACL SETUSER`);
  return { username, lines };
}

/** `ACL SETUSER a b (c d)` as the arguments after ACL: a selector in parentheses stays one argument. */
function aclArguments(line: string): string[] {
  return (line.match(/\([^)]*\)|\S+/g) ?? []).slice(1);
}

/** An admin connection to every node of `redis` (one for a standalone server). */
export async function adminNodes(redis: SecureRedisHandle): Promise<Redis[]> {
  const nodes = redis.nodes.map(
    ({ host, port }) =>
      new Redis({ host, port, tls: { ca: redis.ca }, ...redis.admin, lazyConnect: true }),
  );
  await Promise.all(nodes.map((node) => node.connect()));
  return nodes;
}

/** Runs the ACL lines on every node (users are per node, also in a cluster). */
export async function applyAcl(redis: SecureRedisHandle, acl: DocumentedAcl): Promise<void> {
  const nodes = await adminNodes(redis);
  try {
    for (const node of nodes)
      for (const line of acl.lines) await node.call('ACL', ...aclArguments(line));
  } finally {
    for (const node of nodes) node.disconnect();
  }
}

/** Denials Redis logged (ACL LOG) on any node since the last reset, as `reason object`. */
export async function aclDenials(redis: SecureRedisHandle, reset = false): Promise<string[]> {
  const nodes = await adminNodes(redis);
  try {
    const denials: string[] = [];
    for (const node of nodes) {
      const log = (await node.call('ACL', 'LOG')) as unknown[][];
      for (const entry of log) {
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
        denials.push(`${fields.get('username')}: ${fields.get('reason')} ${fields.get('object')}`);
      }
      if (reset) await node.call('ACL', 'LOG', 'RESET');
    }
    return denials;
  } finally {
    for (const node of nodes) node.disconnect();
  }
}

/** An ioredis client for `redis` as `user`, trusting its CA (in-process tests cannot use NODE_EXTRA_CA_CERTS). */
export function secureClient(
  redis: SecureRedisHandle,
  user: { username: string; password: string },
): Redis | Cluster {
  const auth = { tls: { ca: redis.ca }, username: user.username, password: user.password };
  return redis.kind === 'cluster'
    ? new Cluster(redis.nodes, { redisOptions: auth })
    : new Redis({ ...(redis.nodes[0] as { host: string; port: number }), ...auth });
}

export interface SecureTargetContext {
  readonly kind: 'standalone' | 'cluster';
  /** The TLS-only server or cluster of this copy of the suite. */
  redis(): SecureRedisHandle;
  /** README's ACL user for the suite's part, set on every node (its password has / @ %). */
  user(): { username: string; password: string };
}

/**
 * Declares `describe(\`${name} [standalone]\`)` and `[cluster]`, each on its own TLS-only
 * Redis with the default user off and README's `acl-<part>` user applied.
 */
export function describeEachSecureTarget(
  name: string,
  part: 'client' | 'worker',
  body: (ctx: SecureTargetContext) => void,
): void {
  for (const kind of ['standalone', 'cluster'] as const) {
    describe(`${name} [${kind}]`, () => {
      let redis: SecureRedisHandle | undefined;
      let user: { username: string; password: string } | undefined;
      beforeAll(async () => {
        redis = await startSecureRedis({ users: [], cluster: kind === 'cluster' });
        const password = `${part}/pw@${randomBytes(6).toString('hex')}%`;
        const acl = await readDocumentedAcl(part, password);
        await applyAcl(redis, acl);
        user = { username: acl.username, password };
      }, 120_000);
      afterAll(async () => {
        await redis?.stop();
      });
      const ready = <T>(value: T | undefined): T => {
        if (value === undefined) throw new Error('only inside tests and hooks');
        return value;
      };
      body({ kind, redis: () => ready(redis), user: () => ready(user) });
    });
  }
}

/** The ValidationError `fn` throws (fails the test if it throws anything else, or nothing). */
export function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}
