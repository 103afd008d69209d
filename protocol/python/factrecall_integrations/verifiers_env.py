"""FactRecall-v0 as a verifiers (0.4, ``verifiers.v1``) taskset: single-turn, one question per
task, the reward judged by a live ``factrecall serve``.

``FactRecallTaskset`` loads the rows of ``factrecall env export`` (the env's own prompts and
question ids); each task's ``correct`` reward sends the rollout's last reply to the server.
Concurrent rollouts are gathered into one env step (:class:`StepBatcher`), so a batch of
rollouts costs one reset and one step, and the server's verdict cache serves the group.
A judge failure raises :class:`JudgeUnavailable`: verifiers then leaves the reward unset
(``None``) and records the error on the trace; it is never scored 0.

``load_environment(export=..., url=...)`` builds verifiers' single-agent ``Env`` for it.
"""
from __future__ import annotations

import asyncio
import os
from typing import Any

import verifiers.v1 as vf

from .data import read_export
from .scorer import EnvScorer, Scored


class JudgeUnavailable(RuntimeError):
    """The server's judge gave no verdict for this rollout (reward null)."""


class StepBatcher:
    """Gathers concurrent ``score`` calls for ``window_s`` (or ``max_items``) into one step."""

    def __init__(self, scorer: EnvScorer, window_s: float = 0.02, max_items: int = 1024) -> None:
        self.scorer = scorer
        self.window_s = window_s
        self.max_items = max_items
        self._pending: list[tuple[str, str, str, asyncio.Future[Scored]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def score(self, question_id: str, text: str, split: str) -> Scored:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Scored] = loop.create_future()
        self._pending.append((question_id, text, split, fut))
        if len(self._pending) >= self.max_items:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.window_s, self._flush)
        return await fut

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            asyncio.ensure_future(self._run(batch))

    async def _run(self, batch) -> None:
        by_split: dict[str, list[int]] = {}
        for i, (_, _, split, _) in enumerate(batch):
            by_split.setdefault(split, []).append(i)
        for split, idx in by_split.items():
            # Same ids side by side, so each question's rollouts become one env group.
            idx.sort(key=lambda i: batch[i][0])
            try:
                scored = await asyncio.to_thread(
                    self.scorer.score, [batch[i][0] for i in idx], [batch[i][1] for i in idx], split)
            except Exception as e:  # noqa: BLE001 - handed to every waiting rollout
                for i in idx:
                    if not batch[i][3].done():
                        batch[i][3].set_exception(e)
                continue
            for i, s in zip(idx, scored):
                batch[i][3].set_result(s)


_batchers: dict[tuple[str, str | None], StepBatcher] = {}


def batcher(url: str | None = None, token: str | None = None) -> StepBatcher:
    """One batcher (one connection, one env) per server and token, per process."""
    url = url or os.environ.get("FACTRECALL_URL")
    if not url:
        raise ValueError("no server: set the task config's url or FACTRECALL_URL")
    token = token or os.environ.get("FACTRECALL_TOKEN")
    key = (url, token)
    if key not in _batchers:
        _batchers[key] = StepBatcher(EnvScorer(url, token=token))
    return _batchers[key]


class FactRecallData(vf.TaskData):
    question_id: str
    """The env's question id (what the server judges the answer against)."""
    split: str = "train"


class FactRecallTaskConfig(vf.TaskConfig):
    url: str | None = None
    """The server: ws://host:port/v1/ws or grpc://host:port (else FACTRECALL_URL)."""
    token: str | None = None
    """A trainer-role token, where the server has tokens (else FACTRECALL_TOKEN)."""


class FactRecallTask(vf.Task[FactRecallData, vf.State, FactRecallTaskConfig]):
    @vf.reward(weight=1.0)
    async def correct(self, trace: vf.Trace) -> float:
        s = await batcher(self.config.url, self.config.token).score(
            self.data.question_id, trace.last_reply, self.data.split)
        if s.reward is None:
            err = s.result["info"].get("error") or {}
            raise JudgeUnavailable(f"{err.get('code', 'FR_ERR_ENV_JUDGE_FAILED')}: {err.get('message', '')}")
        return s.reward


class FactRecallTasksetConfig(vf.TasksetConfig):
    task: FactRecallTaskConfig = FactRecallTaskConfig()
    """Passed to each task: where the server is."""
    export: str = ""
    """JSON lines from `factrecall env export --split train|val`."""


class FactRecallTaskset(vf.Taskset[FactRecallTask, FactRecallTasksetConfig]):
    def load(self) -> list[FactRecallTask]:
        if not self.config.export:
            raise ValueError("set the taskset config's export (factrecall env export --out FILE)")
        return [
            FactRecallTask(FactRecallData(idx=i, id=r["question_id"], prompt=r["prompt"],
                                          question_id=r["question_id"], split=r["split"]),
                           self.config.task)
            for i, r in enumerate(read_export(self.config.export))
        ]


def load_taskset(export: str, url: str | None = None, token: str | None = None) -> FactRecallTaskset:
    return FactRecallTaskset(FactRecallTasksetConfig(
        export=export, task=FactRecallTaskConfig(url=url, token=token)))


def load_environment(export: str, url: str | None = None, token: str | None = None,
                     **env_config: Any) -> vf.Env:
    """verifiers' Env for this taskset, through verifiers' own loader (extra keys go to
    ``vf.SingleAgentEnvConfig``: harness, model client...)."""
    config = vf.SingleAgentEnvConfig(**env_config, taskset={
        "id": "factrecall_verifiers", "export": export, "task": {"url": url, "token": token}})
    return vf.load_environment(config)


__all__ = ["FactRecallTask", "FactRecallTaskset", "JudgeUnavailable", "StepBatcher",
           "load_environment", "load_taskset"]
