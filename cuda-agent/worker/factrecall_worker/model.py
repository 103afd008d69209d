"""TinyGPT: a small nanoGPT-style causal language model in plain torch.

Token + learned position embeddings, ``n_layer`` pre-LayerNorm blocks (causal self-attention via
``F.scaled_dot_product_attention``, then a 4x GELU MLP), a final LayerNorm, and an output layer
tied to the token embedding. Simplified from nanoGPT: no flash/bias switches, optional
key/value cache for generation, and explicit per-row positions so that left-padded batches give
the same numbers as unpadded rows.

Shapes: B batch, T new positions, K key positions (cached + new), C = n_embd, H = n_head,
D = C / H, V = vocab_size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

KVCache = list[tuple[torch.Tensor, torch.Tensor]]
"""Per layer (keys, values), each (B, H, K, D)."""


@dataclass(frozen=True)
class GPTConfig:
    """Architecture of a TinyGPT; ``block_size`` is the longest sequence it can read."""

    vocab_size: int
    block_size: int = 64
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.dropout = cfg.dropout

    def forward(
        self,
        x: torch.Tensor,
        attn_mask: torch.Tensor | None,
        past: tuple[torch.Tensor, torch.Tensor] | None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)  # each (B, T, C)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, D)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)  # (B, H, K, D)
            v = torch.cat([past[1], v], dim=2)  # (B, H, K, D)
        dropout_p = self.dropout if self.training else 0.0
        if attn_mask is None:
            # No padding and no cache: the plain causal mask (the fast path for training).
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=True)
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        return self.c_proj(y), (k, v)


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.n_embd, 4 * cfg.n_embd),
            nn.GELU(),
            nn.Linear(4 * cfg.n_embd, cfg.n_embd),
            nn.Dropout(cfg.dropout),
        )

    def forward(self, x, attn_mask, past):
        a, present = self.attn(self.ln_1(x), attn_mask, past)
        x = x + a  # (B, T, C)
        x = x + self.mlp(self.ln_2(x))  # (B, T, C)
        return x, present


class TinyGPT(nn.Module):
    """Causal LM: ``forward(idx) -> logits`` with optional positions, mask and KV cache."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.block_size, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied output embedding
        self.apply(self._init_weights)
        # GPT-2: scale residual projections by 1/sqrt(2 * n_layer) so the residual stream
        # keeps unit scale however deep the model is.
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_parameters(self) -> int:
        """Distinct parameters (the tied output layer counted once)."""
        return sum(p.numel() for p in self.parameters())

    def forward(
        self,
        idx: torch.Tensor,
        positions: torch.Tensor | None = None,
        attn_mask: torch.Tensor | None = None,
        past: KVCache | None = None,
    ) -> tuple[torch.Tensor, KVCache]:
        """Logits of the next token at every position, and the updated KV cache.

        idx: (B, T) token ids. positions: (B, T) position ids (default 0..T-1).
        attn_mask: (B, 1, T, K) bool, True = may attend; None = plain causal over T (no cache).
        past: KV cache of K - T earlier positions, or None.
        Returns logits (B, T, V) and the cache of all K positions.
        """
        B, T = idx.shape
        if positions is None:
            positions = torch.arange(T, device=idx.device).expand(B, T)  # (B, T)
        x = self.drop(self.wte(idx) + self.wpe(positions))  # (B, T, C)
        present: KVCache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, attn_mask, None if past is None else past[i])
            present.append(kv)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        return logits, present
