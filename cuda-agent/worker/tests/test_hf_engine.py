"""The hf engine beyond the shared contract: prompt sharing is exact, checkpoints name their
model and refuse other weights, bad model sources get coded errors."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import torch
from tiny_hf import build_tiny_hf

from factrecall_worker.errors import (
    BadParamsError,
    CheckpointInvalidError,
    ModelNotFoundError,
    UnsupportedEngineError,
)
from factrecall_worker.policy_worker import PolicyWorker


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return build_tiny_hf(str(tmp_path_factory.mktemp("hf") / "model"))


def hf_worker(path: str, seed: int = 0) -> PolicyWorker:
    w = PolicyWorker()
    w.init({"engine": "hf", "seed": seed, "device": "cpu", "threads": 1, "model": {"path": path}, "optim": {"lr": 1e-2}})
    return w


def test_shared_prompt_prefill_gives_the_packed_forwards_logits_and_gradients(model_dir):
    policy = hf_worker(model_dir).learner.policy
    prompts = [[2, 5, 6, 7], [2, 5, 6, 7], [2, 9, 10, 11, 12, 13], [2, 5, 6, 7]]
    completions = [[8, 9, 3], [10], [14, 15, 16, 17], []]
    grads = []
    outs = []
    for f in (policy._packed_logits, policy._shared_prefix_logits):
        policy.module.zero_grad()
        logits, targets, mask = f(prompts, completions)
        logp = logits.log_softmax(-1).gather(-1, targets[..., None]).squeeze(-1)  # (B, L)
        (logp * mask).sum().backward()
        grads.append(torch.cat([p.grad.flatten() for p in policy.module.parameters()]))
        outs.append((logp * mask).detach())
    assert torch.allclose(outs[0], outs[1], atol=1e-5)
    assert torch.allclose(grads[0], grads[1], atol=1e-4 * grads[0].abs().max().item())


def test_a_checkpoint_records_the_model_resumes_exactly_and_refuses_changed_weights(model_dir, tmp_path):
    w = hf_worker(model_dir, seed=1)
    g = w.generate({"prompts": ["Where was Alice Smith born ?"], "n": 4, "max_new_tokens": 5, "seed": 3})
    samples = [
        {"prompt_ids": r["prompt_ids"], "completion_ids": s["token_ids"], "old_logprobs": s["logprobs"], "advantage": a}
        for r in g["results"]
        for s, a in zip(r["samples"], (1.0, -1.0, 0.5, -0.5), strict=True)
    ]
    w.train_step({"samples": samples})
    path = str(tmp_path / "w.pt")
    w.save({"path": path})
    state = torch.load(path, weights_only=True)
    assert state["engine"] == "hf" and state["identity"]["kind"] == "dir"
    assert "reference" not in state  # reloaded from the source model, whose hash is checked
    nxt = w.train_step({"samples": samples})

    fresh = PolicyWorker()
    loaded = fresh.load({"path": path, "device": "cpu", "threads": 1})
    assert loaded["engine"] == "hf" and loaded["step"] == 1
    again = fresh.train_step({"samples": samples})
    nxt.pop("seconds"), again.pop("seconds")
    assert again == nxt
    ref = fresh.learner.reference.module.state_dict()
    assert all(torch.equal(v, w.learner.reference.module.state_dict()[k]) for k, v in ref.items())

    moved = str(tmp_path / "other")
    shutil.copytree(model_dir, moved)
    cfg = json.load(open(os.path.join(moved, "config.json")))
    cfg["rms_norm_eps"] = 1e-5
    json.dump(cfg, open(os.path.join(moved, "config.json"), "w"))
    state["model_config"]["path"] = moved
    torch.save(state, path)
    with pytest.raises(CheckpointInvalidError, match="sha256"):
        PolicyWorker().load({"path": path, "device": "cpu"})


def test_bad_model_sources_and_tiny_only_methods_get_coded_errors(model_dir, tmp_path):
    for bad in (str(tmp_path / "absent.gguf"), str(tmp_path / "nowhere"), "./relative/dir"):
        with pytest.raises(ModelNotFoundError):
            hf_worker(bad)
    os.makedirs(tmp_path / "empty")
    with pytest.raises(ModelNotFoundError, match="config.json"):
        hf_worker(str(tmp_path / "empty"))
    with pytest.raises(UnsupportedEngineError):
        PolicyWorker().init({"engine": "vllm"})
    with pytest.raises(BadParamsError, match="unknown"):
        PolicyWorker().init({"engine": "hf", "model": {"path": model_dir, "n_layer": 2}})
    w = hf_worker(model_dir)
    with pytest.raises(BadParamsError, match="own tokenizer"):
        w.tokenizer({"texts": ["a b"]})
    with pytest.raises(BadParamsError, match="tiny engine"):
        w.pretrain({"documents": ["a b"], "epochs": 1})
    with pytest.raises(BadParamsError, match="role, content"):
        w.generate({"prompts": [{"messages": [{"role": "user"}]}]})
    text = w.generate({"prompts": ["Where was Alice Smith born ?"], "greedy": True, "max_new_tokens": 3})
    assert len(text["results"][0]["samples"][0]["token_ids"]) >= 1
