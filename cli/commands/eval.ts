/**
 * `factrecall eval`: evaluate any OpenAI-compatible model on FactRecall-v0 splits, through an
 * env server (one started on 127.0.0.1, or --env-url). Without --base-url a registry model
 * (`--model smollm2`) is served in-process by `startModelServer`. Prints a table per dataset
 * and judge, writes JSON/Markdown reports, the episodes (JSON lines, resumable) and, for
 * sampled runs, a pass@k / maj@k plot.
 */
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { agentError } from '../../agents/errors.ts';
import { formatReport, writeReport } from '../../agents/eval/report.ts';
import { type Baseline, type EvalReport, runEval } from '../../agents/eval/run-eval.ts';
import { OpenAiPolicy } from '../../agents/openai/policy.ts';
import { startHfModelServer } from '../../cuda-agent/coordinator/serving/start.ts';
import { startLoopbackServer } from '../../cuda-agent/coordinator/training/env-connection.ts';
import { parseJudgeSpec } from '../../judges/index.ts';
import { reportedKs } from '../../lib/pass-at-k.ts';
import { progress } from '../../lib/progress.ts';
import { MODELS, type ModelServer, startModelServer } from '../../models/index.ts';
import type { RunningServer } from '../../protocol/server.ts';

interface EvalFlags {
  model: string;
  baseUrl?: string;
  apiKey?: string;
  api: string;
  splits: string;
  split: string;
  judge: string[];
  baseline: string;
  samples?: string;
  k?: string;
  temperature?: string;
  topP: string;
  maxTokens?: string;
  questions?: string;
  concurrency: string;
  timeoutMs: string;
  retries: string;
  envUrl?: string;
  envToken?: string;
  out: string;
  seed: string;
  threads?: string;
  sequences: string;
  engine: string;
  nPerRequest?: string;
  maxBatchRows: string;
  batchQuestions: string;
  quiet?: boolean;
  json?: boolean;
}

function int(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw agentError('FR_ERR_AGENT_BAD_OPTION', `${flag} must be an integer >= ${min}, got ${v}`);
  return n;
}

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n))
    throw agentError('FR_ERR_AGENT_BAD_OPTION', `${flag} must be a number, got ${v}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description(
      'evaluate an OpenAI-compatible model on FactRecall-v0 (accuracy, F-score, pass@k, maj@k)',
    )
    .requiredOption(
      '--model <name>',
      'model name at the endpoint, or a model served here: registry name (smollm2); with --engine hf also a directory or .gguf',
    )
    .option(
      '--base-url <url>',
      'OpenAI-compatible endpoint (…/v1); absent: serve the registry model in-process',
    )
    .option('--api-key <key>', 'API key (default OPENAI_API_KEY)')
    .option('--api <kind>', 'chat or completions', 'chat')
    .requiredOption(
      '--splits <names>',
      'prepared splits (factrecall data prepare), comma-separated: nq_open,triviaqa,...',
    )
    .option('--split <name>', 'val or test (test: eval role, aggregates only)', 'val')
    .option('--judge <spec...>', 'judges (each a separate env): exact, contains, llm, JSON spec', [
      'exact',
    ])
    .option(
      '--baseline <name>',
      'greedy (direct prompt), cot (reason, final line), maj (sampled, majority vote)',
      'greedy',
    )
    .option('--samples <n>', 'samples per question (default 1; maj: 16)')
    .option('--k <list>', 'k values for pass@k and maj@k (default 1,2,4,... up to samples)')
    .option('--temperature <t>', 'sampling temperature (default 0 for one sample, else 1)')
    .option('--top-p <p>', 'nucleus sampling', '1')
    .option('--max-tokens <n>', 'tokens per answer (default 32; cot 256)')
    .option(
      '--questions <n>',
      'evaluate the first n questions of the seeded order (a random subsample)',
    )
    .option('--concurrency <n>', 'requests in flight', '8')
    .option(
      '--batch-questions <n>',
      'questions reset at once (a local hf model decodes their requests together)',
      '16',
    )
    .option(
      '--timeout-ms <ms>',
      'deadline of one model request (a request carries all n samples)',
      '600000',
    )
    .option(
      '--retries <n>',
      'retries of a failed model request (408/409/429/5xx, connection errors)',
      '3',
    )
    .option(
      '--env-url <url>',
      'use this env server (ws://… or grpc://…) instead of one started here',
    )
    .option('--env-token <token>', 'token for --env-url')
    .option('--out <dir>', 'reports and episodes (reruns resume from here)', 'runs/eval')
    .option('--seed <n>', 'seed of the question order and of sampling', '0')
    .option('--threads <n>', 'local model: CPU threads (default: usable CPUs)')
    .option('--sequences <n>', 'local model (llama): generations at once', '4')
    .option(
      '--engine <name>',
      'local model: llama (node-llama-cpp) or hf (transformers in the Python worker, batched)',
      'llama',
    )
    .option('--max-batch-rows <n>', 'local model (hf): rows (prompts x n) decoded together', '256')
    .option(
      '--n-per-request <n>',
      'most samples asked in one request (default 16; with a local hf model: all of them)',
    )
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the reports as JSON')
    .action(async (f: EvalFlags) => {
      const baseline = f.baseline as Baseline;
      if (!['greedy', 'cot', 'maj'].includes(baseline))
        throw agentError(
          'FR_ERR_AGENT_BAD_OPTION',
          `--baseline ${f.baseline}: use greedy, cot or maj`,
        );
      if (f.split !== 'val' && f.split !== 'test' && f.split !== 'train')
        throw agentError('FR_ERR_AGENT_BAD_OPTION', `--split ${f.split}: use val or test`);
      if (f.api !== 'chat' && f.api !== 'completions')
        throw agentError('FR_ERR_AGENT_BAD_OPTION', `--api ${f.api}: use chat or completions`);
      const samples = int(f.samples, '--samples', 1) ?? (baseline === 'maj' ? 16 : 1);
      const ks = f.k ? f.k.split(',').map((k) => int(k.trim(), '--k', 1)!) : reportedKs(samples);
      const bad = ks.find((k) => k > samples);
      if (bad)
        throw agentError('FR_ERR_AGENT_BAD_OPTION', `--k ${bad} exceeds --samples ${samples}`);
      const temperature = num(f.temperature, '--temperature') ?? (samples > 1 ? 1 : 0);
      const seed = int(f.seed, '--seed', 0)!;
      if (f.engine !== 'llama' && f.engine !== 'hf')
        throw agentError('FR_ERR_AGENT_BAD_OPTION', `--engine ${f.engine}: use llama or hf`);
      // A local hf model decodes all n samples of a request in one batch: ask for them at once.
      const nPerRequest =
        int(f.nPerRequest, '--n-per-request', 1) ??
        (f.engine === 'hf' && !f.baseUrl ? Math.min(samples, 128) : 16);
      const questions = int(f.questions, '--questions', 1);
      const datasets = f.splits
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

      let local: ModelServer | undefined;
      let envServer: RunningServer | undefined;
      try {
        let baseURL = f.baseUrl;
        if (!baseURL) {
          if (f.engine === 'llama' && !Object.hasOwn(MODELS, f.model)) {
            throw agentError(
              'FR_ERR_AGENT_BAD_OPTION',
              `--base-url is needed for ${f.model} (llama serves registry models here: ${Object.keys(MODELS).join(', ')}; --engine hf also serves a model directory or .gguf file)`,
            );
          }
          const log = (l: string) => process.stderr.write(`${l}\n`);
          const threads = f.threads ? { threads: int(f.threads, '--threads', 1)! } : {};
          local =
            f.engine === 'hf'
              ? await startHfModelServer({
                  model: f.model,
                  maxBatchRows: int(f.maxBatchRows, '--max-batch-rows', 1)!,
                  ...threads,
                  log,
                })
              : await startModelServer({
                  model: f.model,
                  sequences: int(f.sequences, '--sequences', 1)!,
                  ...threads,
                  log,
                });
          baseURL = local.baseURL;
        }
        const policy = new OpenAiPolicy({
          baseURL,
          model: f.model,
          ...(f.apiKey ? { apiKey: f.apiKey } : {}),
          api: f.api,
          temperature,
          topP: num(f.topP, '--top-p')!,
          maxTokens: int(f.maxTokens, '--max-tokens', 1) ?? (baseline === 'cot' ? 256 : 32),
          seed,
          concurrency: int(f.concurrency, '--concurrency', 1)!,
          timeoutMs: int(f.timeoutMs, '--timeout-ms', 1)!,
          retries: int(f.retries, '--retries', 0)!,
          maxNPerRequest: nPerRequest,
        });
        const reports: EvalReport[] = [];
        for (const dataset of datasets) {
          // The server decides where questions come from: one loopback env server per dataset.
          let envUrl = f.envUrl;
          if (!envUrl) {
            // The run's own server (as a training run's): a test subsample is pinned as its
            // eval subset, so the (complete) subset run is scored, and it has no eval quota.
            envServer = await startLoopbackServer({ splits: dataset }, f.out, {
              ...(f.split === 'test' && questions ? { evalFirst: questions } : {}),
            });
            envUrl = envServer.wsUrl;
          }
          for (const judgeSpec of f.judge) {
            const judge = parseJudgeSpec(judgeSpec);
            const label =
              typeof judge === 'string'
                ? judge
                : String((judge as { kind?: string }).kind ?? 'judge');
            const name = `${basename(dataset)}.${f.split}.${baseline}.s${samples}.${label}`;
            let shown: ReturnType<typeof progress> | undefined;
            let last = 0;
            const report = await runEval({
              envUrl,
              ...(f.envToken ? { envToken: f.envToken } : {}),
              dataset: basename(dataset),
              split: f.split,
              judge,
              baseline,
              policy,
              samples,
              ks,
              ...(questions ? { questions } : {}),
              seed,
              // The local server's engine (llama, hf) answers differently for the same model.
              ...(local ? { generator: `engine:${f.engine}` } : {}),
              batchQuestions: int(f.batchQuestions, '--batch-questions', 1)!,
              episodesPath: join(f.out, `${name}.episodes.jsonl`),
              onProgress: (done, total) => {
                shown ??= progress(`${basename(dataset)} ${f.split} ${label}`, total, {
                  quiet: f.quiet ?? false,
                });
                shown.tick(done - last);
                last = done;
              },
            });
            shown?.stop();
            const files = await writeReport(report, join(f.out, name));
            reports.push(report);
            if (!f.json)
              process.stdout.write(`${formatReport(report)}\nwrote ${files.join(', ')}\n\n`);
          }
          await envServer?.close();
          envServer = undefined;
        }
        if (f.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      } finally {
        await envServer?.close();
        await local?.close();
      }
    });
}
