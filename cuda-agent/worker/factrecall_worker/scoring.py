"""Per-token log-probs of given completions after given prompts (the learner's view).

Rows are packed right-padded, ``prompt + completion`` per row, so the plain causal mask suffices:
a real token never attends to padding that comes after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .errors import BadParamsError, TooLongError
from .losses import token_logprobs
from .model import TinyGPT


def check_lengths(
    prompts: Sequence[Sequence[int]], completion_lengths: Sequence[int], block_size: int
) -> None:
    """Each row's model input (prompt + completion minus the last token) must fit block_size."""
    for i, (p, n) in enumerate(zip(prompts, completion_lengths, strict=True)):
        if len(p) == 0:
            raise BadParamsError(f"prompt {i} is empty: it needs at least one token (e.g. <bos>)")
        if len(p) + n - 1 > block_size:
            raise TooLongError(
                f"row {i}: prompt of {len(p)} tokens + {n} completion tokens exceeds the "
                f"context of {block_size} (block_size)"
            )


def pack_right(
    prompts: Sequence[Sequence[int]], completions: Sequence[Sequence[int]], pad_id: int, device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Model inputs and completion positions for a batch.

    Returns idx (B, T) = prompt + completion[:-1] right-padded with pad_id, where T is the
    longest such row; targets (B, L) = completion ids padded with pad_id, L the longest
    completion; positions (B, L) = index into T of the logits that predict each completion
    token (len(prompt) - 1 + j); mask (B, L) float, 1 on real completion tokens.
    """
    B = len(prompts)
    rows = [list(p) + list(c[:-1]) for p, c in zip(prompts, completions, strict=True)]
    T = max(1, max(len(r) for r in rows))
    L = max(1, max(len(c) for c in completions))
    idx = torch.full((B, T), pad_id, dtype=torch.long)
    targets = torch.full((B, L), pad_id, dtype=torch.long)
    positions = torch.zeros((B, L), dtype=torch.long)
    mask = torch.zeros((B, L), dtype=torch.float32)
    for i, (p, c) in enumerate(zip(prompts, completions, strict=True)):
        idx[i, : len(rows[i])] = torch.tensor(rows[i], dtype=torch.long)
        if c:
            targets[i, : len(c)] = torch.tensor(list(c), dtype=torch.long)
            positions[i, : len(c)] = torch.arange(len(p) - 1, len(p) - 1 + len(c))
            mask[i, : len(c)] = 1.0
    return idx.to(device), targets.to(device), positions.to(device), mask.to(device)


def completion_logprobs(
    model: TinyGPT,
    prompts: Sequence[Sequence[int]],
    completions: Sequence[Sequence[int]],
    temperature: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """log p(completion_j | prompt, completion_<j) under ``model`` at ``temperature``.

    Returns logp (B, L) (0 where masked) and mask (B, L), L the longest completion. Gradients
    flow when the caller has them enabled.
    """
    check_lengths(prompts, [len(c) for c in completions], model.cfg.block_size)
    device = model.wte.weight.device
    idx, targets, positions, mask = pack_right(prompts, completions, 0, device)
    logits, _ = model(idx)  # (B, T, V)
    V = logits.shape[-1]
    picked = logits.gather(1, positions[:, :, None].expand(-1, -1, V))  # (B, L, V)
    logp = token_logprobs(picked / temperature, targets)  # (B, L)
    return logp * mask, mask
