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
