#!/usr/bin/env bash
# Seed a leaderboard with real entries, all submitted through the CLI, so a first visitor sees
# a real table (docs/leaderboard.md):
#   1. prepare the SimpleQA splits (deduplicated, manifest-pinned);
#   2. make team "factrecall-baselines" and its token (also an eval token of the env server);
#   3. start an env server (eval runs recorded) and the leaderboard over SEED_DIR/board.sqlite;
#   4. prior by upload: `leaderboard predict` writes its predictions file, `leaderboard submit --file`;
#      prior and oracle by live run: `leaderboard run` through the env server, `leaderboard submit --run`.
#      The oracle reads the local gold: it is the table's ceiling and a check of the plumbing.
# Then both servers stop; `factrecall leaderboard serve --db SEED_DIR/board.sqlite --splits simpleqa`
# serves the seeded table.
#
#   scripts/seed-leaderboard.sh [SEED_DIR]     (default runs/leaderboard/seed; must not exist)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-runs/leaderboard/seed}
if [ -e "$DIR" ]; then echo "seed-leaderboard: $DIR exists; remove it or pass another folder" >&2; exit 2; fi
mkdir -p "$DIR"
FR="node bin/factrecall.js"
DB="$DIR/board.sqlite"

[ -f .cache/prepared/simpleqa/manifest.json ] || $FR data prepare --dataset simpleqa --quiet
$FR leaderboard admin team create factrecall-baselines --db "$DB" >/dev/null
TOKEN=$($FR leaderboard admin token create --team factrecall-baselines --eval-tokens "$DIR/env-tokens.json" --db "$DB" |
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).token)')

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Wait for a server's {"event":"listening",...} line and print the field asked for.
listening() {
  for _ in $(seq 1 600); do
    if [ -s "$1" ]; then node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]; process.stdout.write(String(JSON.parse(l)[process.argv[2]]))' "$1" "$2" && return; fi
    sleep 0.1
  done
  echo "seed-leaderboard: $1 never said it was listening" >&2; exit 1
}

$FR serve --splits simpleqa --tokens "$DIR/env-tokens.json" --eval-runs "$DIR/eval-runs.jsonl" --port 0 --grpc-port 0 >"$DIR/env-server.log" 2>&1 &
pids+=($!)
$FR leaderboard serve --db "$DB" --splits simpleqa --eval-runs "$DIR/eval-runs.jsonl" --port 0 >"$DIR/leaderboard.log" 2>&1 &
pids+=($!)
WS=$(listening "$DIR/env-server.log" ws)
URL=$(listening "$DIR/leaderboard.log" url)
echo "env server $WS, leaderboard $URL"

common=(--server "$URL" --token "$TOKEN" --quiet)
$FR leaderboard predict --agent prior --splits simpleqa --out "$DIR/prior.jsonl"
$FR leaderboard submit --file "$DIR/prior.jsonl" --dataset simpleqa --model-name "prior (upload)" \
  --method "scripted prior" "${common[@]}"
for agent in prior oracle; do
  RUN=$($FR leaderboard run --agent "$agent" --splits simpleqa --url "$WS" --token "$TOKEN" --quiet |
    node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).evalRunId)')
  $FR leaderboard submit --run "$RUN" --model-name "$agent (live run)" --method "scripted $agent" "${common[@]}"
done
node -e "fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))" "$URL/v1/board" >"$DIR/board.json"
echo "seeded $DB; serve it with: npx factrecall leaderboard serve --db $DB --splits simpleqa"
