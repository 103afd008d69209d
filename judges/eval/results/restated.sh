#!/usr/bin/env bash
# Aliases the question spells out (judges/restated.ts): per prepared split, how many questions'
# golds change, and what a policy that only copies the question's words is paid by exact v1
# (every alias) and exact v2 (payable aliases). No model; about 90 s on a busy 2-core machine.
# Needs `factrecall data prepare` for the four datasets (PREPARED, default .cache/prepared).
# Writes judges/eval/results/restated.txt.
# Run from the repository root:  bash judges/eval/results/restated.sh
set -euo pipefail
PREPARED=${PREPARED:-.cache/prepared}
OUT=judges/eval/results/restated.txt
START=$(date -u +%FT%TZ)
nice -n 10 npx tsx judges/eval/restated-count.ts "$PREPARED" > "$OUT.tmp"
echo "# bash judges/eval/results/restated.sh (PREPARED=$PREPARED), started $START, ended $(date -u +%FT%TZ)" >> "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
