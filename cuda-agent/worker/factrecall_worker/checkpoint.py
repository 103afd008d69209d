"""Checkpoint files: everything needed to continue exactly where a run stopped.

A checkpoint records its engine and model and holds the policy weights, the optimizer state,
the learner's step, every RNG state (Python, numpy, torch, CUDA, the sampling generator) and the
loss/optimizer settings; a ``tiny`` checkpoint also holds its vocabulary and reference weights,
an ``hf`` one the identity of its source model, from which the reference is reloaded
(engines.py). It is written to a temporary sibling and renamed,
so a crash never leaves a half-written file, and read with ``weights_only=True``.

Resuming is bitwise exact on the same device, torch version and CPU thread count; with another
thread count float sums are ordered differently and results differ in the last bits.
"""

from __future__ import annotations

import os
import tempfile

import torch

from .errors import CheckpointInvalidError, CheckpointNotFoundError

FORMAT = "factrecall-worker-checkpoint"
VERSION = 1
REQUIRED_KEYS = ("model_config", "policy", "optimizer", "rng", "step", "optim", "loss", "engine")
ENGINE_KEYS = {"tiny": ("vocab", "reference"), "hf": ("identity",), "vllm": ("identity",)}


def save_checkpoint(path: str, state: dict) -> int:
    """Write ``state`` atomically to ``path``; returns the file size in bytes."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ckpt-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save({"format": FORMAT, "version": VERSION, **state}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return os.path.getsize(path)


def load_checkpoint(path: str) -> dict:
    """Read and check a checkpoint written by ``save_checkpoint``."""
    if not os.path.isfile(path):
        raise CheckpointNotFoundError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise CheckpointInvalidError(f"{path} is not a readable checkpoint: {e}") from e
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointInvalidError(f"{path} is not a {FORMAT} file")
    if state.get("version") != VERSION:
        raise CheckpointInvalidError(
            f"{path} has format version {state.get('version')}, this worker reads {VERSION}"
        )
    engine = state.get("engine")
    if engine not in ENGINE_KEYS:
        raise CheckpointInvalidError(f"{path} is for engine {engine!r}; this worker has {list(ENGINE_KEYS)}")
    missing = [k for k in (*REQUIRED_KEYS, *ENGINE_KEYS[engine]) if k not in state]
    if missing:
        raise CheckpointInvalidError(f"{path} lacks {missing}")
    return state
