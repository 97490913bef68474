import { InvalidArgumentError } from 'commander';

/**
 * Option values parsed strictly by commander, before a command connects to anything: a bad
 * one is a usage error (exit 2) naming the option. Numbers are plain decimals only — `0x10`,
 * `1e3`, `Infinity` and a value too small to represent (`0.000…1` that becomes 0) are refused.
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

function decimalOf(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const n = Number(trimmed);
  // A non-zero digit that still reads as 0 underflowed: refuse it rather than store 0.
  if (!Number.isFinite(n) || (n === 0 && /[1-9]/.test(trimmed))) return undefined;
  return n;
}

/** A decimal number; its bounds are the client's (it names the setting). */
export function decimal(text: string): number {
  const n = decimalOf(text);
  if (n === undefined) throw new InvalidArgumentError('must be a decimal number.');
  return n;
}

/** A whole number in [min, max]. */
export const integer =
  (min: number, max: number) =>
  (text: string): number => {
    const n = decimalOf(text);
    if (n === undefined || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    return n;
  };

/** `lat,lon`: two decimals (their ranges are checked by the client, which names them). */
export function location(text: string): { latitude: number; longitude: number } {
  const parts = text.split(',').map(decimalOf);
  const [latitude, longitude] = parts;
  if (parts.length !== 2 || latitude === undefined || longitude === undefined)
    throw new InvalidArgumentError('expects latitude,longitude as two decimal numbers.');
  return { latitude, longitude };
}

/** A repeatable option: every value, in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
