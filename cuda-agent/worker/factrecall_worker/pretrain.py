"""Pretraining the tiny model with next-token loss on a list of text documents.

Each document becomes <bos> words <eos> and is cut into windows of seq_len + 1 tokens (stride
seq_len, so every token is predicted once per epoch; a short window is padded and its padding
ignored). Windows never straddle documents: every document starts at position 0 after <bos>,
exactly as a prompt does at generation time (packing documents into one stream lets a tiny
model memorise facts by absolute position and then fail on prompts). Each epoch visits the
windows in a seeded random order. AdamW with linear warm-up then cosine decay to min_lr_frac * lr, and
gradient clipping.

    loss = mean over real target tokens of  -log p(x_{t+1} | x_<=t)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .errors import BadParamsError, NonFiniteError
from .model import TinyGPT
from .tokenizer import WordTokenizer

IGNORE = -100


@dataclass(frozen=True)
class PretrainConfig:
    epochs: int
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 0.1
    warmup_frac: float = 0.05
    min_lr_frac: float = 0.1
    grad_clip: float = 1.0
    seq_len: int = 0  # 0 = the model's block_size


def encode_documents(tokenizer: WordTokenizer, documents: Sequence[str]) -> list[list[int]]:
    """<bos> doc <eos> for every document."""
    out: list[list[int]] = []
    for i, doc in enumerate(documents):
        if not isinstance(doc, str):
            raise BadParamsError(f"documents[{i}] must be a string, got {type(doc).__name__}")
        out.append(tokenizer.encode(doc, bos=True, eos=True))
    return out


def make_windows(
    docs: Sequence[Sequence[int]], seq_len: int, pad_id: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """inputs (N, S) and targets (N, S): window w of document d holds targets[t] = d[w S + t + 1].

    A document of n tokens gives ceil((n - 1) / S) windows; missing targets are IGNORE.
    """
    rows: list[list[int]] = []
    for doc in docs:
        rows.extend(
            list(doc[w * seq_len : w * seq_len + seq_len + 1])
            for w in range(math.ceil((len(doc) - 1) / seq_len))
        )
    if not rows:
        raise BadParamsError("pretraining needs at least one document with text")
    inputs = torch.full((len(rows), seq_len), pad_id, dtype=torch.long)
    targets = torch.full((len(rows), seq_len), IGNORE, dtype=torch.long)
    for w, chunk in enumerate(rows):
        inputs[w, : len(chunk) - 1] = torch.tensor(chunk[:-1], dtype=torch.long)
        targets[w, : len(chunk) - 1] = torch.tensor(chunk[1:], dtype=torch.long)
    return inputs, targets


def lr_at(step: int, total_steps: int, cfg: PretrainConfig) -> float:
    """Linear warm-up over warmup_frac of the steps, then cosine from lr to min_lr_frac * lr."""
    warmup = max(1, int(cfg.warmup_frac * total_steps))
    if step < warmup:
        return cfg.lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    floor = cfg.min_lr_frac * cfg.lr
    return floor + 0.5 * (cfg.lr - floor) * (1.0 + math.cos(math.pi * min(1.0, progress)))


def pretrain(
    model: TinyGPT,
    tokenizer: WordTokenizer,
    documents: Sequence[str],
    cfg: PretrainConfig,
    generator: torch.Generator,
    on_progress: Callable[[dict], None] | None = None,
    progress_every: int = 50,
) -> dict:
    """Train ``model`` in place; returns the loss curve (per step and per epoch mean)."""
    seq_len = cfg.seq_len or model.cfg.block_size
    if seq_len > model.cfg.block_size:
        raise BadParamsError(f"seq_len {seq_len} exceeds the model's block_size {model.cfg.block_size}")
    device = model.wte.weight.device
    inputs, targets = make_windows(encode_documents(tokenizer, documents), seq_len, tokenizer.pad_id)
    n_windows = inputs.shape[0]
    steps_per_epoch = math.ceil(n_windows / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.95))
    started = time.monotonic()
    losses: list[float] = []
    epoch_losses: list[float] = []
    model.train()
    step = 0
    for epoch in range(cfg.epochs):
        order = torch.randperm(n_windows, generator=generator)  # (N,)
        epoch_sum, epoch_tokens = 0.0, 0
        for b in range(steps_per_epoch):
            pick = order[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            x, y = inputs[pick].to(device), targets[pick].to(device)  # (b, S) each
            for group in opt.param_groups:
                group["lr"] = lr_at(step, total, cfg)
            logits, _ = model(x)  # (b, S, V)
            loss = F.cross_entropy(logits.flatten(0, 1).float(), y.flatten(), ignore_index=IGNORE)
            if not torch.isfinite(loss):
                raise NonFiniteError(f"pretraining loss became {float(loss)} at step {step}; lower lr")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            n_tok = int((y != IGNORE).sum())
            losses.append(loss.item())
            epoch_sum += losses[-1] * n_tok
            epoch_tokens += n_tok
            step += 1
            if on_progress and (step % progress_every == 0 or step == total):
                on_progress(
                    {
                        "phase": "pretrain",
                        "epoch": epoch + 1,
                        "epochs": cfg.epochs,
                        "step": step,
                        "steps": total,
                        "loss": losses[-1],
                    }
                )
        epoch_losses.append(epoch_sum / max(1, epoch_tokens))
        if on_progress:
            on_progress(
                {
                    "phase": "pretrain_epoch",
                    "epoch": epoch + 1,
                    "epochs": cfg.epochs,
                    "step": step,
                    "steps": total,
                    "loss": epoch_losses[-1],
                }
            )
    return {
        "losses": losses,
        "epoch_losses": epoch_losses,
        "steps": total,
        "windows": n_windows,
        "tokens": int((targets != IGNORE).sum()),
        "seconds": time.monotonic() - started,
    }
