import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnv } from '../../env/check.ts';
import { FactRecallClient } from '../../protocol/client/client.ts';
import { envRegistry } from '../../protocol/env-registry.ts';
import { type RunningServer, serve } from '../../protocol/server.ts';
import { normalise, readGolden, runScript } from './script.ts';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'session-trainer.json');
const UPDATE = process.env.FACTRECALL_UPDATE_GOLDEN === '1';

/** A fresh server per run, so stats start at zero and every run sees the same counts. */
async function withServer<T>(run: (s: RunningServer) => Promise<T>): Promise<T> {
  const s = await serve({ registry: envRegistry(), tokens: null, evalRunsPath: '/dev/null' });
  try {
    return await run(s);
  } finally {
    await s.close();
  }
}

async function scriptOver(binding: 'ws' | 'grpc') {
  const vector = readGolden(GOLDEN);
  return withServer(async (s) => {
    const url = binding === 'ws' ? s.wsUrl : `grpc://${s.grpcAddress}`;
    const client = await FactRecallClient.connect(url, { role: vector.role, maxRetries: 0 });
    try {
      const hello = normalise(client.hello, new Map([[client.hello!.sessionId, '<session>']]));
      return await runScript(client, vector, hello as Record<string, unknown>);
    } finally {
      client.close();
    }
  });
}

describe('the conformance suite', () => {
  it('gives the golden responses over WebSocket and over gRPC, identical between the two', async () => {
    const [ws, grpc] = [await scriptOver('ws'), await scriptOver('grpc')];
    expect(grpc).toEqual(ws);
    if (UPDATE) {
      const vector = readGolden(GOLDEN);
      writeFileSync(GOLDEN, `${JSON.stringify({ ...vector, expected: ws }, null, 2)}\n`);
    }
    const vector = readGolden(GOLDEN);
    expect(
      vector.expected.length,
      'golden vector is empty: run with FACTRECALL_UPDATE_GOLDEN=1',
    ).toBe(vector.requests.length);
    expect(ws).toEqual(vector.expected);
  });

  describe.each(['ws', 'grpc'] as const)('checkEnv over %s', (binding) => {
    let server: RunningServer;
    let client: FactRecallClient;
    beforeAll(async () => {
      server = await serve({ registry: envRegistry(), tokens: null, evalRunsPath: '/dev/null' });
      const url = binding === 'ws' ? server.wsUrl : `grpc://${server.grpcAddress}`;
      client = await FactRecallClient.connect(url, { role: 'trainer' });
    });
    afterAll(async () => {
      client.close();
      await server.close();
    });

    it('passes every check of checkEnv against a remote env, with the env codes unchanged', async () => {
      const report = await checkEnv(() => client.make('FactRecall-v0'));
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.passed).toBeGreaterThanOrEqual(10);
    });

    it('accounts for every episode checkEnv was issued: each ended answered, expired or closed', async () => {
      const before = await client.stats();
      const report = await checkEnv(() => client.make('FactRecall-v0'));
      expect(report.ok).toBe(true);
      const s = await client.stats();
      expect(s.openEnvs).toBe(0);
      const t = s.totals;
      expect(t.issued).toBeGreaterThan(before.totals.issued);
      expect(t.open).toBe(0);
      expect(t.answered + t.expired + t.closed).toBe(t.issued);
    });
  });
});
