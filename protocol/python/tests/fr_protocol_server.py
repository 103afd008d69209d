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
def running_server(*extra_args: str) -> Iterator[dict[str, str]]:
    proc = subprocess.Popen(
        ["node", str(REPO / "bin" / "factrecall.js"), "serve", "--port", "0", "--grpc-port", "0",
         "--eval-runs", os.devnull, *extra_args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("factrecall serve did not start: " + proc.stderr.read())
        info = json.loads(line)
        yield {"ws": info["ws"], "grpc": "grpc://" + info["grpcAddress"],
               "http": f"http://127.0.0.1:{info['http']}"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def export_split(split: str, out: Path, *extra_args: str) -> Path:
    """`factrecall env export` of a split into `out` (JSON lines)."""
    subprocess.run(["node", str(REPO / "bin" / "factrecall.js"), "env", "export", "--split", split,
                    "--out", str(out), *extra_args], cwd=REPO, check=True, capture_output=True)
    return out
