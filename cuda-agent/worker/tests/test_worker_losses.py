"""The GRPO loss pieces equal a plain per-token loop written straight from the formulas."""

import math

import torch

from factrecall_worker.losses import (
    clipped_policy_loss,
    grpo_loss,
    grpo_per_token_loss,
    k3_kl,
    token_logprobs,
)


def random_batch(seed: int, B: int = 5, L: int = 7, V: int = 11):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(B, L, V, generator=g, dtype=torch.float64)
    targets = torch.randint(0, V, (B, L), generator=g)
    logp = torch.log_softmax(logits, -1).gather(-1, targets[..., None]).squeeze(-1)
    old = logp + 0.3 * torch.randn(B, L, generator=g, dtype=torch.float64)  # ratios well outside the clip
    ref = logp + 0.2 * torch.randn(B, L, generator=g, dtype=torch.float64)
    adv = torch.randn(B, generator=g, dtype=torch.float64)
    lengths = torch.randint(1, L + 1, (B,), generator=g)
    mask = (torch.arange(L)[None, :] < lengths[:, None]).double()
    return logits, targets, logp, old, ref, adv, mask


def loop_reference(logp, old, ref, adv, mask, eps, beta):
    """The loss, the mean KL and the clip fraction, one token at a time."""
    total = kl_total = clipped = n = 0.0
    B, L = logp.shape
    for i in range(B):
        for t in range(L):
            if mask[i, t] == 0:
                continue
            r = math.exp(logp[i, t] - old[i, t])
            a = float(adv[i])
            pg1 = -a * r
            pg2 = -a * min(max(r, 1 - eps), 1 + eps)
            d = float(ref[i, t] - logp[i, t])
            kl = math.exp(d) - d - 1
            total += max(pg1, pg2) + beta * kl
            kl_total += kl
            clipped += 1.0 if pg2 > pg1 else 0.0
            n += 1
    return total / n, kl_total / n, clipped / n


def test_token_logprobs_picks_log_softmax_at_the_target():
    logits, targets, logp, *_ = random_batch(0)
    got = token_logprobs(logits, targets)
    for i in range(logits.shape[0]):
        for t in range(logits.shape[1]):
            z = logits[i, t]
            want = float(z[targets[i, t]] - torch.log(torch.exp(z).sum()))
            assert math.isclose(float(got[i, t]), want, rel_tol=1e-5, abs_tol=1e-5)


def test_grpo_loss_kl_and_clip_fraction_equal_the_loop_reference_over_seeds():
    for seed in range(5):
        _, _, logp, old, ref, adv, mask = random_batch(seed)
        loss = grpo_loss(logp, old, ref, adv, mask, clip_eps=0.2, kl_coef=0.05)
        _, _, kl, clipped = grpo_per_token_loss(logp, old, ref, adv, 0.2, 0.05)
        want_loss, want_kl, want_clip = loop_reference(logp, old, ref, adv, mask, 0.2, 0.05)
        assert torch.allclose(loss, torch.tensor(want_loss, dtype=loss.dtype), atol=1e-10)
        assert math.isclose(float((kl * mask).sum() / mask.sum()), want_kl, abs_tol=1e-10)
        assert math.isclose(float((clipped.double() * mask).sum() / mask.sum()), want_clip, abs_tol=1e-12)
        assert 0.0 < want_clip < 1.0  # the batch exercises both sides of the clip


def test_k3_kl_is_zero_where_policies_agree_and_never_negative():
    _, _, logp, _, ref, *_ = random_batch(1)
    assert torch.all(k3_kl(logp, logp) == 0)
    assert torch.all(k3_kl(logp, ref) >= 0)


def test_the_clip_removes_the_gradient_only_where_it_binds():
    logp = torch.tensor([[0.0, 0.0]], requires_grad=True)
    old = torch.tensor([[-0.5, 0.0]])  # ratio e^0.5 = 1.65 (clipped for A > 0), and 1.0
    pg, clipped = clipped_policy_loss(logp, old, torch.tensor([1.0]), 0.2)
    pg.sum().backward()
    assert clipped.tolist() == [[True, False]]
    assert logp.grad.tolist()[0][0] == 0.0 and logp.grad.tolist()[0][1] == -1.0


def test_a_micro_batch_share_uses_the_whole_batch_token_count():
    _, _, logp, old, ref, adv, mask = random_batch(2)
    whole = grpo_loss(logp, old, ref, adv, mask, 0.2, 0.001)
    n = int(mask.sum())
    parts = sum(
        grpo_loss(logp[s], old[s], ref[s], adv[s], mask[s], 0.2, 0.001, n_tokens=n)
        for s in (slice(0, 2), slice(2, 5))
    )
    assert torch.allclose(whole, parts, atol=1e-12)
