"""Plain transformers `generate` on given chat prompts: the baseline beside the worker's hf engine.

Reads one JSON request on stdin:
    {"gguf": path, "prompts": [[{role, content}, ...], ...], "n": 8, "max_new_tokens": 32,
     "threads": 2, "seed": 0, "rounds": 1}
loads the model exactly as the worker does (``from_pretrained(dir, gguf_file=name)``,
dequantised to float32 on CPU), and samples n answers per prompt at T = 1 (top-p 1, top-k off,
as GRPO samples) with one batched ``model.generate`` call (prompts left-padded,
``num_return_sequences=n``), after one warm-up call. Prints one JSON line: generated tokens
(each row up to and including its EOS, none of the padding after it), seconds inside the timed
``generate`` calls, the load seconds.

    .venv/bin/python benchmarks/plain_generate.py < request.json
"""

from __future__ import annotations

import json
import os
import sys
import time

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def generated_tokens(rows: torch.Tensor, prompt_len: int, stop_ids: set[int], pad_id: int | None) -> int:
    """Tokens each row generated after the prompt, up to and including its first stop id."""
    total = 0
    for row in rows[:, prompt_len:].tolist():
        n = 0
        for t in row:
            n += 1
            if t in stop_ids:
                break
        else:  # no stop: trailing pad ids (a row done before the others) are not generated tokens
            while n and pad_id is not None and row[n - 1] == pad_id and pad_id not in stop_ids:
                n -= 1
        total += n
    return total


def main() -> None:
    req = json.load(sys.stdin)
    torch.set_num_threads(int(req.get("threads", 2)))
    t0 = time.perf_counter()
    where, name = os.path.dirname(os.path.abspath(req["gguf"])), os.path.basename(req["gguf"])
    tok = AutoTokenizer.from_pretrained(where, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(where, gguf_file=name, dtype=torch.float32).eval()
    load_s = time.perf_counter() - t0
    tok.padding_side = "left"
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    texts = [tok.apply_chat_template(m, add_generation_prompt=True, tokenize=False) for m in req["prompts"]]
    batch = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    eos = model.generation_config.eos_token_id
    stop_ids = set(eos if isinstance(eos, list) else [eos])
    n, max_new = int(req["n"]), int(req["max_new_tokens"])
    kwargs = dict(do_sample=True, temperature=1.0, top_p=1.0, top_k=0, pad_token_id=pad_id)
    with torch.inference_mode():
        model.generate(**batch, max_new_tokens=2, num_return_sequences=1, **kwargs)  # warm-up
        torch.manual_seed(int(req.get("seed", 0)))
        tokens, seconds = 0, 0.0
        for _ in range(int(req.get("rounds", 1))):
            t = time.perf_counter()
            out = model.generate(**batch, max_new_tokens=max_new, num_return_sequences=n, **kwargs)
            seconds += time.perf_counter() - t
            tokens += generated_tokens(out, batch["input_ids"].shape[1], stop_ids, pad_id)
    json.dump({"tokens": tokens, "seconds": seconds, "load_s": load_s, "rows": len(texts) * n}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
