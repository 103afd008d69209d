import { describe, expect, it } from 'vitest';
import { InFlight } from './coalesce.ts';

/** Work that settles when the test says so, and reports whether it was aborted. */
function controllable() {
  let resolve!: (v: string) => void;
  let reject!: (e: unknown) => void;
  const aborted: boolean[] = [];
  const work = (signal: AbortSignal) =>
    new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
      signal.addEventListener('abort', () => {
        aborted.push(true);
        rej(new Error('aborted'));
      });
    });
  return { work, resolve: (v: string) => resolve(v), reject: (e: unknown) => reject(e), aborted };
}

describe('InFlight (request coalescing)', () => {
  it('shares one run between callers of the same key', async () => {
    const f = new InFlight<string>();
    const c = controllable();
    const a = f.run('k', c.work);
    const b = f.run('k', () => Promise.resolve('second run'));
    c.resolve('v');
    expect(await a).toEqual({ value: 'v', shared: false });
    expect(await b).toEqual({ value: 'v', shared: true });
    expect(f.joined).toBe(1);
    expect(f.size).toBe(0);
  });

  it('aborts the shared run only when every caller has given up', async () => {
    const f = new InFlight<string>();
    const c = controllable();
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const a = f.run('k', c.work, ac1.signal);
    const b = f.run('k', c.work, ac2.signal);
    ac1.abort(new Error('first gave up'));
    await expect(a).rejects.toThrow('first gave up');
    expect(c.aborted).toEqual([]);
    ac2.abort(new Error('second gave up'));
    await expect(b).rejects.toThrow('second gave up');
    expect(c.aborted).toEqual([true]);
  });

  it('starts a fresh run for a caller that arrives after every earlier caller gave up', async () => {
    const f = new InFlight<string>();
    // The first run ignores its abort for a while, as an HTTP request being torn down does.
    let finishFirst!: () => void;
    const first = (signal: AbortSignal) =>
      new Promise<string>((_, rej) => {
        finishFirst = () => rej(signal.reason);
      });
    const ac = new AbortController();
    const gaveUp = f.run('k', first, ac.signal);
    ac.abort(new Error('gave up'));
    await expect(gaveUp).rejects.toThrow('gave up');

    const late = f.run('k', async () => 'fresh value');
    finishFirst();
    await expect(late).resolves.toEqual({ value: 'fresh value', shared: false });
    expect(f.joined).toBe(0);
  });

  it('a finished aborted run does not remove the fresh run that replaced it', async () => {
    const f = new InFlight<string>();
    let finishFirst!: () => void;
    const first = (signal: AbortSignal) =>
      new Promise<string>((_, rej) => {
        finishFirst = () => rej(signal.reason);
      });
    const ac = new AbortController();
    const gaveUp = f.run('k', first, ac.signal);
    ac.abort(new Error('gave up'));
    await expect(gaveUp).rejects.toThrow();

    const c = controllable();
    const fresh = f.run('k', c.work);
    finishFirst();
    await new Promise((r) => setTimeout(r, 0));
    // A third caller must still join the fresh run, not start a third one.
    const joiner = f.run('k', () => Promise.resolve('third run'));
    c.resolve('fresh');
    expect(await fresh).toEqual({ value: 'fresh', shared: false });
    expect(await joiner).toEqual({ value: 'fresh', shared: true });
  });
});
