// Redis Cluster slot helpers: compute a key's slot, assert that a multi-key operation's keys
// share one slot (else the cluster rejects it with CROSSSLOT), and SCAN across every master.
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './redisTarget.js';

const CLUSTER_SLOTS = 16_384;
const SCAN_BATCH = 1_000;

// CRC16-CCITT (XModem), the checksum Redis Cluster uses for slots.
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = crc & 0xffff;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes)
    crc = ((crc << 8) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0)) & 0xffff;
  return crc;
}

/** The part of the key that is hashed: the first non-empty {hash tag}, else the whole key. */
function hashedPart(key: Buffer): Buffer {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close <= open + 1) return key;
  return key.subarray(open + 1, close);
}

/** The cluster slot (0..16383) of `key`, honouring hash tags like Redis does. */
export function keySlot(key: string | Buffer): number {
  const bytes = typeof key === 'string' ? Buffer.from(key) : key;
  return crc16(hashedPart(bytes)) % CLUSTER_SLOTS;
}

/** Throws, listing every key with its slot, unless all keys hash to the same slot. */
export function assertSameSlot(keys: readonly string[]): void {
  const slots = keys.map((key) => keySlot(key));
  if (new Set(slots).size <= 1) return;
  const listing = keys.map((key, index) => `  ${key} -> slot ${slots[index]}`).join('\n');
  throw new Error(`keys span ${new Set(slots).size} cluster slots:\n${listing}`);
}

async function scanNode(node: Redis, pattern: string, found: Set<string>): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
    for (const key of keys) found.add(key);
    cursor = next;
  } while (cursor !== '0');
}

/**
 * All keys matching `pattern`, sorted. On a cluster every master is scanned, since SCAN
 * only sees the keys of the node it runs on.
 */
export async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const found = new Set<string>();
  // isCluster rather than instanceof: works even if two copies of ioredis are loaded.
  const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  if (nodes.length === 0) throw new Error('scanKeys: the cluster client knows no master yet');
  await Promise.all(nodes.map((node) => scanNode(node, pattern, found)));
  return [...found].sort();
}
