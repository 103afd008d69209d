#!/usr/bin/env bash
# The GRPO red team's longer run (issue 12): a format-searching policy trained with GRPO on
# FactWorld for 200 steps x 32 questions x 8 answers against exact, contains, the panel over a
# lenient stand-in grader, and the llm judge alone over that grader (the canary). About 5
# minutes on a busy 2-core machine. Writes judges/eval/results/grpo-redteam.txt.
# Run from the repository root:  bash judges/eval/results/grpo-redteam.sh
set -euo pipefail
START=$(date -u +%FT%TZ)
OUT=judges/eval/results/grpo-redteam.txt
nice -n 10 node bin/factrecall.js judge redteam-grpo --judge exact contains lenient-panel lenient-llm \
  --steps 200 --questions 32 --group 8 --candidates 20 --seed 12 --every 20 --out "$OUT.tmp" > /dev/null
echo "# bash judges/eval/results/grpo-redteam.sh, started $START, ended $(date -u +%FT%TZ)" >> "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
