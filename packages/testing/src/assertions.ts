// Small assertions the suites share: a value that must be there, an error a promise must
// reject with. Both fail the test with a message saying what was expected.

/** `value`, or a thrown "expected <what>" when it is null or undefined. */
export function must<T>(value: T | null | undefined, what = 'a lease'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
