"""TRL's GRPOTrainer trains on FactRecall-v0: two steps on CPU with a tiny random-weight model,
every reward from a live `factrecall serve`, and a judge failure arriving as None."""
from __future__ import annotations

import json
import os

import pytest

pytest.importorskip("trl", reason="TRL is installed by scripts/setup.mjs (protocol/python/requirements-integrations.txt)")

from factrecall_client import connect  # noqa: E402
from factrecall_integrations.trl import FactRecallCallback, FactRecallReward, train_dataset  # noqa: E402
from tiny_lm import tiny_lm  # noqa: E402


def test_two_grpo_steps_get_env_rewards_and_a_judge_failure_as_none(judged_server, train_export, tmp_path):
    import torch
    from trl import GRPOConfig, GRPOTrainer

    torch.set_num_threads(2)
    data = train_dataset(train_export).select(range(8))
    model = tiny_lm((m["content"] for row in data for m in row["prompt"]), tmp_path / "tiny")
    reward = FactRecallReward(judged_server["ws"])
    with connect(judged_server["ws"]) as fr:
        before = fr.stats()["bySplit"].get("train", {"answered": 0, "judgeFailed": 0})
    seen: list[list[float | None]] = []

    async def recorded(prompts, completions, question_id, **kw):
        out = await reward(prompts, completions, question_id, **kw)
        seen.append(out)
        return out

    recorded.__name__ = "factrecall"
    args = GRPOConfig(
        output_dir=str(tmp_path / "run"), max_steps=2, per_device_train_batch_size=10,
        num_generations=5, max_completion_length=8, learning_rate=1e-6, beta=0.001,
        epsilon=0.2, loss_type="dapo", logging_steps=1, save_strategy="no", report_to=[],
        use_cpu=True, seed=0, dataloader_num_workers=0,
    )
    trainer = GRPOTrainer(model=model, reward_funcs=[recorded], args=args, train_dataset=data, callbacks=[FactRecallCallback(reward)])
    trainer.train()

    assert trainer.state.global_step == 2
    rewards = [r for batch in seen for r in batch]
    assert len(rewards) == 20  # 2 steps x 2 prompts x 5 generations
    nones = sum(r is None for r in rewards)
    assert nones >= 1, "the injected judge failure must arrive as None, not 0"
    assert all(r in (0.0, 1.0) for r in rewards if r is not None)
    # The server saw exactly these episodes: answered, and the failure counted as judgeFailed.
    with connect(judged_server["ws"]) as fr:
        train = fr.stats()["bySplit"]["train"]
    assert train["answered"] - before["answered"] == 20
    assert train["judgeFailed"] - before["judgeFailed"] == nones
    assert reward.scorer.judge_failed == nones
    meta = json.loads((tmp_path / "run" / "factrecall_run.json").read_text())
    assert meta["fingerprint"] == reward.scorer.spec["fingerprint"]
    assert meta["judgeId"] == "llm" and meta["completionsScored"] == 20
    assert not any(n.endswith(".tmp") for n in os.listdir(tmp_path / "run"))
    reward.scorer.close()


def test_the_environment_factory_class_issues_an_episode_per_reset_and_rewards_through_the_server(judged_server, train_export):
    from factrecall_integrations.data import read_export
    from factrecall_integrations.trl import FactRecallToolEnv

    make = FactRecallToolEnv.factory(judged_server["ws"])
    qids = [r["question_id"] for r, _ in zip(read_export(train_export), range(2))]
    with connect(judged_server["ws"]) as fr:
        before = fr.stats()["bySplit"].get("train", {"answered": 0})["answered"]
    envs = [make(), make()]
    for env, q in zip(envs, qids):
        assert env.reset(question_id=q, prompt=[]) is None
    envs[0].answer("a wrong guess")
    envs[1].answer("another wrong guess")
    rewards = [env.get_reward() for env in envs]
    assert rewards.count(None) == 1 and rewards.count(0.0) == 1  # the fake judge fails once
    with connect(judged_server["ws"]) as fr:
        assert fr.stats()["bySplit"]["train"]["answered"] - before == 2
