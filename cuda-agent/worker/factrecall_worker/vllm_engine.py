"""The ``vllm`` engine: a colocated ``vllm.LLM`` generates, the transformers model trains.

Registered only when ``import vllm`` works (engines.py); otherwise asking for it is
FR_ERR_WORKER_UNSUPPORTED_ENGINE with what to install. The learner's policy and reference are
the ``hf`` engine's (a transformers model from a model directory); vLLM loads the same
directory once at `init` and from then on receives the policy's weights after every optimizer
step, without a restart, through its documented colocated path: ``LLM.apply_model`` runs a
function on the model inside the engine (in this process with VLLM_ENABLE_V1_MULTIPROCESSING=0,
so tensors are handed over, not pickled), and that function calls the vLLM model's own
``load_weights`` with (Hugging Face name, tensor) pairs, the checkpoint format vLLM reads (it
stacks q/k/v and gate/up itself; ``vllm_param_name`` says where each one lands, and a sync
that would leave a vLLM parameter without a source is refused). With ``sleep: true`` the
engine sleeps (level 2: weights and KV cache freed) while the learner trains and wakes its
weights, then its KV cache, around each sync. After each sync the engine's log-probs of a
fixed probe completion are compared with the learner's: the gap is logged and returned.

Sampling: ``logprobs=0`` returns the log-prob of each sampled token; with
``logprobs_mode="processed_logprobs"`` they are taken after temperature and top-k/top-p, i.e.
under the distribution sampled from, like the other engines'.

What has run where: the argument building, the name mapping (on random-weight Qwen2 and
Llama models built locally), the probe-gap math, the output conversion and the import guard
are tested on CPU (tests/test_vllm_engine.py); nothing that needs vLLM itself has run (no vLLM
on any machine here: it needs a GPU, and the GPU machines do not have it).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import torch

from .engine import Completion, Engine, SamplingParams
from .errors import BadParamsError
from .scoring import score_in_chunks

log = logging.getLogger("factrecall_worker")

# Hugging Face projection -> (vLLM's fused parameter, shard), as vLLM's Llama/Qwen2/Mistral
# families stack them (their ``stacked_params_mapping``).
STACKED = {
    "q_proj": ("qkv_proj", "q"),
    "k_proj": ("qkv_proj", "k"),
    "v_proj": ("qkv_proj", "v"),
    "gate_proj": ("gate_up_proj", 0),
    "up_proj": ("gate_up_proj", 1),
}
WRAPPER_PREFIXES = ("module.", "_orig_mod.")  # DistributedDataParallel, torch.compile
DEFAULT_PROBE_TOLERANCE = 0.05  # nats per token: bf16 kernels differ from the learner's by ~1e-2


def vllm_available() -> bool:
    """True when ``vllm`` can be imported (checked without importing it)."""
    return importlib.util.find_spec("vllm") is not None


@dataclass(frozen=True)
class VLLMSpec:
    """What ``init.model`` says for the vllm engine, beyond the hf engine's keys."""

    path: str
    dtype: str = "auto"
    gpu_memory_utilization: float = 0.3
    max_model_len: int | None = None
    sleep: bool = False
    probe_tolerance: float = DEFAULT_PROBE_TOLERANCE


def llm_args(spec: VLLMSpec, seed: int) -> dict:
    """Keyword arguments of ``vllm.LLM`` for a colocated engine beside the learner."""
    if spec.path.endswith(".gguf"):
        raise BadParamsError("the vllm engine loads a model directory (config.json + safetensors), not a GGUF file")
    args = {
        "model": spec.path,
        "tokenizer": spec.path,
        "dtype": "bfloat16" if spec.dtype == "auto" else spec.dtype,
        "seed": seed,
        "gpu_memory_utilization": spec.gpu_memory_utilization,
        "enable_sleep_mode": spec.sleep,
        "enable_prefix_caching": True,  # the n samples of a group share their prompt
        "logprobs_mode": "processed_logprobs",
        "tensor_parallel_size": 1,
    }
    if spec.max_model_len is not None:
        args["max_model_len"] = spec.max_model_len
    return args


def sampling_args(params: SamplingParams, stop_ids: Sequence[int], seed: int | None) -> dict:
    """Keyword arguments of ``vllm.SamplingParams`` for our SamplingParams."""
    greedy = params.greedy or params.temperature == 0.0
    args = {
        "n": params.n,
        "max_tokens": params.max_new_tokens,
        "temperature": 0.0 if greedy else params.temperature,
        "top_p": 1.0 if greedy else params.top_p,
        "top_k": 0 if greedy else params.top_k,  # 0: off
        "logprobs": 0,  # the sampled token's log-prob only
        "stop_token_ids": list(stop_ids),
        "detokenize": False,  # the worker decodes with its own tokenizer
    }
    if seed is not None:
        args["seed"] = seed
    return args


def completion_of(output) -> Completion:
    """Our Completion from one vLLM ``CompletionOutput`` (token_ids, logprobs, finish_reason).

    ``logprobs`` is one {token id: Logprob} map per generated token; with ``logprobs=0`` it holds
    the sampled token. A stop token vLLM ended on is among ``token_ids`` (stop_token_ids are
    kept in the output), as in the other engines.
    """
    ids = [int(t) for t in output.token_ids]
    lps = [float(step[t].logprob) for step, t in zip(output.logprobs, ids, strict=True)]
    return Completion(ids, lps, "stop" if output.finish_reason == "stop" else "length")


def strip_wrappers(name: str) -> str:
    for p in WRAPPER_PREFIXES:
        while name.startswith(p):
            name = name[len(p) :]
    return name


def vllm_param_name(hf_name: str) -> tuple[str, str | int | None]:
    """Where a Hugging Face weight lands in vLLM: (vLLM parameter name, shard or None)."""
    m = re.search(r"\.(q_proj|k_proj|v_proj|gate_proj|up_proj)\.", hf_name)
    if m:
        fused, shard = STACKED[m.group(1)]
        return hf_name.replace(f".{m.group(1)}.", f".{fused}."), shard
    return hf_name, None


def weights_for_vllm(
    state: Mapping[str, torch.Tensor], tied_embeddings: bool, dtype: torch.dtype
) -> list[tuple[str, torch.Tensor]]:
    """The policy's weights as vLLM's ``load_weights`` takes them: Hugging Face names (wrapper
    prefixes removed), in the engine's dtype, without the output layer when it is tied to the
    input embedding (vLLM shares one tensor and skips ``lm_head.weight``) and without rotary
    ``inv_freq`` buffers (vLLM computes its own)."""
    out = []
    for raw, t in state.items():
        name = strip_wrappers(raw)
        if name.endswith("rotary_emb.inv_freq") or (tied_embeddings and name == "lm_head.weight"):
            continue
        out.append((name, t.detach().to(dtype)))
    return out


def uncovered(vllm_params: Iterable[str], hf_names: Iterable[str]) -> list[str]:
    """vLLM parameters that no Hugging Face weight maps to (a sync would leave them stale)."""
    covered = {vllm_param_name(n)[0] for n in hf_names}
    return sorted(p for p in vllm_params if p not in covered)


def probe_gap(engine: Sequence[float], learner: Sequence[float]) -> dict:
    """Per-token gap between the engine's and the learner's log-probs of the probe."""
    if len(engine) != len(learner) or not engine:
        raise BadParamsError(f"probe: {len(engine)} engine log-probs vs {len(learner)} learner log-probs")
    diffs = [abs(a - b) for a, b in zip(engine, learner, strict=True)]
    return {"max_abs": max(diffs), "mean_abs": sum(diffs) / len(diffs), "tokens": len(diffs)}


class VLLMEngine(Engine):
    """Generation on a colocated vllm.LLM; scoring on the learner's policy (engine.Engine)."""

    name = "vllm"
    score_rows = 64

    def __init__(self, policy, tok, spec: VLLMSpec, seed: int, probe: tuple[list[int], list[int]]):
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")  # apply_model in this process
        import vllm  # noqa: PLC0415  (only here: the engine is registered only when it imports)

        self.vllm = vllm
        self.policy, self.tok, self.spec = policy, tok, spec
        self.llm = vllm.LLM(**llm_args(spec, seed))
        self.probe = probe
        self.asleep = False
        self.last_sync: dict | None = None
        names = self.llm.apply_model(lambda m: [n for n, _ in m.named_parameters()])[0]
        missing = uncovered(names, [n for n, _ in self._weights()])
        if missing:
            raise BadParamsError(f"vllm engine: no policy weight maps to vLLM parameters {missing[:5]}")

    def _weights(self) -> list[tuple[str, torch.Tensor]]:
        cfg = self.policy.module.config
        dtype = next(self.policy.module.parameters()).dtype
        return weights_for_vllm(self.policy.module.state_dict(), bool(getattr(cfg, "tie_word_embeddings", False)), dtype)

    def generate(self, prompts, params, generator):
        if self.asleep:
            self._wake()
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator)) if generator is not None else None
        sp = self.vllm.SamplingParams(**sampling_args(params, self.tok.stop_ids, seed))
        outs = self.llm.generate([{"prompt_token_ids": list(p)} for p in prompts], sp, use_tqdm=False)
        groups = [[completion_of(o) for o in out.outputs] for out in outs]
        if self.spec.sleep:
            self.llm.sleep(level=2)  # the learner trains next: free weights and KV cache
            self.asleep = True
        return groups

    def _wake(self) -> None:
        self.llm.wake_up(tags=["weights"])
        self._load(self._weights())
        self.llm.wake_up(tags=["kv_cache"])
        self.asleep = False

    def _load(self, weights: list[tuple[str, torch.Tensor]]) -> None:
        self.llm.apply_model(lambda m: m.load_weights(weights=weights))
        self.llm.reset_prefix_cache()  # cached prompt keys/values came from the old weights

    def load_weights(self, state: Mapping[str, torch.Tensor]) -> None:
        self.policy.module.load_state_dict(state)
        self.after_update()

    def after_update(self) -> dict:
        """Send the policy's weights to vLLM (asleep: at the next wake) and check the probe."""
        if self.asleep:
            self._wake()
        else:
            self._load(self._weights())
        prompt, completion = self.probe
        sp = self.vllm.SamplingParams(max_tokens=1, prompt_logprobs=0, detokenize=False)
        out = self.llm.generate([{"prompt_token_ids": prompt + completion}], sp, use_tqdm=False)[0]
        engine_lp = [float(step[t].logprob) for step, t in zip(out.prompt_logprobs[len(prompt) :], completion, strict=True)]
        learner_lp = score_in_chunks(self.policy, [prompt], [completion])[0]
        gap = probe_gap(engine_lp, learner_lp)
        gap["ok"] = gap["max_abs"] <= self.spec.probe_tolerance
        (log.info if gap["ok"] else log.warning)("vllm weight sync: probe log-prob gap %s", gap)
        self.last_sync = gap
        return gap
