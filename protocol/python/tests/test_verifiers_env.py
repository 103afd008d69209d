"""The verifiers (0.4, v1) taskset scores a batch of rollouts through a live server: one env
step for the batch, the server's verdicts as rewards, a judge failure left unscored."""
from __future__ import annotations

import asyncio
import re
import urllib.request

import pytest

vf = pytest.importorskip("verifiers.v1", reason="verifiers is installed by scripts/setup.mjs")

from factrecall_integrations.verifiers_env import load_environment  # noqa: E402


def steps_served(http: str) -> int:
    text = urllib.request.urlopen(f"{http}/metrics").read().decode()
    m = re.search(r'factrecall_requests_total\{verb="step"\} (\d+)', text)
    return int(m.group(1)) if m else 0


def test_a_batch_of_rollouts_is_one_env_step_and_a_judge_failure_is_no_reward(judged_server, train_export):
    env = load_environment(str(train_export), url=judged_server["ws"])
    tasks = list(env.taskset)[:4]
    assert tasks[0].data.prompt[-1].role == "user"
    # Three rollouts per task, with answers that are wrong (so the fake LLM judge is asked).
    rollouts = [(t, vf.Trace.model_construct(rewards={}, metrics={}, root_reply=f"guess {k}"))
                for t in tasks for k in range(3)]

    async def score_all():
        return await asyncio.gather(*(t.score(tr) for t, tr in rollouts), return_exceptions=True)

    before = steps_served(judged_server["http"])
    failed_before = judged_server["judge"].failed
    outcomes = asyncio.run(score_all())
    assert steps_served(judged_server["http"]) == before + 1
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failed) == judged_server["judge"].failed - failed_before == 1
    assert "FR_ERR_" in str(failed[0]) or "JudgeUnavailable" in repr(failed[0].__cause__ or failed[0])
    scored = [tr.rewards["correct"] for (_, tr), o in zip(rollouts, outcomes) if not isinstance(o, Exception)]
    assert len(scored) == 11 and all(r.score == 0.0 for r in scored)
    unscored = [tr.rewards.get("correct") for (_, tr), o in zip(rollouts, outcomes) if isinstance(o, Exception)]
    assert unscored == [None]  # verifiers' seed: no reward, not 0
