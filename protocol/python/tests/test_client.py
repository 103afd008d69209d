"""The Python client against a real server: the golden session over both bindings, errors, the example loop."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest

from factrecall_client import ProtocolError, connect

REPO = Path(__file__).resolve().parents[3]
GOLDEN = REPO / "test" / "golden" / "session-trainer.json"


def normalise(value, volatile: dict[str, str]):
    """Same rules as test/conformance/script.ts: volatile substrings replaced, latencies zeroed."""
    keys = sorted(volatile, key=len, reverse=True)

    def walk(v, key=None):
        if key == "latencyMs" and isinstance(v, (int, float)):
            return 0
        if isinstance(v, str):
            for k in keys:
                v = v.replace(k, volatile[k])
            return v
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items()}
        return v

    return walk(value)


def fill(value, vars_: dict):
    if isinstance(value, str) and value.startswith("$"):
        return vars_[value]
    if isinstance(value, list):
        return [fill(v, vars_) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, vars_) for k, v in value.items()}
    return value


def run_script(url: str, vector: dict) -> list[dict]:
    vars_: dict = {}
    volatile: dict[str, str] = {}
    out = []
    with connect(url, role=vector["role"], max_retries=0) as fr:
        for step in vector["requests"]:
            if step["type"] == "hello":
                res = {"type": "hello", "body": fr.hello}
            else:
                try:
                    res = {"type": step["type"], "body": fr.request(step["type"], fill(step["body"], vars_))}
                except ProtocolError as e:
                    res = {"type": "error", "body": e.to_body()}
            b = res["body"]
            if res["type"] == "hello":
                volatile[b["sessionId"]] = "<session>"
            elif res["type"] == "make":
                vars_["$handle"] = b["handle"]
                volatile[b["handle"]] = f"<handle:{sum(v.startswith('<handle:') for v in volatile.values())}>"
            elif res["type"] == "reset":
                for i, o in enumerate(b["observations"]):
                    vars_[f"$ep{i}"] = o["episodeId"]
                    if o.get("gold"):
                        vars_[f"$gold{i}"] = o["gold"][0]
                    if o["groupId"] not in volatile:
                        volatile[o["groupId"]] = f"<group:{sum(v.startswith('<group:') for v in volatile.values())}>"
                    volatile[o["episodeId"]] = f"<episode:{sum(v.startswith('<episode:') for v in volatile.values())}>"
            out.append(res)
    return [normalise(r, volatile) for r in out]


@pytest.mark.parametrize("binding", ["ws", "grpc"])
def test_the_golden_session_gives_the_expected_responses(binding):
    from fr_protocol_server import running_server

    vector = json.loads(GOLDEN.read_text())
    assert vector["expected"], "golden vector is empty"
    # A server of its own: the golden stats count from the server's start.
    with running_server() as info:
        got = run_script(info[binding], vector)
    for i, (g, e) in enumerate(zip(got, vector["expected"])):
        assert g == e, f"request {i} ({vector['requests'][i]['type']}) differs"
    assert len(got) == len(vector["expected"])


def test_the_test_split_is_refused_to_the_policy_role_with_a_coded_error(server):
    with connect(server["ws"], role="policy") as fr:
        env = fr.make()
        with pytest.raises(ProtocolError) as e:
            fr.reset(env, split="test", batch_size=1)
        assert e.value.code == "FR_ERR_PROTO_FORBIDDEN" and e.value.grpc_status == 7


def test_pipelined_requests_come_back_matched_by_id(server):
    with connect(server["grpc"], role="trainer") as fr:
        env = fr.make(seed=3)
        answers = fr.request_many([("stats", {}), ("reset", {"handle": env, "split": "train", "batchSize": 2, "groupSize": 1}), ("close", {"handle": "nope"})])
        assert "totals" in answers[0]
        assert len(answers[1]["observations"]) == 2
        assert isinstance(answers[2], ProtocolError) and answers[2].code == "FR_ERR_PROTO_UNKNOWN_HANDLE"


def test_the_example_loop_runs_and_reports_mean_rewards(server):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    import grpo_loop

    rewards = grpo_loop.train(server["ws"], steps=2, batch_size=16, group_size=3)
    assert len(rewards) == 2 and all(0.0 <= r <= 1.0 for r in rewards)


def test_the_committed_grpc_stubs_match_the_proto():
    from factrecall_client import regen

    pkg = Path(__file__).resolve().parents[1] / "factrecall_client" / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        for new in regen.generate(Path(tmp)):
            assert new.read_text() == (pkg / new.name).read_text(), (
                f"{new.name} is stale: run `python -m factrecall_client.regen` in protocol/python"
            )
