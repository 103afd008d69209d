"""Choosing the next token from logits: temperature, top-k, top-p, greedy.

The log-prob reported for a chosen token is log softmax(logits / T) at that token: the
temperature-scaled distribution *before* top-k/top-p filtering, which is the distribution the
learner scores (``scoring.completion_logprobs`` with the same temperature). With top-k and
top-p off (the defaults) that is exactly the distribution sampled from.
"""

from __future__ import annotations

import torch


def filter_top_k(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    """Keep the ``top_k`` largest logits of each row, set the rest to -inf (0 = off).

    logits: (B, V) -> (B, V).
    """
    if top_k <= 0 or top_k >= logits.shape[-1]:
        return logits
    kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]  # (B, 1)
    return logits.masked_fill(logits < kth, float("-inf"))


def filter_top_p(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Nucleus filter: keep the smallest set of tokens whose probability mass reaches ``top_p``.

    A token survives when the mass of the tokens ranked strictly above it is below top_p, so the
    most likely token always survives. logits: (B, V) -> (B, V).
    """
    if top_p >= 1.0:
        return logits
    sorted_logits, order = torch.sort(logits, dim=-1, descending=True)  # (B, V)
    probs = torch.softmax(sorted_logits, dim=-1)  # (B, V)
    mass_above = torch.cumsum(probs, dim=-1) - probs  # (B, V)
    drop_sorted = mass_above >= top_p  # (B, V)
    drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)  # (B, V) in vocab order
    return logits.masked_fill(drop, float("-inf"))


def sample_next(
    logits: torch.Tensor,
    temperature: float,
    top_k: int,
    top_p: float,
    greedy: bool,
    generator: torch.Generator | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Next token of each row and its log-prob.

    logits: (B, V) raw next-token logits. Greedy (or temperature 0) takes the argmax and reports
    log softmax(logits) at T = 1, since T = 0 has no distribution.
    Returns tokens (B,) int64 and logprobs (B,) float32.
    """
    if greedy or temperature == 0.0:
        logp = torch.log_softmax(logits.float(), dim=-1)  # (B, V)
        tokens = torch.argmax(logits, dim=-1)  # (B,)
    else:
        scaled = logits.float() / temperature  # (B, V)
        logp = torch.log_softmax(scaled, dim=-1)  # (B, V)
        kept = filter_top_p(filter_top_k(scaled, top_k), top_p)  # (B, V)
        probs = torch.softmax(kept, dim=-1)  # (B, V)
        tokens = torch.multinomial(probs, 1, generator=generator).squeeze(-1)  # (B,)
    return tokens, logp.gather(-1, tokens[:, None]).squeeze(-1)
