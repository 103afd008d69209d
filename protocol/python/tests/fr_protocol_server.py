"""Start a real ``factrecall serve`` on 127.0.0.1 with free ports (WebSocket and gRPC)."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[3]


@contextlib.contextmanager
def running_server() -> Iterator[dict[str, str]]:
    proc = subprocess.Popen(
        ["node", str(REPO / "bin" / "factrecall.js"), "serve", "--port", "0", "--grpc-port", "0",
         "--eval-runs", os.devnull],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("factrecall serve did not start: " + proc.stderr.read())
        info = json.loads(line)
        yield {"ws": info["ws"], "grpc": "grpc://" + info["grpcAddress"]}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
