"""Data parallelism: the worker under torchrun with 2 CPU ranks (gloo) trains to the same weights
as one process on the same samples, serves every method as one worker, and resumes exactly.

Tolerance: both runs add the same per-token gradient terms, but in a different order (each rank
sums its shard, then gloo adds the two rank sums and DDP halves twice the value), so gradients
agree to float32 rounding (~1e-7 relative). AdamW's first steps are close to lr * sign(g), so
a parameter whose gradient is near zero could in principle flip; with lr 1e-3 and 3 steps a
weight can move at most 3e-3, and TOLERANCE = 1e-5 (absolute, on weights of size ~0.02-1) is
well above the rounding measured (4.7e-7) and far below one step's movement.
"""

from __future__ import annotations

import os
import sys

import torch
from small_world import DOCUMENTS, PROMPTS, SMALL_MODEL, assert_exact_resume, group_batch, make_worker
from worker_process import WorkerProcess

TOLERANCE = 1e-5
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
# benchmarks/gpu/run.sh runs this on 2 GPUs with FACTRECALL_DP_DEVICE=cuda (NCCL)
DEVICE = os.environ.get("FACTRECALL_DP_DEVICE", "cpu")
BACKEND = "nccl" if DEVICE == "cuda" else "gloo"


def _policy(path: str) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)["policy"]


def test_two_gloo_ranks_train_the_same_weights_as_one_process_and_resume_exactly(tmp_path):
    single = make_worker(seed=4, lr=1e-3, kl_coef=0.01, device=DEVICE)
    batches = [group_batch(single, seed=s, n=4) for s in (1, 2, 3, 4)]  # 12 samples each
    dp = WorkerProcess(TORCHRUN, env={"OMP_NUM_THREADS": "1", "FACTRECALL_DIST_BACKEND": BACKEND, "GLOO_SOCKET_IFNAME": os.environ.get("GLOO_SOCKET_IFNAME", "lo")})
    try:
        assert dp.call("info")["world_size"] == 2
        dp.call("tokenizer", {"texts": DOCUMENTS})
        dp.call(
            "init",
            {"seed": 4, "device": DEVICE, "threads": 1, "model": SMALL_MODEL, "optim": {"lr": 1e-3}, "loss": {"kl_coef": 0.01}},
        )
        # micro-batches of 4: one process runs 3 per step, each rank 2 (one under no_sync)
        for batch in batches[:3]:
            a = single.train_step({"samples": batch, "micro_batch_size": 4})
            b = dp.call("train_step", {"samples": batch, "micro_batch_size": 4})
            assert (a["samples"], a["tokens"], a["step"]) == (b["samples"], b["tokens"], b["step"])
            for k in ("loss", "kl", "grad_norm", "ratio_mean"):
                assert abs(a[k] - b[k]) < 1e-5, (k, a[k], b[k])
        ckpt = str(tmp_path / "dp.pt")
        dp.call("save", {"path": ckpt})
        want = single.learner.policy.module.state_dict()
        got = _policy(ckpt)
        gap = max(float((want[k].cpu() - got[k]).abs().max()) for k in want)
        print(f"max |w_1proc - w_2ranks| after 3 steps: {gap:.2e}")
        assert gap < TOLERANCE

        # every method answers as one worker: rank 0 gathers both ranks' shards in order
        out = dp.call("generate", {"prompts": PROMPTS[:3], "n": 2, "max_new_tokens": 5, "seed": 7})
        assert [len(r["samples"]) for r in out["results"]] == [2, 2, 2]
        rows = [(r["prompt_ids"], s["token_ids"]) for r in out["results"] for s in r["samples"]]
        lp = dp.call("logprobs", {"prompts": [p for p, _ in rows], "completions": [c for _, c in rows]})
        assert [len(x) for x in lp["policy"]] == [len(c) for _, c in rows]

        # exact resume: after the checkpoint, the next unseeded samples and step are identical
        assert_exact_resume(dp.call, ckpt, batches[3], tmp_path, DEVICE)

        # a bad sample on rank 1's shard fails the request on rank 0 too, and the job lives on
        bad = batches[3][:-1] + [{**batches[3][-1], "advantage": "high"}]
        try:
            dp.call("train_step", {"samples": bad})
            raise AssertionError("a bad sample was accepted")
        except Exception as e:
            assert getattr(e, "code", "") == "FR_ERR_WORKER_BAD_PARAMS" and "rank 1" in str(e)
        assert dp.call("info")["ready"] is True
    finally:
        assert dp.close() == 0
    assert os.path.isfile(ckpt)
