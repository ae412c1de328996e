/**
 * One lock per key, in process: `run(key, fn)` waits for every earlier `fn` of the same key to
 * settle, then runs `fn`. A failure of one holder never blocks the next. Keys with nobody waiting
 * are forgotten, so the map holds only what is busy.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys someone holds or waits for (tests, status). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
