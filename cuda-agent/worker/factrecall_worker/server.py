"""The RPC loop: read request frames, call PolicyWorker methods, write response frames.

Frames (framing.py) carry msgpack maps:
    request       {id, method, params}
    response      {id, ok: true, result, compute_s}
    error         {id, ok: false, error: {code, message, retryable}, compute_s}
``compute_s`` is the worker's own time on the request: from the request decoded to the reply
built (the method's compute, under torchrun rank 0's, collectives included), so the coordinator
can tell its own overhead and the pipe's from the worker's work. Encoding and writing the reply
are not in it (the frame cannot time its own encoding); they count as IPC on the coordinator's
side. Readers that do not know the key ignore it (it was added after the first protocol).
    notification  {id: null, event: "progress", request_id, ...}   (during `pretrain`)
Requests are handled one at a time, in arrival order. `shutdown` answers, then the loop ends.
A frame that cannot be read ends the loop too (the stream cannot be resynchronised); an error
with ``id: null`` is sent first when possible.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any, BinaryIO

import torch

from .errors import BadFrameError, InternalError, OutOfMemoryError, UnknownMethodError, WorkerError
from .framing import read_frame, write_frame
from .policy_worker import PolicyWorker

log = logging.getLogger("factrecall_worker")

METHODS = (
    "info",
    "tokenizer",
    "init",
    "generate",
    "logprobs",
    "train_step",
    "sft_step",
    "dpo_step",
    "pretrain",
    "save",
    "load",
    "shutdown",
)


def _as_worker_error(e: BaseException) -> WorkerError:
    if isinstance(e, WorkerError):
        return e
    oom = getattr(torch.cuda, "OutOfMemoryError", ())
    if (oom and isinstance(e, oom)) or (isinstance(e, RuntimeError) and "out of memory" in str(e)):
        return OutOfMemoryError(str(e))
    log.error("internal error:\n%s", traceback.format_exc())
    return InternalError(f"{type(e).__name__}: {e}")


def _error_frame(request_id: Any, e: WorkerError) -> dict:
    return {"id": request_id, "ok": False, "error": e.to_wire()}


def handle(worker: PolicyWorker, msg: Any, out: BinaryIO) -> tuple[dict, bool]:
    """Run one request; returns (response frame with its ``compute_s``, whether to stop serving)."""
    start = time.perf_counter()
    response, stop = _handle(worker, msg, out)
    response["compute_s"] = time.perf_counter() - start
    return response, stop


def _handle(worker: PolicyWorker, msg: Any, out: BinaryIO) -> tuple[dict, bool]:
    if not isinstance(msg, dict):
        return _error_frame(None, BadFrameError(f"a request must be a map, got {type(msg).__name__}")), False
    request_id = msg.get("id")
    if not isinstance(request_id, (int, str)) or isinstance(request_id, bool):
        return _error_frame(
            None, BadFrameError(f"request id must be an integer or string, got {request_id!r}")
        ), False
    method = msg.get("method")
    unknown_keys = sorted(set(msg) - {"id", "method", "params"})
    try:
        if unknown_keys:
            raise BadFrameError(f"request has unknown keys {unknown_keys}")
        if method not in METHODS:
            raise UnknownMethodError(f"`{method}`; the worker has {list(METHODS)}")
        params = msg.get("params")
        if method == "shutdown":
            return {"id": request_id, "ok": True, "result": {"bye": True}}, True
        if method == "pretrain":

            def notify(event: dict) -> None:
                write_frame(out, {"id": None, "event": "progress", "request_id": request_id, **event})

            result = worker.pretrain(params, notify)
        else:
            result = getattr(worker, method)(params)
        return {"id": request_id, "ok": True, "result": result}, False
    except Exception as e:  # every failure becomes a coded error frame; the loop goes on
        return _error_frame(request_id, _as_worker_error(e)), False


def serve(inp: BinaryIO, out: BinaryIO, worker: PolicyWorker | None = None) -> int:
    """Serve until `shutdown` or end of input; returns the process exit code."""
    worker = worker or PolicyWorker()
    log.info("ready: torch %s, cuda %s", torch.__version__, torch.cuda.is_available())
    while True:
        try:
            msg = read_frame(inp)
        except BadFrameError as e:
            log.error("unreadable frame, stopping: %s", e)
            write_frame(out, _error_frame(None, e))
            return 2
        if msg is None:
            log.info("input closed; exiting")
            return 0
        log.debug("request %s", msg.get("method") if isinstance(msg, dict) else type(msg).__name__)
        response, stop = handle(worker, msg, out)
        write_frame(out, response)
        if stop:
            return 0
