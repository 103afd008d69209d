"""Starts a real ``factrecall serve`` on 127.0.0.1 with free ports for the tests."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "protocol" / "python"))


@pytest.fixture(scope="session")
def server():
    proc = subprocess.Popen(
        ["node", str(REPO / "bin" / "factrecall.js"), "serve", "--port", "0", "--grpc-port", "0",
         "--eval-runs", os.devnull],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError("factrecall serve did not start: " + proc.stderr.read())
    info = json.loads(line)
    yield {"ws": info["ws"], "grpc": "grpc://" + info["grpcAddress"]}
    proc.terminate()
    proc.wait(timeout=30)
