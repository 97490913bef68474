// The requests and tunnels open now, so close() can wait for them (the grace period) and then
// cut the rest. Each one settles once, however it ends.

export interface Exchange {
  /** Resolves when the exchange has ended and its lease is released. */
  readonly done: Promise<void>;
  /** Ends it now (sockets destroyed); its own cleanup then releases the lease. */
  cut(): void;
}

export class Exchanges {
  private readonly open = new Set<Exchange>();

  get size(): number {
    return this.open.size;
  }

  track(exchange: Exchange): void {
    this.open.add(exchange);
    void exchange.done.finally(() => this.open.delete(exchange));
  }

  /** Waits up to `graceMs` for the open ones to end, then cuts the rest and waits for them. */
  async drain(graceMs: number): Promise<void> {
    const all = () => Promise.all([...this.open].map((e) => e.done));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([all(), grace]);
    clearTimeout(timer);
    for (const exchange of this.open) exchange.cut();
    await all();
  }
}
