"""One engine contract, one suite: every engine (tiny; hf on a random-weight Llama built here;
hf on SmolLM2-135M-Instruct when `factrecall model fetch smollm2` has cached it; vllm on the
random Llama where vLLM and a GPU are, which is nowhere here so far) must

- return sampling log-probs that the learner's recomputation reproduces (within TOLERANCE),
- decode greedily the same way every time, and a prompt alone as inside a padded batch,
- stop exactly at a stop id ("stop") or at max_new_tokens ("length"), both seen,
- change its outputs when new weights are loaded, and train: one GRPO step moves the policy and
  leaves the reference where it was.
"""

from __future__ import annotations

import os

import pytest
import torch
from small_world import make_worker

from factrecall_worker.policy_worker import PolicyWorker

# Sampling log-probs come from the KV-cached, left-padded generation pass; the learner's come
# from one full forward over (prompt + completion). In float32 they agree to about 1e-5; the
# tolerance leaves room for other BLAS kernels.
TOLERANCE = 2e-4

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SMOLLM2 = os.path.join(
    os.environ.get("FACTRECALL_CACHE", os.path.join(REPO, ".cache")),
    "models",
    "smollm2",
    "SmolLM2-135M-Instruct.Q4_1.gguf",
)
SYSTEM = "Answer the question from memory. Reply with the answer only."


def chat(question: str) -> dict:
    return {"messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]}


# Questions in the small world's words, of different lengths (so batches are padded).
QUESTIONS = [
    "Where was Alice Smith born ?",
    "Where was Bruno Diaz born ?",
    "Alice Smith was born in Paris . Where was Chen Wei born ?",
]


def _tiny(_):
    return make_worker(seed=3, lr=1e-3), [chat(q) for q in QUESTIONS]


def _hf_random(tmp_path_factory):
    from tiny_hf import build_tiny_hf

    d = build_tiny_hf(str(tmp_path_factory.mktemp("tiny-hf") / "model"))
    w = PolicyWorker()
    w.init({"engine": "hf", "seed": 3, "device": "cpu", "threads": 1, "model": {"path": d}, "optim": {"lr": 1e-2}})
    return w, [chat(q) for q in QUESTIONS]


def _smollm2(_):
    if not os.path.isfile(SMOLLM2):
        print(f"SmolLM2 cases skipped: {SMOLLM2} is absent (run `npx factrecall model fetch smollm2`)")
        pytest.skip(f"SmolLM2 not cached at {SMOLLM2}: run `npx factrecall model fetch smollm2`")
    w = PolicyWorker()
    w.init({"engine": "hf", "seed": 3, "device": "cpu", "threads": 2, "model": {"path": SMOLLM2}, "optim": {"lr": 1e-4}})
    return w, [chat("What is the capital of France?"), chat("Which English playwright wrote the tragedy Hamlet?")]


def _vllm_random(tmp_path_factory):
    from factrecall_worker.vllm_engine import vllm_available

    if not (vllm_available() and torch.cuda.is_available()):
        print("vllm case skipped: it needs vLLM and a CUDA device (neither is on the machines here)")
        pytest.skip("the vllm engine needs vLLM and a CUDA device")
    from tiny_hf import build_tiny_hf

    d = build_tiny_hf(str(tmp_path_factory.mktemp("tiny-vllm") / "model"))
    w = PolicyWorker()
    w.init({"engine": "vllm", "seed": 3, "device": "cuda", "model": {"path": d, "dtype": "float32"}, "optim": {"lr": 1e-2}})
    return w, [chat(q) for q in QUESTIONS]


CASES = {"tiny": _tiny, "hf-random": _hf_random, "hf-smollm2": _smollm2, "vllm-random": _vllm_random}


@pytest.fixture(scope="module", params=list(CASES))
def case(request, tmp_path_factory):
    worker, prompts = CASES[request.param](tmp_path_factory)
    return request.param, worker, prompts


def _flat(out):
    rows = []
    for r in out["results"]:
        for s in r["samples"]:
            rows.append((r["prompt_ids"], s))
    return rows


def test_sampling_log_probs_match_the_learners_recomputation(case):
    _, w, prompts = case
    rows = _flat(w.generate({"prompts": prompts, "n": 3, "max_new_tokens": 6, "seed": 11}))
    scored = w.logprobs({"prompts": [p for p, _ in rows], "completions": [s["token_ids"] for _, s in rows]})
    for (_, s), lp, ref in zip(rows, scored["policy"], scored["reference"], strict=True):
        assert len(s["token_ids"]) == len(s["logprobs"]) == len(lp) >= 1
        assert torch.allclose(torch.tensor(s["logprobs"]), torch.tensor(lp), atol=TOLERANCE)
        assert torch.allclose(torch.tensor(lp), torch.tensor(ref), atol=1e-5)  # untrained: reference = policy


def test_greedy_is_deterministic_and_a_prompt_decodes_alone_as_in_a_padded_batch(case):
    _, w, prompts = case
    params = {"greedy": True, "max_new_tokens": 6}
    batch = w.generate({"prompts": prompts, "n": 2, **params})["results"]
    assert w.generate({"prompts": prompts, "n": 2, **params})["results"] == batch
    lengths = {len(r["prompt_ids"]) for r in batch}
    assert len(lengths) > 1, "the prompts must differ in length, so the batch is padded"
    for prompt, r in zip(prompts, batch, strict=True):
        a, b = r["samples"]
        assert a["token_ids"] == b["token_ids"]
        alone = w.generate({"prompts": [prompt], **params})["results"][0]["samples"][0]
        assert alone["token_ids"] == a["token_ids"]
        assert torch.allclose(torch.tensor(alone["logprobs"]), torch.tensor(a["logprobs"]), atol=TOLERANCE)


def test_generation_ends_at_a_stop_id_or_at_the_length_cap_and_both_happen(case):
    _, w, prompts = case
    stops = set(w.tok.stop_ids)
    reasons = set()
    for max_new in (2, 12):
        for _, s in _flat(w.generate({"prompts": prompts, "n": 8, "max_new_tokens": max_new, "seed": 5})):
            ids = s["token_ids"]
            at = [i for i, t in enumerate(ids) if t in stops]
            if s["finish_reason"] == "stop":
                assert at == [len(ids) - 1]
            else:
                assert s["finish_reason"] == "length" and at == [] and len(ids) == max_new
            assert s["text"] == w.tok.decode(ids)
            reasons.add(s["finish_reason"])
    assert reasons == {"stop", "length"}


def test_loaded_weights_change_the_outputs_and_a_grpo_step_trains_the_policy_only(case):
    _, w, prompts = case
    rows = _flat(w.generate({"prompts": prompts, "n": 4, "max_new_tokens": 4, "seed": 2}))
    P, C = [p for p, _ in rows], [s["token_ids"] for _, s in rows]
    before = w.engine.logprobs(P, C)
    module = w.learner.policy.module
    state = {k: v.clone() for k, v in module.state_dict().items()}
    w.engine.load_weights({k: v + 0.05 * torch.randn_like(v) if v.is_floating_point() else v for k, v in state.items()})
    assert w.engine.logprobs(P, C) != before
    w.engine.load_weights(state)
    assert w.engine.logprobs(P, C) == before

    ref_state = {k: v.clone() for k, v in w.learner.reference.module.state_dict().items()}
    samples = [
        {"prompt_ids": p, "completion_ids": s["token_ids"], "old_logprobs": s["logprobs"], "advantage": 1.0 if i % 2 else -1.0}
        for i, (p, s) in enumerate(rows)
    ]
    stats = w.train_step({"samples": samples, "micro_batch_size": 3})
    assert stats["step"] >= 1 and not stats["skipped"] and stats["grad_norm"] > 0
    assert abs(stats["ratio_mean"] - 1.0) < 1e-3  # on-policy: the learner scores what was sampled
    after = module.state_dict()
    assert any(not torch.equal(state[k], after[k]) for k in state)
    assert all(torch.equal(ref_state[k], v) for k, v in w.learner.reference.module.state_dict().items())
    assert w.engine.logprobs(P, C) != before
