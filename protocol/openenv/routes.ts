/**
 * The HTTP side of the OpenEnv-compatible endpoint, as OpenEnv's server has it: `GET /health`
 * (`{status: "healthy"}`; 503 `unhealthy` while draining), `GET /schema` (JSON schemas of
 * action, observation and state) and `GET /metadata` (name, description, version).
 */
import type { FastifyInstance } from 'fastify';
import type { Host } from '../host.ts';
import { PROTOCOL_VERSION } from '../schema.ts';
import { openEnvSchemas } from './messages.ts';

export function registerOpenEnvRoutes(http: FastifyInstance, host: Host): void {
  const schemas = openEnvSchemas();
  http.get('/health', async (_req, reply) => {
    if (host.draining) return reply.code(503).send({ status: 'unhealthy' });
    return { status: 'healthy' };
  });
  http.get('/schema', async () => schemas);
  http.get('/metadata', async () => ({
    name: 'FactRecall-v0',
    description:
      'Closed-book one-hop factual QA: one question per episode, one answer per step, binary ' +
      'reward from the server judge (null when the judge gave no verdict, never 0).',
    version: PROTOCOL_VERSION,
    envs: host.registry.list(),
    documentation_url: 'docs/protocol.md#openenv-endpoint',
  }));
}
