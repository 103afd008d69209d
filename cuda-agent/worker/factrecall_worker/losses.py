"""GRPO loss pieces, each a small pure function on tensors.

Notation, per completion token t of sample i (B samples, L the longest completion):
    logp[i,t]     log pi_theta(y_t | x, y_<t)          current policy, with gradient
    old[i,t]      log pi_old(y_t | x, y_<t)            from generation, untouched
    ref[i,t]      log pi_ref(y_t | x, y_<t)            frozen reference, no gradient
    A[i]          group-relative advantage of sample i  (same for all its tokens)
    r[i,t]        = exp(logp - old)                     importance ratio
    pg[i,t]       = max(-A r, -A clip(r, 1-eps, 1+eps)) PPO clipped surrogate, as a loss
    kl[i,t]       = exp(ref - logp) - (ref - logp) - 1  k3 estimator of KL(pi_theta || pi_ref)
    loss          = sum_{i,t} mask (pg + beta kl) / sum_{i,t} mask      token-mean

Token-mean divides by the number of real tokens in the *whole* batch, so when the batch is cut
into micro-batches each micro-batch adds sum(mask * per_token) / N_total and the accumulated
gradient equals the full-batch gradient exactly.
"""

from __future__ import annotations

import torch


def token_logprobs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """log softmax(logits)[target] per position, computed in float32.

    logits: (B, L, V); targets: (B, L) int64 -> (B, L).
    """
    logp = torch.log_softmax(logits.float(), dim=-1)  # (B, L, V)
    return logp.gather(-1, targets[..., None]).squeeze(-1)  # (B, L)


def importance_ratio(logp: torch.Tensor, old_logp: torch.Tensor) -> torch.Tensor:
    """r = exp(logp - old_logp). (B, L), (B, L) -> (B, L)."""
    return torch.exp(logp - old_logp)


def clipped_policy_loss(
    logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, clip_eps: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """PPO clipped surrogate as a per-token loss, and where the clip was active.

    pg = max(-A r, -A clip(r, 1 - eps, 1 + eps)); clipped = (-A clip(r) > -A r), the tokens
    whose gradient the clip removed.
    logp, old_logp: (B, L); advantages: (B,) per sample -> pg (B, L), clipped (B, L) bool.
    """
    ratio = importance_ratio(logp, old_logp)  # (B, L)
    adv = advantages[:, None]  # (B, 1), broadcast over tokens
    unclipped = -adv * ratio  # (B, L)
    clipped = -adv * torch.clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps)  # (B, L)
    return torch.maximum(unclipped, clipped), clipped > unclipped


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """k3 estimator of KL(pi || pi_ref) per token: exp(d) - d - 1 with d = ref_logp - logp.

    Non-negative, zero where the two agree, unbiased for the KL when tokens are drawn from pi.
    (B, L), (B, L) -> (B, L).
    """
    d = ref_logp - logp  # (B, L)
    return torch.exp(d) - d - 1.0


def masked_token_sum(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """sum_{i,t} mask[i,t] * values[i,t]. (B, L), (B, L) -> scalar."""
    return (values * mask).sum()


def grpo_per_token_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor,
    advantages: torch.Tensor,
    clip_eps: float,
    kl_coef: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """pg + beta * kl per token, and its parts.

    logp, old_logp, ref_logp: (B, L); advantages: (B,).
    Returns loss (B, L), pg (B, L), kl (B, L), clipped (B, L) bool.
    """
    pg, clipped = clipped_policy_loss(logp, old_logp, advantages, clip_eps)  # (B, L) each
    kl = k3_kl(logp, ref_logp)  # (B, L)
    return pg + kl_coef * kl, pg, kl, clipped


def grpo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip_eps: float,
    kl_coef: float,
    n_tokens: int | None = None,
) -> torch.Tensor:
    """Token-mean GRPO loss: sum(mask (pg + beta kl)) / n_tokens.

    n_tokens defaults to mask.sum() (a whole batch); pass the whole batch's token count when
    this is one micro-batch of it. (B, L) tensors and (B,) advantages -> scalar.
    """
    per_token, _, _, _ = grpo_per_token_loss(logp, old_logp, ref_logp, advantages, clip_eps, kl_coef)
    denom = mask.sum() if n_tokens is None else n_tokens
    return masked_token_sum(per_token, mask) / denom


# -- the comparison recipes (SFT, RFT, DPO) ------------------------------------------------------
#
#   nll[i,t]   = -logp[i,t]                                   SFT / RFT: next-token loss
#   s_pi(y)    = sum_t logp[t]      s_ref(y) = sum_t ref[t]    sequence log-probs of an answer
#   margin     = beta ((s_pi(y+) - s_ref(y+)) - (s_pi(y-) - s_ref(y-)))
#   dpo        = -log sigmoid(margin), averaged over pairs      (Rafailov et al. 2023, eq. 7)


def sft_loss(logp: torch.Tensor, mask: torch.Tensor, n_tokens: int | None = None) -> torch.Tensor:
    """Token-mean negative log-likelihood: -sum(mask logp) / n_tokens.

    n_tokens defaults to mask.sum(); pass the whole batch's count for one micro-batch of it.
    logp, mask: (B, L) -> scalar.
    """
    denom = mask.sum() if n_tokens is None else n_tokens
    return -masked_token_sum(logp, mask) / denom


def sequence_logprob(logp: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """log pi(y | x) of whole completions: sum_t mask logp. (B, L), (B, L) -> (B,)."""
    return (logp * mask).sum(-1)


def dpo_margin(
    pol_chosen: torch.Tensor,
    pol_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    beta: float,
) -> torch.Tensor:
    """beta * ((pi(y+) - ref(y+)) - (pi(y-) - ref(y-))) from sequence log-probs. (P,) x 4 -> (P,)."""
    return beta * ((pol_chosen - ref_chosen) - (pol_rejected - ref_rejected))


def dpo_loss(
    pol_chosen: torch.Tensor,
    pol_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    beta: float,
    n_pairs: int | None = None,
) -> torch.Tensor:
    """DPO loss: sum_p -log sigmoid(margin_p) / n_pairs (n_pairs defaults to P; pass the whole
    batch's pair count for one micro-batch of it). Sequence log-probs (P,) x 4 -> scalar."""
    margin = dpo_margin(pol_chosen, pol_rejected, ref_chosen, ref_rejected, beta)  # (P,)
    denom = margin.shape[0] if n_pairs is None else n_pairs
    return -torch.nn.functional.logsigmoid(margin).sum() / denom
