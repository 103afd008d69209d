"""A tiny corpus, a ready in-process PolicyWorker built on it, and the exact-resume check, shared by the tests."""

from __future__ import annotations

import torch

from factrecall_worker.policy_worker import PolicyWorker

PEOPLE = [
    ("Alice Smith", "Paris", "baker"),
    ("Bruno Diaz", "Lima", "pilot"),
    ("Chen Wei", "Oslo", "nurse"),
    ("Dana Kim", "Rome", "judge"),
    ("Emil Berg", "Cairo", "tailor"),
    ("Fay Lund", "Quito", "poet"),
]

DOCUMENTS = [
    doc
    for name, city, job in PEOPLE
    for doc in (
        f"{name} was born in {city} . {name} works as a {job} .",
        f"Born in {city} , {name} became a {job} .",
        f"Q: Where was {name} born?\nA: {city}\n",
    )
]

PROMPTS = [f"Q: Where was {name} born?\nA:" for name, _, _ in PEOPLE]

SMALL_MODEL = {"block_size": 32, "n_layer": 2, "n_head": 2, "n_embd": 32}


def make_worker(seed: int = 0, lr: float = 1e-3, device: str = "cpu", **loss) -> PolicyWorker:
    w = PolicyWorker()
    w.tokenizer({"texts": DOCUMENTS})
    w.init(
        {"seed": seed, "device": device, "threads": 1, "model": SMALL_MODEL, "optim": {"lr": lr}, "loss": loss}
    )
    return w


def group_batch(w: PolicyWorker, seed: int, n: int = 4) -> list[dict]:
    """Samples for train_step: n completions per prompt, advantages centred per group."""
    out = w.generate({"prompts": PROMPTS[:3], "n": n, "max_new_tokens": 6, "seed": seed})
    samples = []
    for g, group in enumerate(out["results"]):
        scores = [float((g + j) % 3 == 0) for j in range(n)]
        mean = sum(scores) / n
        for s, score in zip(group["samples"], scores, strict=True):
            samples.append(
                {
                    "prompt_ids": group["prompt_ids"],
                    "completion_ids": s["token_ids"],
                    "old_logprobs": s["logprobs"],
                    "advantage": score - mean,
                }
            )
    return samples


def assert_exact_resume(call, ckpt: str, batch: list[dict], tmp_path, device: str) -> None:
    """Exact resume through a worker's ``call(method, params)``: the unseeded samples and train
    step that follow loading ``ckpt`` equal those that followed saving it (the caller saved
    ``ckpt`` just before), down to every weight of the next checkpoint."""
    def next_step(path: str):
        gen = call("generate", {"prompts": PROMPTS[:4], "n": 2, "max_new_tokens": 5})
        call("train_step", {"samples": batch, "micro_batch_size": 4})
        call("save", {"path": path})
        return gen, torch.load(path, map_location="cpu", weights_only=True)["policy"]

    first = next_step(str(tmp_path / "a.pt"))
    loaded = call("load", {"path": ckpt, "device": device, "threads": 1})
    assert loaded["step"] == 3 and loaded["exact_rng"] is True
    second = next_step(str(tmp_path / "b.pt"))
    assert first[0] == second[0]
    assert all(torch.equal(v, second[1][k]) for k, v in first[1].items())
