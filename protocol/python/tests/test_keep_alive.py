"""A client with open envs keeps its connection from the server's idle timeout, so a policy that
generates for longer than the timeout between a reset and its step keeps its episodes; with
``keep_alive=False`` the server closes the idle connection and its envs. Both bindings."""
from __future__ import annotations

import time

import pytest

from factrecall_client import ProtocolError, connect
from fr_protocol_server import running_server

IDLE_MS = 1500


@pytest.fixture(scope="module")
def idle_server():
    with running_server("--limit", f"idleTimeoutMs={IDLE_MS}") as info:
        yield info


@pytest.mark.parametrize("binding", ["ws", "grpc"])
def test_open_envs_survive_several_idle_timeouts(idle_server, binding):
    with connect(idle_server[binding], role="policy") as fr:
        env = fr.make("FactRecall-v0", seed=2)
        obs = fr.reset(env, split="train", batch_size=2, group_size=2)["observations"]
        time.sleep(2.7 * IDLE_MS / 1000)  # the slow policy
        out = fr.step(env, [{"episodeId": o["episodeId"], "answer": "x"} for o in obs])
        assert [r["status"] for r in out["results"]] == ["ok"] * 4
        fr.close_env(env)


@pytest.mark.parametrize("binding", ["ws", "grpc"])
def test_without_keep_alive_the_idle_connection_is_closed(idle_server, binding):
    with connect(idle_server[binding], role="policy", keep_alive=False) as fr:
        env = fr.make("FactRecall-v0", seed=2)
        obs = fr.reset(env, split="train", batch_size=2, group_size=2)["observations"]
        time.sleep(2.5 * IDLE_MS / 1000)
        with pytest.raises(ProtocolError) as e:
            fr.step(env, [{"episodeId": o["episodeId"], "answer": "x"} for o in obs])
        assert e.value.code in {"FR_ERR_PROTO_IDLE_TIMEOUT", "FR_ERR_PROTO_CONNECTION_LOST"}
