import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';

describe('KeyedLock', () => {
  it('runs holders of one key one at a time, in order, and keys apart in parallel', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = lock.run('a', () => new Promise<void>((r) => (releaseFirst = () => (order.push('a1'), r()))));
    const second = lock.run('a', async () => void order.push('a2'));
    const other = lock.run('b', async () => void order.push('b1'));
    await other;
    expect(order).toEqual(['b1']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it('lets the next holder run after a failure and forgets idle keys', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('k', async () => 42)).resolves.toBe(42);
    await expect.poll(() => lock.busyKeys).toBe(0);
  });
});
