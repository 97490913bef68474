/**
 * How many error-log entries the scripts trimmed (`XADD MAXLEN`) before any replica read
 * them, from what Redis 7 reports about the stream and the consumer group. Redis numbers
 * entries as they are added (`entries-added`), so the stream's first entry is number
 * `entries-added - length + 1`; the group's `entries-read` says how far it got. When the
 * group's last delivered entry is older than the stream's first one, the entries in between
 * were trimmed unread: lost.
 *
 * Redis does not move `entries-read` over such a gap (it counts the entries it delivers), so
 * the worker keeps the difference itself (`offset`, in its ledger) and adds it back.
 */

export interface StreamInfo {
  length: number;
  /** Redis 7; undefined on older servers, where nothing can be counted. */
  entriesAdded: number | undefined;
  maxDeletedEntryId: string | undefined;
  firstEntryId: string | undefined;
}

export interface GroupInfo {
  lastDeliveredId: string;
  /** Null until the group first reads, or when Redis cannot tell (entries deleted by id). */
  entriesRead: number | null;
}

/** An entry's place in the order Redis added them, as the group sees it before a read. */
export interface ReadStart {
  /** Entries trimmed unread just ahead of the group (0 when none). */
  lost: number;
  /** Number (in `entries-added` terms) of the last entry the group delivered. */
  position: number;
}

function fields(flat: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

const numberOr = (value: unknown): number | undefined =>
  value === undefined || value === null ? undefined : Number(value);

/** XINFO STREAM's flat reply. */
export function parseStreamInfo(reply: unknown): StreamInfo {
  const f = fields(reply);
  const first = f['first-entry'];
  return {
    length: Number(f.length ?? 0),
    entriesAdded: numberOr(f['entries-added']),
    maxDeletedEntryId: f['max-deleted-entry-id'] as string | undefined,
    firstEntryId: Array.isArray(first) ? String(first[0]) : undefined,
  };
}

/** The named group in XINFO GROUPS' reply. */
export function parseGroupInfo(reply: unknown, group: string): GroupInfo | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (const flat of reply) {
    const f = fields(flat);
    if (f.name !== group) continue;
    const read = f['entries-read'];
    return {
      lastDeliveredId: String(f['last-delivered-id'] ?? '0-0'),
      entriesRead: read === undefined || read === null ? null : Number(read),
    };
  }
  return undefined;
}

/** Stream entry ids compared as (ms, seq). */
export function compareEntryIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

/**
 * Where the group stands before a read, or undefined when Redis cannot say (Redis 6, or
 * entries deleted by id ahead of the group). Entries trimmed before the group first read
 * are not counted: they predate the worker.
 */
export function readStart(
  stream: StreamInfo,
  group: GroupInfo,
  offset: number,
): ReadStart | undefined {
  const added = stream.entriesAdded;
  if (added === undefined) return undefined;
  const beforeFirst = added - stream.length;
  const neverRead = group.lastDeliveredId === '0-0' && group.entriesRead === null;
  if (neverRead) return { lost: 0, position: beforeFirst };
  const deleted = stream.maxDeletedEntryId ?? '0-0';
  const deletedAhead = compareEntryIds(deleted, group.lastDeliveredId) > 0;
  if (group.entriesRead === null || deletedAhead) return undefined;
  const position = group.entriesRead + offset;
  const first = stream.firstEntryId;
  if (first === undefined || compareEntryIds(group.lastDeliveredId, first) >= 0) {
    return { lost: 0, position };
  }
  const lost = Math.max(0, beforeFirst - position);
  return { lost, position: position + lost };
}
