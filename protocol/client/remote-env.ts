/**
 * An env on a FactRecall server, behind the same EnvApi as the in-process env, so agents and
 * `checkEnv` cannot tell them apart. Errors carry the server's codes (the env's own codes pass
 * through unchanged). For the eval role, step results have status `withheld` and reward null;
 * the aggregate comes back from {@link RemoteEnv.closeWithSummary}.
 */
import type {
  Action,
  EnvApi,
  EnvSpec,
  ResetOptions,
  ResetResult,
  StepBatchResult,
} from '../../env/types.ts';
import type { RequestBody, ResponseBody, Verb } from '../schema.ts';

export interface RequestOptions {
  deadlineMs?: number;
  signal?: AbortSignal;
}

/**
 * What a RemoteEnv needs of its connection: send a request, and know when the connection was
 * remade (the server closed the envs of the old one). FactRecallClient provides it.
 */
export interface EnvConnection {
  /** Incremented on every (re)connection. */
  readonly generation: number;
  request<V extends Verb>(
    verb: V,
    body: RequestBody<V>,
    opts?: RequestOptions,
  ): Promise<ResponseBody<V>>;
}

export class RemoteEnv implements EnvApi {
  private handle: string | undefined;
  private generation = -1;
  private specValue: EnvSpec | undefined;
  private closed = false;
  /** Summary returned by the server at close. */
  summary: ResponseBody<'close'> | undefined;

  constructor(
    readonly client: EnvConnection,
    readonly envId: string,
    readonly options: Record<string, unknown> | undefined,
  ) {}

  /** Make the env on the server (again, after a reconnect closed the old one). */
  async open(): Promise<void> {
    const r = await this.client.request('make', {
      envId: this.envId,
      ...(this.options ? { options: this.options } : {}),
    });
    this.handle = r.handle;
    this.generation = this.client.generation;
    this.specValue = r.spec;
  }

  spec(): EnvSpec {
    if (!this.specValue) throw new Error('RemoteEnv.spec() before open()');
    return this.specValue;
  }

  /** The server-side handle (changes when a reconnect forced a re-make). */
  get currentHandle(): string | undefined {
    return this.handle;
  }

  /**
   * Next batch of questions. After a reconnect the server has closed the old env, so a fresh
   * one is made first: its question order starts over (same seed, same order as any new env).
   */
  async reset(
    opts: ResetOptions & { withGold?: boolean },
    ro?: RequestOptions,
  ): Promise<ResetResult> {
    if (this.generation !== this.client.generation && !this.closed) await this.open();
    return this.client.request(
      'reset',
      {
        handle: this.handle!,
        split: opts.split,
        batchSize: opts.batchSize,
        groupSize: opts.groupSize,
        ...(opts.withGold ? { withGold: true } : {}),
        ...(opts.questionIds ? { questionIds: [...opts.questionIds] } : {}),
      },
      ro,
    );
  }

  async step(actions: readonly Action[], ro?: RequestOptions): Promise<StepBatchResult> {
    return this.client.request(
      'step',
      {
        handle: this.handle!,
        actions: actions.map((a) => ({ episodeId: a.episodeId, answer: a.answer })),
      },
      ro,
    );
  }

  /** Close and return the server's summary (episode counts; the eval run id for eval). */
  async closeWithSummary(): Promise<ResponseBody<'close'> | undefined> {
    if (this.closed) return this.summary;
    this.closed = true;
    if (this.handle === undefined || this.generation !== this.client.generation) return undefined;
    this.summary = await this.client.request('close', { handle: this.handle });
    return this.summary;
  }

  async close(): Promise<void> {
    await this.closeWithSummary();
  }
}
