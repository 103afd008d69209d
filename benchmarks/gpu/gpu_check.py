"""The GPU check (benchmarks/gpu/run.sh): one printed table, no network, no files beyond the tree.

1. A few GRPO steps of a random-weight Qwen2-architecture model (Qwen2.5-0.5B's shape: 24
   layers, 896 wide, vocabulary 151,936, ~0.49B parameters) through the ``hf`` engine in bf16:
   seconds per step split into generate / judge / score / train, generation tokens/s beside a
   plain ``model.generate`` loop on the same prompts, learner tokens/s and MFU against the
   device's bf16 peak (6 N FLOPs per trained token for forward + backward, plus 2 N per token
   for the reference pass), peak memory. The judge is exact match in this process; a random
   model is never right, so every group has zero variance and advantage 0, but the learner runs
   its full forward/backward (nothing is masked), which is what is being timed.
2. A tiny-engine run on a synthetic biography world made here in Python (the shape of the
   FactWorld organism, not the TypeScript FactWorld itself, which needs Node): pretraining, then
   GRPO steps with exact-match rewards; greedy accuracy on the RL questions before and after.
3. The 2-rank DDP and FSDP equivalence tests on NCCL when the machine has 2 GPUs.

``--cpu-smoke`` runs the same code on CPU at toy sizes (tests/test_gpu_check_smoke.py runs it).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORKER = os.path.join(REPO, "cuda-agent", "worker")
sys.path.insert(0, WORKER)

import torch  # noqa: E402

from factrecall_worker.policy_worker import PolicyWorker  # noqa: E402

# Dense bf16 tensor-core peaks (TFLOP/s) by device-name substring, from the vendors' sheets.
BF16_PEAK_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "L4": 121.0, "A10G": 70.0, "4090": 165.0}

QWEN05 = dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2, vocab_size=151936)
QWEN_SMOKE = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, vocab_size=512)


def peak_tflops() -> float | None:
    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name()
    return next((v for k, v in BF16_PEAK_TFLOPS.items() if k in name), None)


def build_qwen2(directory: str, shape: dict) -> str:
    """A random-weight Qwen2 with a word-level tokenizer covering its whole vocabulary."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    specials = ["<unk>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    words = ["system", "user", "assistant"] + [f"w{i}" for i in range(shape["vocab_size"] - len(specials) - 3)]
    vocab = {t: i for i, t in enumerate(specials + words)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", pad_token="<|endoftext|>", eos_token="<|im_end|>")
    tok.chat_template = (
        "{% for m in messages %}<|im_start|> {{ m['role'] }} {{ m['content'] }} <|im_end|> {% endfor %}"
        "{% if add_generation_prompt %}<|im_start|> assistant {% endif %}"
    )
    cfg = Qwen2Config(**shape, max_position_embeddings=512, tie_word_embeddings=True, eos_token_id=vocab["<|im_end|>"], pad_token_id=vocab["<|endoftext|>"])
    torch.manual_seed(0)
    Qwen2ForCausalLM(cfg).save_pretrained(directory)
    tok.save_pretrained(directory)
    return directory


def advantages(rewards: list[float]) -> list[float]:
    """Group-relative: (r - mean) / (std + 1e-6)."""
    m = sum(rewards) / len(rewards)
    sd = (sum((r - m) ** 2 for r in rewards) / len(rewards)) ** 0.5
    return [(r - m) / (sd + 1e-6) for r in rewards]


def grpo_step(w: PolicyWorker, prompts: list, golds: list[str], n: int, max_new: int, micro: int) -> dict:
    """One GRPO step, timed by phase; rewards by exact match."""
    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    t0 = time.perf_counter()
    out = w.generate({"prompts": prompts, "n": n, "max_new_tokens": max_new})["results"]
    sync()
    t1 = time.perf_counter()
    samples, gen_tokens = [], 0
    for r, gold in zip(out, golds, strict=True):
        rewards = [float(s["text"].strip() == gold) for s in r["samples"]]
        for s, a in zip(r["samples"], advantages(rewards), strict=True):
            gen_tokens += len(s["token_ids"])
            samples.append({"prompt_ids": r["prompt_ids"], "completion_ids": s["token_ids"], "old_logprobs": s["logprobs"], "advantage": a})
    t2 = time.perf_counter()
    stats = w.train_step({"samples": samples, "micro_batch_size": micro})
    sync()
    t3 = time.perf_counter()
    trained = sum(len(s["prompt_ids"]) + len(s["completion_ids"]) for s in samples)
    reward = sum(float(s["text"].strip() == g) for r, g in zip(out, golds, strict=True) for s in r["samples"]) / (len(out) * n)
    return {"generate": t1 - t0, "judge": t2 - t1, "score": stats["seconds"]["score"], "train": t3 - t2 - stats["seconds"]["score"],
            "gen_tokens": gen_tokens, "trained_tokens": trained, "reward": reward}


def hf_section(smoke: bool, rows: list) -> None:
    device = "cuda" if torch.cuda.is_available() and not smoke else "cpu"
    shape = QWEN_SMOKE if smoke else QWEN05
    B, n, max_new, steps = (2, 2, 4, 2) if smoke else (32, 5, 32, 3)
    with tempfile.TemporaryDirectory() as d:
        path = build_qwen2(os.path.join(d, "qwen2"), shape)
        w = PolicyWorker()
        dtype = "float32" if device == "cpu" else "bfloat16"
        info = w.init({"engine": "hf", "seed": 0, "device": device, "threads": 1, "model": {"path": path, "dtype": dtype}, "optim": {"lr": 1e-6}})
        N = info["parameters"]
        prompts = [{"messages": [{"role": "user", "content": f"w{i} w{i + 1} w{i + 2}"}]} for i in range(B)]
        golds = [f"w{i + 3}" for i in range(B)]
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        per = [grpo_step(w, prompts, golds, n, max_new, micro=16 if not smoke else 4) for _ in range(steps)]
        peak_mem = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else float("nan")
        last = per[1:] or per  # the first step includes warm-up
        tot = {k: sum(p[k] for p in last) for k in last[0]}
        gen_tps = tot["gen_tokens"] / tot["generate"]
        learn_s = tot["score"] + tot["train"]
        learn_tps = tot["trained_tokens"] / learn_s
        flops = 8 * N * tot["trained_tokens"]  # 6N policy forward+backward + 2N reference forward
        peak = peak_tflops()
        mfu = flops / learn_s / (peak * 1e12) if peak else float("nan")
        # a plain transformers generate loop on the same prompts, n samples each
        model, hf_tok = w.learner.policy.module, w.tok
        ids = [hf_tok.chat_prompt(p["messages"]) for p in prompts]
        width = max(map(len, ids))
        pad = hf_tok.pad_id
        x = torch.tensor([[pad] * (width - len(r)) + r for r in ids], device=model.device)
        att = (x != pad).long()
        model.eval()
        t = time.perf_counter()
        with torch.no_grad():
            g = model.generate(input_ids=x, attention_mask=att, do_sample=True, num_return_sequences=n, max_new_tokens=max_new,
                               pad_token_id=pad, eos_token_id=hf_tok.stop_ids)
        if device == "cuda":
            torch.cuda.synchronize()
        plain_s = time.perf_counter() - t
        new = g[:, width:]
        plain_tokens = int((new != pad).sum())  # finished rows are padded after their stop token
        k = len(last)
        rows += [
            ("hf Qwen2 random weights", f"{N / 1e6:.0f}M params, {dtype}, {device}, B={B} n={n} max_new={max_new}, {steps} steps"),
            ("  seconds/step generate / judge / score / train", f"{tot['generate'] / k:.2f} / {tot['judge'] / k:.3f} / {tot['score'] / k:.2f} / {tot['train'] / k:.2f}"),
            ("  generation tokens/s: worker engine vs plain generate", f"{gen_tps:.0f} vs {plain_tokens / plain_s:.0f} ({plain_tokens} tokens in {plain_s:.2f} s)"),
            ("  learner tokens/s (prompt + completion)", f"{learn_tps:.0f}"),
            ("  MFU (8N FLOPs/token vs bf16 peak)", f"{100 * mfu:.1f}% of {peak} TFLOP/s" if peak else "n/a (no known bf16 peak for this device)"),
            ("  peak memory allocated", f"{peak_mem:.1f} GiB" if device == "cuda" else "n/a on CPU"),
        ]


def world(people: int, seed: int = 0):
    """Biographies and one-hop questions of synthetic people (cities drawn from a pool)."""
    rng = random.Random(seed)
    cities = [f"city{i}" for i in range(max(8, people // 4))]
    facts = [(f"person{i}", rng.choice(cities)) for i in range(people)]
    docs = [d for name, c in facts for d in (f"{name} was born in {c} .", f"born in {c} , {name} grew up there .", f"the birthplace of {name} is {c} .")]
    docs += [f"Q: where was {name} born ?\nA: {c}\n" for name, c in facts[: people // 3]]
    return facts, docs


def tiny_section(smoke: bool, rows: list) -> None:
    device = "cuda" if torch.cuda.is_available() and not smoke else "cpu"
    people, epochs, steps, model = (12, 2, 2, {"block_size": 32, "n_layer": 1, "n_head": 2, "n_embd": 32}) if smoke else (
        2000, 8, 40, {"block_size": 64, "n_layer": 8, "n_head": 8, "n_embd": 512})
    facts, docs = world(people)
    w = PolicyWorker()
    w.tokenizer({"texts": docs})
    info = w.init({"seed": 0, "device": device, "threads": 1, "model": model, "optim": {"lr": 5e-5}})
    t = time.perf_counter()
    w.pretrain({"documents": docs, "epochs": epochs, "batch_size": 64})
    pre_s = time.perf_counter() - t
    rl = facts[people // 3 : people // 3 + min(256, people // 2)]
    prompts = [f"Q: where was {name} born ?\nA:" for name, _ in rl]

    def accuracy() -> float:
        out = w.generate({"prompts": prompts, "greedy": True, "max_new_tokens": 4})["results"]
        return sum(r["samples"][0]["text"].strip() == c for r, (_, c) in zip(out, rl, strict=True)) / len(rl)

    before = accuracy()
    t = time.perf_counter()
    B = min(32, len(rl))
    for s in range(steps):
        i = (s * B) % len(rl)
        batch = (rl + rl)[i : i + B]
        grpo_step(w, [f"Q: where was {n} born ?\nA:" for n, _ in batch], [c for _, c in batch], 5, 4, 64)
    rl_s = time.perf_counter() - t
    rows += [
        ("tiny engine, synthetic biography world", f"{info['parameters'] / 1e6:.1f}M params, {people} people, {device}"),
        ("  pretrain / GRPO seconds", f"{pre_s:.1f} / {rl_s:.1f} ({epochs} epochs, {steps} steps of {B} x 5)"),
        ("  greedy accuracy on RL questions before -> after", f"{100 * before:.1f}% -> {100 * accuracy():.1f}%"),
    ]


DP_TESTS = (  # (row, test file); each prints its weight gaps as "... max |w_1proc - w_..."
    ("2-rank DDP equivalence on NCCL", "test_data_parallel.py"),
    ("2-rank FSDP equivalence on NCCL", "test_fsdp.py"),
)


def ddp_section(smoke: bool, rows: list) -> None:
    gpus = torch.cuda.device_count()
    for name, test in DP_TESTS:
        if smoke or gpus < 2:
            rows.append((name, f"skipped: {gpus} GPU(s) here" if not smoke else "skipped in the CPU smoke (npm test runs it on gloo)"))
            continue
        env = {**os.environ, "FACTRECALL_DP_DEVICE": "cuda"}
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", os.path.join(WORKER, "tests", test)], env=env, capture_output=True, text=True, cwd=WORKER)
        gaps = "; ".join(line for line in r.stdout.splitlines() if "max |w_1proc" in line) or "no gap line"
        rows.append((name, f"{'passed' if r.returncode == 0 else 'FAILED'} in {time.perf_counter() - t:.0f} s; {gaps}"))


def table(smoke: bool) -> list[tuple[str, str]]:
    """Every section's rows; a section that breaks is a FAILED row, never left out."""
    dev = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    rows: list[tuple[str, str]] = [("device", f"{dev}, torch {torch.__version__}, {torch.cuda.device_count()} GPU(s)")]
    for section in (hf_section, tiny_section, ddp_section):
        try:
            section(smoke, rows)
        except Exception as e:
            rows.append((section.__name__, f"FAILED: {type(e).__name__}: {e}"[:300]))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpu-smoke", action="store_true", help="toy sizes on CPU (the code paths only)")
    args = ap.parse_args()
    torch.set_num_threads(1 if args.cpu_smoke else max(1, min(8, os.cpu_count() or 1)))
    rows = table(args.cpu_smoke)
    width = max(len(k) for k, _ in rows)
    print(f"| {'what'.ljust(width)} | result |\n|{'-' * (width + 2)}|--------|")
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")
    return 1 if any("FAILED" in v for _, v in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
