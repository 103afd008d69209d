"""The decoding loop every engine shares: sample a token per row, stop rows at a stop id,
step the model until every row stopped or ``max_new_tokens`` is reached.

The engine supplies the first next-token logits (after its prefill) and ``step``, its one-token
forward with its own KV cache. Finished rows keep stepping (their tokens are dropped), so a
row's numbers never depend on when the others finish.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from .engine import Completion, SamplingParams
from .sampling import sample_next


def decode(
    next_logits: torch.Tensor,
    step: Callable[[torch.Tensor], torch.Tensor],
    params: SamplingParams,
    stop_ids: Sequence[int],
    generator: torch.Generator | None,
) -> list[Completion]:
    """next_logits (B, V); step(tokens (B,)) -> the next logits (B, V). One Completion per row."""
    B = next_logits.shape[0]
    stop = torch.tensor(list(stop_ids), device=next_logits.device)  # (S,)
    done = torch.zeros(B, dtype=torch.bool, device=next_logits.device)  # (B,)
    tokens: list[torch.Tensor] = []
    logps: list[torch.Tensor] = []
    alive: list[torch.Tensor] = []
    for i in range(params.max_new_tokens):
        tok, lp = sample_next(
            next_logits, params.temperature, params.top_k, params.top_p, params.greedy, generator
        )  # (B,), (B,)
        alive.append(~done)
        tokens.append(tok)
        logps.append(lp)
        done = done | torch.isin(tok, stop)
        if bool(done.all()) or i == params.max_new_tokens - 1:
            break
        next_logits = step(tok)
    if not tokens:
        return [Completion([], [], "length") for _ in range(B)]
    tok_m = torch.stack(tokens, dim=1).tolist()  # (B, N)
    lp_m = torch.stack(logps, dim=1).tolist()  # (B, N)
    alive_m = torch.stack(alive, dim=1).tolist()  # (B, N)
    out: list[Completion] = []
    for r in range(B):
        n = sum(alive_m[r])
        ids = tok_m[r][:n]
        stopped = bool(ids) and ids[-1] in stop_ids
        out.append(Completion(ids, lp_m[r][:n], "stop" if stopped else "length"))
    return out
