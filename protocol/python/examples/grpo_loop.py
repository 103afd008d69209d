"""The loop to paste into a trainer: batched reset, one generation per episode, batched step,
group-relative advantages. Replace ``generate`` with your model (vLLM, transformers...).

    python examples/grpo_loop.py ws://127.0.0.1:8700/v1/ws
"""
from __future__ import annotations

import sys
from collections import defaultdict

from factrecall_client import connect


def generate(messages: list[dict[str, str]]) -> str:
    """Your policy: chat messages in, raw answer text out (here: a fixed guess)."""
    return "Paris"


def train(url: str, steps: int = 3, batch_size: int = 128, group_size: int = 5) -> list[float]:
    mean_rewards = []
    with connect(url, role="policy") as fr:
        env = fr.make("FactRecall-v0", seed=0)
        for _ in range(steps):
            obs = fr.reset(env, split="train", batch_size=batch_size, group_size=group_size)["observations"]
            actions = [{"episodeId": o["episodeId"], "answer": generate(o["messages"])} for o in obs]
            out = fr.step(env, actions)
            # Group-relative advantage: reward minus the group's mean. A None reward means the
            # judge gave no verdict: mask that sample, never count it as 0.
            by_group = defaultdict(list)
            for r in out["results"]:
                if r["reward"] is not None:
                    by_group[r["groupId"]].append(r["reward"])
            advantages = {
                r["episodeId"]: r["reward"] - sum(by_group[r["groupId"]]) / len(by_group[r["groupId"]])
                for r in out["results"] if r["reward"] is not None
            }
            # ... your policy-gradient update with `advantages` goes here ...
            scored = [r["reward"] for r in out["results"] if r["reward"] is not None]
            mean_rewards.append(sum(scored) / max(1, len(scored)))
            assert len(advantages) == len(scored)
        fr.close_env(env)
    return mean_rewards


if __name__ == "__main__":
    print(train(sys.argv[1] if len(sys.argv) > 1 else "ws://127.0.0.1:8700/v1/ws"))
