#!/bin/sh
# The FactWorld recipe comparison of docs/experiments/factworld-recipes.md (issue 15), one
# command: `npm run experiment:recipes`. Benchmark-sized (not in npm test): on the shared
# 2-core machine it took about an hour with the four compare steps run as parallel processes
# (the same commands, each seed's folder continued and merged; see the doc).
set -eu
OUT=${OUT:-runs/factworld-compare}
F="node bin/factrecall.js"
for s in 0 1 2; do
  nice -n 10 $F compare --seeds $s --samples 64 --out "$OUT"
done
# attribution on seed 0 at an eighth of the GRPO budget (1 epoch = 13 steps per run)
nice -n 10 $F compare --seeds 0 --samples 64 --recipes none --attribution --set grpo.epochs=1 --out "$OUT"
$F report --runs "$OUT/seed-0" "$OUT/seed-1" "$OUT/seed-2" \
  --out docs/experiments/factworld-recipes.md \
  --notes docs/experiments/factworld-recipes-notes.md \
  --command "npm run experiment:recipes   # = scripts/factworld-recipes.sh"
