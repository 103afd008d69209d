"""The comparison recipes' losses (SFT, DPO) equal their formulas written out by hand, and the
worker's `sft_step` / `dpo_step` move the policy the way each loss says."""

import math

import pytest
import torch
from small_world import PEOPLE, PROMPTS, make_worker

from factrecall_worker.errors import BadParamsError
from factrecall_worker.losses import dpo_loss, dpo_margin, sequence_logprob, sft_loss


def test_the_dpo_loss_equals_minus_log_sigmoid_of_beta_times_the_margin_by_hand():
    # Two pairs; sequence log-probs chosen so the numbers can be followed on paper.
    pol_c = torch.tensor([-1.0, -2.0], dtype=torch.float64)
    pol_r = torch.tensor([-3.0, -1.5], dtype=torch.float64)
    ref_c = torch.tensor([-1.5, -2.0], dtype=torch.float64)
    ref_r = torch.tensor([-2.5, -1.0], dtype=torch.float64)
    beta = 0.5
    # pair 0: ((-1 + 1.5) - (-3 + 2.5)) = 1.0 -> margin 0.5; pair 1: (0 - (-0.5)) = 0.5 -> 0.25
    expected = (-math.log(1 / (1 + math.exp(-0.5))) - math.log(1 / (1 + math.exp(-0.25)))) / 2
    assert dpo_margin(pol_c, pol_r, ref_c, ref_r, beta).tolist() == pytest.approx([0.5, 0.25])
    assert float(dpo_loss(pol_c, pol_r, ref_c, ref_r, beta)) == pytest.approx(expected, abs=1e-12)
    # with the policy equal to the reference every margin is 0 and the loss is log 2
    assert float(dpo_loss(ref_c, ref_r, ref_c, ref_r, beta)) == pytest.approx(math.log(2))


def test_micro_batch_pieces_of_the_dpo_and_sft_losses_sum_to_the_whole_batch_loss():
    g = torch.Generator().manual_seed(3)
    s = [torch.randn(6, generator=g, dtype=torch.float64) for _ in range(4)]
    whole = dpo_loss(*s, beta=0.1)
    pieces = dpo_loss(*(x[:4] for x in s), beta=0.1, n_pairs=6) + dpo_loss(
        *(x[4:] for x in s), beta=0.1, n_pairs=6
    )
    assert float(pieces) == pytest.approx(float(whole), abs=1e-12)
    logp = -torch.rand(3, 5, generator=g, dtype=torch.float64)
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.float64)
    by_hand = -sum(float(logp[i, t]) for i in range(3) for t in range(5) if mask[i, t]) / 8
    assert float(sft_loss(logp, mask)) == pytest.approx(by_hand, abs=1e-12)
    assert sequence_logprob(logp, mask).tolist() == pytest.approx(
        [float((logp[i] * mask[i]).sum()) for i in range(3)]
    )


def gold_logprob(w, prompt: str, answer: str) -> float:
    return sum(w.logprobs({"prompts": [prompt], "completions": [answer], "append_eos": True})["policy"][0])


def test_sft_steps_on_gold_answers_raise_their_probability():
    w = make_worker(seed=2, lr=3e-3)
    prompts, golds = PROMPTS[:3], [city for _, city, _ in PEOPLE[:3]]
    before = [gold_logprob(w, p, a) for p, a in zip(prompts, golds, strict=True)]
    for _ in range(5):
        r = w.sft_step({"prompts": prompts, "completions": golds, "append_eos": True, "micro_batch_size": 2})
    assert r["step"] == 5 and not r["skipped"] and r["tokens"] == 6  # one word + <eos> each
    after = [gold_logprob(w, p, a) for p, a in zip(prompts, golds, strict=True)]
    assert all(a > b for a, b in zip(after, before, strict=True))


def test_dpo_steps_move_probability_from_the_rejected_to_the_chosen_answer():
    w = make_worker(seed=5, lr=3e-3)
    p, good, bad = PROMPTS[0], "Paris", "Lima"
    margin0 = gold_logprob(w, p, good) - gold_logprob(w, p, bad)
    first = w.dpo_step(
        {"prompts": [p], "chosen": [good], "rejected": [bad], "beta": 0.1, "append_eos": True}
    )
    assert first["loss"] == pytest.approx(math.log(2), abs=1e-6)  # policy == reference at start
    for _ in range(4):
        r = w.dpo_step({"prompts": [p], "chosen": [good], "rejected": [bad], "beta": 0.1, "append_eos": True})
    assert r["loss"] < math.log(2) and r["pair_accuracy"] == 1.0 and r["step"] == 5
    assert gold_logprob(w, p, good) - gold_logprob(w, p, bad) > margin0


def test_recipe_steps_refuse_mismatched_or_empty_input_with_coded_errors():
    w = make_worker()
    with pytest.raises(BadParamsError):
        w.sft_step({"prompts": PROMPTS[:2], "completions": ["Paris"]})
    with pytest.raises(BadParamsError):
        w.dpo_step({"prompts": PROMPTS[:1], "chosen": ["Paris"], "rejected": [[]], "beta": 0.1})
    with pytest.raises(BadParamsError):
        w.dpo_step({"prompts": PROMPTS[:1], "chosen": ["Paris"], "rejected": ["Lima"]})  # no beta
