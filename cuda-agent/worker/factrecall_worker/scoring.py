"""Per-token log-probs of given completions after given prompts (the learner's view).

``completion_logprobs`` works on any ``Policy`` (engine.py): the policy returns logits at the
completion positions only, and this takes log softmax(logits / T) at the targets in float32.
``pack_right`` is the packing the tiny policy uses: rows ``prompt + completion`` right-padded, so
the plain causal mask suffices (a real token never attends to padding that comes after it).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .errors import BadParamsError, TooLongError
from .engine import Policy, eval_mode
from .losses import token_logprobs


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
    policy: Policy,
    prompts: Sequence[Sequence[int]],
    completions: Sequence[Sequence[int]],
    temperature: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """log p(completion_j | prompt, completion_<j) under ``policy`` at ``temperature``.

    Returns logp (B, L) (0 where masked) and mask (B, L), L the longest completion. Gradients
    flow when the caller has them enabled.
    """
    check_lengths(prompts, [len(c) for c in completions], policy.max_length)
    logits, targets, mask = policy.completion_logits(prompts, completions)  # (B, L, V), (B, L), (B, L)
    logp = token_logprobs(logits / temperature, targets)  # (B, L)
    return logp * mask, mask


@torch.no_grad()
def score_in_chunks(
    policy: Policy,
    prompts: Sequence[Sequence[int]],
    completions: Sequence[Sequence[int]],
    temperature: float = 1.0,
    rows: int | None = None,
) -> list[list[float]]:
    """``completion_logprobs`` without gradient (eval mode), ``rows`` at a time (None: all at
    once), each row trimmed to its completion."""
    out: list[list[float]] = []
    with eval_mode(policy.module):
        step = rows or max(1, len(prompts))
        for s in range(0, len(prompts), step):
            ps, cs = prompts[s : s + step], completions[s : s + step]
            logp, _ = completion_logprobs(policy, ps, cs, temperature)
            out.extend(row[: len(c)] for row, c in zip(logp.tolist(), cs, strict=True))
    return out
