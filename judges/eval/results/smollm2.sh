#!/usr/bin/env bash
# The LLM judge on SmolLM2-135M-Instruct (issue 12): agreement with a seeded sample of 30 items
# per labelled slice and the red team on one question (71 formats), the model alone
# (shortCircuit none), short prompt, one thread. Writes judges/eval/results/smollm2.txt.
# Run from the repository root:  bash judges/eval/results/smollm2.sh
set -euo pipefail
PORT=${PORT:-8127}
nice -n 10 node bin/factrecall.js model serve --model smollm2 --port "$PORT" --threads 1 \
  --sequences 1 --context-size 1024 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
nice -n 10 node bin/factrecall.js judge eval --sample 30 --red-team-questions 1 --judge \
  "{\"kind\":\"llm\",\"options\":{\"baseURL\":\"http://127.0.0.1:$PORT/v1\",\"model\":\"smollm2\",\"promptStyle\":\"short\",\"shortCircuit\":\"none\",\"concurrency\":1,\"timeoutMs\":240000,\"maxRetries\":1,\"cachePath\":null}}" \
  > judges/eval/results/smollm2.txt.tmp
mv judges/eval/results/smollm2.txt.tmp judges/eval/results/smollm2.txt
