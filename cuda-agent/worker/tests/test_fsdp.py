"""FSDP (torch's fully_shard) under torchrun with 2 CPU ranks (gloo): the sharded worker trains
to the same weights as one process on the same samples (tiny and hf engines), serves
generate/logprobs on gathered weights, writes full single-process-format checkpoints and
resumes exactly.

Tolerance as in test_data_parallel.py: the same per-token gradient terms summed in another
order (each rank's shard, then gloo's reduce-scatter; the grad norm from two shard norms), so
float32 rounding, ~1e-7 relative; 1e-5 absolute is far below one AdamW step (lr 1e-3).
"""

from __future__ import annotations

import os
import sys

import pytest
import torch
from small_world import DOCUMENTS, PROMPTS, SMALL_MODEL, assert_exact_resume, group_batch, make_worker
from tiny_hf import build_tiny_hf
from worker_process import WorkerProcess

from factrecall_worker.data_parallel import DataParallelWorker
from factrecall_worker.errors import BadParamsError
from factrecall_worker.policy_worker import PolicyWorker

TOLERANCE = 1e-5
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
DEVICE = os.environ.get("FACTRECALL_DP_DEVICE", "cpu")  # benchmarks/gpu/run.sh: cuda (NCCL)
ENV = {
    "OMP_NUM_THREADS": "1",
    "FACTRECALL_PARALLEL": "fsdp",
    "FACTRECALL_DIST_BACKEND": "nccl" if DEVICE == "cuda" else "gloo",
    "GLOO_SOCKET_IFNAME": os.environ.get("GLOO_SOCKET_IFNAME", "lo"),
}


def _file(path: str) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


def _gap(want: dict, got: dict) -> float:
    assert set(want) == set(got)
    return max(float((want[k].cpu().float() - got[k].float()).abs().max()) for k in want)


def test_two_fsdp_ranks_train_the_same_weights_as_one_process_and_resume_exactly(tmp_path):
    single = make_worker(seed=4, lr=1e-3, kl_coef=0.01, device=DEVICE)
    batches = [group_batch(single, seed=s, n=4) for s in (1, 2, 3, 4)]  # 12 samples each
    # (samples, micro-batch): 11 at 5 splits 5 | 6 over the ranks: 1 pass on rank 0, 2 on rank 1
    plan = [(batches[0][:11], 5), (batches[1], 4), (batches[2], 4)]
    fsdp = WorkerProcess(TORCHRUN, env=ENV)
    try:
        info = fsdp.call("info")
        assert (info["world_size"], info["parallel"]) == (2, "fsdp")
        fsdp.call("tokenizer", {"texts": DOCUMENTS})
        init = {"seed": 4, "device": DEVICE, "threads": 1, "model": SMALL_MODEL, "optim": {"lr": 1e-3}, "loss": {"kl_coef": 0.01}}
        assert fsdp.call("init", init)["parameters"] == single.learner.policy.num_parameters()
        for samples, micro in plan:
            a = single.train_step({"samples": samples, "micro_batch_size": micro})
            b = fsdp.call("train_step", {"samples": samples, "micro_batch_size": micro})
            assert (a["samples"], a["tokens"], a["step"]) == (b["samples"], b["tokens"], b["step"])
            for k in ("loss", "kl", "grad_norm", "ratio_mean"):
                assert abs(a[k] - b[k]) < 1e-5, (k, a[k], b[k])
        ckpt = str(tmp_path / "fsdp.pt")
        fsdp.call("save", {"path": ckpt})
        state = _file(ckpt)
        gap = _gap(single.learner.policy.module.state_dict(), state["policy"])
        print(f"tiny: max |w_1proc - w_fsdp2| after 3 steps: {gap:.2e}")
        assert gap < TOLERANCE
        # full tensors in the single-process format: one process resumes from the file
        want_opt = single.learner.optimizer.state_dict()
        assert state["optimizer"]["param_groups"][0]["params"] == want_opt["param_groups"][0]["params"]
        for i, s in want_opt["state"].items():
            assert float((s["exp_avg_sq"] - state["optimizer"]["state"][i]["exp_avg_sq"]).abs().max()) < 1e-9
        assert _gap(single.learner.reference.module.state_dict(), state["reference"]) == 0.0
        other = PolicyWorker()
        assert other.load({"path": ckpt, "device": DEVICE, "threads": 1})["step"] == 3

        # generation on gathered weights: ranks decode different numbers of steps, no collective
        out = fsdp.call("generate", {"prompts": PROMPTS[:3], "n": 2, "max_new_tokens": 5, "seed": 7})
        assert [len(r["samples"]) for r in out["results"]] == [2, 2, 2]
        rows = [(r["prompt_ids"], s["token_ids"]) for r in out["results"] for s in r["samples"]]
        lp = fsdp.call("logprobs", {"prompts": [p for p, _ in rows], "completions": [c for _, c in rows]})
        mine = other.logprobs({"prompts": [p for p, _ in rows], "completions": [c for _, c in rows]})
        assert max(abs(x - y) for a, b in zip(lp["policy"], mine["policy"]) for x, y in zip(a, b)) < 1e-4

        # exact resume with the same world size: the next unseeded samples and step are identical
        assert_exact_resume(fsdp.call, ckpt, batches[3], tmp_path, DEVICE)

        # the hf engine (random Llama, decoder layers sharded): 2 steps as one process
        model_dir = build_tiny_hf(str(tmp_path / "hf"))
        hf_init = {"engine": "hf", "seed": 3, "device": DEVICE, "threads": 1, "model": {"path": model_dir, "dtype": "float32"}, "optim": {"lr": 1e-3}}
        one = PolicyWorker()
        one.init(hf_init)
        one.learner.policy.runner = one.learner.policy.module  # the packed path, as FSDP scores
        chat = [{"messages": [{"role": "user", "content": f"Where was {n} born ?"}]} for n in ("Alice Smith", "Chen Wei", "Bob Jones")]
        gen = one.generate({"prompts": chat, "n": 3, "max_new_tokens": 4, "seed": 1})
        samples = [
            {"prompt_ids": r["prompt_ids"], "completion_ids": s["token_ids"], "old_logprobs": s["logprobs"], "advantage": (-1.0) ** i}
            for r in gen["results"]
            for i, s in enumerate(r["samples"])
        ]
        fsdp.call("init", hf_init)
        for _ in range(2):
            a = one.train_step({"samples": samples, "micro_batch_size": 2})
            b = fsdp.call("train_step", {"samples": samples, "micro_batch_size": 2})
            assert abs(a["loss"] - b["loss"]) < 1e-5 and abs(a["grad_norm"] - b["grad_norm"]) < 1e-4 * a["grad_norm"]
        fsdp.call("save", {"path": str(tmp_path / "hf.pt")})
        hf_gap = _gap(one.learner.policy.module.state_dict(), _file(str(tmp_path / "hf.pt"))["policy"])
        print(f"hf: max |w_1proc - w_fsdp2| after 2 steps: {hf_gap:.2e}")
        assert hf_gap < TOLERANCE
    finally:
        assert fsdp.close() == 0


def test_an_unknown_parallel_mode_is_a_coded_error_at_init():
    # FACTRECALL_PARALLEL=zero3 in a rank: init fails before anything is built or collective
    w = DataParallelWorker(ranks=None, mode="zero3")  # type: ignore[arg-type]
    w.tokenizer({"texts": DOCUMENTS})
    with pytest.raises(BadParamsError, match="zero3"):
        w.init({"model": SMALL_MODEL, "threads": 1, "device": "cpu"})
    assert w.learner is None and BadParamsError.code == "FR_ERR_WORKER_BAD_PARAMS"


def test_pretrain_sft_and_dpo_steps_under_fsdp_match_one_process(tmp_path):
    # Not sharded: every rank runs the whole request, so every rank makes the same passes.
    init = {"seed": 2, "device": DEVICE, "threads": 1, "model": SMALL_MODEL, "optim": {"lr": 1e-3}}
    single = PolicyWorker()
    single.tokenizer({"texts": DOCUMENTS})
    single.init(init)
    fsdp = WorkerProcess(TORCHRUN, env=ENV)
    answers = [" Paris", " Lima", " Oslo"]
    calls = [
        ("pretrain", {"documents": DOCUMENTS, "epochs": 2, "batch_size": 4, "seed": 1}),
        ("sft_step", {"prompts": PROMPTS[:3], "completions": answers, "append_eos": True, "micro_batch_size": 2}),
        ("dpo_step", {"prompts": PROMPTS[:3], "chosen": answers, "rejected": answers[1:] + answers[:1], "beta": 0.1, "append_eos": True}),
    ]
    try:
        fsdp.call("tokenizer", {"texts": DOCUMENTS})
        fsdp.call("init", init)
        for method, params in calls:
            a = getattr(single, method)(params)
            b = fsdp.call(method, params)
            la, lb = (a["losses"][-1], b["losses"][-1]) if method == "pretrain" else (a["loss"], b["loss"])
            assert abs(la - lb) < 1e-5, (method, la, lb)
        fsdp.call("save", {"path": str(tmp_path / "r.pt")})
        state = _file(str(tmp_path / "r.pt"))
        gap = _gap(single.learner.policy.module.state_dict(), state["policy"])
        print(f"pretrain + sft + dpo: max |w_1proc - w_fsdp2|: {gap:.2e}")
        assert gap < 1e-4  # pretraining's lr 3e-3 over 2 epochs
        assert _gap(single.learner.reference.module.state_dict(), state["reference"]) < 1e-4
    finally:
        assert fsdp.close() == 0
