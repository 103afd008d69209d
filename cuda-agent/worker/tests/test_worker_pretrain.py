"""Pretraining: windows cover every token once, the loss falls, and the model then knows the corpus."""

import torch
from small_world import DOCUMENTS, PEOPLE, PROMPTS, make_worker

from factrecall_worker.pretrain import IGNORE, make_windows


def test_windows_predict_every_token_once_and_each_document_starts_a_window():
    long_doc = list(range(10, 33))  # 23 tokens -> 22 targets -> 5 windows of 5, the last half full
    short_doc = [1, 7, 2]
    inputs, targets = make_windows([long_doc, short_doc], 5, 0)
    assert inputs.shape == (6, 5)
    assert targets[:5][targets[:5] != IGNORE].tolist() == long_doc[1:]
    assert inputs[0].tolist() == long_doc[:5] and targets[0].tolist() == long_doc[1:6]
    assert inputs[5].tolist() == [1, 7, 0, 0, 0] and targets[5].tolist() == [7, 2, IGNORE, IGNORE, IGNORE]


def test_pretraining_lowers_the_loss_and_teaches_the_facts():
    w = make_worker(seed=0)
    events = []
    out = w.pretrain(
        {"documents": DOCUMENTS, "epochs": 60, "batch_size": 4, "lr": 1e-2, "progress_every": 10},
        events.append,
    )
    assert out["epoch_losses"][-1] < 0.5 * out["epoch_losses"][0]
    assert len(out["losses"]) == out["steps"] and events[-1]["phase"] == "pretrain_epoch"
    greedy = w.generate({"prompts": PROMPTS, "greedy": True, "max_new_tokens": 3})["results"]
    right = sum(
        r["samples"][0]["text"].strip() == city for r, (_, city, _) in zip(greedy, PEOPLE, strict=True)
    )
    assert right >= 5, [r["samples"][0]["text"] for r in greedy]
    # the reference is now the pretrained model, and the optimizer starts fresh
    assert all(
        torch.equal(a, b)
        for a, b in zip(w.learner.policy.module.parameters(), w.learner.reference.module.parameters(), strict=True)
    )
    assert w.learner.step == 0 and not w.learner.optimizer.state
