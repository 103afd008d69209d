"""The RPC loop of a data-parallel worker (data_parallel.py) started by torchrun.

Rank 0 reads each request frame from stdin exactly as ``server.serve`` does and broadcasts it
to the other ranks; every rank handles it (``server.handle``); the ranks then agree on the
outcome, so a failure on any rank becomes rank 0's error frame, and rank 0 writes the one
response. Ranks other than 0 never read stdin nor write frames. End of input, an unreadable
frame and `shutdown` end every rank.
"""

from __future__ import annotations

import io
import logging
from typing import BinaryIO

import torch.distributed as dist

from .data_parallel import DataParallelWorker, Ranks
from .errors import BadFrameError
from .framing import read_frame, write_frame
from .server import _error_frame, handle

log = logging.getLogger("factrecall_worker")
STOP = {"id": 0, "method": "shutdown", "params": {}}


def _agreed(ranks: Ranks, response: dict) -> dict:
    """Rank 0's response, or the first rank's error when a rank failed."""
    outcomes = ranks.all_gather(None if response.get("ok", True) else response["error"])
    if not response.get("ok", True):
        return response
    for r, err in enumerate(outcomes):
        if err is not None:
            return {"id": response["id"], "ok": False, "error": {**err, "message": f"rank {r}: {err['message']}"}}
    return response


def serve_distributed(inp: BinaryIO, out: BinaryIO) -> int:
    """Serve as one rank of the torchrun job until `shutdown` or end of input; the exit code."""
    ranks = Ranks.init_from_env()
    worker = DataParallelWorker(ranks)
    log.info("rank %d of %d ready", ranks.rank, ranks.world)
    sink = io.BytesIO()  # where ranks > 0 "write" progress notifications
    code = 0
    try:
        while True:
            if ranks.rank == 0:
                try:
                    msg = read_frame(inp)
                except BadFrameError as e:
                    log.error("unreadable frame, stopping: %s", e)
                    write_frame(out, _error_frame(None, e))
                    ranks.broadcast(STOP)
                    return 2
                msg = ranks.broadcast(STOP if msg is None else msg)
            else:
                msg = ranks.broadcast(None)
            response, stop = handle(worker, msg, out if ranks.rank == 0 else sink)
            sink.seek(0)
            sink.truncate()
            response = _agreed(ranks, response)
            if ranks.rank == 0 and msg is not STOP:
                write_frame(out, response)
            if stop:
                return code
    finally:
        dist.destroy_process_group()
