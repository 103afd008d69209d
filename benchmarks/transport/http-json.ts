/**
 * The common alternative: HTTP/1.1 + JSON, one request per episode step, in the style of
 * OpenEnv's HTTP mode and gym-http-api (POST /reset gives one observation, POST /step takes one
 * answer). The same env sits behind it (fastify, as the project's own HTTP routes); the client
 * is Node's fetch with keep-alive. A "round" of B x N episodes is B x N resets and B x N steps,
 * one after another, as a per-episode client does.
 */
import Fastify from 'fastify';
import type { LocalEnv } from '../../env/types.ts';
import type { Stepper } from './drive.ts';

export interface HttpJson {
  url: string;
  env: Stepper;
  close(): Promise<void>;
}

export async function httpJsonBaseline(env: LocalEnv): Promise<HttpJson> {
  const app = Fastify({ logger: false });
  app.post('/reset', async () => {
    const r = await env.reset({ split: 'train', batchSize: 1, groupSize: 1 });
    return { observation: r.observations[0] };
  });
  app.post<{ Body: { episodeId: string; answer: string } }>('/step', async (req) => {
    const r = await env.step([{ episodeId: req.body.episodeId, answer: req.body.answer }]);
    return { result: r.results[0] };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const client: Stepper = {
    // A per-episode client: the batch is B x N separate resets...
    reset: async (o) => {
      const observations: Array<{ episodeId: string }> = [];
      for (let i = 0; i < o.batchSize * o.groupSize; i++) {
        const r = await post('/reset', {});
        observations.push(r.observation as { episodeId: string });
      }
      return { observations };
    },
    // ...and as many steps, one answer each.
    step: async (actions) => {
      for (const a of actions) await post('/step', a);
      return {};
    },
  };
  return { url, env: client, close: () => app.close() };
}
