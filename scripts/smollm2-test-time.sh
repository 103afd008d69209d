#!/bin/sh
# The test-time rows of the SmolLM2 recipe comparison (docs/experiments/smollm2-recipes.md,
# issue 15 claim 1: RL against majority vote and chain of thought), on the comparison's
# questions: the first 200 val and the first 200 test questions of triviaqa's seeded order.
# Benchmark-sized (not in npm test): about 40 minutes on 2 cores.
#   1. CoT: the env's `cot` prompt (reason, then a "Final answer:" line), greedy, 256 new
#      tokens, val and test (test through the eval role: the server's count).
#   2. maj@16 on test: 16 samples per question (T = 1, top-p 1, 16 new tokens, the protocol of
#      issue 11's 128-sample val run, whose maj@k gives the val column).
# Judges contains (the recipes' reward) and exact. Outputs and logs: $OUT; reruns resume there
# (and generate again what failed). At most 8 rows per generate call: 64 CoT answers of 256
# tokens in one call outlast the worker's 10-minute call deadline on this CPU, and a run at 16
# lost its worker (198 of 200 generation_failed) on a machine busy with a CI run.
set -eu
OUT=${OUT:-runs/experiments/smollm2-test-time}
mkdir -p "$OUT"
# Prepared once: `data prepare` rewrites the directory, which a run reading it would not find.
[ -f .cache/prepared/triviaqa/manifest.json ] || node bin/factrecall.js data prepare --dataset triviaqa >/dev/null
FR="node bin/factrecall.js eval --model ${MODEL:-smollm2} --engine hf --threads ${THREADS:-2} --out $OUT --quiet --splits triviaqa --questions 200 --judge contains exact --batch-questions 16 --concurrency 16 --max-batch-rows 8"
for split in val test; do
  $FR --split "$split" --baseline cot 2>&1 | tee "$OUT/cot-$split.log"
done
$FR --split test --baseline maj --samples 16 --max-tokens 16 --concurrency 16 2>&1 | tee "$OUT/maj16-test.log"
