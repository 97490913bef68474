import { describe, expect, it } from 'vitest';
import { compareEntryIds, type GroupInfo, readStart, type StreamInfo } from './trimmedEntries.js';

// 110 entries ever added, the newest 20 kept: entries 91..110, the first one `1000-90`.
const stream: StreamInfo = {
  length: 20,
  entriesAdded: 110,
  maxDeletedEntryId: '0-0',
  firstEntryId: '1000-90',
};
const group = (lastDeliveredId: string, entriesRead: number | null): GroupInfo => ({
  lastDeliveredId,
  entriesRead,
});

describe('entries trimmed before the group read them', () => {
  it('are the ones between the last delivered entry and the first one kept', () => {
    // Entry 5 delivered, 6..90 trimmed unread.
    expect(readStart(stream, group('1000-4', 5), 0)).toEqual({ lost: 85, position: 90 });
    // With the offset kept for an earlier gap Redis' entries-read does not cover.
    expect(readStart(stream, group('1000-4', 3), 2)).toEqual({ lost: 85, position: 90 });
  });

  it('are none when the group is inside the stream, or never read it', () => {
    expect(readStart(stream, group('1000-95', 96), 0)).toEqual({ lost: 0, position: 96 });
    expect(readStart(stream, group('0-0', null), 0)).toEqual({ lost: 0, position: 90 });
    expect(
      readStart({ ...stream, length: 0, firstEntryId: undefined }, group('1000-4', 5), 0),
    ).toEqual({ lost: 0, position: 5 });
  });

  it('cannot be told on Redis 6, or after entries ahead of the group were deleted by id', () => {
    expect(
      readStart({ ...stream, entriesAdded: undefined }, group('1000-4', 5), 0),
    ).toBeUndefined();
    expect(
      readStart({ ...stream, maxDeletedEntryId: '1000-50' }, group('1000-4', 5), 0),
    ).toBeUndefined();
    // Deleted behind the group: what lies ahead still counts.
    expect(readStart({ ...stream, maxDeletedEntryId: '1000-2' }, group('1000-4', 5), 0)).toEqual({
      lost: 85,
      position: 90,
    });
  });

  it('compares ids as numbers', () => {
    expect(compareEntryIds('1000-9', '1000-10')).toBe(-1);
    expect(compareEntryIds('999-99', '1000-0')).toBe(-1);
    expect(compareEntryIds('1000-3', '1000-3')).toBe(0);
  });
});
