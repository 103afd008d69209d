"""FactRecall-v0 in verl: parquet training data and a reward function scored by the server.

- :func:`export_parquet`: rows of ``factrecall env export`` as verl's RL dataset format
  (``data_source``, ``prompt`` chat messages, ``ability``, ``reward_model.ground_truth``,
  ``extra_info`` with the ``question_id`` the reward needs). Gold goes into train rows only;
  val rows carry an empty ground truth (val gold never leaves the server).
- :func:`compute_score` (``reward_model.reward_manager=naive``) and
  :func:`compute_score_batch` (``reward_model.reward_manager=batch``, one env step per batch),
  loaded with ``custom_reward_function.path`` / ``.name``; the server address comes from
  ``custom_reward_function.reward_kwargs.url`` or ``FACTRECALL_URL``.

verl has no way to mask a sample without a reward (its reward tensor takes a number), so a
judge failure is re-judged as fresh episodes of the same question (counted by the server) up
to ``retries`` times, then raises :class:`JudgeUnavailable`; it is never scored 0.
"""
from __future__ import annotations

import os
import tempfile
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

from .data import read_export
from .scorer import EnvScorer

ABILITY = "factual_recall"


class JudgeUnavailable(RuntimeError):
    """The server's judge gave no verdict for a sample, even after the retries."""


def export_parquet(export_jsonl: str | Path, out: str | Path, *,
                   data_source: str = "factrecall") -> int:
    """Write verl's parquet (temp file + rename) from an export file; returns the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for i, r in enumerate(read_export(export_jsonl)):
        rows.append({
            "data_source": data_source,
            "prompt": [{"role": m["role"], "content": m["content"]} for m in r["prompt"]],
            "ability": ABILITY,
            "reward_model": {"style": "factrecall_server",
                             "ground_truth": list(r.get("answers", [])) if r["split"] == "train" else []},
            "extra_info": {"split": r["split"], "index": i, "question_id": r["question_id"],
                           "dataset": r["dataset"], "question": r["question"],
                           "fingerprint": r["fingerprint"]},
        })
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name, suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(pa.Table.from_pylist(rows), tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(rows)


_scorers: dict[tuple[str, str | None], EnvScorer] = {}
_scorers_lock = threading.Lock()


def _scorer(url: str | None, token: str | None) -> EnvScorer:
    url = url or os.environ.get("FACTRECALL_URL")
    if not url:
        raise ValueError("no server: pass reward_kwargs.url or set FACTRECALL_URL")
    token = token or os.environ.get("FACTRECALL_TOKEN")
    with _scorers_lock:
        key = (url, token)
        if key not in _scorers:
            _scorers[key] = EnvScorer(url, token=token)
        return _scorers[key]


def _score_split(scorer: EnvScorer, qids: list[str], texts: list[str], split: str,
                 retries: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any] | None] = [None] * len(qids)
    todo = list(range(len(qids)))
    for attempt in range(retries + 1):
        scored = scorer.score([qids[i] for i in todo], [texts[i] for i in todo], split)
        failed = []
        for i, s in zip(todo, scored):
            if s.reward is None:
                failed.append(i)
            else:
                out[i] = {"score": s.reward, "judge_retries": attempt,
                          "cached": bool(s.result["info"]["cached"])}
        todo = failed
        if not todo:
            return out  # type: ignore[return-value]
    first = todo[0]
    raise JudgeUnavailable(f"no verdict for question {qids[first]} after {retries} retries "
                           f"({len(todo)} samples); the server's judge is failing")


def compute_score_batch(data_sources: Sequence[str], solution_strs: Sequence[str],
                        ground_truths: Sequence[Any], extra_infos: Sequence[dict[str, Any]], *,
                        url: str | None = None, token: str | None = None,
                        retries: int = 2, **_: Any) -> list[dict[str, Any]]:
    """verl's batch reward manager calls this once per batch; one env step per split in it."""
    scorer = _scorer(url, token)
    by_split: dict[str, list[int]] = defaultdict(list)
    for i, info in enumerate(extra_infos):
        by_split[info.get("split", "train")].append(i)
    out: list[dict[str, Any] | None] = [None] * len(solution_strs)
    for split, idx in by_split.items():
        scores = _score_split(scorer, [extra_infos[i]["question_id"] for i in idx],
                              [solution_strs[i] for i in idx], split, retries)
        for i, s in zip(idx, scores):
            out[i] = s
    return out  # type: ignore[return-value]


def compute_score(data_source: str, solution_str: str, ground_truth: Any,
                  extra_info: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """verl's per-sample reward (naive manager): one env episode per call."""
    if not extra_info or "question_id" not in extra_info:
        raise ValueError("extra_info.question_id is missing: make the parquet with export_parquet")
    (s,) = compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], **kwargs)
    return s
