"""A real worker subprocess for tests: ``call(method, params)`` over the frame protocol."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

from factrecall_worker.framing import read_frame, write_frame

WORKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class RemoteError(Exception):
    def __init__(self, error: dict):
        super().__init__(f"{error['code']}: {error['message']}")
        self.code = error["code"]
        self.retryable = error["retryable"]


class WorkerProcess:
    def __init__(self, launcher: list[str] | None = None, env: dict | None = None) -> None:
        """``launcher`` runs the module (default this Python; e.g. torchrun's command line)."""
        env = {**os.environ, "PYTHONPATH": WORKER_DIR, **(env or {})}
        self.proc = subprocess.Popen(
            [*(launcher or [sys.executable]), "-m", "factrecall_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def call(self, method: str, params: dict | None = None):
        rid = next(self.ids)
        write_frame(self.proc.stdin, {"id": rid, "method": method, "params": params or {}})
        while True:
            msg = read_frame(self.proc.stdout)
            assert msg is not None, "worker closed stdout: " + self.proc.stderr.read().decode()[-2000:]
            if msg["id"] is None and msg.get("event"):
                self.events.append(msg)
                continue
            assert msg["id"] == rid, msg
            if not msg["ok"]:
                raise RemoteError(msg["error"])
            return msg["result"]

    def close(self) -> int:
        if self.proc.poll() is None:
            try:
                self.call("shutdown")
            finally:
                self.proc.stdin.close()
        code = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code
