#!/usr/bin/env bash
# Add a SmolLM2-135M-Instruct entry to a leaderboard seeded by scripts/seed-leaderboard.sh, on
# the small pinned split (simpleqa-small, test 87 questions: what a shared CPU runs in minutes).
# The model answers through `factrecall eval` (greedy, direct prompt, the model served here by
# node-llama-cpp) as a live eval run on an env server that serves the small split with the
# team's eval token; the run is then claimed with `leaderboard submit --run`.
#
#   scripts/seed-leaderboard-smollm2.sh [SEED_DIR]     (default runs/leaderboard/seed)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-runs/leaderboard/seed}
FR="node bin/factrecall.js"
DB="$DIR/board.sqlite"
SMALL=.cache/prepared/simpleqa-small
[ -f "$DB" ] && [ -f "$DIR/env-tokens.json" ] || { echo "seed-leaderboard-smollm2: run scripts/seed-leaderboard.sh $DIR first" >&2; exit 2; }
TOKEN=$(node -e 'const t=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).tokens.find((x)=>x.name==="factrecall-baselines"); process.stdout.write(t.token)' "$DIR/env-tokens.json")
$FR model fetch smollm2 >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
listening() {
  for _ in $(seq 1 600); do
    if [ -s "$1" ]; then node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]; process.stdout.write(String(JSON.parse(l)[process.argv[2]]))' "$1" "$2" && return; fi
    sleep 0.1
  done
  echo "seed-leaderboard-smollm2: $1 never said it was listening" >&2; exit 1
}
$FR serve --splits "$SMALL" --tokens "$DIR/env-tokens.json" --eval-runs "$DIR/eval-runs.jsonl" --port 0 --grpc-port 0 >"$DIR/env-server-small.log" 2>&1 &
pids+=($!)
$FR leaderboard serve --db "$DB" --splits simpleqa --splits "simpleqa-small=$SMALL" --quota 20 --eval-runs "$DIR/eval-runs.jsonl" --port 0 >"$DIR/leaderboard-smollm2.log" 2>&1 &
pids+=($!)
WS=$(listening "$DIR/env-server-small.log" ws)
URL=$(listening "$DIR/leaderboard-smollm2.log" url)

# The whole small test split (no --questions: a run must cover every question), one thread per
# sequence on a shared machine.
$FR eval --model smollm2 --splits "$SMALL" --split test --judge exact --env-url "$WS" --env-token "$TOKEN" \
  --threads 1 --sequences 2 --out "$DIR/eval-smollm2" --quiet --json >"$DIR/eval-smollm2.json"
RUN=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); process.stdout.write(r[0].serverCounts.evalRunId)' "$DIR/eval-smollm2.json")
$FR leaderboard submit --run "$RUN" --model-name "SmolLM2-135M-Instruct" --model-size 135M --method instruct \
  --link https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct --server "$URL" --token "$TOKEN" --quiet
