// One request at a time per Crawlee session. Crawlee lets requests share a session side by
// side, but a Leasehold session is leased by one request at a time, and both requests would
// read and write the same cookie jar: the second would carry the first's cookies through
// another proxy. So requests of one Crawlee session take turns, in arrival order.

export class SessionBusyError extends Error {
  constructor(crawleeSessionId: string, waitedMs: number) {
    super(`Crawlee session ${crawleeSessionId} stayed busy for ${waitedMs} ms`);
    this.name = 'SessionBusyError';
  }
}

export class SessionTurns {
  private readonly queues = new Map<string, (() => void)[]>();

  /** Resolves when it is this caller's turn; rejects with SessionBusyError after `waitMs`. */
  take(id: string, waitMs: number): Promise<void> {
    const queue = this.queues.get(id);
    if (queue === undefined) {
      this.queues.set(id, []);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = queue.indexOf(start);
        if (at >= 0) queue.splice(at, 1);
        reject(new SessionBusyError(id, waitMs));
      }, waitMs);
      const start = () => {
        clearTimeout(timer);
        resolve();
      };
      queue.push(start);
    });
  }

  /** Ends the current turn: the next waiter (if any) goes. */
  give(id: string): void {
    const queue = this.queues.get(id);
    if (queue === undefined) return;
    const next = queue.shift();
    if (next === undefined) this.queues.delete(id);
    else next();
  }

  /** Sessions with a turn taken. */
  get busy(): number {
    return this.queues.size;
  }
}
