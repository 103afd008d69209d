"""Checkpoints: save -> load gives the identical next step and the identical next samples."""

import os

import pytest
import torch
from small_world import PROMPTS, group_batch, make_worker

from factrecall_worker.errors import CheckpointInvalidError, CheckpointNotFoundError, NotReadyError
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
        return batch, unseeded, stats, worker.learner.policy.state_dict()

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
