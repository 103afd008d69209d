"""The engine registry: each engine builds a tokenizer, a policy, its frozen reference and a
generation engine from `init`'s ``model`` map, and says what its checkpoints hold.

- ``tiny``: our TinyGPT over the word vocabulary (set by the `tokenizer` method or ``vocab``).
  Checkpoints hold the architecture, the vocabulary and both weight sets.
- ``hf``: a transformers causal LM from ``model.path`` (directory, GGUF file or hub id).
  Checkpoints hold the model spec, its identity (hf_load.model_identity) and the policy
  weights; the reference is the source model itself, reloaded from the source on `load` after
  checking its identity, so a 135M-parameter checkpoint does not carry a second copy.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass

import torch

from .engine import ChatTokenizer, Engine, Policy
from .errors import BadParamsError, CheckpointInvalidError, NotReadyError, UnsupportedEngineError
from .hf_engine import HFEngine, HFPolicy, HFTokenizer
from .hf_load import DTYPES, HFModelSpec, load_model_and_tokenizer, model_identity
from .model import GPTConfig, TinyGPT
from .params import Params
from .tiny_engine import TinyEngine, TinyPolicy
from .tokenizer import WordTokenizer
from .vllm_engine import DEFAULT_PROBE_TOLERANCE, VLLMSpec, vllm_available

# `vllm` only where it imports (a CUDA machine with vLLM installed): vllm_engine.py.
ENGINES = ("tiny", "hf", "vllm") if vllm_available() else ("tiny", "hf")
PROBE = ("What is the capital of France?", "Paris")  # the vllm engine's sync check


def unsupported(engine: str) -> UnsupportedEngineError:
    if engine == "vllm":
        return UnsupportedEngineError(
            "engine `vllm`: vLLM is not installed in this Python (it needs a CUDA machine: "
            f"pip install vllm==0.33 there); this worker has {list(ENGINES)}"
        )
    return UnsupportedEngineError(f"engine `{engine}`: this worker has {list(ENGINES)}")


@dataclass
class Built:
    """What an engine builds: the worker's model state, weights not yet trained."""

    name: str
    tok: ChatTokenizer
    policy: Policy
    reference: Policy
    engine: Engine
    model: dict  # the model description `init` and `load` report and checkpoints record


def read_model(engine: str, m: Params) -> dict:
    """The ``model`` map of `init` for ``engine``, checked (unknown keys refused)."""
    if engine == "tiny":
        out = {
            "block_size": m.int("block_size", 64, min=2),
            "n_layer": m.int("n_layer", 2, min=1),
            "n_head": m.int("n_head", 4, min=1),
            "n_embd": m.int("n_embd", 128, min=1),
            "dropout": m.float("dropout", 0.0, min=0.0, max=0.9),
        }
        m.done()
        if out["n_embd"] % out["n_head"]:
            raise BadParamsError(
                f"init.model: n_embd {out['n_embd']} is not a multiple of n_head {out['n_head']}"
            )
        return out
    if engine in ("hf", "vllm"):
        out = {
            "path": m.str("path"),
            "dtype": m.str("dtype", "auto", choices=DTYPES),
            "gradient_checkpointing": m.bool("gradient_checkpointing", False),
            "max_length": m.int("max_length", None, min=2),
        }
        if engine == "vllm":
            out["gpu_memory_utilization"] = m.float("gpu_memory_utilization", 0.3, min=0.01, max=1.0)
            out["sleep"] = m.bool("sleep", False)
            out["probe_tolerance"] = m.float("probe_tolerance", DEFAULT_PROBE_TOLERANCE, min=0.0)
        m.done()
        return out
    raise unsupported(engine)


def _no_dropout(model: torch.nn.Module) -> None:
    """RL scores exactly what the sampler drew: dropout off everywhere (train mode or not)."""
    for mod in model.modules():
        if isinstance(mod, torch.nn.Dropout):
            mod.p = 0.0
        if isinstance(getattr(mod, "attention_dropout", None), float):
            mod.attention_dropout = 0.0


def build(engine: str, model: dict, device: torch.device, tok: WordTokenizer | None) -> Built:
    """Policy, reference copy, tokenizer and engine for ``engine`` on ``device``."""
    if engine == "tiny":
        if tok is None:
            raise NotReadyError("the tiny engine needs a vocabulary: call `tokenizer` first or pass `vocab`")
        cfg = GPTConfig(vocab_size=len(tok), **model)
        net = TinyGPT(cfg).to(device)
        ref = copy.deepcopy(net)
        return Built(
            "tiny", tok, TinyPolicy(net), TinyPolicy(ref), TinyEngine(net, tok.pad_id, tok.stop_ids), asdict(cfg)
        )
    if engine not in ENGINES:
        raise unsupported(engine)
    if engine in ("hf", "vllm"):
        spec = HFModelSpec(model["path"], model["dtype"], model["gradient_checkpointing"], model["max_length"])
        net, hf_tok, identity = load_model_and_tokenizer(spec, device)
        _no_dropout(net)
        chat = HFTokenizer(hf_tok, getattr(net.generation_config, "eos_token_id", None))
        ref = copy.deepcopy(net).eval()
        policy = HFPolicy(net, chat.pad_id, spec.max_length)
        desc = {
            **model,
            "identity": identity,
            "architecture": type(net).__name__,
            "vocab_size": len(chat),
            "dtype_resolved": str(next(net.parameters()).dtype).replace("torch.", ""),
        }
        reference = HFPolicy(ref, chat.pad_id, spec.max_length)
        if engine == "hf":
            return Built("hf", chat, policy, reference, HFEngine(policy, chat), desc)
        from .vllm_engine import VLLMEngine

        vspec = VLLMSpec(
            model["path"], model["dtype"], model["gpu_memory_utilization"], model["max_length"],
            model["sleep"], model["probe_tolerance"],
        )
        probe = (chat.chat_prompt([{"role": "user", "content": PROBE[0]}]), chat.encode_completion(PROBE[1], True))
        return Built("vllm", chat, policy, reference, VLLMEngine(policy, chat, vspec, torch.initial_seed(), probe), desc)
    raise unsupported(engine)


def checkpoint_model_state(built: Built) -> dict:
    """The engine-specific part of a checkpoint."""
    if built.name == "tiny":
        assert isinstance(built.tok, WordTokenizer)
        return {
            "model_config": built.model,
            "vocab": built.tok.vocab,
            "reference": built.reference.module.state_dict(),
        }
    keys = ("path", "dtype", "gradient_checkpointing", "max_length", "gpu_memory_utilization", "sleep", "probe_tolerance")
    return {"model_config": {k: v for k, v in built.model.items() if k in keys}, "identity": built.model["identity"]}


def build_from_checkpoint(state: dict, device: torch.device, path: str) -> Built:
    """Rebuild what a checkpoint was saved from (weights not yet loaded, except the reference)."""
    engine = state.get("engine", "tiny")
    if engine == "tiny":
        tok = WordTokenizer(list(state["vocab"]))
        cfg = dict(state["model_config"])
        cfg.pop("vocab_size", None)
        built = build("tiny", cfg, device, tok)
        built.reference.module.load_state_dict(state["reference"])
        return built
    if engine in ("hf", "vllm"):
        model = dict(state["model_config"])
        want = state.get("identity") or {}
        now = model_identity(model["path"])
        if want.get("sha256") != now.get("sha256"):
            raise CheckpointInvalidError(
                f"{path} was trained from {want.get('source')} (sha256 {want.get('sha256')}); "
                f"{model['path']} now has sha256 {now.get('sha256')}"
            )
        return build(engine, model, device, None)
    raise CheckpointInvalidError(f"{path} is for engine `{engine}`; this worker has {list(ENGINES)}")
