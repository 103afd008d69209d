"""Loading a transformers causal LM for the ``hf`` engine, and naming exactly what was loaded.

A model source is a local directory (``config.json`` and weights), a GGUF file (loaded with
``from_pretrained(dir, gguf_file=name)``, dequantised to the compute dtype; needs the ``gguf``
and ``accelerate`` packages) or a Hugging Face hub id (when a hub is reachable). Weights are
float32 on CPU and bfloat16 on CUDA unless ``dtype`` says otherwise.

``model_identity`` is what a checkpoint records and ``load`` checks: the kind, the resolved
source and a content hash (the GGUF file's sha256; for a directory the sha256 of config.json
and the names and sizes of its weight files), so a checkpoint never resumes on other weights.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import torch

from .errors import BadParamsError, ModelNotFoundError

DTYPES = ("auto", "float32", "bfloat16", "float16")
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


@dataclass(frozen=True)
class HFModelSpec:
    """What ``init.model`` says for the hf engine."""

    source: str
    dtype: str = "auto"
    gradient_checkpointing: bool = False
    max_length: int | None = None


def source_kind(source: str) -> str:
    """``gguf``, ``dir`` or ``hub``; a path-like source that does not exist is an error."""
    if source.endswith(".gguf"):
        if not os.path.isfile(source):
            raise ModelNotFoundError(f"no GGUF file at {source}")
        return "gguf"
    if os.path.isdir(source):
        if not os.path.isfile(os.path.join(source, "config.json")):
            raise ModelNotFoundError(f"{source} is a directory without config.json")
        return "dir"
    if source.startswith((".", "/", "~")) or os.sep + os.sep in source or source.count("/") > 1:
        raise ModelNotFoundError(f"no model directory at {source}")
    return "hub"


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def model_identity(source: str) -> dict:
    kind = source_kind(source)
    if kind == "gguf":
        return {"kind": kind, "source": os.path.abspath(source), "sha256": _sha256_file(source)}
    if kind == "dir":
        h = hashlib.sha256()
        h.update(open(os.path.join(source, "config.json"), "rb").read())
        for name in sorted(os.listdir(source)):
            if name.endswith(WEIGHT_SUFFIXES):
                h.update(f"{name}:{os.path.getsize(os.path.join(source, name))}".encode())
        return {"kind": kind, "source": os.path.abspath(source), "sha256": h.hexdigest()}
    return {"kind": kind, "source": source, "sha256": None}


def torch_dtype(name: str, device: torch.device) -> torch.dtype:
    if name not in DTYPES:
        raise BadParamsError(f"init.model.dtype `{name}`: one of {list(DTYPES)}")
    if name == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return getattr(torch, name)


def load_model_and_tokenizer(spec: HFModelSpec, device: torch.device):
    """(model on ``device`` in train mode, tokenizer, identity)."""
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        raise ModelNotFoundError(
            "the hf engine needs transformers (pip install -r cuda-agent/worker/requirements.txt)"
        ) from e
    identity = model_identity(spec.source)
    kind = identity["kind"]
    where, extra = spec.source, {}
    if kind == "gguf":
        where, extra = os.path.dirname(os.path.abspath(spec.source)), {"gguf_file": os.path.basename(spec.source)}
    dtype = torch_dtype(spec.dtype, device)
    try:
        tok = AutoTokenizer.from_pretrained(where, **extra)
        model = AutoModelForCausalLM.from_pretrained(where, dtype=dtype, **extra)
    except (OSError, ValueError) as e:
        raise ModelNotFoundError(f"could not load {spec.source} ({kind}): {e}") from e
    model.to(device)
    model.config.use_cache = True
    if spec.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    model.train()
    return model, tok, identity
