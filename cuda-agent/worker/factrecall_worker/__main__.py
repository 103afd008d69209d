"""Entry point: ``python -m factrecall_worker`` serves RPC frames on stdin/stdout.

stdout carries frames only: the real stdout is kept for them, and file descriptor 1 (where
print, warnings and C libraries write) is pointed at stderr before anything else runs.
Under ``torchrun`` (WORLD_SIZE > 1) every rank runs this; rank 0 serves the frames and the
others follow it (dp_server.py). ``--list-errors`` prints the error catalogue as JSON and exits (for the cross-language test).

SIGINT is ignored: Ctrl-C in a terminal reaches the whole process group, and the coordinator
owns the worker's lifetime (it answers the first Ctrl-C with a checkpoint, which needs this
worker alive, then ``shutdown``; if the coordinator dies, stdin closes and the worker exits).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys


def main(argv: list[str]) -> int:
    if argv[1:] == ["--list-errors"]:
        from .errors import all_error_classes

        rows = [
            {"code": c.code, "retryable": c.retryable, "doc": (c.__doc__ or "").strip()}
            for c in all_error_classes()
        ]
        print(json.dumps(rows))
        return 0
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    frames_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout.flush()  # text printed before this point now lands on stderr, not in a frame
    sys.stdout = sys.stderr
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("FACTRECALL_WORKER_LOG", "WARNING"),
        format="[worker %(process)d] %(levelname)s %(message)s",
    )
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # one rank of a torchrun job
        from .dp_server import serve_distributed

        code = serve_distributed(sys.stdin.buffer, frames_out)
    else:
        from .server import serve  # imports torch: after the redirect, so its output goes to stderr

        code = serve(sys.stdin.buffer, frames_out)
    frames_out.flush()
    sys.stderr.flush()
    # Every answer is flushed; skip the interpreter's teardown (a second or more with torch).
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
