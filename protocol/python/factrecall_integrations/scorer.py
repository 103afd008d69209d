"""Score a trainer's completions as FactRecall episodes, on a live ``factrecall serve``.

Trainers that own their prompts (TRL samples its dataset, verl reads parquet) hand a reward
function completions for questions they picked. ``EnvScorer`` maps them back to env episodes:
a trainer-role ``reset`` with ``questionIds`` (docs/protocol.md) issues one group per run of
equal question ids, then one ``step`` answers them all. Every verdict comes from the server
(its judge, its cache, its counts); nothing of the judge runs here. A judge failure is
``None``, never 0.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

from factrecall_client import Client, ProtocolError, connect

#: Codes after which the connection is gone and a fresh one (and a fresh env) is needed.
_LOST = ("FR_ERR_PROTO_CONNECTION_LOST", "FR_ERR_PROTO_DEADLINE", "FR_ERR_PROTO_IDLE_TIMEOUT")


@dataclass(frozen=True)
class Scored:
    """One completion's outcome: the server's step result for its episode."""

    question_id: str
    reward: float | None
    result: dict[str, Any]


def runs(question_ids: Sequence[str]) -> list[tuple[str, int]]:
    """Consecutive equal ids as (id, length): TRL and verl lay out a group's n samples together."""
    out: list[tuple[str, int]] = []
    for q in question_ids:
        if out and out[-1][0] == q:
            out[-1] = (q, out[-1][1] + 1)
        else:
            out.append((q, 1))
    return out


class EnvScorer:
    """One trainer-role connection and env; thread-safe (calls are serialised).

    ``url``: ``ws://host:port/v1/ws`` or ``grpc://host:port``. ``options``: make options
    (``prompt``, ``seed``, ``judge``...), checked by the server. The env is made on first use
    and again after a lost connection (the server closed the old one and counted its episodes).
    """

    def __init__(self, url: str, *, token: str | None = None, env_id: str = "FactRecall-v0",
                 options: dict[str, Any] | None = None, split: str = "train",
                 timeout: float = 120.0, reconnects: int = 2) -> None:
        self.url = url
        self.token = token
        self.env_id = env_id
        self.options = dict(options or {})
        self.split = split
        self.timeout = timeout
        self.reconnects = reconnects
        self._client: Client | None = None
        self._handle: str | None = None
        self._spec: dict[str, Any] | None = None
        self._lock = threading.Lock()
        #: Completions scored, and those the judge gave no verdict for, since this scorer began.
        self.scored = 0
        self.judge_failed = 0

    # -- connection -----------------------------------------------------------------------

    def _env(self) -> tuple[Client, str]:
        if self._client is None or self._handle is None:
            self._client = connect(self.url, token=self.token, role="trainer", timeout=self.timeout)
            r = self._client.request("make", {"envId": self.env_id, "options": self.options}
                                     if self.options else {"envId": self.env_id})
            self._handle, self._spec = r["handle"], r["spec"]
        return self._client, self._handle

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # noqa: BLE001 - the connection is already gone
                pass
        self._client = self._handle = None

    @property
    def spec(self) -> dict[str, Any]:
        """The env's spec (fingerprint, judge id and fingerprint, dataset, prompt...)."""
        with self._lock:
            self._env()
            assert self._spec is not None
            return self._spec

    def metadata(self) -> dict[str, Any]:
        """What a trainer should record with its run: where rewards came from, exactly."""
        spec = self.spec
        keys = ("id", "version", "fingerprint", "dataset", "source", "sourceHash", "judgeId",
                "judgeFingerprint", "prompt", "promptVersion")
        return {"server": self.url, "split": self.split, **{k: spec[k] for k in keys}}

    # -- scoring --------------------------------------------------------------------------

    def score(self, question_ids: Sequence[str], completions: Sequence[str],
              split: str | None = None) -> list[Scored]:
        """Judge ``completions[i]`` as an answer to ``question_ids[i]``, all in one env step."""
        if len(question_ids) != len(completions):
            raise ValueError(f"{len(question_ids)} question ids for {len(completions)} completions")
        if not completions:
            return []
        with self._lock:
            for attempt in range(self.reconnects + 1):
                try:
                    return self._score(list(question_ids), list(completions), split or self.split)
                except ProtocolError as e:
                    if e.code not in _LOST or attempt == self.reconnects:
                        raise
                    self._drop()
        raise AssertionError("unreachable")

    def rewards(self, question_ids: Sequence[str], completions: Sequence[str],
                split: str | None = None) -> list[float | None]:
        """Rewards in order: 1.0 / 0.0, or None where the judge gave no verdict (mask it)."""
        return [s.reward for s in self.score(question_ids, completions, split)]

    def _score(self, qids: list[str], texts: list[str], split: str) -> list[Scored]:
        client, handle = self._env()
        max_batch = int(client.hello["limits"]["maxBatchEpisodes"])
        # Runs of equal ids become groups; one reset per group size (pipelined), so a batch
        # whose groups differ in size (a trainer's last, partial batch) still maps exactly.
        by_size: dict[int, list[int]] = defaultdict(list)
        spans = []
        start = 0
        for q, n in runs(qids):
            by_size[n].append(len(spans))
            spans.append((q, start, n))
            start += n
        requests, owners = [], []
        for n, run_idx in by_size.items():
            per = max(1, max_batch // n)
            for i in range(0, len(run_idx), per):
                chunk = run_idx[i : i + per]
                requests.append(("reset", {"handle": handle, "split": split, "batchSize": len(chunk),
                                           "groupSize": n, "questionIds": [spans[k][0] for k in chunk]}))
                owners.append(chunk)
        episode_of: list[str] = [""] * len(qids)
        for answer, chunk in zip(client.request_many(requests), owners):
            if isinstance(answer, ProtocolError):
                raise answer
            obs = answer["observations"]
            for j, k in enumerate(chunk):
                _, begin, n = spans[k]
                for m in range(n):
                    episode_of[begin + m] = obs[j * n + m]["episodeId"]
        actions = [{"episodeId": e, "answer": t} for e, t in zip(episode_of, texts)]
        results: list[dict[str, Any]] = []
        for i in range(0, len(actions), max_batch):
            results.extend(client.request("step", {"handle": handle,
                                                   "actions": actions[i : i + max_batch]})["results"])
        out = [Scored(q, None if r["reward"] is None else float(r["reward"]), r)
               for q, r in zip(qids, results)]
        self.scored += len(out)
        self.judge_failed += sum(1 for s in out if s.result["status"] == "judge_failed")
        return out

    def close(self) -> dict[str, Any] | None:
        """Close the env (its open episodes end closed) and the connection; the env's counts."""
        with self._lock:
            if self._client is None or self._handle is None:
                return None
            try:
                return self._client.request("close", {"handle": self._handle})
            finally:
                self._drop()
