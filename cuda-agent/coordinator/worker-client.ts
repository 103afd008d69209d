/**
 * The TypeScript end of the policy worker: spawns `python -m factrecall_worker`, sends requests
 * as length-prefixed msgpack frames (4-byte big-endian length + body) on its stdin, and matches
 * the responses on its stdout by id.
 *
 * - Every call has a deadline. By default a call past its deadline kills the worker: it serves
 *   one request at a time, so a stuck call would hold up every later one.
 * - A worker that exits or is killed rejects every pending call with FR_ERR_WORKER_CRASHED,
 *   carrying the exit status and the tail of its stderr; later calls fail the same way.
 * - Progress notifications (`{id: null, event: 'progress'}`) go to the call's callback and to
 *   the client's.
 * - `shutdown()` asks the worker to exit and waits; it kills it if it does not.
 * - Each reply's `compute_s` (the worker's own seconds on the request, decoded to reply built)
 *   is summed per method in `compute`: a caller timing a call subtracts it to see the pipe's
 *   and its own overhead. A worker that sends none adds nothing there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Packr } from 'msgpackr';
import type { FactRecallError } from '../../lib/errors.ts';
import { workerError } from './errors.ts';
import { findPythonWithTorchCached, workerCommand } from './launcher.ts';
import { trackWorker } from './worker-reaper.ts';
import type {
  DpoStepParams,
  GenerateParams,
  InfoResult,
  InitParams,
  LoadParams,
  LogprobsParams,
  PretrainParams,
  SaveParams,
  SftStepParams,
  TokenizerParams,
  TrainStepParams,
  WorkerMethod,
  WorkerMethods,
  WorkerProgressEvent,
} from './worker-types.ts';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, encodeUndefinedAsNil: true });
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Header + msgpack body of one value. */
export function encodeFrame(value: unknown): Buffer {
  const body = packr.pack(value);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Splits a byte stream into decoded frames, whatever the chunk boundaries. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Values of every frame completed by `chunk`. @throws FR_ERR_WORKER_PROTOCOL */
  push(chunk: Buffer): unknown[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: unknown[] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (len > MAX_FRAME_BYTES) {
        throw workerError('FR_ERR_WORKER_PROTOCOL', `frame of ${len} bytes announced`);
      }
      if (this.buf.length < 4 + len) break;
      const body = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      try {
        out.push(packr.unpack(body));
      } catch (e) {
        throw workerError('FR_ERR_WORKER_PROTOCOL', `body is not msgpack: ${String(e)}`);
      }
    }
    return out;
  }

  /** Bytes of an unfinished frame still held. */
  get pending(): number {
    return this.buf.length;
  }
}

export interface WorkerClientOptions {
  /** Interpreter to use; absent: FACTRECALL_PYTHON, .venv/bin/python, python3 (launcher.ts). */
  python?: string;
  /** Data-parallel ranks on this machine (default 1; more runs the worker under torchrun). */
  ranks?: number;
  /** With ranks > 1: DDP (default) or FSDP (the worker's FACTRECALL_PARALLEL). */
  parallel?: 'ddp' | 'fsdp';
  /** Environment of the worker (default process.env); PYTHONPATH gets the worker package. */
  env?: NodeJS.ProcessEnv;
  /** Deadline of a call without its own (default 10 minutes). */
  defaultTimeoutMs?: number;
  /** Kill the worker when a call passes its deadline (default true). */
  killOnTimeout?: boolean;
  /** Deadline for the first `info` answer (default 300 s: the worker imports torch, slow on a busy machine). */
  startTimeoutMs?: number;
  /** Every progress notification, whichever call it belongs to. */
  onProgress?: (event: WorkerProgressEvent) => void;
  /** Each chunk the worker writes to stderr (default: kept in the tail only). */
  onStderr?: (text: string) => void;
  /** How much stderr to keep for error messages (default 4096 characters). */
  stderrTailChars?: number;
}

export interface CallOptions {
  /** Deadline of this call in ms (default the client's defaultTimeoutMs). */
  timeoutMs?: number;
  /** Progress notifications of this call. */
  onProgress?: (event: WorkerProgressEvent) => void;
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
  onProgress: ((e: WorkerProgressEvent) => void) | undefined;
}

interface ResponseFrame {
  id: number | string | null;
  ok?: boolean;
  result?: unknown;
  error?: { code: string; message: string; retryable: boolean };
  event?: string;
  request_id?: number;
  /** The worker's own seconds on the request (absent from workers older than the key). */
  compute_s?: number;
}

/** The worker's own seconds on one method's calls, as its replies reported them. */
export interface ComputeTotal {
  /** Replies that reported their seconds. */
  calls: number;
  seconds: number;
}

/** A running policy worker. Create with `WorkerClient.start()`. */
export class WorkerClient {
  /** The worker's versions, from the `info` call made at start. */
  info!: InfoResult;
  /** Responses that arrived for no pending call (after a deadline), for diagnostics. */
  lateResponses = 0;
  /** Per method, the worker's own seconds summed over the replies that reported them. */
  readonly compute = new Map<string, ComputeTotal>();
  private readonly proc: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder();
  private nextId = 1;
  private stderrTail = '';
  private failure: FactRecallError | undefined;
  private closing = false;
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    proc: ChildProcess,
    private readonly opts: WorkerClientOptions,
  ) {
    this.proc = proc;
    const untrack = trackWorker(this); // a coordinator ended by a signal ends this worker
    this.closed = new Promise((resolve) => {
      proc.on('close', (code, signal) => {
        untrack();
        this.onExit(code, signal);
        resolve({ code, signal });
      });
      proc.on('error', (e) => {
        this.fail(workerError('FR_ERR_WORKER_SPAWN_FAILED', String(e), { cause: e }));
        // A process that never started may never emit 'close'.
        if (proc.pid === undefined) {
          untrack();
          resolve({ code: null, signal: null });
        }
      });
    });
    proc.stdin?.on('error', () => {}); // EPIPE after a crash: reported by 'close'
    proc.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (text: string) => {
      const keep = opts.stderrTailChars ?? 4096;
      this.stderrTail = (this.stderrTail + text).slice(-keep);
      opts.onStderr?.(text);
    });
  }

  /**
   * Start a worker and wait until it answers `info`.
   * @throws FR_ERR_WORKER_NO_PYTHON, FR_ERR_WORKER_SPAWN_FAILED, FR_ERR_WORKER_CRASHED
   */
  static async start(opts: WorkerClientOptions = {}): Promise<WorkerClient> {
    const python = opts.python ?? (await findPythonWithTorchCached({ env: opts.env })).python;
    const cmd = workerCommand(python, opts.env ?? process.env, opts.ranks ?? 1, opts.parallel);
    const proc = spawn(cmd.command, cmd.args, { env: cmd.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new WorkerClient(proc, opts);
    try {
      client.info = await client.call('info', {}, { timeoutMs: opts.startTimeoutMs ?? 300_000 });
    } catch (e) {
      client.kill();
      throw e;
    }
    return client;
  }

  /** Operating-system process id of the worker. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** True once the worker process is gone (or failed to start). */
  get exited(): boolean {
    return (
      this.failure !== undefined || this.proc.exitCode !== null || this.proc.signalCode !== null
    );
  }

  /** The worker's own seconds on `method` so far (0 before any reply that reported them). */
  computeSeconds(method: WorkerMethod): number {
    return this.compute.get(method)?.seconds ?? 0;
  }

  /** Why the worker is gone (its first fatal error: code and message), once it is. */
  get failureReason(): string | undefined {
    return this.failure ? `${this.failure.code}: ${this.failure.message}` : undefined;
  }

  /** The last characters the worker wrote to stderr. */
  stderr(): string {
    return this.stderrTail;
  }

  /** Send one request; resolves with its result or rejects with a FactRecallError. */
  call<M extends WorkerMethod>(
    method: M,
    params: WorkerMethods[M]['params'],
    opts: CallOptions = {},
  ): Promise<WorkerMethods[M]['result']> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(workerError('FR_ERR_WORKER_CLOSED', method));
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? 600_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.onDeadline(id, timeoutMs), timeoutMs);
      this.pending.set(id, {
        method,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
        onProgress: opts.onProgress,
      });
      this.proc.stdin?.write(encodeFrame({ id, method, params }));
    });
  }

  tokenizer(params: TokenizerParams, opts?: CallOptions) {
    return this.call('tokenizer', params, opts);
  }
  init(params: InitParams, opts?: CallOptions) {
    return this.call('init', params, opts);
  }
  generate(params: GenerateParams, opts?: CallOptions) {
    return this.call('generate', params, opts);
  }
  logprobs(params: LogprobsParams, opts?: CallOptions) {
    return this.call('logprobs', params, opts);
  }
  trainStep(params: TrainStepParams, opts?: CallOptions) {
    return this.call('train_step', params, opts);
  }
  sftStep(params: SftStepParams, opts?: CallOptions) {
    return this.call('sft_step', params, opts);
  }
  dpoStep(params: DpoStepParams, opts?: CallOptions) {
    return this.call('dpo_step', params, opts);
  }
  pretrain(params: PretrainParams, opts?: CallOptions) {
    return this.call('pretrain', params, opts);
  }
  save(params: SaveParams, opts?: CallOptions) {
    return this.call('save', params, opts);
  }
  load(params: LoadParams, opts?: CallOptions) {
    return this.call('load', params, opts);
  }

  /**
   * Ask the worker to exit after the calls already sent, and wait for it (killing it after
   * `timeoutMs`). Later calls fail with FR_ERR_WORKER_CLOSED. Safe to call twice.
   */
  async shutdown(
    timeoutMs = 30_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exited && !this.closing) {
      const bye = this.call('shutdown', {}, { timeoutMs }).catch(() => undefined);
      this.closing = true;
      this.proc.stdin?.end();
      await bye;
    }
    this.closing = true;
    const timer = setTimeout(() => this.kill(), timeoutMs);
    try {
      return await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Kill the worker now (pending calls fail with FR_ERR_WORKER_CRASHED). Under torchrun a
   * SIGKILL would orphan the ranks (torchrun starts each in a session of its own, and rank 0
   * holds the pipes): torchrun gets SIGTERM, which it forwards to them, and SIGKILL 40 s later
   * (after its own 30 s grace) if it is still there.
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.proc.pid === undefined || this.proc.exitCode !== null || this.proc.signalCode !== null)
      return;
    if ((this.opts.ranks ?? 1) > 1 && signal === 'SIGKILL') {
      this.proc.kill('SIGTERM');
      const alive = () => this.proc.exitCode === null && this.proc.signalCode === null;
      setTimeout(() => alive() && this.proc.kill('SIGKILL'), 40_000).unref();
      return;
    }
    this.proc.kill(signal);
  }

  /** SIGTERM now: the worker (and under torchrun every rank) ends mid-call (worker-reaper.ts). */
  terminate(): void {
    if (this.proc.pid !== undefined && this.proc.exitCode === null && this.proc.signalCode === null)
      this.proc.kill('SIGTERM');
  }

  private onData(chunk: Buffer): void {
    let frames: unknown[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.fail(e as FactRecallError);
      this.kill();
      return;
    }
    for (const f of frames) this.onFrame(f as ResponseFrame);
  }

  private onFrame(f: ResponseFrame): void {
    if (f === null || typeof f !== 'object') {
      this.fail(workerError('FR_ERR_WORKER_PROTOCOL', `frame is ${typeof f}, not a map`));
      this.kill();
      return;
    }
    if (f.id === null && f.event === 'progress') {
      const event = { ...f } as Partial<ResponseFrame>;
      delete event.id;
      delete event.event;
      const e = event as WorkerProgressEvent;
      this.opts.onProgress?.(e);
      this.pending.get(e.request_id)?.onProgress?.(e);
      return;
    }
    if (f.id === null) {
      // The worker could not read what we sent (it exits next); keep the reason for the crash.
      this.stderrTail += `\n[worker error frame] ${f.error?.code}: ${f.error?.message}`;
      return;
    }
    const p = typeof f.id === 'number' ? this.pending.get(f.id) : undefined;
    if (!p) {
      this.lateResponses++;
      return;
    }
    this.pending.delete(f.id as number);
    clearTimeout(p.timer);
    if (typeof f.compute_s === 'number' && Number.isFinite(f.compute_s)) {
      const t = this.compute.get(p.method) ?? { calls: 0, seconds: 0 };
      this.compute.set(p.method, { calls: t.calls + 1, seconds: t.seconds + f.compute_s });
    }
    if (f.ok) p.resolve(f.result);
    else p.reject(remoteError(f.error));
  }

  private onDeadline(id: number, timeoutMs: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(
      workerError('FR_ERR_WORKER_TIMEOUT', `\`${p.method}\` (id ${id}) after ${timeoutMs} ms`),
    );
    if (this.opts.killOnTimeout ?? true) {
      this.fail(
        workerError(
          'FR_ERR_WORKER_CRASHED',
          `killed because \`${p.method}\` (id ${id}) passed its ${timeoutMs} ms deadline`,
        ),
      );
      this.kill();
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closing && this.pending.size === 0 && !this.failure) {
      this.failure = workerError('FR_ERR_WORKER_CLOSED', 'the worker has exited');
      return;
    }
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const tail = this.stderrTail.trim();
    this.fail(
      workerError('FR_ERR_WORKER_CRASHED', `${how}${tail ? `; stderr tail:\n${tail}` : ''}`, {
        details: { code, signal },
      }),
    );
  }

  /** Record the first fatal error and reject every pending call with it. */
  private fail(e: FactRecallError): void {
    this.failure ??= e;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(this.failure);
    }
  }
}

/** The worker's error body as a FactRecallError with the same code (INTERNAL when unknown). */
function remoteError(error: ResponseFrame['error']): FactRecallError {
  const code = error?.code ?? 'FR_ERR_WORKER_INTERNAL';
  const message = error?.message ?? 'error frame without a message';
  if (code in workerError.catalogue) {
    return workerError(code as keyof typeof workerError.catalogue, message);
  }
  return workerError('FR_ERR_WORKER_INTERNAL', `${code}: ${message}`);
}
