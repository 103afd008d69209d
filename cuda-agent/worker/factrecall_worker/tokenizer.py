"""Word-level tokenizer for the tiny engine.

Text is split into newlines, words (letters/digits, keeping inner hyphens and apostrophes as in
"Jean-Luc" or "O'Brien"), and single punctuation characters; spaces only separate tokens. Case is
kept. The vocabulary is the special tokens, then the newline, then words by falling frequency
(ties alphabetical), so fitting the same corpus always gives the same ids.

Decoding joins tokens with single spaces, without a space before closing punctuation or after
opening brackets, and none around newlines. It is a canonical spelling, not the original text,
but ``encode(decode(ids)) == ids`` for ids without special tokens.

As a ``ChatTokenizer`` (engine.py) its chat template is FactWorld's ``Q: <question> A:`` line,
the question being the last user message (the system message is not rendered: the tiny model
was pretrained on bare question-answer lines), and it stops on <eos> or a newline.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from .engine import ChatMessage, ChatTokenizer
from .errors import BadParamsError

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
NEWLINE = "\n"

_TOKEN = re.compile(r"\n|\w+(?:['’-]\w+)*|[^\w\s]", re.UNICODE)
_NO_SPACE_BEFORE = set(".,;:!?)]}%")
_NO_SPACE_AFTER = set("([{")


def split_words(text: str) -> list[str]:
    """The token strings of ``text`` (no ids, no specials)."""
    return _TOKEN.findall(text)


class WordTokenizer(ChatTokenizer):
    """A fixed vocabulary mapping token strings to ids; specials have ids 0..3, newline 4."""

    def __init__(self, vocab: list[str]):
        if list(vocab[: len(SPECIALS) + 1]) != [*SPECIALS, NEWLINE]:
            raise BadParamsError(
                f"vocabulary must start with {list(SPECIALS) + [NEWLINE]!r}, got {vocab[:5]!r}"
            )
        if len(set(vocab)) != len(vocab):
            raise BadParamsError("vocabulary has duplicate tokens")
        self.vocab: list[str] = list(vocab)
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.vocab)}
        self.pad_id, self.bos_id, self.eos_id, self.unk_id = 0, 1, 2, 3
        self.newline_id = 4
        self.stop_ids = [self.eos_id, self.newline_id]

    @classmethod
    def fit(cls, texts: Iterable[str], min_count: int = 1, max_size: int | None = None) -> WordTokenizer:
        """Vocabulary of every token seen at least ``min_count`` times, at most ``max_size``."""
        if min_count < 1:
            raise BadParamsError(f"min_count must be >= 1, got {min_count}")
        counts: Counter[str] = Counter()
        for text in texts:
            if not isinstance(text, str):
                raise BadParamsError(f"corpus entries must be strings, got {type(text).__name__}")
            counts.update(split_words(text))
        counts.pop(NEWLINE, None)
        for special in SPECIALS:
            counts.pop(special, None)
        words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        fixed = [*SPECIALS, NEWLINE]
        if max_size is not None:
            if max_size < len(fixed):
                raise BadParamsError(f"max_size must be >= {len(fixed)}, got {max_size}")
            words = words[: max_size - len(fixed)]
        return cls(fixed + words)

    def __len__(self) -> int:
        return len(self.vocab)

    def encode(self, text: str, bos: bool = False, eos: bool = False) -> list[int]:
        """Token ids of ``text``; unknown words become <unk>."""
        ids = [self.ids.get(t, self.unk_id) for t in split_words(text)]
        return ([self.bos_id] if bos else []) + ids + ([self.eos_id] if eos else [])

    def encode_prompt(self, text: str) -> list[int]:
        return self.encode(text, bos=True)

    def encode_completion(self, text: str, append_stop: bool) -> list[int]:
        return self.encode(text, eos=append_stop)

    def chat_prompt(self, messages: Sequence[ChatMessage]) -> list[int]:
        """``Q: <last user message> A:`` with <bos>, as FactWorld's formatQuestionPrompt writes it."""
        users = [m["content"] for m in messages if m.get("role") == "user"]
        if not users:
            raise BadParamsError("the tiny chat template needs a user message (the question)")
        return self.encode_prompt(f"Q: {users[-1]} A:")

    def decode(self, ids: Iterable[int]) -> str:
        """Canonical text of ``ids``; <pad>, <bos> and <eos> are dropped, <unk> is kept."""
        out: list[str] = []
        prev = ""
        for i in ids:
            if i < 0 or i >= len(self.vocab):
                raise BadParamsError(f"token id {i} outside the vocabulary of {len(self.vocab)}")
            if i in (self.pad_id, self.bos_id, self.eos_id):
                continue
            tok = self.vocab[i]
            glue = (
                not out
                or tok == NEWLINE
                or prev == NEWLINE
                or tok in _NO_SPACE_BEFORE
                or prev in _NO_SPACE_AFTER
            )
            out.append(tok if glue else " " + tok)
            prev = tok
        return "".join(out)
