import type { Clock } from '../clock.js';

/** Wrong tokens per client address per window before logins from it are refused. */
export const LOGIN_ATTEMPTS = 5;
export const LOGIN_WINDOW_MS = 60_000;
/** Addresses remembered at once; the oldest goes first (bounds memory under a spray). */
const MAX_ADDRESSES = 10_000;

/** Failed logins per client address in a sliding window: a token can't be guessed at line rate. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Seconds until `address` may try again, or 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const recent = this.recent(address);
    if (recent.length < LOGIN_ATTEMPTS) return 0;
    const oldest = recent[recent.length - LOGIN_ATTEMPTS] as number;
    return Math.max(1, Math.ceil((oldest + LOGIN_WINDOW_MS - this.clock.now()) / 1000));
  }

  recordFailure(address: string): void {
    const recent = this.recent(address);
    recent.push(this.clock.now());
    this.failures.delete(address);
    this.failures.set(address, recent.slice(-LOGIN_ATTEMPTS));
    if (this.failures.size > MAX_ADDRESSES) {
      const first = this.failures.keys().next().value;
      if (first !== undefined) this.failures.delete(first);
    }
  }

  private recent(address: string): number[] {
    const since = this.clock.now() - LOGIN_WINDOW_MS;
    return (this.failures.get(address) ?? []).filter((at) => at > since);
  }
}
