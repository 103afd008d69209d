"""Episodes per second through the TRL reward function (FactRecallReward: reset.questionIds +
one step per call) beside the plain Python client's seeded reset + step, on one local
`factrecall serve` (FactWorld default, exact judge), 128 questions x 5 completions a call.

Run: .venv/bin/python benchmarks/trl_reward.py [rounds]   (from the repository root)
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "protocol/python"), str(ROOT / "protocol/python/tests")]

from factrecall_client import connect  # noqa: E402
from factrecall_integrations.data import read_export  # noqa: E402
from factrecall_integrations.trl import FactRecallReward  # noqa: E402
from fr_protocol_server import export_split, running_server  # noqa: E402

B, N = 128, 5
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def timed(fn) -> float:
    for _ in range(2):
        fn()  # warm-up
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        fn()
    return ROUNDS * B * N / (time.perf_counter() - t0)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_server() as info:
        ids = [r["question_id"] for r in read_export(export_split("train", Path(tmp) / "t.jsonl"))]
        rows = []
        for name, url in (("WebSocket + msgpack", info["ws"]), ("gRPC Session stream", info["grpc"])):
            with connect(url, role="trainer") as fr:
                h = fr.make("FactRecall-v0")

                def plain():
                    obs = fr.reset(h, split="train", batch_size=B, group_size=N)["observations"]
                    fr.step(h, [{"episodeId": o["episodeId"], "answer": "Paris"} for o in obs])

                base = timed(plain)
            reward = FactRecallReward(url)
            cursor = [0]

            def through_trl():
                start = cursor[0] % (len(ids) - B)
                cursor[0] += B
                qids = [q for q in ids[start:start + B] for _ in range(N)]
                out = asyncio.run(reward(None, [[{"role": "assistant", "content": "Paris"}]] * len(qids), qids))
                assert len(out) == len(qids)

            trl = timed(through_trl)
            reward.scorer.close()
            rows.append((name, base, trl))
        print(f"{'binding':<22} {'client reset+step':>18} {'TRL reward fn':>14} {'ratio':>6}   (episodes/s, {B}x{N} per call, {ROUNDS} rounds)")
        for name, base, trl in rows:
            print(f"{name:<22} {base:>18.0f} {trl:>14.0f} {trl / base:>6.2f}")


if __name__ == "__main__":
    main()
