#!/usr/bin/env bash
# The GPU check (issue 16): one table, well under 10 minutes on one GPU, nothing from the network.
#   benchmarks/gpu/run.sh               on a GPU machine (torch + transformers preinstalled there)
#   benchmarks/gpu/run.sh --cpu-smoke   the same code paths at toy sizes on CPU
# PYTHON picks the interpreter (default: the project's .venv, else python3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="${PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x "$root/.venv/bin/python" ]; then py="$root/.venv/bin/python"; else py=python3; fi
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec "$py" "$here/gpu_check.py" "$@"
