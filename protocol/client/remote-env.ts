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
  /**
   * Send only on the connection of this generation; once it has ended, fail with
   * FR_ERR_PROTO_ENV_LOST instead of reconnecting (an env's requests: its handle lives there).
   */
  onConnection?: number;
}

/**
 * What a RemoteEnv needs of its connection: send a request, and know whether the connection
 * that made the env is still open (the server closes the envs of one that ended).
 * FactRecallClient provides it.
 */
export interface EnvConnection {
  /** Incremented on every (re)connection. */
  readonly generation: number;
  /** True while the connection of `generation` is open. */
  isCurrent(generation: number): boolean;
  request<V extends Verb>(
    verb: V,
    body: RequestBody<V>,
    opts?: RequestOptions,
  ): Promise<ResponseBody<V>>;
  /** Told when an env opens and closes (a client keeps open envs' connection alive). */
  envOpened?(env: RemoteEnv): void;
  envClosed?(env: RemoteEnv): void;
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
    this.client.envOpened?.(this);
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
   * Next batch of questions. Once the connection that made the env has ended, the server has
   * closed it, so a fresh one is made first (on a new connection): its question order starts
   * over (same seed, same order as any new env).
   */
  async reset(
    opts: ResetOptions & { withGold?: boolean },
    ro?: RequestOptions,
  ): Promise<ResetResult> {
    if (!this.client.isCurrent(this.generation) && !this.closed) await this.open();
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
      { ...ro, onConnection: this.generation },
    );
  }

  /**
   * Answer episodes of the last reset. @throws FR_ERR_PROTO_ENV_LOST when the connection that
   * made them has ended (the server closed them): reset again for new ones.
   */
  async step(actions: readonly Action[], ro?: RequestOptions): Promise<StepBatchResult> {
    return this.client.request(
      'step',
      {
        handle: this.handle!,
        actions: actions.map((a) => ({ episodeId: a.episodeId, answer: a.answer })),
      },
      { ...ro, onConnection: this.generation },
    );
  }

  /** True while the env and its episodes live on the server (its connection is open). */
  get live(): boolean {
    return !this.closed && this.handle !== undefined && this.client.isCurrent(this.generation);
  }

  /** Close and return the server's summary (episode counts; the eval run id for eval). */
  async closeWithSummary(): Promise<ResponseBody<'close'> | undefined> {
    if (this.closed) return this.summary;
    this.closed = true;
    this.client.envClosed?.(this);
    if (this.handle === undefined || !this.client.isCurrent(this.generation)) return undefined;
    this.summary = await this.client.request(
      'close',
      { handle: this.handle },
      { onConnection: this.generation },
    );
    return this.summary;
  }

  async close(): Promise<void> {
    await this.closeWithSummary();
  }
}
