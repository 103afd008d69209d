/**
 * The leaderboard server: fastify over the SQLite store, the pinned splits and the pinned
 * judge, with the background scorer. `createLeaderboard()` builds it without listening (tests
 * use `app.inject`); `listen()` binds it. On start the scorer resumes whatever a previous
 * process left queued or half-scored.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createJudge, type Judge, parseJudgeSpec } from '../judges/index.ts';
import { GRPC_STATUS, isFactRecallError } from '../lib/errors.ts';
import { authenticate } from './auth.ts';
import { type BoardConfig, parseBoardConfig } from './config.ts';
import { type BoardErrorCode, boardError, HTTP_STATUS } from './errors.ts';
import { RateLimiter } from './limits.ts';
import { loadPinned, type PinnedSplit } from './pinned.ts';
import { registerAdminRoutes } from './routes-admin.ts';
import { registerPublicRoutes } from './routes-public.ts';
import { registerSubmitRoutes } from './routes-submit.ts';
import { Scorer, type ScorerOptions } from './scorer.ts';
import { Store } from './store.ts';

export interface Leaderboard {
  app: FastifyInstance;
  store: Store;
  scorer: Scorer;
  judge: Judge;
  config: BoardConfig;
  splits: ReadonlyMap<string, PinnedSplit>;
  /** Every route the app serves (the gold sweep test calls each one). */
  routes: ReadonlyArray<{ method: string; url: string }>;
  close(): Promise<void>;
}

export interface CreateOptions {
  /** A judge instead of `config.judge` (tests). */
  judge?: Judge;
  scorer?: ScorerOptions;
}

/** fastify's own client errors, as our codes. */
function fromFastify(e: { code?: string; statusCode?: number; message: string }) {
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
    return boardError('FR_ERR_LEADERBOARD_TOO_LARGE');
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return boardError('FR_ERR_LEADERBOARD_BAD_REQUEST', e.message);
  }
  return boardError('FR_ERR_LEADERBOARD_INTERNAL', undefined, { cause: e });
}

export async function createLeaderboard(
  rawConfig: unknown,
  opts: CreateOptions = {},
): Promise<Leaderboard> {
  const config = parseBoardConfig(rawConfig);
  const store = new Store(config.dbPath);
  let judge: Judge | undefined;
  try {
    store.pinMeta('private_fraction', String(config.privateFraction));
    const salt = store.meta('partition_salt')!;
    const splits = new Map<string, PinnedSplit>();
    for (const spec of config.splits) {
      const pinned = await loadPinned(spec, salt, config.privateFraction);
      if (splits.has(pinned.dataset)) {
        throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', `--splits names ${pinned.dataset} twice`);
      }
      splits.set(pinned.dataset, pinned);
    }
    judge = opts.judge ?? createJudge(parseJudgeSpec(config.judge));
    const scorer = new Scorer(store, judge, splits, { chunk: config.scoreChunk, ...opts.scorer });
    const limiter = new RateLimiter(config.rateLimitPerMinute);
    const app = Fastify({ logger: false, bodyLimit: config.bodyLimitBytes });
    app.decorateRequest('auth', null);
    const routes: Array<{ method: string; url: string }> = [];
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat())
        if (method !== 'HEAD') routes.push({ method, url: r.url });
    });
    app.addHook('onRequest', async (req, reply) => {
      reply.header('x-content-type-options', 'nosniff');
      let key = `ip:${req.ip}`;
      try {
        req.auth = authenticate(store, req.headers.authorization);
        if (req.auth) key = `tok:${req.auth.tokenId}`;
      } finally {
        // Failed authentications count against the address, so guessing is rate limited too.
        limiter.take(key);
      }
    });
    app.setErrorHandler((err, _req, reply) => {
      const e = isFactRecallError(err) ? err : fromFastify(err as Error & { code?: string });
      const status = HTTP_STATUS[e.code as BoardErrorCode] ?? 500;
      if (e.retryAfterMs !== undefined)
        reply.header('retry-after', Math.ceil(e.retryAfterMs / 1000));
      if (status >= 500 && e.code === 'FR_ERR_LEADERBOARD_INTERNAL') {
        process.stderr.write(`leaderboard: internal error: ${(err as Error).stack}\n`);
      }
      reply.code(status).send({
        error: {
          ...e.toJSON(),
          // Errors from other parts (a judge's config) keep their code; the status says the rest.
          grpcStatus: GRPC_STATUS[e.grpcStatus],
        },
      });
    });
    app.setNotFoundHandler((req) => {
      throw boardError('FR_ERR_LEADERBOARD_NOT_FOUND', `${req.method} ${req.url.split('?')[0]}`);
    });
    const ctx = { store, scorer, judge, config, splits };
    registerPublicRoutes(app, ctx);
    registerSubmitRoutes(app, ctx);
    registerAdminRoutes(app, ctx);
    await app.ready();
    void scorer.kick();
    let closing: Promise<void> | undefined;
    const j = judge;
    return {
      app,
      store,
      scorer,
      judge,
      config,
      splits,
      routes,
      close: () => {
        closing ??= (async () => {
          await scorer.stop();
          await app.close();
          await j.close?.();
          store.close();
        })();
        return closing;
      },
    };
  } catch (e) {
    await judge?.close?.();
    store.close();
    throw e;
  }
}
