/**
 * Event listeners that cannot hurt the caller: a listener that throws (or rejects) is
 * reported to `onError` and never stops the lease from reaching its caller.
 */
export type Listener<E> = (event: E) => void | Promise<void>;

export class ListenerSet<E> {
  private readonly listeners = new Set<Listener<E>>();

  constructor(
    private readonly eventName: string,
    private readonly onError: (error: unknown, eventName: string) => void,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  /** Returns a function that removes the listener. */
  add(listener: Listener<E>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: E): void {
    for (const listener of this.listeners) {
      try {
        const result = listener(event);
        if (result instanceof Promise)
          result.catch((e: unknown) => this.onError(e, this.eventName));
      } catch (error) {
        this.onError(error, this.eventName);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
