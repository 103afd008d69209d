"""The policy worker's state and its RPC methods (transport-free: params in, result out).

It holds what an engine (engines.py: ``tiny`` or ``hf``) built: the tokenizer, the policy
(shared by the engine and the learner, so there are no weight copies), the frozen reference,
plus the optimizer and the sampling generator. Each public method takes the request's
``params`` map and returns the ``result`` map; errors are WorkerError subclasses.
``server.py`` puts these on the wire.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import asdict

import torch

from .checkpoint import load_checkpoint, save_checkpoint
from .engine import ChatTokenizer, Engine, SamplingParams
from .engines import ENGINES, Built, build, build_from_checkpoint, checkpoint_model_state, read_model, unsupported
from .errors import BadParamsError, CheckpointInvalidError, NotReadyError
from .learner import Learner, LossConfig, OptimConfig, TrainSample
from .params import Params, float_list, int_list
from .pretrain import PretrainConfig, pretrain
from .recipe_methods import dpo_step_method, sft_step_method
from .rng import capture_rng_states, restore_rng_states, seed_all
from .scoring import score_in_chunks
from .tokenizer import WordTokenizer

Notify = Callable[[dict], None]


def _resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise BadParamsError("device `cuda` asked for, but torch sees no CUDA device here")
    return torch.device(name)


def read_optim(o: Params, base: OptimConfig) -> OptimConfig:
    """The ``optim`` map of `init` or `load`: each key checked, absent keys taken from ``base``."""
    return OptimConfig(
        lr=o.float("lr", base.lr, min=0.0),
        beta1=o.float("beta1", base.beta1, min=0.0, max=1.0),
        beta2=o.float("beta2", base.beta2, min=0.0, max=1.0),
        eps=o.float("eps", base.eps, min=0.0),
        weight_decay=o.float("weight_decay", base.weight_decay, min=0.0),
        grad_clip=o.float("grad_clip", base.grad_clip, min=0.0),
    )


def read_loss(lo: Params, base: LossConfig) -> LossConfig:
    """The ``loss`` map of `init` or `load`: each key checked, absent keys taken from ``base``."""
    return LossConfig(
        clip_eps=lo.float("clip_eps", base.clip_eps, min=0.0, max=1.0),
        kl_coef=lo.float("kl_coef", base.kl_coef, min=0.0),
        temperature=lo.float("temperature", base.temperature, min=1e-6),
    )


def read_train_step(params: dict, vocab_size: int, min_samples: int = 1) -> tuple[list[TrainSample], int]:
    """The samples and micro-batch size of a `train_step` request, each field checked."""
    p = Params("train_step", params)
    raw = p.list("samples", min_len=min_samples)
    micro = p.int("micro_batch_size", 32, min=1)
    p.done()
    samples = []
    for i, s in enumerate(raw):
        q = Params(f"train_step.samples[{i}]", s)
        completion = int_list(f"samples[{i}].completion_ids", q.list("completion_ids"), vocab_size)
        samples.append(
            TrainSample(
                prompt_ids=int_list(f"samples[{i}].prompt_ids", q.list("prompt_ids", min_len=1), vocab_size),
                completion_ids=completion,
                old_logprobs=float_list(f"samples[{i}].old_logprobs", q.list("old_logprobs"), len(completion)),
                advantage=q.float("advantage"),
                mask=q.bool("mask", True),
            )
        )
        q.done()
    return samples, micro


class PolicyWorker:
    def __init__(self) -> None:
        self.vocab_tok: WordTokenizer | None = None  # the tiny engine's vocabulary, before `init`
        self.built: Built | None = None
        self.learner: Learner | None = None
        self.sample_gen: torch.Generator | None = None
        self.device = torch.device("cpu")
        self.seed = 0

    @property
    def tok(self) -> ChatTokenizer | None:
        return self.built.tok if self.built is not None else self.vocab_tok

    @property
    def engine(self) -> Engine | None:
        return self.built.engine if self.built is not None else None

    # -- state checks ----------------------------------------------------------------------
    def _ready(self, method: str) -> tuple[ChatTokenizer, Learner, Engine]:
        if self.built is None or self.learner is None:
            raise NotReadyError(f"`{method}` needs a model: call `init` (or `load`) first")
        return self.built.tok, self.learner, self.built.engine

    def _prompt_ids(self, where: str, prompts: list) -> list[list[int]]:
        """A prompt is text (encoded raw), chat messages (the model's template) or token ids."""
        tok = self.tok
        assert tok is not None
        out = []
        for i, p in enumerate(prompts):
            if isinstance(p, str):
                out.append(tok.encode_prompt(p))
            elif isinstance(p, dict):
                q = Params(f"{where}[{i}]", p)
                messages = q.list("messages", min_len=1)
                q.done()
                for j, m in enumerate(messages):
                    if not (
                        isinstance(m, dict)
                        and set(m) == {"role", "content"}
                        and all(isinstance(v, str) for v in m.values())
                    ):
                        raise BadParamsError(f"{where}[{i}].messages[{j}] must be {{role, content}} strings")
                out.append(tok.chat_prompt(messages))
            else:
                out.append(int_list(f"{where}[{i}]", p, len(tok)))
            if not out[-1]:
                raise BadParamsError(f"{where}[{i}] is empty")
        return out

    # -- methods ---------------------------------------------------------------------------
    def info(self, params: dict) -> dict:
        """Versions and what is loaded (cheap; no state needed)."""
        Params("info", params).done()
        return {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "cuda_available": torch.cuda.is_available(),
            "engines": list(ENGINES),
            "ready": self.learner is not None,
            "engine": self.built.name if self.built else None,
            "vocab_size": len(self.tok) if self.tok else None,
        }

    def tokenizer(self, params: dict) -> dict:
        """Fit the vocabulary on ``texts`` or set it from ``vocab`` (tiny engine); returns ids of the specials."""
        p = Params("tokenizer", params)
        texts, vocab = p.list("texts", None), p.list("vocab", None)
        min_count, max_size = p.int("min_count", 1, min=1), p.int("max_size", None, min=5)
        p.done()
        if (texts is None) == (vocab is None):
            raise BadParamsError("tokenizer: give exactly one of `texts` (to fit) or `vocab` (to set)")
        if self.built is not None and self.built.name != "tiny":
            raise BadParamsError(f"tokenizer: the `{self.built.name}` engine brings its model's own tokenizer")
        tok = WordTokenizer(vocab) if vocab is not None else WordTokenizer.fit(texts, min_count, max_size)
        current = self.tok
        if self.learner is not None and isinstance(current, WordTokenizer) and tok.vocab != current.vocab:
            raise BadParamsError(
                "tokenizer: the model is built on another vocabulary; call `init` again after this"
            )
        self.vocab_tok = tok
        return {
            "vocab_size": len(tok),
            "vocab": tok.vocab,
            "special_ids": {
                "pad": tok.pad_id,
                "bos": tok.bos_id,
                "eos": tok.eos_id,
                "unk": tok.unk_id,
                "newline": tok.newline_id,
            },
        }

    def init(self, params: dict) -> dict:
        """Build policy, reference copy, optimizer and engine; seed every generator."""
        p = Params("init", params)
        engine = p.str("engine", "tiny")
        seed = p.int("seed", 0, min=0)
        device = _resolve_device(p.str("device", "auto", choices=("auto", "cpu", "cuda")))
        threads = p.int("threads", 2, min=1)
        vocab = p.list("vocab", None)
        m, o, lo = p.map("model"), p.map("optim"), p.map("loss")
        optim = read_optim(o, OptimConfig())
        loss = read_loss(lo, LossConfig())
        for sub in (p, o, lo):
            sub.done()
        if engine not in ENGINES:
            raise unsupported(engine)
        model = read_model(engine, m)  # checks m's keys for this engine
        if vocab is not None:
            self.vocab_tok = WordTokenizer(vocab)
        if device.type == "cpu":
            torch.set_num_threads(threads)
        self.device, self.seed = device, seed
        seed_all(seed)
        self._install(build(engine, model, device, self.vocab_tok), optim, loss)
        assert self.built is not None and self.learner is not None
        return {
            "engine": engine,
            "device": str(device),
            "parameters": self.learner.policy.num_parameters(),
            "model": self.built.model,
            "torch": torch.__version__,
        }

    def _install(self, built: Built, optim: OptimConfig, loss: LossConfig) -> None:
        self.built = built
        if isinstance(built.tok, WordTokenizer):
            self.vocab_tok = built.tok
        self.learner = Learner(built.policy, built.reference, optim, loss)
        self.sample_gen = torch.Generator(device=self.device)
        self.sample_gen.manual_seed(self.seed + 1)

    def generate(self, params: dict) -> dict:
        """``n`` samples per prompt with token ids, sampling log-probs and decoded text."""
        tok, _, engine = self._ready("generate")
        p = Params("generate", params)
        prompts = self._prompt_ids("generate.prompts", p.list("prompts", min_len=1))
        sp = SamplingParams(
            n=p.int("n", 1, min=1),
            max_new_tokens=p.int("max_new_tokens", 16, min=1),
            temperature=p.float("temperature", 1.0, min=0.0),
            top_p=p.float("top_p", 1.0, min=0.0, max=1.0),
            top_k=p.int("top_k", 0, min=0),
            greedy=p.bool("greedy", False),
        )
        seed = p.int("seed", None, min=0)
        p.done()
        if sp.top_p <= 0.0:
            raise BadParamsError("generate: `top_p` must be > 0")
        gen = self.sample_gen
        if seed is not None:
            gen = torch.Generator(device=self.device)
            gen.manual_seed(seed)
        groups = engine.generate(prompts, sp, gen)
        return {
            "results": [
                {
                    "prompt_ids": prompt,
                    "samples": [
                        {
                            "token_ids": c.token_ids,
                            "logprobs": c.logprobs,
                            "text": tok.decode(c.token_ids),
                            "finish_reason": c.finish_reason,
                        }
                        for c in group
                    ],
                }
                for prompt, group in zip(prompts, groups, strict=True)
            ]
        }

    def logprobs(self, params: dict) -> dict:
        """Per-token log-probs of given completions under the policy and the reference.

        A completion is token ids or text; text is encoded without a begin token and, with
        ``append_eos``, ends with the first stop id (<eos> for tiny, where a pretraining document
        ends), so the sum of its log-probs is the log-probability of answering exactly that text
        and stopping.
        """
        tok, learner, engine = self._ready("logprobs")
        p = Params("logprobs", params)
        prompts = self._prompt_ids("logprobs.prompts", p.list("prompts", min_len=1))
        raw = p.list("completions")
        temperature = p.float("temperature", learner.loss_cfg.temperature, min=1e-6)
        with_ref = p.bool("reference", True)
        append_eos = p.bool("append_eos", False)
        p.done()
        completions = [
            tok.encode_completion(c, append_eos)
            if isinstance(c, str)
            else int_list(f"logprobs.completions[{i}]", c, len(tok))
            for i, c in enumerate(raw)
        ]
        if len(completions) != len(prompts):
            raise BadParamsError(f"logprobs: {len(prompts)} prompts but {len(completions)} completions")
        result: dict = {
            "policy": engine.logprobs(prompts, completions, temperature),
            "completion_ids": completions,
        }
        if with_ref:
            result["reference"] = score_in_chunks(
                learner.reference, prompts, completions, temperature, engine.score_rows
            )
        return result

    def train_step(self, params: dict) -> dict:
        """One GRPO optimizer step on a batch of samples (see learner.py)."""
        tok, learner, engine = self._ready("train_step")
        samples, micro = read_train_step(params, len(tok))
        result = learner.train_step(samples, micro)
        sync = engine.after_update() if not result["skipped"] else None
        return result if sync is None else {**result, "sync": sync}

    def sft_step(self, params: dict) -> dict:
        """One SFT/RFT optimizer step (token-mean NLL; recipe_methods.py)."""
        return sft_step_method(self, params)

    def dpo_step(self, params: dict) -> dict:
        """One DPO optimizer step against the frozen reference (recipe_methods.py)."""
        return dpo_step_method(self, params)

    def pretrain(self, params: dict, notify: Notify | None = None) -> dict:
        """Next-token training on documents; afterwards the reference is the pretrained model."""
        tok, learner, _ = self._ready("pretrain")
        if not isinstance(tok, WordTokenizer):
            raise BadParamsError("pretrain is for the tiny engine (documents in its word vocabulary)")
        p = Params("pretrain", params)
        docs = p.list("documents", min_len=1)
        cfg = PretrainConfig(
            epochs=p.int("epochs", min=1),
            batch_size=p.int("batch_size", 32, min=1),
            lr=p.float("lr", 3e-3, min=0.0),
            weight_decay=p.float("weight_decay", 0.1, min=0.0),
            warmup_frac=p.float("warmup_frac", 0.05, min=0.0, max=1.0),
            min_lr_frac=p.float("min_lr_frac", 0.1, min=0.0, max=1.0),
            grad_clip=p.float("grad_clip", 1.0, min=0.0),
            seq_len=p.int("seq_len", 0, min=0),
        )
        every = p.int("progress_every", 50, min=1)
        seed = p.int("seed", self.seed, min=0)
        p.done()
        gen = torch.Generator()
        gen.manual_seed(seed)
        result = pretrain(learner.policy.module, tok, docs, cfg, gen, notify, every)
        learner.reference.module.load_state_dict(learner.policy.module.state_dict())
        learner.reset_optimizer()
        learner.step = 0
        return result

    def save(self, params: dict) -> dict:
        """Write a checkpoint for an exact resume; returns its size."""
        _, learner, engine = self._ready("save")
        assert self.built is not None
        p = Params("save", params)
        path = p.str("path")
        p.done()
        size = self._write_checkpoint(
            path,
            {
                "engine": engine.name,
                "seed": self.seed,
                **checkpoint_model_state(self.built),
                **self._weight_states(),
                "optim": asdict(learner.optim_cfg),
                "loss": asdict(learner.loss_cfg),
                "step": learner.step,
                **self._rng_state(),
            },
        )
        return {"path": path, "bytes": size, "step": learner.step}

    # -- hooks that data parallelism (data_parallel.py) overrides ----------------------------
    def _rng_state(self) -> dict:
        """The checkpoint's RNG entries: every global generator and the sampling generator."""
        assert self.sample_gen is not None
        rng = capture_rng_states()
        rng["sampling"] = self.sample_gen.get_state()
        return {"rng": rng}

    def _restore_rng(self, state: dict) -> None:
        assert self.sample_gen is not None
        restore_rng_states(state["rng"])
        self.sample_gen.set_state(state["rng"]["sampling"])

    def _write_checkpoint(self, path: str, state: dict) -> int:
        return save_checkpoint(path, state)

    def _weight_states(self) -> dict:
        """The checkpoint's weights: ``policy`` and ``optimizer`` state dicts."""
        assert self.learner is not None
        return {"policy": self.learner.policy.module.state_dict(), "optimizer": self.learner.optimizer.state_dict()}

    def _load_weights(self, state: dict, with_optimizer: bool) -> None:
        assert self.learner is not None
        self.learner.policy.module.load_state_dict(state["policy"])
        if with_optimizer:
            self.learner.optimizer.load_state_dict(state["optimizer"])

    def load(self, params: dict) -> dict:
        """Replace all state with a checkpoint's (works before `init` too).

        Without ``optim``/``loss`` this is an exact resume. ``loss`` replaces the file's loss
        settings (keys absent from the map keep the file's values). ``optim`` does the same for
        the optimizer settings and starts a fresh optimizer with step 0: a new run from the
        checkpoint's weights (e.g. RL from a pretrained model), not a resume.
        """
        p = Params("load", params)
        path = p.str("path")
        device = p.str("device", None, choices=("auto", "cpu", "cuda"))
        threads = p.int("threads", None, min=1)
        new_optim = p.has("optim")
        o, lo = p.map("optim"), p.map("loss")
        p.done()
        state = load_checkpoint(path)
        try:
            file_optim, file_loss = OptimConfig(**state["optim"]), LossConfig(**state["loss"])
        except TypeError as e:
            raise CheckpointInvalidError(f"{path} has unreadable optim/loss settings: {e}") from e
        # Overrides are checked before any state changes, so a bad map leaves the worker as it was.
        optim, loss = read_optim(o, file_optim), read_loss(lo, file_loss)
        o.done()
        lo.done()
        before = (self.vocab_tok, self.built, self.learner, self.sample_gen, self.device, self.seed)
        if device is not None or self.learner is None:
            self.device = _resolve_device(device or "auto")
        if self.device.type == "cpu" and (threads is not None or self.learner is None):
            torch.set_num_threads(threads or 2)
        try:
            self.seed = int(state.get("seed", 0))
            self._install(build_from_checkpoint(state, self.device, path), optim, loss)
            assert self.learner is not None and self.sample_gen is not None
            self._load_weights(state, not new_optim)
            if not new_optim:
                self.learner.step = int(state["step"])
            self._restore_rng(state)
        except (KeyError, TypeError, ValueError, RuntimeError, BadParamsError) as e:
            self.vocab_tok, self.built, self.learner, self.sample_gen, self.device, self.seed = before
            raise CheckpointInvalidError(f"{path} does not fit this worker: {e}") from e
        return {
            "path": path,
            "engine": self.built.name,
            "step": self.learner.step,
            "model": self.built.model,
            "parameters": self.learner.policy.num_parameters(),
            "optim": asdict(self.learner.optim_cfg),
            "loss": asdict(self.learner.loss_cfg),
            "fresh_optimizer": new_optim,
        }
