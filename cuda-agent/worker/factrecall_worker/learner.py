"""The GRPO learner: one optimizer step from a batch of scored samples.

The batch is cut into micro-batches; each adds sum(mask * (pg + beta kl)) / N_total to the
gradient, N_total being the real completion tokens of the whole batch, so the accumulated
gradient is the token-mean gradient of the whole batch (see losses.py). Then the gradient is
clipped by global norm and AdamW steps. A non-finite loss or gradient refuses the step and
leaves the weights and optimizer untouched.

Under data parallelism (data_parallel.py) each rank holds a shard of the batch and a ``GradSync``:
N_total and the metric sums are all-reduced, every micro-batch but the last backpropagates
under DDP's ``no_sync`` and the last one all-reduces the accumulated gradient. DDP averages
gradients over W ranks, so each rank's loss is scaled by W: the average of W rank sums
sum_rank(mask * per_token) * W / N_total is the single-process gradient, up to the order of
float additions. A rank whose shard has no tokens still joins the all-reduce with a zero loss.
Under FSDP (fsdp.py) every backward reduce-scatters (also averaged over W) and the ranks run
in lockstep: each runs the busiest rank's number of micro-batches, the extra ones as zero-loss
passes through the policy and the reference.

The learner knows only the ``Policy`` interface (engine.py): any engine's model trains here.
The loss is ``losses.grpo_loss``, the tested one; its parts are recomputed without gradient
for the metrics only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Protocol

import torch

from .errors import NonFiniteError
from .engine import Policy
from .losses import grpo_loss, grpo_per_token_loss, masked_token_sum
from .scoring import completion_logprobs


@dataclass(frozen=True)
class OptimConfig:
    """AdamW and clipping. lr 1e-6 is the paper's for pretrained LLMs; tiny models want more."""

    lr: float = 1e-6
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    grad_clip: float = 1.0  # max global grad norm; 0 = no clipping


@dataclass(frozen=True)
class LossConfig:
    """GRPO loss settings: PPO clip epsilon, KL coefficient beta, sampling temperature."""

    clip_eps: float = 0.2
    kl_coef: float = 0.001
    temperature: float = 1.0


@dataclass
class TrainSample:
    """One completion to learn from; ``old_logprobs`` are the sampling log-probs, untouched."""

    prompt_ids: list[int]
    completion_ids: list[int]
    old_logprobs: list[float]
    advantage: float
    mask: bool = True


class GradSync(Protocol):
    """What the learner needs from data parallelism (data_parallel.DDPSync implements it)."""

    world: int
    lockstep: bool  # FSDP: every rank runs the same passes, the reference's included

    def all_sum(self, values: Sequence[float]) -> list[float]:
        """Element-wise sums of ``values`` over every rank."""
        ...

    def passes(self, local: int) -> int:
        """Forward/backward passes this rank runs for its ``local`` micro-batches (>= 1)."""
        ...

    def no_sync(self) -> AbstractContextManager:
        """Backward passes inside accumulate gradients locally, without all-reducing."""
        ...


def full_value(t: torch.Tensor) -> torch.Tensor:
    """A DTensor (FSDP's grad norm) as a plain tensor; a plain tensor as it is."""
    return t.full_tensor() if hasattr(t, "full_tensor") else t


def make_optimizer(policy: Policy, cfg: OptimConfig) -> torch.optim.AdamW:
    return torch.optim.AdamW(
        [p for p in policy.module.parameters() if p.requires_grad],
        lr=cfg.lr,
        betas=(cfg.beta1, cfg.beta2),
        eps=cfg.eps,
        weight_decay=cfg.weight_decay,
    )


class Learner:
    """Holds the policy, its frozen reference and the optimizer; ``step`` counts optimizer steps."""

    def __init__(self, policy: Policy, reference: Policy, optim: OptimConfig, loss: LossConfig):
        self.policy = policy
        self.reference = reference
        self.reference.module.eval()
        self.reference.module.requires_grad_(False)
        self.optim_cfg = optim
        self.loss_cfg = loss
        self.optimizer = make_optimizer(policy, optim)
        self.step = 0
        self.sync: GradSync | None = None  # set by data_parallel.py under torchrun

    def reset_optimizer(self) -> None:
        """Fresh AdamW state (after pretraining replaced the weights)."""
        self.optimizer = make_optimizer(self.policy, self.optim_cfg)

    def train_step(self, samples: list[TrainSample], micro_batch_size: int) -> dict:
        """One optimizer step; returns loss, pg_loss, kl, clip_frac, ratio_mean, grad_norm, ..."""
        active = [s for s in samples if s.mask and s.completion_ids]
        n_tokens = sum(len(s.completion_ids) for s in active)
        counts = [len(active), len(samples) - len(active), n_tokens]
        if self.sync is not None:  # the whole batch's counts: N_total is over every rank
            counts = [int(c) for c in self.sync.all_sum(counts)]
        n_tokens = counts[2]
        base = {"samples": counts[0], "masked_samples": counts[1], "tokens": n_tokens}
        if n_tokens == 0:
            return {
                **base,
                "skipped": True,
                "step": self.step,
                "loss": 0.0,
                "pg_loss": 0.0,
                "kl": 0.0,
                "clip_frac": 0.0,
                "ratio_mean": 1.0,
                "grad_norm": 0.0,
                "lr": self.optim_cfg.lr,
                "seconds": {"score": 0.0, "train": 0.0},
            }
        cfg = self.loss_cfg
        self.policy.module.train()
        self.optimizer.zero_grad(set_to_none=True)
        sums = {"loss": 0.0, "pg": 0.0, "kl": 0.0, "clipped": 0.0, "ratio": 0.0}
        t_start, t_ref = time.perf_counter(), 0.0  # reference scoring time, apart from training
        sync, scale = self.sync, (self.sync.world if self.sync is not None else 1)
        batches = [active[i : i + micro_batch_size] for i in range(0, len(active), micro_batch_size)]
        # Under data parallelism a rank short of micro-batches (none at all under DDP, fewer
        # than the busiest rank under FSDP) joins the collectives with zero-loss passes.
        passes = len(batches) if sync is None else sync.passes(len(batches))
        for k in range(passes):
            # Under DDP, every micro-batch but the last runs forward and backward in no_sync.
            local = sync is not None and k < passes - 1
            with sync.no_sync() if local else nullcontext():
                if k < len(batches):
                    t_ref += self._micro_step(batches[k], n_tokens, scale, sums)
                else:
                    self._idle_pass(sync is not None and sync.lockstep)
        if sync is not None:
            keys = ("loss", "pg", "kl", "clipped", "ratio")
            sums = dict(zip(keys, sync.all_sum([sums[k] for k in keys]), strict=True))
        max_norm = self.optim_cfg.grad_clip if self.optim_cfg.grad_clip > 0 else float("inf")
        grad_norm = float(full_value(torch.nn.utils.clip_grad_norm_(self.policy.module.parameters(), max_norm)))
        if not (math.isfinite(sums["loss"]) and math.isfinite(grad_norm)):
            self.optimizer.zero_grad(set_to_none=True)
            raise NonFiniteError(f"loss {sums['loss']}, grad norm {grad_norm}; step {self.step + 1} refused")
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        return {
            **base,
            "skipped": False,
            "step": self.step,
            "loss": sums["loss"],
            "pg_loss": sums["pg"] / n_tokens,
            "kl": sums["kl"] / n_tokens,
            "clip_frac": sums["clipped"] / n_tokens,
            "ratio_mean": sums["ratio"] / n_tokens,
            "grad_norm": grad_norm,
            "lr": self.optim_cfg.lr,
            "seconds": {"score": t_ref, "train": time.perf_counter() - t_start - t_ref},
        }

    def _idle_pass(self, with_reference: bool) -> None:
        """A zero loss on one token: runs the passes (and collectives) of a micro-batch,
        adding nothing to any gradient."""
        logp, _ = completion_logprobs(self.policy, [[0]], [[0]], self.loss_cfg.temperature)
        if with_reference:
            with torch.no_grad():
                completion_logprobs(self.reference, [[0]], [[0]], self.loss_cfg.temperature)
        (logp.sum() * 0.0).backward()

    def _micro_step(self, mb: list[TrainSample], n_tokens: int, scale: int, sums: dict) -> float:
        """Backpropagate one micro-batch's share of the loss, add its metric sums to ``sums``;
        returns the seconds spent scoring with the reference."""
        cfg = self.loss_cfg
        prompts = [s.prompt_ids for s in mb]
        completions = [s.completion_ids for s in mb]
        logp, mask = completion_logprobs(self.policy, prompts, completions, cfg.temperature)  # (b, L)
        t0 = time.perf_counter()
        with torch.no_grad():
            ref_logp, _ = completion_logprobs(self.reference, prompts, completions, cfg.temperature)  # (b, L)
        t_ref = time.perf_counter() - t0
        old = torch.zeros_like(logp)  # (b, L)
        for i, s in enumerate(mb):
            old[i, : len(s.old_logprobs)] = torch.tensor(s.old_logprobs, dtype=old.dtype)
        adv = torch.tensor([s.advantage for s in mb], dtype=logp.dtype, device=logp.device)  # (b,)
        # this micro-batch's share of the token-mean loss of the whole batch (scalar)
        piece = grpo_loss(logp, old, ref_logp, adv, mask, cfg.clip_eps, cfg.kl_coef, n_tokens)
        (piece * scale if scale != 1 else piece).backward()
        with torch.no_grad():
            _, pg, kl, clipped = grpo_per_token_loss(
                logp.detach(), old, ref_logp, adv, cfg.clip_eps, cfg.kl_coef
            )  # (b, L) each, for the metrics
            sums["loss"] += float(piece)
            sums["pg"] += float(masked_token_sum(pg, mask))
            sums["kl"] += float(masked_token_sum(kl, mask))
            sums["clipped"] += float(masked_token_sum(clipped.float(), mask))
            sums["ratio"] += float(masked_token_sum(torch.exp(logp - old), mask))
        return t_ref
