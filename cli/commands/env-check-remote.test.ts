import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envRegistry } from '../../protocol/env-registry.ts';
import { type RunningServer, serve } from '../../protocol/server.ts';
import { runEnvCheck } from './env.ts';

// `factrecall env check --url`: the checker any protocol implementation can be run against.
describe('factrecall env check --url', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve({ registry: envRegistry(), tokens: null, evalRunsPath: '/dev/null' });
  });
  afterAll(() => server.close());

  it.each(['ws', 'grpc'] as const)('passes every check against a server over %s', async (b) => {
    const url = b === 'ws' ? server.wsUrl : `grpc://${server.grpcAddress}`;
    const report = await runEnvCheck({ url, role: 'trainer', judge: 'contains' });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(10);
  });

  it('leaves splits to the server and says so', async () => {
    await expect(runEnvCheck({ url: server.wsUrl, splits: 'nq_open' })).rejects.toMatchObject({
      code: 'FR_ERR_ENV_BAD_OPTIONS',
    });
  });

  it('reports a server that cannot be reached as a coded connection error', async () => {
    await expect(
      runEnvCheck({ url: 'ws://127.0.0.1:1/v1/ws', role: 'trainer' }),
    ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_CONNECTION_LOST' });
  });
});
