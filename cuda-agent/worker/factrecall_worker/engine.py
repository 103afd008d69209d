"""The generation engine interface.

An engine turns prompts (token ids) into sampled completions with the log-prob of every sampled
token, and scores given completions. The ``tiny`` engine (tiny_engine.py) is our small GPT;
engines for real models (``hf``, ``vllm``) implement the same two methods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class SamplingParams:
    """How to sample: ``n`` completions per prompt, at most ``max_new_tokens`` each.

    temperature 0 or greedy=True means argmax; top_k 0 and top_p 1.0 mean off.
    """

    n: int = 1
    max_new_tokens: int = 16
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    greedy: bool = False


@dataclass
class Completion:
    """One sampled completion.

    token_ids: the generated ids, ending with the stop token when finish_reason is "stop";
    logprobs: the sampling log-prob of each of them (same length); finish_reason: "stop" (eos or
    newline) or "length" (max_new_tokens reached).
    """

    token_ids: list[int]
    logprobs: list[float]
    finish_reason: str


class Engine(ABC):
    """Generation and scoring on the current policy weights."""

    name: str

    @abstractmethod
    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        params: SamplingParams,
        generator: torch.Generator | None,
    ) -> list[list[Completion]]:
        """For each prompt, ``params.n`` completions (outer list: prompts, inner: samples)."""

    @abstractmethod
    def logprobs(
        self,
        prompts: Sequence[Sequence[int]],
        completions: Sequence[Sequence[int]],
        temperature: float = 1.0,
    ) -> list[list[float]]:
        """log p(completion token | prompt, earlier completion tokens), one list per row."""
