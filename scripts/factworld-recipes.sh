#!/bin/sh
# The FactWorld recipe comparison of docs/experiments/factworld-recipes.md (issue 15), one
# command: `npm run experiment:recipes`. Benchmark-sized (not in npm test). Per world seed:
# the recipes (GRPO, SFT, RFT, DPO, maj@16) with SAMPLES samples per question for pass@k and
# the accessibility buckets (default 128, the paper's n and the committed report's), then the attribution
# runs (GRPO on each bucket alone and on all train questions, at an eighth of the GRPO budget:
# 1 epoch = 13 steps per run), which continue the same results.json. The three seeds run as
# three processes side by side (one torch thread each; logs in $OUT/seed-<s>.log); the
# results are copied beside the report. About 17 minutes on a quiet 2-core machine (stop 24).
set -eu
OUT=${OUT:-runs/factworld-compare}
SAMPLES=${SAMPLES:-128}
DOCS=docs/experiments/factworld-recipes
F="node bin/factrecall.js"
mkdir -p "$OUT"
pids=
for s in 0 1 2; do
  (
    nice -n 10 $F compare --seeds $s --samples $SAMPLES --out "$OUT" &&
      nice -n 10 $F compare --seeds $s --samples $SAMPLES --recipes none --attribution \
        --set grpo.epochs=1 --out "$OUT"
  ) >"$OUT/seed-$s.log" 2>&1 &
  pids="$pids $!"
done
# every seed must finish: one that fails fails the script (its log says why)
fail=0
for p in $pids; do wait "$p" || fail=1; done
[ "$fail" = 0 ] || { echo "a seed failed: see $OUT/seed-*.log" >&2; exit 1; }
for s in 0 1 2; do
  mkdir -p "$DOCS/seed-$s"
  cp "$OUT/seed-$s/results.json" "$DOCS/seed-$s/results.json"
  cp "$OUT/seed-$s.log" "$DOCS/seed-$s/run-log.txt"
done
$F report --runs "$DOCS/seed-0" "$DOCS/seed-1" "$DOCS/seed-2" \
  --out docs/experiments/factworld-recipes.md \
  --notes docs/experiments/factworld-recipes-notes.md \
  --command "npm run experiment:recipes   # = scripts/factworld-recipes.sh"
