"""FactRecall-v0 in TRL's ``GRPOTrainer``: rewards from a live ``factrecall serve``.

- :func:`train_dataset`: the exported train split as a ``datasets.Dataset`` with ``prompt``
  (the env's chat messages) and ``question_id`` (what the reward needs); gold stays out.
- :class:`FactRecallReward`: an async, batched reward function: one env reset + step per
  call, ``None`` where the judge gave no verdict (TRL masks it out of the group baseline).
- :class:`FactRecallCallback`: writes the env fingerprint and counts into the run's output
  directory (``factrecall_run.json``), so a result names the task it was measured on.
- :class:`FactRecallToolEnv`: an ``environment_factory`` class: ``reset(question_id=...)``
  issues one episode, the model answers through the ``answer`` tool, ``get_reward`` judges it.
"""
from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Sequence

from transformers import TrainerCallback

from .data import read_export
from .scorer import EnvScorer


def train_dataset(path: str | Path, *, streaming: bool = False):
    """The rows of ``factrecall env export --split train`` as a TRL prompt dataset.

    Columns: ``prompt`` (conversational), ``question_id``, ``dataset``. With ``streaming`` an
    ``IterableDataset`` (set ``max_steps`` in the GRPOConfig, as TRL requires).
    """
    import datasets

    def rows():
        for r in read_export(path):
            yield {"prompt": r["prompt"], "question_id": r["question_id"], "dataset": r["dataset"]}

    if streaming:
        return datasets.IterableDataset.from_generator(rows)
    return datasets.Dataset.from_list(list(rows()))


def _text(completion: Any) -> str:
    """TRL passes conversational completions as message lists, standard ones as strings."""
    if isinstance(completion, str):
        return completion
    return "".join(m.get("content") or "" for m in completion if m.get("role") == "assistant")


class FactRecallReward:
    """``reward_funcs=[FactRecallReward(url)]``: TRL calls it with the batch's completions and
    the dataset's ``question_id`` column; it returns ``list[float | None]``."""

    __name__ = "factrecall"

    def __init__(self, url: str, *, token: str | None = None, split: str = "train",
                 **make_options: Any) -> None:
        self.scorer = EnvScorer(url, token=token, split=split, options=make_options)

    async def __call__(self, prompts: Sequence[Any], completions: Sequence[Any],
                        question_id: Sequence[str], **kwargs: Any) -> list[float | None]:
        texts = [_text(c) for c in completions]
        return await asyncio.to_thread(self.scorer.rewards, list(question_id), texts)

    def metadata(self) -> dict[str, Any]:
        return self.scorer.metadata()


def _write_json(path: Path, value: Any) -> None:
    """Temp file + rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
    os.replace(tmp, path)


class FactRecallCallback(TrainerCallback):
    """Records where the rewards came from in ``<output_dir>/factrecall_run.json``: the env
    spec's fingerprint, judge and source at the start; the scorer's counts at each save/end."""

    def __init__(self, reward: FactRecallReward) -> None:
        self.reward = reward

    def _write(self, args: Any, state: Any, event: str) -> None:
        if not getattr(state, "is_world_process_zero", True):
            return
        s = self.reward.scorer
        _write_json(Path(args.output_dir) / "factrecall_run.json", {
            **self.reward.metadata(), "event": event, "globalStep": state.global_step,
            "completionsScored": s.scored, "judgeFailed": s.judge_failed,
        })

    def on_train_begin(self, args, state, control, **kwargs):
        self._write(args, state, "train_begin")

    def on_save(self, args, state, control, **kwargs):
        self._write(args, state, "save")

    def on_train_end(self, args, state, control, **kwargs):
        self._write(args, state, "train_end")


class FactRecallToolEnv:
    """For ``environment_factory``: one env episode per rollout, answered through a tool.

    ``environment_factory=FactRecallToolEnv.factory(url)``; the dataset needs a
    ``question_id`` column. TRL calls ``reset(**row)``; the model calls ``answer``; TRL calls
    ``get_reward()`` once the rollout ends. A rollout that never calls the tool is stepped with
    an empty answer (the env judges it not_attempted: 0).
    """

    def __init__(self, scorer: EnvScorer) -> None:
        self._scorer = scorer
        self._question_id: str | None = None
        self._answer: str | None = None

    @classmethod
    def factory(cls, url: str, *, token: str | None = None, **make_options: Any):
        scorer = EnvScorer(url, token=token, options=make_options)
        return lambda: cls(scorer)

    def reset(self, **kwargs: Any) -> None:
        self._question_id = kwargs["question_id"]
        self._answer = None
        return None

    def answer(self, text: str) -> str:
        """Submit the final answer to the question.

        Args:
            text: The answer only: a name, place, date or number.

        Returns:
            A confirmation that the answer was recorded.
        """
        self._answer = text
        return "Answer recorded."

    def get_reward(self) -> float | None:
        if self._question_id is None:
            return None
        (s,) = self._scorer.score([self._question_id], [self._answer or ""])
        return s.reward
