"""Fixtures: a real ``factrecall serve`` shared by the tests of a session."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fr_protocol_server import running_server  # noqa: E402


@pytest.fixture(scope="session")
def server():
    with running_server() as info:
        yield info


@pytest.fixture(scope="session")
def _judged_server_session():
    from fake_judge import llm_judge_spec, running_fake_judge

    with running_fake_judge() as (judge, base_url):
        with running_server("--judge", llm_judge_spec(base_url)) as info:
            yield {**info, "judge": judge}


@pytest.fixture
def judged_server(_judged_server_session):
    """A `factrecall serve` (shared by the session) whose LLM judge is a local fake; the next
    grading request of each test fails. Tests read the server's counts as differences."""
    _judged_server_session["judge"].arm(1)
    return _judged_server_session


@pytest.fixture(scope="session")
def train_export(tmp_path_factory):
    """The default env's train split, exported as `factrecall env export` writes it."""
    from fr_protocol_server import export_split

    return export_split("train", tmp_path_factory.mktemp("export") / "train.jsonl")


@pytest.fixture(scope="session")
def val_export(tmp_path_factory):
    from fr_protocol_server import export_split

    return export_split("val", tmp_path_factory.mktemp("export") / "val.jsonl")
