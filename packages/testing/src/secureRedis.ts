// Redis as managed services run it: TLS only (a throwaway CA and server certificate made with
// openssl), the default user off, and ACL users. Standalone or a 3-master cluster
// (tls-cluster yes). Every process is a private redis-server stopped by its pid.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRedisCluster } from './redisCluster.js';
import { type RedisTlsFiles, startRedisServer } from './redisServer.js';
import type { RedisNodeAddress } from './redisTarget.js';

const execFileAsync = promisify(execFile);

export interface AclUser {
  username: string;
  password: string;
  /** ACL rules after `on >password`, e.g. `~lh:* &lh:* +fcall`. */
  rules: string;
}

export interface SecureRedisOptions {
  /** Users besides the harness's own admin; `default` is always off. */
  users: readonly AclUser[];
  /** A 3-master cluster instead of one server. */
  cluster?: boolean;
}

export interface SecureRedisHandle {
  readonly kind: 'standalone' | 'cluster';
  readonly nodes: RedisNodeAddress[];
  /** The CA to trust (NODE_EXTRA_CA_CERTS=caFile, or ioredis `tls: { ca }`). */
  readonly caFile: string;
  readonly ca: string;
  /** A user with every permission, for setting up and checking state. */
  readonly admin: { username: string; password: string };
  /** `rediss://user:password@127.0.0.1:<first node>` (percent-encoded). */
  url(user: { username: string; password: string }): string;
  /** `host:port,host:port`, as REDIS_CLUSTER_NODES takes it. */
  readonly nodeList: string;
  /**
   * The variables a child process (CLI, worker) connects with as `user`: REDIS_URL, or
   * REDIS_CLUSTER_NODES with REDIS_USERNAME / REDIS_PASSWORD / REDIS_TLS; the CA through
   * NODE_EXTRA_CA_CERTS. Unused ones are blank, so a developer's own never leak in.
   */
  env(user: { username: string; password: string }): Record<string, string>;
  stop(): Promise<void>;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd: dir, timeout: 30_000 });
  } catch (error) {
    const { stderr, message } = error as Error & { stderr?: string };
    throw new Error(
      `openssl ${args[0]} failed (is openssl installed?): ${message}\n${stderr ?? ''}`,
    );
  }
}

/** A CA and a server certificate for 127.0.0.1 and localhost signed by it, in `dir`. */
export async function makeTestCertificates(dir: string): Promise<RedisTlsFiles> {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // biome-ignore format: keep flag/value pairs on one line
  await openssl(dir, ['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt',
    '-days', '2', '-subj', '/CN=Leasehold test CA']);
  await openssl(dir, [
    'req',
    ...key,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  // biome-ignore format: keep flag/value pairs on one line
  await openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']);
  const caFile = join(dir, 'ca.crt');
  return {
    caFile,
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    ca: await readFile(caFile, 'utf8'),
  };
}

const secret = () => randomBytes(12).toString('hex');

/** Starts TLS-only Redis with `user default off`, an admin and `options.users`. */
export async function startSecureRedis(options: SecureRedisOptions): Promise<SecureRedisHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'leasehold-tls-'));
  try {
    const tls = await makeTestCertificates(dir);
    const admin = { username: 'lh-test-admin', password: secret() };
    const aclFile = join(dir, 'users.acl');
    const lines = [
      'user default off',
      `user ${admin.username} on >${admin.password} ~* &* +@all`,
      ...options.users.map((u) => `user ${u.username} on >${u.password} ${u.rules}`),
    ];
    await writeFile(aclFile, `${lines.join('\n')}\n`);
    const server = { tls, auth: admin, extraArgs: ['--aclfile', aclFile] };
    const started = options.cluster
      ? await startRedisCluster({ server })
      : await startRedisServer(server);
    const nodes = 'nodes' in started ? started.nodes : [{ host: started.host, port: started.port }];
    const first = nodes[0] as RedisNodeAddress;
    const nodeList = nodes.map((n) => `${n.host}:${n.port}`).join(',');
    const url = ({ username, password }: { username: string; password: string }) =>
      `rediss://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${first.host}:${first.port}`;
    return {
      kind: options.cluster ? 'cluster' : 'standalone',
      nodes,
      caFile: tls.caFile,
      ca: tls.ca,
      admin,
      url,
      nodeList,
      env(user) {
        const connection = options.cluster
          ? {
              REDIS_URL: '',
              REDIS_CLUSTER_NODES: nodeList,
              REDIS_USERNAME: user.username,
              REDIS_PASSWORD: user.password,
              REDIS_TLS: 'true',
            }
          : {
              REDIS_URL: url(user),
              REDIS_CLUSTER_NODES: '',
              REDIS_USERNAME: '',
              REDIS_PASSWORD: '',
              REDIS_TLS: '',
            };
        return { ...connection, NODE_EXTRA_CA_CERTS: tls.caFile };
      },
      async stop() {
        await started.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
