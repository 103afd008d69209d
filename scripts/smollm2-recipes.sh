#!/bin/sh
# The SmolLM2-135M-Instruct recipe comparison of docs/experiments/smollm2-recipes.md (issue 15,
# item 5), one command: `npm run experiment:recipes-smollm2`. Benchmark-sized (about 85 minutes
# with its two processes side by side on 2 cores; not in npm test). GRPO, SFT, RFT and DPO from
# the same model, on the 480 train questions of issue 10's GRPO run (30 steps x 16), through
# the env with contains as the reward and exact beside it, greedy on the first 200 val and test
# questions, P(gold) on the val ones.
#
# Two processes share the work, one torch thread each:
#   A: the evaluation before training, then SFT, then GRPO;
#   B: once A has saved the evaluation before, a copy of A's folder (so it is not evaluated
#      again), then RFT and DPO, which share one draw of 5 samples per question.
# When both are done, B's rows are merged into A's results.json and A is run once more on all
# four recipes: every phase is kept, so that run only writes report.md. Logs: $OUT/<id>.log.
set -eu
MODEL=${MODEL:-smollm2}
ID=${ID:-smollm2-triviaqa-recipes-v4}
RUNS=${RUNS:-runs}
OUT=$RUNS/$ID
DOCS=${DOCS:-docs/experiments/smollm2-recipes/v4}
F="node bin/factrecall.js"
node bin/factrecall.js data prepare --dataset triviaqa >/dev/null
flags() {
  cat <<EOF
--model $MODEL --splits triviaqa --judge contains --preset cpu
--set runsDir=$RUNS
--set grpo.questionsPerBatch=16 --set grpo.maxSteps=30 --set grpo.microBatchSize=40
--set grpo.lr=2e-5 --set grpo.skipZeroVarianceGroups=true
--set sampling.maxNewTokens=24
--set eval.maxQuestions=200 --set eval.passAtKSamples=0
--set recipes.sft.lr=2e-5 --set recipes.sft.questions=480 --set recipes.sft.questionsPerBatch=16
--set recipes.sft.epochs=1 --set recipes.sft.microBatchSize=16
--set recipes.rft.lr=2e-5 --set recipes.rft.questions=480 --set recipes.rft.rounds=1
--set recipes.rft.samplesPerQuestion=5 --set recipes.rft.questionsPerReset=16
--set recipes.rft.batchSize=16 --set recipes.rft.epochsPerRound=6 --set recipes.rft.microBatchSize=16
--set recipes.dpo.lr=2e-5 --set recipes.dpo.questions=480 --set recipes.dpo.rounds=1
--set recipes.dpo.samplesPerQuestion=5 --set recipes.dpo.questionsPerReset=16
--set recipes.dpo.batchSize=16 --set recipes.dpo.epochsPerRound=6 --set recipes.dpo.microBatchSize=16
EOF
}
mkdir -p "$OUT"
# shellcheck disable=SC2046 # the flags are words on purpose
nice -n 10 $F compare $(flags) --run-id "$ID" --recipes sft,grpo >"$OUT.log" 2>&1 &
a=$!
# B starts from A's evaluation before training
until node -e "process.exit(require('./$OUT/results.json').before ? 0 : 1)" 2>/dev/null; do
  kill -0 "$a" 2>/dev/null || { echo "A stopped before its evaluation: see $OUT.log" >&2; exit 1; }
  sleep 20
done
mkdir -p "$OUT-b"
cp "$OUT/results.json" "$OUT/greedy-before-training.jsonl" "$OUT-b/"
# shellcheck disable=SC2046
nice -n 10 $F compare $(flags) --run-id "$ID-b" --recipes rft,dpo >"$OUT-b.log" 2>&1 &
b=$!
fail=0
wait "$a" || fail=1
wait "$b" || fail=1
[ "$fail" = 0 ] || { echo "a process failed: see $OUT.log and $OUT-b.log" >&2; exit 1; }
# B's rows (and their answers) into A's folder, then the report of all four
node -e "
const fs = require('fs');
const a = JSON.parse(fs.readFileSync('$OUT/results.json', 'utf8'));
const b = JSON.parse(fs.readFileSync('$OUT-b/results.json', 'utf8'));
if (JSON.stringify(a.plan) !== JSON.stringify(b.plan)) throw new Error('A and B ran different plans');
Object.assign(a.recipes, b.recipes);
fs.writeFileSync('$OUT/results.json.tmp', JSON.stringify(a, null, 1) + '\n');
fs.renameSync('$OUT/results.json.tmp', '$OUT/results.json');
"
for r in rft dpo; do
  cp "$OUT-b/greedy-after-$r.jsonl" "$OUT-b/gold-prob-after-$r.jsonl" "$OUT/"
done
# shellcheck disable=SC2046
$F compare $(flags) --run-id "$ID" --recipes sft,grpo,rft,dpo >>"$OUT.log" 2>&1
mkdir -p "$DOCS"
cp "$OUT"/results.json "$OUT"/report.md "$OUT"/greedy-*.jsonl "$OUT"/gold-prob-after-*.jsonl "$DOCS/"
cp "$OUT.log" "$DOCS/run-log-a.txt"
cp "$OUT-b.log" "$DOCS/run-log-b.txt"
echo "done: $DOCS/report.md"
