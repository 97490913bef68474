import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Parse with a schema; turn zod issues into one ValidationError naming each field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  root?: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue) =>
      // An unknown key is named itself (`options.bogus`), not the object that holds it.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            field: formatPath(root, [...issue.path, key]),
            message: 'unknown key (a typo?)',
          }))
        : [{ field: formatPath(root, issue.path), message: issue.message }],
    ),
  );
}

/** `proxies[3].url` from a root name and a zod issue path. */
function formatPath(root: string | undefined, path: readonly PropertyKey[]): string {
  let out = root ?? '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || '(input)';
}

/** Seconds (fractions allowed) to whole milliseconds, at least 1. */
export function secondsToMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}
