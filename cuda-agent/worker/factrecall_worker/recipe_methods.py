"""The worker methods of the comparison recipes: `sft_step` and `dpo_step` (params checked here,
the math in recipe_learner.py). Prompts are text, chat messages or token ids (as in
`generate`); completions are token ids or text (text with ``append_eos`` ends with the stop id,
as in `logprobs`), so SFT on gold answers sends text and RFT/DPO send the sampled ids untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import BadParamsError
from .params import Params, int_list
from .recipe_learner import dpo_step, sft_step

if TYPE_CHECKING:
    from .policy_worker import PolicyWorker


def _completions(worker: PolicyWorker, where: str, raw: list, append_eos: bool) -> list[list[int]]:
    tok = worker.tok
    assert tok is not None
    return [
        tok.encode_completion(c, append_eos)
        if isinstance(c, str)
        else int_list(f"{where}[{i}]", c, len(tok))
        for i, c in enumerate(raw)
    ]


def sft_step_method(worker: PolicyWorker, params: dict) -> dict:
    """`sft_step`: {prompts, completions, append_eos?, micro_batch_size?} -> one NLL step."""
    _, learner, _ = worker._ready("sft_step")
    p = Params("sft_step", params)
    prompts = worker._prompt_ids("sft_step.prompts", p.list("prompts", min_len=1))
    raw = p.list("completions")
    append_eos = p.bool("append_eos", False)
    micro = p.int("micro_batch_size", 32, min=1)
    p.done()
    completions = _completions(worker, "sft_step.completions", raw, append_eos)
    if len(completions) != len(prompts):
        raise BadParamsError(f"sft_step: {len(prompts)} prompts but {len(completions)} completions")
    return sft_step(learner, prompts, completions, micro)


def dpo_step_method(worker: PolicyWorker, params: dict) -> dict:
    """`dpo_step`: {prompts, chosen, rejected, beta, append_eos?, micro_batch_size?} -> one step."""
    _, learner, _ = worker._ready("dpo_step")
    p = Params("dpo_step", params)
    prompts = worker._prompt_ids("dpo_step.prompts", p.list("prompts", min_len=1))
    raw_chosen = p.list("chosen")
    raw_rejected = p.list("rejected")
    beta = p.float("beta", min=1e-6)
    append_eos = p.bool("append_eos", False)
    micro = p.int("micro_batch_size", 32, min=1)
    p.done()
    chosen = _completions(worker, "dpo_step.chosen", raw_chosen, append_eos)
    rejected = _completions(worker, "dpo_step.rejected", raw_rejected, append_eos)
    if not (len(chosen) == len(rejected) == len(prompts)):
        raise BadParamsError(
            f"dpo_step: {len(prompts)} prompts, {len(chosen)} chosen, {len(rejected)} rejected"
        )
    if any(not c for c in chosen) or any(not r for r in rejected):
        raise BadParamsError("dpo_step: every chosen and rejected completion needs a token")
    return dpo_step(learner, prompts, chosen, rejected, beta, micro)
