/**
 * `factrecall serve` in one call: the WebSocket binding (at /v1/ws) and fastify HTTP
 * (/healthz, /metrics, /v1/spec) on one port, the gRPC binding on another, over one Host.
 * `close()` drains: new requests are refused with FR_ERR_PROTO_SHUTTING_DOWN (retryable) while
 * the steps in flight finish and are answered; then every env is closed and counted.
 */
import Fastify from 'fastify';
import { z } from 'zod';
import type { SubsetIds } from '../env/types.ts';
import { protoError } from './errors.ts';
import type { EvalQuota } from './eval-quota.ts';
import { EvalRunLog } from './eval-runs.ts';
import { GrpcBinding } from './grpc-server.ts';
import type { ValRewards } from './hidden-runs.ts';
import { type EnvRegistry, Host } from './host.ts';
import { resolveLimits } from './limits.ts';
import { renderMetrics } from './metrics.ts';
import { OPENENV_PATH, OpenEnvBinding } from './openenv/binding.ts';
import { registerOpenEnvRoutes } from './openenv/routes.ts';
import { type Limits, PROTOCOL_VERSION, REQUEST_BODIES, RESPONSE_BODIES, VERBS } from './schema.ts';
import { isLoopback, type TokenEntry } from './tokens.ts';
import { WS_PATH, WsBinding } from './ws-server.ts';

export interface ServeOptions {
  registry: EnvRegistry;
  /** Bind address for both ports; default 127.0.0.1. */
  host?: string;
  /** HTTP + WebSocket port; 0 picks a free one. */
  httpPort?: number;
  /** gRPC port; 0 picks a free one. */
  grpcPort?: number;
  tokens: readonly TokenEntry[] | null;
  limits?: Partial<Limits>;
  /** Where eval runs are appended (JSON lines). */
  evalRunsPath: string;
  makeDefaults?: Record<string, unknown>;
  clientJudges?: readonly string[];
  heartbeatMs?: number;
  /** How long close() waits for requests in flight. */
  drainMs?: number;
  expireEveryMs?: number;
  /** Val rewards per episode (default), or only as a complete val run's aggregate. */
  valRewards?: ValRewards;
  /** Eval-run quota of submitters whose token sets none (default: 10 per 24 h). */
  evalQuota?: EvalQuota;
  /** Pinned leaderboard subset (test question ids): eval runs cover these instead of all of test. */
  evalSubset?: SubsetIds;
}

export interface RunningServer {
  readonly host: Host;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly wsUrl: string;
  readonly grpcAddress: string;
  /** The OpenEnv-compatible endpoint (JSON over WebSocket). */
  readonly openEnvUrl: string;
  /** Drain, close every connection and env, stop listening. Idempotent. */
  close(): Promise<void>;
}

/** The protocol description served at /v1/spec: version, limits, envs and JSON schemas. */
export function protocolSpec(host: Host, ports: { http: number; grpc: number }) {
  const schemas = (m: Record<string, z.ZodType>) =>
    Object.fromEntries(
      Object.entries(m).map(([k, s]) => [k, z.toJSONSchema(s, { unrepresentable: 'any' })]),
    );
  return {
    version: PROTOCOL_VERSION,
    verbs: VERBS,
    bindings: {
      websocket: {
        path: WS_PATH,
        port: ports.http,
        encoding: 'msgpack, one envelope per binary frame',
      },
      grpc: { port: ports.grpc, service: 'factrecall.v1.FactRecall' },
      openenv: {
        path: OPENENV_PATH,
        port: ports.http,
        encoding: 'JSON text frames {type, data} (OpenEnv), plus /health and /schema',
      },
    },
    auth: host.tokens === null ? 'none (loopback)' : 'token',
    limits: host.limits,
    envs: host.registry.list(),
    schemas: { requests: schemas(REQUEST_BODIES), responses: schemas(RESPONSE_BODIES) },
  };
}

export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const bind = opts.host ?? '127.0.0.1';
  if (!isLoopback(bind) && (opts.tokens === null || opts.tokens.length === 0)) {
    throw protoError('FR_ERR_PROTO_INSECURE_BIND', bind);
  }
  const evalRuns = new EvalRunLog(opts.evalRunsPath);
  const resolved = resolveLimits(opts.limits);
  const host = new Host({
    registry: opts.registry,
    limits: resolved,
    tokens: opts.tokens,
    evalRuns,
    // Complete runs already recorded keep counting against quotas after a restart.
    pastEvalRuns: await evalRuns.completeRuns(),
    ...(opts.valRewards ? { valRewards: opts.valRewards } : {}),
    ...(opts.evalQuota ? { evalQuota: opts.evalQuota } : {}),
    ...(opts.evalSubset ? { evalSubset: opts.evalSubset } : {}),
    ...(opts.makeDefaults ? { makeDefaults: opts.makeDefaults } : {}),
    ...(opts.clientJudges ? { clientJudges: opts.clientJudges } : {}),
    ...(opts.expireEveryMs ? { expireEveryMs: opts.expireEveryMs } : {}),
  });
  const http = Fastify({ logger: false });
  let grpcPort = 0;
  let httpPort = 0;
  http.get('/healthz', async (_req, reply) => {
    if (host.draining) return reply.code(503).send({ status: 'draining' });
    return { status: 'ok', version: PROTOCOL_VERSION, connections: host.connections };
  });
  http.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(renderMetrics(host)),
  );
  http.get('/v1/spec', async () => protocolSpec(host, { http: httpPort, grpc: grpcPort }));
  registerOpenEnvRoutes(http, host);

  const heartbeat = opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {};
  const grpcBinding = new GrpcBinding(host, heartbeat);
  try {
    // A connect storm waits in the kernel's accept queue (capped by net.core.somaxconn)
    // rather than overflowing Node's default 511 into dropped SYNs and resets; past
    // maxConnections every connection gets a coded refusal.
    await http.listen({
      host: bind,
      port: opts.httpPort ?? 0,
      backlog: Math.max(511, resolved.maxConnections + 64),
    });
    httpPort = (http.server.address() as { port: number }).port;
    grpcPort = await grpcBinding.listen(
      `${bind.includes(':') ? `[${bind}]` : bind}:${opts.grpcPort ?? 0}`,
    );
  } catch (e) {
    host.stop();
    await http.close();
    grpcBinding.server.forceShutdown();
    throw e;
  }
  const wsBinding = new WsBinding(host, heartbeat);
  const openEnvBinding = new OpenEnvBinding(host, heartbeat);
  http.server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === WS_PATH) wsBinding.handleUpgrade(req, socket, head);
    else if (path === OPENENV_PATH) openEnvBinding.handleUpgrade(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  const urlHost = bind.includes(':') ? `[${bind}]` : bind;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      host.draining = true;
      // Requests already read but waiting get FR_ERR_PROTO_SHUTTING_DOWN now.
      wsBinding.startDrain();
      grpcBinding.startDrain();
      await host.drained(opts.drainMs ?? 30_000);
      await Promise.all([wsBinding.close(), openEnvBinding.close(), grpcBinding.close()]);
      await http.close();
      host.stop();
    })();
    return closing;
  };
  return {
    host,
    httpPort,
    grpcPort,
    wsUrl: `ws://${urlHost}:${httpPort}${WS_PATH}`,
    grpcAddress: `${urlHost}:${grpcPort}`,
    openEnvUrl: `ws://${urlHost}:${httpPort}${OPENENV_PATH}`,
    close,
  };
}
