import { describe, expect, it } from 'vitest';
import { fairYield, fairYieldWaiting } from './fair-yield.ts';

/** Busy-wait: a chunk of synchronous work. */
const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};

/** n tasks of `chunks` chunks each, yielding with `yieldFn`; a timer ticks meanwhile. */
async function interleaving(yieldFn: () => Promise<void>, n: number, chunks: number) {
  const events: string[] = [];
  let running = true;
  const tick = () => {
    events.push('t');
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let c = 0; c < chunks; c++) {
        await yieldFn();
        spin(3);
        events.push('c');
      }
    }),
  );
  running = false;
  // Longest run of chunks with no timer between them.
  return Math.max(
    ...events
      .join('')
      .split('t')
      .map((run) => run.length),
  );
}

describe('fairYield', () => {
  it('runs one chunk per turn of the event loop, however many tasks yield', async () => {
    const bare = () => new Promise<void>((r) => setImmediate(r));
    // The bare yield resumes every task in the same check phase: 6 chunks back to back.
    expect(await interleaving(bare, 6, 5)).toBeGreaterThanOrEqual(5);
    // The fair yield lets the timers phase run between any two chunks (3 ms each > the 1 ms timer).
    expect(await interleaving(fairYield, 6, 5)).toBe(1);
    expect(fairYieldWaiting()).toBe(0);
  });

  it('resumes tasks in the order they yielded', async () => {
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map(async (i) => fairYield().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
  });
});
