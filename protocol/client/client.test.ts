import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envRegistry } from '../env-registry.ts';
import { type RunningServer, serve } from '../server.ts';
import { FactRecallClient } from './client.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await serve({ registry: envRegistry(), tokens: null, evalRunsPath: '/dev/null' });
});
afterAll(() => server.close());

describe('requests with an AbortSignal', () => {
  it('leave no abort listener behind once answered, and an aborted signal sends nothing', async () => {
    const client = await FactRecallClient.connect(server.wsUrl, { role: 'policy' });
    try {
      const controller = new AbortController();
      for (let i = 0; i < 3; i++) await client.request('stats', {}, { signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

      const sentBefore = server.host.requests.get('stats');
      controller.abort();
      await expect(
        client.request('stats', {}, { signal: controller.signal }),
      ).rejects.toMatchObject({ code: 'FR_ERR_PROTO_DEADLINE', retryable: false });
      await client.stats();
      expect(server.host.requests.get('stats')).toBe((sentBefore ?? 0) + 1);
    } finally {
      client.close();
    }
  });
});
