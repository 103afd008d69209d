"""The ``tiny`` engine: batched sampling from a TinyGPT with a key/value cache.

Prompts of different lengths are left-padded into one batch. Each row gets its own positions
(counting only its real tokens) and an attention mask that hides its padding, so a row's numbers
do not depend on what it is batched with. Generation of a row stops at <eos> or a newline token;
finished rows keep stepping with padding until every row is done or ``max_new_tokens`` is hit.

``TinyPolicy`` is the learner's view of the same TinyGPT (engine.Policy): rows packed
right-padded (scoring.pack_right) and the logits gathered at completion positions.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .decoding import decode
from .engine import Completion, Engine, Policy, SamplingParams, eval_mode
from .model import TinyGPT
from .scoring import check_lengths, pack_right


class TinyPolicy(Policy):
    """A TinyGPT as the learner sees it."""

    def __init__(self, model: TinyGPT):
        self.module = model
        self.model = model

    @property
    def device(self) -> torch.device:
        return self.model.wte.weight.device

    @property
    def max_length(self) -> int:
        return self.model.cfg.block_size

    def completion_logits(self, prompts, completions):
        idx, targets, positions, mask = pack_right(prompts, completions, 0, self.device)
        logits, _ = self.forward_module()(idx)  # (B, T, V): the tiny vocabulary is a few thousand words
        V = logits.shape[-1]
        picked = logits.gather(1, positions[:, :, None].expand(-1, -1, V))  # (B, L, V)
        return picked, targets, mask


def left_pad(rows: Sequence[Sequence[int]], pad_id: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """idx (B, T) left-padded with pad_id, and valid (B, T) bool, True on real tokens."""
    T = max(len(r) for r in rows)
    idx = torch.full((len(rows), T), pad_id, dtype=torch.long)
    valid = torch.zeros((len(rows), T), dtype=torch.bool)
    for i, r in enumerate(rows):
        idx[i, T - len(r) :] = torch.tensor(list(r), dtype=torch.long)
        valid[i, T - len(r) :] = True
    return idx.to(device), valid.to(device)


def prefill_mask(valid: torch.Tensor) -> torch.Tensor:
    """Causal mask that also hides padding keys: (B, T) valid -> (B, 1, T, T) bool.

    Every position may attend to itself, so padding queries have one key and never produce NaN
    (their outputs are ignored).
    """
    T = valid.shape[1]
    causal = torch.ones(T, T, dtype=torch.bool, device=valid.device).tril()  # (T, T)
    eye = torch.eye(T, dtype=torch.bool, device=valid.device)  # (T, T)
    return ((causal[None] & valid[:, None, :]) | eye[None])[:, None]  # (B, 1, T, T)


class TinyEngine(Engine):
    """Samples from (and scores with) the policy TinyGPT it shares with the learner."""

    name = "tiny"
    score_rows = None  # score a whole request in one pass (small model, small vocabulary)

    def __init__(self, model: TinyGPT, pad_id: int, stop_ids: Sequence[int], max_batch_rows: int = 512):
        self.model = model
        self.policy = TinyPolicy(model)
        self.pad_id = pad_id
        self.stop_ids = list(stop_ids)
        self.max_batch_rows = max_batch_rows

    @torch.no_grad()
    def _generate_rows(
        self, rows: list[list[int]], params: SamplingParams, generator: torch.Generator | None
    ) -> list[Completion]:
        device = self.model.wte.weight.device
        idx, valid = left_pad(rows, self.pad_id, device)  # (B, T), (B, T)
        B = idx.shape[0]
        positions = (valid.long().cumsum(dim=1) - 1).clamp(min=0)  # (B, T)
        logits, cache = self.model(idx, positions, prefill_mask(valid))  # (B, T, V)
        state = {"valid": valid, "cache": cache, "pos": positions[:, -1] + 1}  # pos: (B,)

        def step(tok: torch.Tensor) -> torch.Tensor:
            valid = torch.cat([state["valid"], torch.ones(B, 1, dtype=torch.bool, device=device)], dim=1)
            step_mask = valid[:, None, None, :]  # (B, 1, 1, K)
            logits, state["cache"] = self.model(tok[:, None], state["pos"][:, None], step_mask, state["cache"])
            state["valid"], state["pos"] = valid, state["pos"] + 1
            return logits[:, -1, :]  # (B, V)

        return decode(logits[:, -1, :], step, params, self.stop_ids, generator)

    def generate(self, prompts, params, generator):
        check_lengths(prompts, [params.max_new_tokens] * len(prompts), self.model.cfg.block_size)
        rows = [list(p) for p in prompts for _ in range(params.n)]
        flat: list[Completion] = []
        with eval_mode(self.model):
            for start in range(0, len(rows), self.max_batch_rows):
                flat.extend(self._generate_rows(rows[start : start + self.max_batch_rows], params, generator))
        return [flat[i * params.n : (i + 1) * params.n] for i in range(len(prompts))]
