import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { envRegistry } from './env-registry.ts';
import { EvalRunLog } from './eval-runs.ts';
import { Host } from './host.ts';
import { resolveLimits } from './limits.ts';
import { Session } from './session.ts';

describe('a session that ends', () => {
  it('retires an eval env whose run cannot be recorded, and counts FR_ERR_PROTO_RECORD_FAILED instead of dropping it silently', async () => {
    // A directory is not a file the log may write: every append fails.
    const host = new Host({
      registry: envRegistry(),
      limits: resolveLimits(),
      tokens: null,
      evalRuns: new EvalRunLog(await mkdtemp(`${tmpdir()}/fr-runs-dir-`)),
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const s = new Session(host, { transport: 'test' });
      await s.handle({ id: 'h', type: 'hello', body: { version: 'factrecall.v1', role: 'eval' } });
      const made = await s.handle({ id: 'm', type: 'make', body: { envId: 'FactRecall-v0' } });
      const { handle } = made.response.body as { handle: string };
      const reset = await s.handle({
        id: 'r',
        type: 'reset',
        body: { handle, split: 'test', batchSize: 2, groupSize: 1 },
      });
      expect(reset.response.type).toBe('reset');
      await s.close();
      expect(host.envs.size).toBe(0);
      expect(host.episodeCounts().totals).toMatchObject({ issued: 2, closed: 2, open: 0 });
      expect(host.errors.get('FR_ERR_PROTO_RECORD_FAILED')).toBe(1);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/FR_ERR_PROTO_RECORD_FAILED/);
    } finally {
      stderr.mockRestore();
      host.stop();
    }
  });
});
