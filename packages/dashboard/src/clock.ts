/** Wall-clock ms for sessions and login throttling; tests pass one they move by hand. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
