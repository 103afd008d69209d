#!/usr/bin/env bash
# Seed a leaderboard with real entries, all submitted through the CLI, so a first visitor sees
# a real table (docs/leaderboard.md):
#   1. prepare the SimpleQA splits (deduplicated, manifest-pinned): the standard one (test 1,082
#      questions) and a small one (proportions 0.95/0.03/0.02, test 87) pinned as simpleqa-small;
#   2. make team "factrecall-baselines" and its token (also an eval token of the env server);
#   3. start an env server (eval runs recorded) and the leaderboard over SEED_DIR/board.sqlite;
#   4. prior and oracle by upload on both splits: `leaderboard predict` writes a predictions file,
#      `leaderboard submit --file`; prior and oracle by live run on the standard split:
#      `leaderboard run` through the env server, `leaderboard submit --run`.
#      The oracle reads the local gold: it is the table's ceiling and a check of the plumbing.
#   5. unless SEED_SMOLLM2=0: scripts/seed-leaderboard-smollm2.sh adds SmolLM2-135M-Instruct on the
#      small split (factrecall eval as a live run; minutes on a quiet CPU, 24 min on a loaded one).
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

SMALL=.cache/prepared/simpleqa-small
[ -f .cache/prepared/simpleqa/manifest.json ] || $FR data prepare --dataset simpleqa --quiet
[ -f "$SMALL/manifest.json" ] || $FR data prepare --dataset simpleqa --proportions 0.95,0.03,0.02 --out "$SMALL" --quiet
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
$FR leaderboard serve --db "$DB" --splits simpleqa --splits "simpleqa-small=$SMALL" --quota 20 --eval-runs "$DIR/eval-runs.jsonl" --port 0 >"$DIR/leaderboard.log" 2>&1 &
pids+=($!)
WS=$(listening "$DIR/env-server.log" ws)
URL=$(listening "$DIR/leaderboard.log" url)
echo "env server $WS, leaderboard $URL"

common=(--server "$URL" --token "$TOKEN" --quiet)
for agent in prior oracle; do
  for split in simpleqa "simpleqa-small=$SMALL"; do
    name=${split%%=*}
    $FR leaderboard predict --agent "$agent" --splits "${split#*=}" --out "$DIR/$agent-$name.jsonl" >/dev/null
    $FR leaderboard submit --file "$DIR/$agent-$name.jsonl" --dataset "$name" --model-name "$agent" \
      --method "scripted $agent" "${common[@]}"
  done
done
for agent in prior oracle; do
  RUN=$($FR leaderboard run --agent "$agent" --splits simpleqa --url "$WS" --token "$TOKEN" --quiet |
    node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).evalRunId)')
  $FR leaderboard submit --run "$RUN" --model-name "$agent (live run)" --method "scripted $agent" "${common[@]}"
done
node -e "fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))" "$URL/v1/board" >"$DIR/board.json"
echo "seeded $DB; serve it with: npx factrecall leaderboard serve --db $DB --splits simpleqa --splits simpleqa-small=$SMALL"
cleanup
trap - EXIT
if [ "${SEED_SMOLLM2:-1}" != 0 ]; then scripts/seed-leaderboard-smollm2.sh "$DIR"; fi
