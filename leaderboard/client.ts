/**
 * The leaderboard's HTTP client, for the CLI and scripts. `fetch` is injectable. A coded
 * error from the server comes back as a BoardHttpError carrying its FR_ERR_* code, status and
 * details; rate limits and 5xx are retried with capped backoff honouring retry-after; a quota
 * refusal is not retried (it frees in hours).
 */
import { boardError } from './errors.ts';

export class BoardHttpError extends Error {
  override readonly name = 'BoardHttpError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryable: boolean,
    readonly retryAfterMs: number | undefined,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  token?: string;
  fetch?: typeof fetch;
  maxRetries?: number;
}

export class LeaderboardClient {
  private readonly fetchImpl: typeof fetch;
  readonly base: string;

  constructor(
    server: string,
    private readonly opts: ClientOptions = {},
  ) {
    this.base = server.replace(/\/+$/, '');
    this.fetchImpl = opts.fetch ?? fetch;
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const maxRetries = this.opts.maxRetries ?? 4;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(`${this.base}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (e) {
        if (attempt < maxRetries) {
          await sleep(backoff(attempt));
          continue;
        }
        throw boardError(
          'FR_ERR_LEADERBOARD_UNREACHABLE',
          `${this.base}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        json = undefined;
      }
      if (res.ok && json !== undefined) return json as T;
      const err = (json as { error?: Record<string, unknown> } | undefined)?.error;
      const code = typeof err?.code === 'string' ? err.code : 'FR_ERR_LEADERBOARD_UNREACHABLE';
      const retryAfterMs = typeof err?.retryAfterMs === 'number' ? err.retryAfterMs : undefined;
      const again =
        code === 'FR_ERR_LEADERBOARD_RATE_LIMITED' ||
        (res.status >= 500 && err?.retryable === true);
      if (again && attempt < maxRetries) {
        await sleep(Math.min(retryAfterMs ?? backoff(attempt), 60_000));
        continue;
      }
      throw new BoardHttpError(
        code,
        typeof err?.message === 'string'
          ? err.message
          : `HTTP ${res.status} from ${this.base}${path}`,
        res.status,
        err?.retryable === true,
        retryAfterMs,
        err?.details as Record<string, unknown> | undefined,
      );
    }
  }
}

function backoff(attempt: number): number {
  return Math.min(5_000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
