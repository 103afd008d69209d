#!/usr/bin/env bash
# The LLM judge on SmolLM2-135M-Instruct (issue 12): agreement with a seeded sample of SAMPLE
# (default 100) items per labelled slice (the sample is a seeded shuffle's first SAMPLE items, so
# a smaller sample is the head of a larger one), the model alone (shortCircuit none), short prompt, one thread, verdicts
# cached in .cache/judges/smollm2.sqlite (a rerun is free). No red team: at 10-30 s a verdict on
# the shared machine its 71 formats did not fit. Writes judges/eval/results/smollm2.txt.
# Run from the repository root:  bash judges/eval/results/smollm2.sh  (about 10 s a verdict on a
# shared 2-core machine: 100 per slice is about 35 minutes)
set -euo pipefail
PORT=${PORT:-8127}
SAMPLE=${SAMPLE:-100}
START=$(date -u +%FT%TZ)
nice -n 10 node bin/factrecall.js model serve --model smollm2 --port "$PORT" --threads 1 \
  --sequences 1 --context-size 1024 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
nice -n 10 node bin/factrecall.js judge eval --sample "$SAMPLE" --no-red-team --quiet --judge \
  "{\"kind\":\"llm\",\"options\":{\"baseURL\":\"http://127.0.0.1:$PORT/v1\",\"model\":\"smollm2\",\"promptStyle\":\"short\",\"shortCircuit\":\"none\",\"concurrency\":1,\"timeoutMs\":240000,\"maxRetries\":1,\"cachePath\":\".cache/judges/smollm2.sqlite\"}}" \
  > judges/eval/results/smollm2.txt.tmp
echo "# SAMPLE=$SAMPLE, started $START, ended $(date -u +%FT%TZ)" >> judges/eval/results/smollm2.txt.tmp
mv judges/eval/results/smollm2.txt.tmp judges/eval/results/smollm2.txt
