"""Errors the policy worker sends back instead of a result.

One base exception, one docstring line per subclass (as Gymnasium's ``error.py``). Each subclass
carries the coded error ``FR_ERR_WORKER_*`` that the TypeScript side knows from
``cuda-agent/coordinator/errors.ts`` and that ``docs/errors.md`` documents; ``retryable`` says
whether the same request may succeed later. A test keeps the three in step.
"""

from __future__ import annotations


class WorkerError(Exception):
    """Base class of every error the worker reports as a coded error frame."""

    code = "FR_ERR_WORKER_INTERNAL"
    retryable = False

    def to_wire(self) -> dict:
        """The ``error`` body of a response frame: ``{code, message, retryable}``."""
        return {"code": self.code, "message": str(self), "retryable": self.retryable}


class InternalError(WorkerError):
    """An unexpected failure inside the worker (a bug); the message holds the Python exception."""

    code = "FR_ERR_WORKER_INTERNAL"


class BadFrameError(WorkerError):
    """A frame was not a msgpack map of {id, method, params}, or exceeded the size limit."""

    code = "FR_ERR_WORKER_BAD_FRAME"


class UnknownMethodError(WorkerError):
    """The request named a method the worker does not have."""

    code = "FR_ERR_WORKER_UNKNOWN_METHOD"


class BadParamsError(WorkerError):
    """A parameter is missing, unknown, of the wrong type or out of range."""

    code = "FR_ERR_WORKER_BAD_PARAMS"


class NotReadyError(WorkerError):
    """The method needs state that is not there yet (call `tokenizer` and `init` first)."""

    code = "FR_ERR_WORKER_NOT_READY"


class UnsupportedEngineError(WorkerError):
    """The requested generation engine is unknown or cannot be imported here."""

    code = "FR_ERR_WORKER_UNSUPPORTED_ENGINE"


class TooLongError(WorkerError):
    """Prompt plus completion exceed the model's context length (block_size)."""

    code = "FR_ERR_WORKER_TOO_LONG"


class CheckpointNotFoundError(WorkerError):
    """The checkpoint file to load does not exist."""

    code = "FR_ERR_WORKER_CHECKPOINT_NOT_FOUND"


class CheckpointInvalidError(WorkerError):
    """The checkpoint file is unreadable, of another format version, or does not fit the model."""

    code = "FR_ERR_WORKER_CHECKPOINT_INVALID"


class NonFiniteError(WorkerError):
    """The loss or gradient was NaN/inf; the step was refused and the weights are unchanged."""

    code = "FR_ERR_WORKER_NON_FINITE"


class OutOfMemoryError(WorkerError):
    """The device ran out of memory; retry with smaller micro-batches or batches."""

    code = "FR_ERR_WORKER_OUT_OF_MEMORY"
    retryable = True


class ModelNotFoundError(WorkerError):
    """The model to load (a directory, a GGUF file or a Hugging Face id) is not there or not readable."""

    code = "FR_ERR_WORKER_MODEL_NOT_FOUND"


def all_error_classes() -> list[type[WorkerError]]:
    """Every concrete coded error, for the cross-language catalogue test."""
    return [
        InternalError,
        BadFrameError,
        UnknownMethodError,
        BadParamsError,
        NotReadyError,
        UnsupportedEngineError,
        TooLongError,
        CheckpointNotFoundError,
        CheckpointInvalidError,
        NonFiniteError,
        OutOfMemoryError,
        ModelNotFoundError,
    ]
