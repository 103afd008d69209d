#!/bin/sh
# The CoT row of the SmolLM2 recipe comparison (docs/experiments/smollm2-recipes.md, issue 15
# claim 1: RL against test-time methods), on the comparison's questions: the first 200 val and
# the first 200 test questions of triviaqa's seeded order. The env's `cot` prompt (reason, then
# a "Final answer:" line), greedy, 256 new tokens, judges contains (the recipes' reward) and
# exact; test through the eval role (the server's count). Benchmark-sized (not in npm test):
# 0.05-0.2 questions/s on 2 cores (the low end beside a CI run), so VAL_QUESTIONS (default 96)
# and TEST_QUESTIONS (default 48) of the 200 by default; the stop-25 numbers are these.
# The majority-vote row needs no run here: maj@k needs per-episode rewards, which the test
# split withholds (FR_ERR_AGENT_NEEDS_REWARDS), and on val it comes from issue 11's 128 samples
# (docs/baselines/run-smollm2-hf.sh step 2).
# Outputs and logs: $OUT; reruns resume there (and generate again what failed). At most 8 rows
# per generate call, and 8 requests in flight: 64 CoT answers of 256 tokens in one call outlast
# the worker's 10-minute call deadline on this CPU, and beside a CI run a request queued behind
# another call of 8 outlasted the client's 10-minute deadline (so 20 minutes here).
set -eu
OUT=${OUT:-runs/experiments/smollm2-test-time}
mkdir -p "$OUT"
# Prepared once: `data prepare` rewrites the directory, which a run reading it would not find.
[ -f .cache/prepared/triviaqa/manifest.json ] || node bin/factrecall.js data prepare --dataset triviaqa >/dev/null
FR="node bin/factrecall.js eval --model ${MODEL:-smollm2} --engine hf --threads ${THREADS:-2} --out $OUT --quiet --splits triviaqa --judge contains exact --batch-questions 8 --concurrency 8 --max-batch-rows 8 --timeout-ms 1200000"
$FR --questions "${VAL_QUESTIONS:-96}" --split val --baseline cot 2>&1 | tee "$OUT/cot-val.log"
$FR --questions "${TEST_QUESTIONS:-48}" --split test --baseline cot 2>&1 | tee "$OUT/cot-test.log"
