"""A real peer: OpenEnv's own server (openenv-core, FastAPI + uvicorn) hosting a trivial
single-turn QA env (reset gives a question, step takes an answer and ends the episode with
reward 1 for "Paris"), driven by OpenEnv's own WebSocket client, one episode after another;
beside it the same OpenEnv client against FactRecall's OpenEnv binding (`factrecall serve`,
/ws, FactRecall-v0 with the exact judge: real questions, a real judge). Episodes/s and
p50/p99 of the reset + step round trip (percentiles from the sorted samples).

Needs openenv-core (benchmarks/requirements-openenv.txt) in its own venv, never the shared
one (it would downgrade pillow and upgrade mcp there):
    python3 -m venv .venv-openenv && .venv-openenv/bin/pip install -r benchmarks/requirements-openenv.txt
    .venv-openenv/bin/python benchmarks/openenv_peer.py [--episodes 2000] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parents[1]

from openenv.core import EnvClient  # noqa: E402
from openenv.core.client_types import StepResult  # noqa: E402
from openenv.core.env_server.interfaces import Environment  # noqa: E402
from openenv.core.env_server.types import Action, Observation, State  # noqa: E402


class QaAction(Action):
    answer: str


class QaObservation(Observation):
    question: str = ""


class TrivialQaEnv(Environment):
    """As trivial as FactRecall's single-turn episode: one question, one answer, one reward."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self) -> None:
        super().__init__()
        self._state = State(episode_id="0", step_count=0)
        self._n = 0

    def reset(self, seed=None, episode_id=None, **kwargs) -> QaObservation:
        self._n += 1
        self._state = State(episode_id=str(self._n), step_count=0)
        return QaObservation(question="What is the capital of France?", done=False, reward=None)

    def step(self, action: QaAction, timeout_s=None, **kwargs) -> QaObservation:  # type: ignore[override]
        self._state.step_count += 1
        reward = 1.0 if action.answer.strip().lower() == "paris" else 0.0
        return QaObservation(question="", done=True, reward=reward)

    @property
    def state(self) -> State:
        return self._state


class QaClient(EnvClient[QaAction, QaObservation, State]):
    def _step_payload(self, action: QaAction) -> Dict[str, Any]:
        return {"answer": action.answer}

    def _parse_result(self, payload: Dict[str, Any]) -> StepResult[QaObservation]:
        obs = payload.get("observation", {}) or {}
        return StepResult(
            observation=QaObservation(question=str(obs.get("question", "")), done=bool(payload.get("done")),
                                      reward=payload.get("reward")),
            reward=payload.get("reward"),
            done=bool(payload.get("done")),
        )

    def _parse_state(self, payload: Dict[str, Any]) -> State:
        return State(**payload)


class FactRecallOverOpenEnv(QaClient):
    """The same client; FactRecall's binding takes the answer under `action.answer` too."""


def serve_peer(port: int) -> None:
    import uvicorn
    from openenv.core.env_server.http_server import create_fastapi_app

    app = create_fastapi_app(TrivialQaEnv, QaAction, QaObservation)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {proc.stderr.read() if proc.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def drive(client_cls, base_url: str, episodes: int, warmup: int = 50) -> Dict[str, float]:
    lat = []
    rewards = 0.0
    with client_cls(base_url=base_url).sync() as env:
        for _ in range(warmup):
            env.reset()
            env.step(QaAction(answer="Paris"))
        t0 = time.perf_counter()
        for _ in range(episodes):
            s = time.perf_counter()
            env.reset()
            r = env.step(QaAction(answer="Paris"))
            lat.append((time.perf_counter() - s) * 1000)
            rewards += float(r.reward or 0)
        seconds = time.perf_counter() - t0
    lat.sort()
    at = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))]  # noqa: E731
    return {"episodes": episodes, "seconds": seconds, "episodesPerSecond": episodes / seconds,
            "p50Ms": at(50), "p99Ms": at(99), "rewardSum": rewards}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--episodes", type=int, default=2000)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--serve-peer", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_peer is not None:
        serve_peer(args.serve_peer)
        return
    rows = []
    port = free_port()
    peer = subprocess.Popen([sys.executable, __file__, "--serve-peer", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", peer)
        rows.append(("OpenEnv server (openenv-core, FastAPI), trivial QA env", drive(QaClient, f"http://127.0.0.1:{port}", args.episodes)))
    finally:
        peer.terminate()
        peer.wait(timeout=30)
    ours = subprocess.Popen(["node", str(ROOT / "bin" / "factrecall.js"), "serve", "--port", "0", "--grpc-port", "0",
                             "--eval-runs", os.devnull], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ours.stdout.readline()
        if not line:
            raise RuntimeError("factrecall serve did not start: " + ours.stderr.read())
        info = json.loads(line)
        url = f"http://127.0.0.1:{info['http']}"
        rows.append(("FactRecall serve, OpenEnv binding (/ws), FactRecall-v0 + exact judge", drive(FactRecallOverOpenEnv, url, args.episodes)))
    finally:
        ours.terminate()
        ours.wait(timeout=30)
    if args.json:
        print(json.dumps({"rows": [{"name": n, **r} for n, r in rows]}))
        return
    print(f"{'server':<72} {'episodes/s':>10} {'p50 ms':>8} {'p99 ms':>8}   (OpenEnv client, {args.episodes} episodes one at a time)")
    for n, r in rows:
        print(f"{n:<72} {r['episodesPerSecond']:>10.0f} {r['p50Ms']:>8.2f} {r['p99Ms']:>8.2f}")


if __name__ == "__main__":
    main()
