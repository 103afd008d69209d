#!/usr/bin/env bash
# The exact commands behind the hf-engine numbers of docs/baselines/smollm2.md (issue 11): the
# same SmolLM2-135M-Instruct weights (the registry GGUF, dequantised by transformers) served by
# `--engine hf`, which decodes the 128 samples of a question in one batch. Run from the
# repository root after `node bin/factrecall.js data prepare --dataset <d>` for nq_open,
# triviaqa, popqa and simpleqa. Outputs: runs/baselines/smollm2-hf/ (episodes, reports, plots);
# reruns resume from the episodes there. A larger VAL_QUESTIONS extends the val runs; a larger
# TEST_QUESTIONS pins another eval subset (another env fingerprint), which the episodes files
# refuse (FR_ERR_AGENT_EPISODES_FILE): give it another OUT folder.
# Sized for a shared 2-core machine: TEST_QUESTIONS (default 150) test questions per dataset
# greedy, VAL_QUESTIONS (default 24) val questions per dataset with 128 samples. The numbers in
# docs/baselines/smollm2.md: test from steps 1, 3, 4 and 5 below (stops 21-22); val from step 2
# with VAL_QUESTIONS=200 (stop 23), generated afresh into an empty OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-runs/baselines/smollm2-hf}
mkdir -p "$OUT"
FR="node bin/factrecall.js eval --model smollm2 --engine hf --threads ${THREADS:-1} --out $OUT --quiet"

# 1. Greedy direct answers on the test splits (eval role: the server's aggregate over the first
#    TEST_QUESTIONS questions, pinned as the run's eval subset), exact and contains.
$FR --splits nq_open,triviaqa,popqa,simpleqa --split test --questions "${TEST_QUESTIONS:-150}" \
  --batch-questions 64 --concurrency 64 --judge exact contains 2>&1 | tee "$OUT/greedy-test.log"

# 2. pass@k and maj@k to 128 on val (T = 1, top-p 1, 16 new tokens), exact and contains.
#    The numbers in docs/baselines/smollm2.md (stop 23): VAL_QUESTIONS=200, which is all 181
#    NQ-open val questions, generated afresh (each request seeded from the prompt), 1 thread
#    per dataset, the two datasets as two processes side by side.
for d in triviaqa nq_open; do
  $FR --splits "$d" --split val --questions "${VAL_QUESTIONS:-24}" --baseline maj --samples 128 \
    --max-tokens 16 --judge exact contains --concurrency 16 2>&1 | tee "$OUT/passk128-$d-val.log"
done

# 3. (Run on its own, after steps 1-2, on a quieter machine: 2 threads.) Greedy on the first 300
#    test questions per dataset, into its own folder (another eval subset, another fingerprint):
#      OUT=runs/baselines/smollm2-hf-300; node bin/factrecall.js eval --model smollm2 --engine hf \
#        --threads 2 --out $OUT --quiet --splits nq_open,triviaqa,popqa,simpleqa --split test \
#        --questions 300 --batch-questions 64 --concurrency 64 --judge exact contains

# 4. (Stop 22.) Greedy on the whole test splits (8,380 questions; the eval role scores the
#    complete run), in its own folder. The 300-question run's answers are lent: copied in
#    under another name, with the same generation key, so only questions 301 on are generated
#    (1 thread, about 1.1-1.9 questions/s beside other work):
#      OUT=runs/baselines/smollm2-hf-test-full; mkdir -p $OUT
#      for f in runs/baselines/smollm2-hf-300/*.episodes.jsonl; do
#        cp "$f" "$OUT/$(basename "$f" .episodes.jsonl).first300.episodes.jsonl"; done
#      node bin/factrecall.js eval --model smollm2 --engine hf --threads 1 --out $OUT --quiet \
#        --splits nq_open,triviaqa,popqa,simpleqa --split test --batch-questions 64 \
#        --concurrency 64 --judge exact contains
#    The val pass@k runs were extended to 112 TriviaQA questions (VAL_QUESTIONS=200 stopped by
#    hand at question 112, then reported with --questions 112).
#
# 5. (Stop 22.) Rescoring under exact v2 / contains v4 (a judge change changes the env
#    fingerprint, so the old episodes files refuse the new judges): a new folder holding the
#    old files under another name lends every answer, and nothing is generated again:
#      for src in smollm2-hf smollm2-hf-test-full; do
#        OUT=runs/baselines/$src-v2; mkdir -p $OUT
#        for f in runs/baselines/$src/*.episodes.jsonl; do
#          case "$f" in *.first300.*|*.judge-v1v3.*) continue;; esac
#          cp "$f" "$OUT/$(basename "$f" .episodes.jsonl).judge-v1v3.episodes.jsonl"; done; done
#    then steps 2 (with --questions 112 for triviaqa, 64 for nq_open) and 4 with OUT=...-v2.
