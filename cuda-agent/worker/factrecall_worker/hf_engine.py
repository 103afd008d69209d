"""The ``hf`` engine: any transformers causal LM as policy, tokenizer and engine.

Generation left-pads the prompts of a batch (position ids count real tokens only, the attention
mask hides the padding), prefills each distinct prompt once keeping only the last position's
logits, repeats its KV cache for the n samples (a prompt is most of the tokens of a short
answer, so this saves most of the prefill), then steps with the model's KV cache through
``decoding.decode``: each next token is drawn by ``sampling.sample_next`` (T = 1, top-p 1, top-k
off by default; greedy for evaluation) and its log-prob comes from the same forward pass. A row
stops at any of the tokenizer's stop ids (EOS, end of turn).

Scoring (the learner's view) gives the logits of completion positions only, never (B, T, V)
over whole prompts: rows that share a prompt run it once and share its KV cache (gradients
flow back through it); otherwise rows are packed ``left-padded prompt + completion`` so every
completion occupies the same last L positions (``logits_to_keep=L``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .decoding import decode
from .engine import ChatTokenizer, Completion, Engine, Policy, SamplingParams, eval_mode
from .errors import BadParamsError
from .memory import rows_that_fit
from .scoring import check_lengths

# End-of-turn tokens of common chat templates (ChatML, Llama 3, Phi, OLMo): stops when present.
END_OF_TURN = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<|endoftext|>", "<end_of_turn>")


class HFTokenizer(ChatTokenizer):
    """A transformers tokenizer with the model's chat template and stop ids."""

    def __init__(self, tokenizer, generation_eos: int | list[int] | None = None):
        self.tok = tokenizer
        stops: list[int] = []
        for e in [tokenizer.eos_token_id, generation_eos]:
            stops.extend(e if isinstance(e, list) else [] if e is None else [e])
        vocab = tokenizer.get_vocab()
        stops.extend(vocab[t] for t in END_OF_TURN if t in vocab)
        self.stop_ids = list(dict.fromkeys(int(s) for s in stops))
        if not self.stop_ids:
            raise BadParamsError("the tokenizer has no EOS or end-of-turn token to stop generation")
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else self.stop_ids[0])

    def __len__(self) -> int:
        return len(self.tok)

    def encode_prompt(self, text: str) -> list[int]:
        return list(self.tok(text, add_special_tokens=True)["input_ids"])

    def encode_completion(self, text: str, append_stop: bool) -> list[int]:
        ids = list(self.tok(text, add_special_tokens=False)["input_ids"])
        return ids + [self.stop_ids[0]] if append_stop else ids

    def chat_prompt(self, messages) -> list[int]:
        if not getattr(self.tok, "chat_template", None):
            raise BadParamsError("this model's tokenizer has no chat template: send text prompts")
        out = self.tok.apply_chat_template(
            [dict(m) for m in messages], add_generation_prompt=True, tokenize=True
        )
        ids = out["input_ids"] if not isinstance(out, list) else out  # v5 returns a BatchEncoding
        return [int(i) for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        return self.tok.decode(list(ids), skip_special_tokens=True)


def left_pad(rows: Sequence[Sequence[int]], pad_id: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """ids (B, T) left-padded, attention mask (B, T) int64 (1 on real tokens)."""
    T = max(len(r) for r in rows)
    ids = torch.full((len(rows), T), pad_id, dtype=torch.long)
    att = torch.zeros((len(rows), T), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, T - len(r) :] = torch.tensor(list(r), dtype=torch.long)
        att[i, T - len(r) :] = 1
    return ids.to(device), att.to(device)


def positions_of(att: torch.Tensor) -> torch.Tensor:
    """Position ids counting real tokens only: (B, T) mask -> (B, T), padding at 0."""
    return (att.cumsum(dim=1) - 1).clamp(min=0)


class HFPolicy(Policy):
    """A transformers causal LM as the learner sees it."""

    def __init__(self, model, pad_id: int, max_length: int | None = None):
        self.module = model
        self.pad_id = pad_id
        self._max_length = int(max_length or getattr(model.config, "max_position_embeddings", 2048))

    @property
    def device(self) -> torch.device:
        return next(self.module.parameters()).device

    @property
    def max_length(self) -> int:
        return self._max_length

    def completion_logits(self, prompts, completions):
        # Rows of one GRPO group share their prompt: run each distinct prompt once, with its KV
        # cache handed to all its rows (gradients flow back through the shared keys and
        # values), so a short answer costs its own tokens, not the prompt's again. Gradient
        # checkpointing turns the cache off in training, so it takes the plain path, and so
        # does data parallelism (two forward passes per backward would arm DDP's reducer twice).
        distinct = len({tuple(p) for p in prompts})
        checkpointing = getattr(self.module, "is_activation_checkpointing", False)
        if distinct < len(prompts) and not checkpointing and self.runner is None:
            return self._shared_prefix_logits(prompts, completions)
        return self._packed_logits(prompts, completions)

    def _packed_logits(self, prompts, completions):
        B = len(prompts)
        P = max(len(p) for p in prompts)
        L = max(1, max(len(c) for c in completions))
        # row = pad * (P - |p|) + p + c[:-1] + pad * (L - |c|): token j of every completion is
        # predicted at position P - 1 + j, i.e. the completions sit in the last L positions.
        ids = torch.full((B, P + L - 1), self.pad_id, dtype=torch.long)
        att = torch.zeros((B, P + L - 1), dtype=torch.long)
        for i, (p, c) in enumerate(zip(prompts, completions, strict=True)):
            row = list(p) + list(c[:-1])
            ids[i, P - len(p) : P - len(p) + len(row)] = torch.tensor(row, dtype=torch.long)
            att[i, P - len(p) : P - len(p) + len(row)] = 1
        dev = self.device
        ids, att = ids.to(dev), att.to(dev)
        out = self.forward_module()(
            input_ids=ids,
            attention_mask=att,
            position_ids=positions_of(att),
            use_cache=False,
            logits_to_keep=L,
        )
        targets, mask = self._targets(completions, L)
        return out.logits[:, -L:], targets, mask  # (B, L, V), (B, L), (B, L)

    def _targets(self, completions, L):
        targets = torch.full((len(completions), L), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(completions), L), dtype=torch.float32)
        for i, c in enumerate(completions):
            if c:
                targets[i, : len(c)] = torch.tensor(list(c), dtype=torch.long)
                mask[i, : len(c)] = 1.0
        return targets.to(self.device), mask.to(self.device)

    def _shared_prefix_logits(self, prompts, completions):
        dev = self.device
        keys: dict[tuple, int] = {}
        row_prompt = [keys.setdefault(tuple(p), len(keys)) for p in prompts]  # row -> distinct prompt
        distinct = [list(k) for k in keys]
        L = max(1, max(len(c) for c in completions))
        p_ids, p_att = left_pad(distinct, self.pad_id, dev)  # (U, P)
        p_pos = positions_of(p_att)  # (U, P)
        pre = self.module(
            input_ids=p_ids, attention_mask=p_att, position_ids=p_pos, use_cache=True, logits_to_keep=1
        )
        sel = torch.tensor(row_prompt, dtype=torch.long, device=dev)  # (B,)
        first = pre.logits[:, -1:, :].index_select(0, sel)  # (B, 1, V): predicts completion token 0
        if L == 1:
            logits = first
        else:
            cache = pre.past_key_values
            cache.batch_select_indices(sel)  # (U, ...) -> (B, ...), differentiable gathers
            B = len(prompts)
            c_ids = torch.full((B, L - 1), self.pad_id, dtype=torch.long)
            c_att = torch.zeros((B, L - 1), dtype=torch.long)
            for i, c in enumerate(completions):
                if len(c) > 1:
                    c_ids[i, : len(c) - 1] = torch.tensor(list(c[:-1]), dtype=torch.long)
                    c_att[i, : len(c) - 1] = 1
            c_ids, c_att = c_ids.to(dev), c_att.to(dev)
            att = torch.cat([p_att.index_select(0, sel), c_att], dim=1)  # (B, P + L - 1)
            start = p_pos[:, -1].index_select(0, sel) + 1  # (B,) position of completion token 0
            c_pos = start[:, None] + torch.arange(L - 1, device=dev)[None, :]  # (B, L - 1)
            out = self.module(
                input_ids=c_ids,
                attention_mask=att,
                position_ids=c_pos,
                past_key_values=cache,
                use_cache=True,
            )
            logits = torch.cat([first, out.logits], dim=1)  # (B, L, V)
        targets, mask = self._targets(completions, L)
        return logits, targets, mask


class HFEngine(Engine):
    """Samples from (and scores with) the transformers model it shares with the learner."""

    name = "hf"
    score_rows = 64  # rows per scoring forward pass (each holds L x V float32 logits)

    def __init__(self, policy: HFPolicy, tok: HFTokenizer, max_batch_rows: int = 256):
        self.policy = policy
        self.model = policy.module
        self.tok = tok
        self.max_batch_rows = max_batch_rows

    def _kv_bytes_per_token(self) -> int:
        c = self.model.config
        layers = getattr(c, "num_hidden_layers", 1)
        heads = getattr(c, "num_key_value_heads", None) or getattr(c, "num_attention_heads", 1)
        head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
        return 2 * layers * heads * head_dim * next(self.model.parameters()).element_size()

    @torch.no_grad()
    def _generate_rows(self, prompts, params: SamplingParams, generator) -> list[Completion]:
        """params.n completions of each prompt, prompt-major (rows p0s0, p0s1, ..., p1s0, ...)."""
        dev = self.policy.device
        n = params.n
        ids, att = left_pad(prompts, self.tok.pad_id, dev)  # (P, T), (P, T)
        pos = positions_of(att)  # (P, T)
        out = self.model(
            input_ids=ids, attention_mask=att, position_ids=pos, use_cache=True, logits_to_keep=1
        )
        cache = out.past_key_values
        if n > 1:
            cache.batch_repeat_interleave(n)  # (P, ...) -> (P * n, ...), each prompt's rows together
        next_logits = out.logits[:, -1, :].repeat_interleave(n, dim=0)  # (B, V), B = P * n
        att = att.repeat_interleave(n, dim=0)  # (B, T)
        next_pos = (pos[:, -1] + 1).repeat_interleave(n, dim=0)  # (B,)
        B = next_logits.shape[0]
        state = {"att": att, "cache": cache, "pos": next_pos}

        def step(tok: torch.Tensor) -> torch.Tensor:
            att = torch.cat([state["att"], torch.ones(B, 1, dtype=state["att"].dtype, device=dev)], dim=1)
            out = self.model(
                input_ids=tok[:, None],
                attention_mask=att,  # (B, T + s + 1)
                position_ids=state["pos"][:, None],
                past_key_values=state["cache"],
                use_cache=True,
            )
            state["att"], state["cache"], state["pos"] = att, out.past_key_values, state["pos"] + 1
            return out.logits[:, -1, :]  # (B, V)

        return decode(next_logits, step, params, self.tok.stop_ids, generator)

    def generate(self, prompts, params, generator):
        check_lengths(prompts, [params.max_new_tokens] * len(prompts), self.policy.max_length)
        longest = max(len(p) for p in prompts) + params.max_new_tokens
        per_row = self._kv_bytes_per_token() * longest + 4 * len(self.tok) * 3  # cache + logits
        rows = rows_that_fit(per_row, self.policy.device, self.max_batch_rows)
        chunk = max(1, rows // params.n)  # prompts per batch; each brings n rows
        flat: list[Completion] = []
        with eval_mode(self.model):
            for start in range(0, len(prompts), chunk):
                part = [list(p) for p in prompts[start : start + chunk]]
                flat.extend(self._generate_rows(part, params, generator))
        return [flat[i * params.n : (i + 1) * params.n] for i in range(len(prompts))]
