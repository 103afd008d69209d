"""Optimizer steps of the comparison recipes, on the same ``Learner`` as GRPO (learner.py).

- ``sft_step``: token-mean NLL of given completions (SFT on gold answers; RFT on the policy's
  own judged-correct samples). No reference, no KL: the recipe the paper compares against.
- ``dpo_step``: the DPO loss on (prompt, chosen, rejected) triples against the learner's frozen
  reference (the model the run started from), beta in the call.

Both cut the batch into micro-batches whose pieces sum to the whole batch's loss (the
denominator is the whole batch's token or pair count), clip the global grad norm, refuse a
non-finite step (weights and optimizer untouched) and count one optimizer step, like
``Learner.train_step``. Log-probs are taken at temperature 1 (the model's own distribution).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import torch

from .errors import NonFiniteError
from .learner import Learner, full_value
from .losses import dpo_loss, dpo_margin, sequence_logprob, sft_loss
from .scoring import completion_logprobs


def _apply(learner: Learner, loss: float) -> float:
    """Clip, check, step; returns the grad norm (the gradient is already accumulated)."""
    max_norm = learner.optim_cfg.grad_clip if learner.optim_cfg.grad_clip > 0 else float("inf")
    grad_norm = float(full_value(torch.nn.utils.clip_grad_norm_(learner.policy.module.parameters(), max_norm)))
    if not (math.isfinite(loss) and math.isfinite(grad_norm)):
        learner.optimizer.zero_grad(set_to_none=True)
        raise NonFiniteError(f"loss {loss}, grad norm {grad_norm}; step {learner.step + 1} refused")
    learner.optimizer.step()
    learner.optimizer.zero_grad(set_to_none=True)
    learner.step += 1
    return grad_norm


def sft_step(
    learner: Learner,
    prompts: Sequence[Sequence[int]],
    completions: Sequence[Sequence[int]],
    micro_batch_size: int,
) -> dict:
    """One optimizer step of token-mean NLL on (prompt, completion) pairs; returns loss, tokens..."""
    rows = [(p, c) for p, c in zip(prompts, completions, strict=True) if c]
    n_tokens = sum(len(c) for _, c in rows)
    base = {"samples": len(rows), "tokens": n_tokens, "lr": learner.optim_cfg.lr}
    if n_tokens == 0:
        return {**base, "skipped": True, "step": learner.step, "loss": 0.0, "grad_norm": 0.0, "seconds": 0.0}
    t0 = time.perf_counter()
    learner.policy.module.train()
    learner.optimizer.zero_grad(set_to_none=True)
    total = 0.0
    for start in range(0, len(rows), micro_batch_size):
        mb = rows[start : start + micro_batch_size]
        logp, mask = completion_logprobs(learner.policy, [p for p, _ in mb], [c for _, c in mb], 1.0)  # (b, L)
        piece = sft_loss(logp, mask, n_tokens)  # this micro-batch's share of the token mean
        piece.backward()
        total += float(piece.detach())
    grad_norm = _apply(learner, total)
    return {
        **base,
        "skipped": False,
        "step": learner.step,
        "loss": total,
        "grad_norm": grad_norm,
        "seconds": time.perf_counter() - t0,
    }


def dpo_step(
    learner: Learner,
    prompts: Sequence[Sequence[int]],
    chosen: Sequence[Sequence[int]],
    rejected: Sequence[Sequence[int]],
    beta: float,
    micro_batch_size: int,
) -> dict:
    """One optimizer step of the DPO loss over pairs; returns loss, mean margin, accuracy..."""
    n = len(prompts)
    t0 = time.perf_counter()
    learner.policy.module.train()
    learner.optimizer.zero_grad(set_to_none=True)
    total, margin_sum, right = 0.0, 0.0, 0
    for start in range(0, n, micro_batch_size):
        end = min(n, start + micro_batch_size)
        p = list(prompts[start:end])
        both = list(chosen[start:end]) + list(rejected[start:end])  # chosen rows, then rejected
        logp, mask = completion_logprobs(learner.policy, p + p, both, 1.0)  # (2b, L)
        with torch.no_grad():
            ref_logp, _ = completion_logprobs(learner.reference, p + p, both, 1.0)  # (2b, L)
        s_pi = sequence_logprob(logp, mask)  # (2b,)
        s_ref = sequence_logprob(ref_logp, mask)  # (2b,)
        b = end - start
        piece = dpo_loss(s_pi[:b], s_pi[b:], s_ref[:b], s_ref[b:], beta, n)
        piece.backward()
        with torch.no_grad():
            m = dpo_margin(s_pi[:b].detach(), s_pi[b:].detach(), s_ref[:b], s_ref[b:], beta)  # (b,)
            margin_sum += float(m.sum())
            right += int((m > 0).sum())
        total += float(piece.detach())
    grad_norm = _apply(learner, total)
    return {
        "pairs": n,
        "skipped": False,
        "step": learner.step,
        "loss": total,
        "margin_mean": margin_sum / n,
        "pair_accuracy": right / n,
        "grad_norm": grad_norm,
        "lr": learner.optim_cfg.lr,
        "seconds": time.perf_counter() - t0,
    }
