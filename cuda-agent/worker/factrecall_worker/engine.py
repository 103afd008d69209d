"""The three small interfaces that keep the worker pluggable: policy, tokenizer, engine.

- ``Policy``: a causal LM as the learner sees it: its parameters (``module``), its device and
  context length, and the logits at completion positions only for a batch of (prompt,
  completion) pairs. The learner depends on this and nothing else.
- ``ChatTokenizer``: text <-> ids, the model's own chat template (messages -> prompt ids with the
  generation prompt), the stop ids (EOS, end of turn) and the pad id.
- ``Engine``: generation with the log-prob of every sampled token, scoring of given
  completions, and loading new weights.

Engines live in a registry (engines.py); ``tiny`` (our word-level GPT, FactWorld) and ``hf``
(any transformers causal LM) implement these, and one conformance suite checks both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
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
    logprobs: the sampling log-prob of each of them (same length); finish_reason: "stop" (a stop
    id of the tokenizer) or "length" (max_new_tokens reached).
    """

    token_ids: list[int]
    logprobs: list[float]
    finish_reason: str


ChatMessage = Mapping[str, str]  # {"role": "system" | "user" | "assistant", "content": str}


class ChatTokenizer(ABC):
    """What the worker needs of a tokenizer."""

    pad_id: int
    stop_ids: list[int]

    @abstractmethod
    def __len__(self) -> int:
        """Vocabulary size (ids are 0 .. len - 1)."""

    @abstractmethod
    def encode_prompt(self, text: str) -> list[int]:
        """A raw text prompt as the model's input (with its begin-of-text token, if it has one)."""

    @abstractmethod
    def encode_completion(self, text: str, append_stop: bool) -> list[int]:
        """Text as a completion (no begin token); ``append_stop`` ends it with the first stop id."""

    @abstractmethod
    def chat_prompt(self, messages: Sequence[ChatMessage]) -> list[int]:
        """The model's own chat template applied to ``messages``, with the generation prompt."""

    @abstractmethod
    def decode(self, ids: Sequence[int]) -> str:
        """Text of generated ids, special tokens (stop ids included) left out."""


class Policy(ABC):
    """A causal LM as the learner sees it."""

    module: torch.nn.Module  # the parameters the optimizer updates
    # What forward passes with gradient go through: under data parallelism the
    # DistributedDataParallel wrapper of ``module`` (data_parallel.py), else None (``module``).
    runner: torch.nn.Module | None = None

    def forward_module(self) -> torch.nn.Module:
        """The module to call: the DDP wrapper when gradients flow, else the plain module (a
        no-grad pass needs no gradient hooks, and ranks may make different numbers of them)."""
        return self.runner if self.runner is not None and torch.is_grad_enabled() else self.module

    @property
    @abstractmethod
    def device(self) -> torch.device: ...

    @property
    @abstractmethod
    def max_length(self) -> int:
        """Longest prompt + completion the model takes."""

    @abstractmethod
    def completion_logits(
        self, prompts: Sequence[Sequence[int]], completions: Sequence[Sequence[int]]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logits predicting each completion token, its target and mask.

        Returns logits (B, L, V) at completion positions only (L the longest completion; never
        the whole prompt), targets (B, L) int64 and mask (B, L) float, 1 on real tokens.
        Gradients flow when the caller has them enabled.
        """

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.module.parameters())


class Engine(ABC):
    """Generation and scoring on the current policy weights.

    A colocated engine shares the learner's ``policy``: scoring and loading weights go through
    it (an engine with its own copy of the weights, like vLLM, overrides both).
    """

    name: str
    policy: Policy
    score_rows: int | None  # rows per scoring pass (None: a whole request at once)

    @abstractmethod
    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        params: SamplingParams,
        generator: torch.Generator | None,
    ) -> list[list[Completion]]:
        """For each prompt, ``params.n`` completions (outer list: prompts, inner: samples)."""

    def logprobs(
        self,
        prompts: Sequence[Sequence[int]],
        completions: Sequence[Sequence[int]],
        temperature: float = 1.0,
    ) -> list[list[float]]:
        """log p(completion token | prompt, earlier completion tokens), one list per row."""
        from .scoring import score_in_chunks  # scoring imports this module's Policy

        return score_in_chunks(self.policy, prompts, completions, temperature, self.score_rows)

    def load_weights(self, state: Mapping[str, torch.Tensor]) -> None:
        """Replace the weights generation uses."""
        self.policy.module.load_state_dict(state)

    def after_update(self) -> dict | None:
        """After each optimizer step: an engine with its own copy of the weights (vLLM) syncs
        them here and reports how it went; a colocated one shares them and returns None."""
        return None


@contextmanager
def eval_mode(module: torch.nn.Module) -> Iterator[None]:
    """``module`` in eval mode inside the block, its previous mode restored after."""
    was_training = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(was_training)
