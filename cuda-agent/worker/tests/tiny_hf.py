"""A random-weight transformers causal LM built locally in a second (no hub): a word-level
tokenizer with a ChatML chat template and a 2-layer Llama, saved as a model directory that the
``hf`` engine loads like any other. ``initializer_range`` is large so the next-token
distributions are peaked and greedy decoding has no near-ties."""

from __future__ import annotations

import os

import torch

from small_world import DOCUMENTS

SPECIALS = ["<unk>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHATML = (
    "{% for m in messages %}<|im_start|> {{ m['role'] }} {{ m['content'] }} <|im_end|> {% endfor %}"
    "{% if add_generation_prompt %}<|im_start|> assistant {% endif %}"
)


def build_tiny_hf(directory: str, seed: int = 0) -> str:
    """Write the model into ``directory`` (once) and return it."""
    if os.path.isfile(os.path.join(directory, "config.json")):
        return directory
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = sorted({w for d in DOCUMENTS for w in d.replace("?", " ? ").split()} | {"system", "user", "assistant", "Answer", "briefly", "."})
    vocab = {t: i for i, t in enumerate(SPECIALS + words)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="<unk>",
        pad_token="<|endoftext|>",
        eos_token="<|im_end|>",
        additional_special_tokens=["<|im_start|>"],
    )
    tok.chat_template = CHATML
    cfg = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        initializer_range=0.5,
        tie_word_embeddings=True,
        eos_token_id=vocab["<|im_end|>"],
        pad_token_id=vocab["<|endoftext|>"],
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    os.makedirs(directory, exist_ok=True)
    LlamaForCausalLM(cfg).save_pretrained(directory)
    tok.save_pretrained(directory)
    return directory
