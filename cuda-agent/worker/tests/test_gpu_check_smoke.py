"""benchmarks/gpu/gpu_check.py's code paths at toy sizes on CPU (the GPU check itself has not run
on a GPU: no GPU was lent when it was written). Every section must give its rows, none FAILED."""

from __future__ import annotations

import importlib.util
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def test_the_gpu_check_runs_every_section_at_toy_sizes_on_cpu():
    spec = importlib.util.spec_from_file_location("gpu_check", os.path.join(REPO, "benchmarks", "gpu", "gpu_check.py"))
    assert spec is not None and spec.loader is not None
    gpu_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu_check)
    rows = dict(gpu_check.table(smoke=True))
    assert not [k for k, v in rows.items() if "FAILED" in v], rows
    assert "hf Qwen2 random weights" in rows and "tiny engine, synthetic biography world" in rows
    assert rows["2-rank DDP equivalence on NCCL"].startswith("skipped")
    assert rows["2-rank FSDP equivalence on NCCL"].startswith("skipped")
    assert "vs" in rows["  generation tokens/s: worker engine vs plain generate"]
