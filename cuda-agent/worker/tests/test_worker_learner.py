"""The learner: a step moves the weights, micro-batches give the full-batch gradient,
masked samples teach nothing."""

import copy

import pytest
import torch
from small_world import group_batch, make_worker

from factrecall_worker.errors import NonFiniteError
from factrecall_worker.learner import TrainSample


def weights(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def as_samples(raw):
    return [
        TrainSample(
            s["prompt_ids"], s["completion_ids"], s["old_logprobs"], s["advantage"], s.get("mask", True)
        )
        for s in raw
    ]


def test_one_train_step_changes_the_policy_but_not_the_reference():
    w = make_worker(seed=1)
    before, ref_before = weights(w.learner.policy.module), weights(w.learner.reference.module)
    stats = w.train_step({"samples": group_batch(w, seed=2), "micro_batch_size": 5})
    assert stats["step"] == 1 and not stats["skipped"] and stats["grad_norm"] > 0
    assert any(not torch.equal(before[k], v) for k, v in w.learner.policy.module.state_dict().items())
    assert all(torch.equal(ref_before[k], v) for k, v in w.learner.reference.module.state_dict().items())
    assert stats["ratio_mean"] == pytest.approx(1.0, abs=1e-4)  # first step: policy == sampler


def test_micro_batches_accumulate_exactly_the_full_batch_gradient():
    w = make_worker(seed=4, kl_coef=0.1)
    w.train_step({"samples": group_batch(w, seed=1)})  # move off the reference so the KL has a gradient
    samples = as_samples(group_batch(w, seed=7))
    grads = []
    for micro in (len(samples), 5, 1):
        learner = copy.deepcopy(w.learner)
        learner.optimizer.step = lambda: None  # keep the gradient, skip the update
        learner.optimizer.zero_grad = lambda set_to_none=True: None
        learner.optim_cfg = type(learner.optim_cfg)(grad_clip=0.0)
        learner.train_step(samples, micro)
        grads.append(torch.cat([p.grad.flatten() for p in learner.policy.module.parameters()]))
    assert torch.allclose(grads[0], grads[1], atol=1e-6) and torch.allclose(grads[0], grads[2], atol=1e-6)


def test_masked_samples_add_nothing_and_an_all_masked_batch_skips_the_step():
    w = make_worker(seed=5)
    raw = group_batch(w, seed=3)
    kept = as_samples(raw[:6])
    with_masked = kept + [
        TrainSample(**{**vars(s), "mask": False, "advantage": 50.0}) for s in as_samples(raw[6:])
    ]
    a, b = copy.deepcopy(w.learner), copy.deepcopy(w.learner)
    sa, sb = a.train_step(kept, 4), b.train_step(with_masked, 4)
    assert sa["loss"] == sb["loss"] and sb["masked_samples"] == len(raw) - 6
    assert all(torch.equal(x, y) for x, y in zip(a.policy.module.parameters(), b.policy.module.parameters(), strict=True))
    before = weights(w.learner.policy.module)
    skipped = w.learner.train_step([TrainSample(**{**vars(s), "mask": False}) for s in kept], 4)
    assert skipped["skipped"] and skipped["step"] == 0
    assert all(torch.equal(before[k], v) for k, v in w.learner.policy.module.state_dict().items())


def test_a_non_finite_loss_refuses_the_step_and_leaves_the_weights():
    w = make_worker(seed=6)
    raw = group_batch(w, seed=3)
    raw[0]["advantage"] = float("inf")
    before = weights(w.learner.policy.module)
    with pytest.raises(NonFiniteError):
        w.learner.train_step(as_samples(raw), 4)
    assert w.learner.step == 0
    assert all(torch.equal(before[k], v) for k, v in w.learner.policy.module.state_dict().items())
