import { ValidationError } from '@leasehold/client';

const RELATIVE = /^(\d+(?:\.\d+)?)(s|m|h|d)$/;
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`/`--until`: an ISO date, epoch ms, or a duration ago (`90s`, `15m`, `2h`, `7d`). */
export function parseInstant(flag: string, value: string, now = Date.now()): number {
  const relative = RELATIVE.exec(value);
  if (relative) {
    return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  }
  // Date.parse alone is lenient ('-5' is a date in 2001): only ISO dates go to it.
  const ms = /^\d+$/.test(value)
    ? Number(value)
    : ISO_DATE.test(value)
      ? Date.parse(value)
      : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new ValidationError([
      {
        field: `--${flag}`,
        message: 'must be an ISO date, epoch ms, or a duration ago like 15m, 2h, 7d',
      },
    ]);
  return ms;
}
