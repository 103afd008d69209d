"""Checkpoints: save -> load gives the identical next step and the identical next samples."""

import os

import pytest
import torch
from small_world import PROMPTS, group_batch, make_worker

from factrecall_worker.errors import (
    BadParamsError,
    CheckpointInvalidError,
    CheckpointNotFoundError,
    NotReadyError,
)
from factrecall_worker.policy_worker import PolicyWorker


def test_save_then_load_resumes_exactly(tmp_path):
    path = str(tmp_path / "ckpt" / "step1.pt")
    w = make_worker(seed=2, kl_coef=0.01)
    w.train_step({"samples": group_batch(w, seed=1), "micro_batch_size": 4})
    saved = w.save({"path": path})
    assert saved["step"] == 1 and saved["bytes"] == os.path.getsize(path)
    torch.rand(3)  # disturb the global generator: load must restore it

    def next_step(worker):
        batch = group_batch(worker, seed=9)
        unseeded = worker.generate(
            {"prompts": PROMPTS[:2], "n": 3, "max_new_tokens": 5}
        )  # uses the worker's generator
        stats = worker.train_step({"samples": batch, "micro_batch_size": 4})
        stats.pop("seconds")  # wall-clock, the one field that may differ
        return batch, unseeded, stats, worker.learner.policy.module.state_dict()

    first = next_step(w)
    fresh = PolicyWorker()
    loaded = fresh.load({"path": path, "device": "cpu", "threads": 1})  # same threads: same float sums
    assert loaded["step"] == 1
    second = next_step(fresh)
    assert first[0] == second[0] and first[1] == second[1]
    assert first[2] == second[2]
    assert all(torch.equal(v, second[3][k]) for k, v in first[3].items())


def test_loading_a_missing_or_foreign_file_is_a_coded_error_and_keeps_the_state(tmp_path):
    w = make_worker(seed=0)
    with pytest.raises(CheckpointNotFoundError):
        w.load({"path": str(tmp_path / "nope.pt")})
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointInvalidError):
        w.load({"path": str(junk)})
    torch.save({"format": "something-else"}, tmp_path / "other.pt")
    with pytest.raises(CheckpointInvalidError, match="not a factrecall"):
        w.load({"path": str(tmp_path / "other.pt")})
    assert w.generate({"prompts": PROMPTS[:1], "max_new_tokens": 2})["results"]


def test_saving_before_init_is_not_ready(tmp_path):
    with pytest.raises(NotReadyError):
        PolicyWorker().save({"path": str(tmp_path / "x.pt")})
    assert not list(tmp_path.iterdir())


def test_load_with_optim_and_loss_overrides_starts_a_new_run_with_those_settings(tmp_path):
    path = str(tmp_path / "pretrained.pt")
    w = make_worker(seed=3, lr=1e-3, kl_coef=0.01)
    w.train_step({"samples": group_batch(w, seed=1), "micro_batch_size": 4})
    w.save({"path": path})

    fresh = PolicyWorker()
    loaded = fresh.load(
        {
            "path": path,
            "device": "cpu",
            "threads": 1,
            "optim": {"lr": 0.25, "grad_clip": 0.5},
            "loss": {"kl_coef": 0.5, "temperature": 0.7},
        }
    )
    learner = fresh.learner
    assert learner is not None
    # The given keys win; absent keys keep the file's values.
    assert learner.optim_cfg.lr == 0.25 and learner.optim_cfg.grad_clip == 0.5
    assert learner.optim_cfg.beta2 == w.learner.optim_cfg.beta2
    assert learner.loss_cfg.kl_coef == 0.5 and learner.loss_cfg.temperature == 0.7
    assert learner.loss_cfg.clip_eps == w.learner.loss_cfg.clip_eps
    assert loaded["optim"]["lr"] == 0.25 and loaded["loss"]["kl_coef"] == 0.5
    # A fresh optimizer at the new lr: no Adam moments, step 0, the weights the file's.
    assert loaded["fresh_optimizer"] is True and loaded["step"] == 0 and learner.step == 0
    assert learner.optimizer.state_dict()["state"] == {}
    assert all(group["lr"] == 0.25 for group in learner.optimizer.param_groups)
    file_weights = w.learner.policy.module.state_dict()
    assert all(torch.equal(v, file_weights[k]) for k, v in learner.policy.module.state_dict().items())
    # The next optimizer step runs with the overriding lr.
    stats = fresh.train_step({"samples": group_batch(fresh, seed=9), "micro_batch_size": 4})
    assert stats["lr"] == 0.25 and stats["step"] == 1


def test_load_with_only_a_loss_override_keeps_the_optimizer_state(tmp_path):
    path = str(tmp_path / "ckpt.pt")
    w = make_worker(seed=4, lr=1e-3)
    w.train_step({"samples": group_batch(w, seed=1), "micro_batch_size": 4})
    w.save({"path": path})
    fresh = PolicyWorker()
    loaded = fresh.load({"path": path, "device": "cpu", "threads": 1, "loss": {"clip_eps": 0.1}})
    assert loaded["fresh_optimizer"] is False and loaded["step"] == 1
    assert fresh.learner.loss_cfg.clip_eps == 0.1 and fresh.learner.optim_cfg.lr == 1e-3
    saved_state = w.learner.optimizer.state_dict()["state"]
    loaded_state = fresh.learner.optimizer.state_dict()["state"]
    assert saved_state.keys() == loaded_state.keys()
    assert all(torch.equal(saved_state[k]["exp_avg"], loaded_state[k]["exp_avg"]) for k in saved_state)


def test_a_bad_override_is_a_coded_error_and_keeps_the_state(tmp_path):
    path = str(tmp_path / "ckpt.pt")
    w = make_worker(seed=5)
    w.save({"path": path})
    before = w.learner
    for bad in ({"optim": {"lr": -1.0}}, {"loss": {"clip_eps": 2.0}}, {"optim": {"momentum": 0.9}}):
        with pytest.raises(BadParamsError):
            w.load({"path": path, **bad})
        assert w.learner is before
