"""The vllm engine's parts that run without vLLM and without a GPU (vllm_engine.py says what has
never run): the import guard, the arguments of vllm.LLM and vllm.SamplingParams, the weight
names a transformers Qwen2 or Llama hands to vLLM's load_weights, the conversion of vLLM's
output shape, and the probe-gap math."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from factrecall_worker.engine import SamplingParams
from factrecall_worker.engines import ENGINES
from factrecall_worker.errors import BadParamsError, UnsupportedEngineError
from factrecall_worker.policy_worker import PolicyWorker
from factrecall_worker.vllm_engine import (
    VLLMSpec,
    completion_of,
    llm_args,
    probe_gap,
    sampling_args,
    uncovered,
    vllm_available,
    vllm_param_name,
    weights_for_vllm,
)


def _qwen2(tied: bool):
    from transformers import Qwen2Config, Qwen2ForCausalLM

    cfg = Qwen2Config(
        vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=tied,
    )
    torch.manual_seed(0)
    return Qwen2ForCausalLM(cfg)


def _llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(
        vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False,
    )
    return LlamaForCausalLM(cfg)


def _vllm_qwen2_params(layers: int, tied: bool) -> set[str]:
    """The parameter names of vLLM's Qwen2ForCausalLM (fused qkv with bias, fused gate/up)."""
    names = {"model.embed_tokens.weight", "model.norm.weight"} | ({"lm_head.weight"} if not tied else set())
    for i in range(layers):
        p = f"model.layers.{i}."
        names |= {
            p + "self_attn.qkv_proj.weight", p + "self_attn.qkv_proj.bias", p + "self_attn.o_proj.weight",
            p + "mlp.gate_up_proj.weight", p + "mlp.down_proj.weight",
            p + "input_layernorm.weight", p + "post_attention_layernorm.weight",
        }
    return names


@pytest.mark.skipif(vllm_available(), reason="vLLM is installed here: the guard does not apply")
def test_without_vllm_the_engine_is_not_registered_and_asking_for_it_is_a_coded_error():
    assert "vllm" not in ENGINES
    w = PolicyWorker()
    with pytest.raises(UnsupportedEngineError, match="vLLM is not installed"):
        w.init({"engine": "vllm", "model": {"path": "/nowhere"}})
    assert w.info({})["ready"] is False


@pytest.mark.parametrize("tied", [True, False])
def test_a_transformers_qwen2_maps_onto_every_vllm_parameter_and_nothing_else(tied):
    model = _qwen2(tied)
    weights = weights_for_vllm(model.state_dict(), tied, torch.bfloat16)
    names = [n for n, _ in weights]
    assert ("lm_head.weight" in names) is (not tied)  # tied: vLLM shares the embedding
    assert all(t.dtype == torch.bfloat16 for _, t in weights)
    want = _vllm_qwen2_params(2, tied)
    assert {vllm_param_name(n)[0] for n in names} == want
    assert uncovered(want, names) == []
    assert uncovered(want | {"model.layers.2.mlp.down_proj.weight"}, names) == ["model.layers.2.mlp.down_proj.weight"]
    assert vllm_param_name("model.layers.1.self_attn.k_proj.bias") == ("model.layers.1.self_attn.qkv_proj.bias", "k")
    assert vllm_param_name("model.layers.0.mlp.up_proj.weight") == ("model.layers.0.mlp.gate_up_proj.weight", 1)


def test_wrapper_prefixes_of_ddp_and_compile_are_removed_and_llama_maps_too():
    model = _llama()
    state = {f"module._orig_mod.{k}": v for k, v in model.state_dict().items()}
    names = [n for n, _ in weights_for_vllm(state, False, torch.float32)]
    assert names == list(model.state_dict())
    fused = {vllm_param_name(n)[0] for n in names}
    assert "model.layers.0.self_attn.qkv_proj.weight" in fused and not any(".q_proj." in n for n in fused)


def test_llm_and_sampling_arguments():
    spec = VLLMSpec("/models/qwen", gpu_memory_utilization=0.4, max_model_len=512, sleep=True)
    args = llm_args(spec, seed=7)
    assert args == {
        "model": "/models/qwen", "tokenizer": "/models/qwen", "dtype": "bfloat16", "seed": 7,
        "gpu_memory_utilization": 0.4, "enable_sleep_mode": True, "enable_prefix_caching": True,
        "logprobs_mode": "processed_logprobs", "tensor_parallel_size": 1, "max_model_len": 512,
    }
    with pytest.raises(BadParamsError, match="GGUF"):
        llm_args(VLLMSpec("/m/model.gguf"), 0)
    sampled = sampling_args(SamplingParams(n=5, max_new_tokens=16, top_p=0.9), [2, 7], seed=3)
    assert sampled == {
        "n": 5, "max_tokens": 16, "temperature": 1.0, "top_p": 0.9, "top_k": 0, "logprobs": 0,
        "stop_token_ids": [2, 7], "detokenize": False, "seed": 3,
    }
    greedy = sampling_args(SamplingParams(greedy=True, top_p=0.5, top_k=4), [2], seed=None)
    assert (greedy["temperature"], greedy["top_p"], greedy["top_k"], "seed" in greedy) == (0.0, 1.0, 0, False)


def test_vllm_outputs_become_completions_with_the_sampled_tokens_log_probs():
    lp = lambda x: SimpleNamespace(logprob=x)  # noqa: E731  (vLLM's Logprob has .logprob)
    out = SimpleNamespace(token_ids=[5, 9, 2], logprobs=[{5: lp(-0.5)}, {9: lp(-1.25), 4: lp(-0.1)}, {2: lp(-0.01)}], finish_reason="stop")
    c = completion_of(out)
    assert (c.token_ids, c.logprobs, c.finish_reason) == ([5, 9, 2], [-0.5, -1.25, -0.01], "stop")
    assert completion_of(SimpleNamespace(token_ids=[1], logprobs=[{1: lp(0.0)}], finish_reason="length")).finish_reason == "length"


def test_the_probe_gap_is_the_largest_and_mean_per_token_difference():
    gap = probe_gap([-1.0, -2.0, -0.5], [-1.01, -1.9, -0.5])
    assert gap["tokens"] == 3
    assert gap["max_abs"] == pytest.approx(0.1)
    assert gap["mean_abs"] == pytest.approx(0.11 / 3)
    with pytest.raises(BadParamsError):
        probe_gap([-1.0], [])
