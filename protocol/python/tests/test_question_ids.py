"""The Python client's reset(question_ids=...) over both bindings: episodes for the questions a
trainer names, refused to the policy role with the server's code."""
from __future__ import annotations

import pytest

from factrecall_client import ProtocolError, connect


@pytest.mark.parametrize("binding", ["ws", "grpc"])
def test_a_trainer_gets_episodes_for_the_questions_it_names(server, binding):
    with connect(server[binding], role="trainer") as fr:
        env = fr.make("FactRecall-v0")
        ids = [o["questionId"] for o in fr.reset(env, batch_size=2)["observations"]]
        r = fr.reset(env, question_ids=[ids[1], ids[0], ids[1]], group_size=2)
        assert [o["questionId"] for o in r["observations"]] == [ids[1]] * 2 + [ids[0]] * 2 + [ids[1]] * 2
        with pytest.raises(ProtocolError) as e:
            fr.reset(env, split="val", question_ids=["no-such-id"])
        assert e.value.code == "FR_ERR_ENV_UNKNOWN_QUESTION"
        assert fr.close_env(env)["counts"]["issued"] == 8
    with connect(server[binding], role="policy") as fr:
        env = fr.make("FactRecall-v0")
        with pytest.raises(ProtocolError) as e:
            fr.reset(env, question_ids=[ids[0]])
        assert e.value.code == "FR_ERR_PROTO_FORBIDDEN"
