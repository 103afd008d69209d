import { describe, expect, it } from 'vitest';
import { QueueFullError, Semaphore } from './queue.ts';

describe('Semaphore', () => {
  it('runs at most `limit` holders, hands slots to waiters in FIFO order, and refuses beyond the queue bound', async () => {
    const s = new Semaphore(2, 2);
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const order: number[] = [];
    const w3 = s.acquire().then((r) => {
      order.push(3);
      return r;
    });
    const w4 = s.acquire().then((r) => {
      order.push(4);
      return r;
    });
    expect([s.running, s.queued]).toEqual([2, 2]);
    await expect(s.acquire()).rejects.toBeInstanceOf(QueueFullError);
    r1();
    r1(); // a second release of the same slot is ignored
    const r3 = await w3;
    expect([s.running, s.queued]).toEqual([2, 1]);
    r2();
    const r4 = await w4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect([s.running, s.queued]).toEqual([0, 0]);
  });

  it('drops a waiter whose signal aborts, without losing a slot', async () => {
    const s = new Semaphore(1, 4);
    const r1 = await s.acquire();
    const ac = new AbortController();
    const w = s.acquire(ac.signal);
    ac.abort(new Error('client went away'));
    await expect(w).rejects.toThrow('client went away');
    expect(s.queued).toBe(0);
    r1();
    expect(s.running).toBe(0);
    (await s.acquire())();
  });
});
