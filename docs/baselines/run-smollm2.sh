#!/usr/bin/env bash
# The exact commands behind docs/baselines/smollm2.md. Run from the repository root after
#   node bin/factrecall.js data prepare --dataset <d>   for nq_open, triviaqa, popqa, simpleqa
# Sized for a shared 2-core machine (seven engineers at once): subsampled test splits and a
# few val questions for pass@k to 128. Logs: runs/baselines/smollm2/*.log
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=runs/baselines/smollm2
mkdir -p "$OUT"
FR="nice -n 10 node bin/factrecall.js"

# 1. Greedy direct answers on the test splits (eval role: the server's aggregate), exact and
#    contains judges (the second judge reuses the first one's answers).
$FR eval --model smollm2 --splits nq_open,triviaqa,popqa,simpleqa --split test --questions "${TEST_QUESTIONS:-60}" \
  --judge exact contains --threads 1 --sequences 4 --out "$OUT" --quiet 2>&1 | tee "$OUT/greedy-test.log"

# 2. pass@k to 128 and maj@k on val questions of TriviaQA and NQ (T = 1, top-p 1).
$FR eval --model smollm2 --splits triviaqa,nq_open --split val --questions "${VAL_QUESTIONS:-4}" \
  --baseline maj --samples 128 --max-tokens 16 --judge exact contains --threads 1 --sequences 8 \
  --timeout-ms 3600000 --out "$OUT" --quiet 2>&1 | tee "$OUT/passk-val.log"
