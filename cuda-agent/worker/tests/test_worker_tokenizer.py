"""The word-level tokenizer: deterministic vocabulary, case kept, ids survive decode -> encode."""

import random

import pytest

from factrecall_worker.errors import BadParamsError
from factrecall_worker.tokenizer import WordTokenizer, split_words


def test_splitting_keeps_case_newlines_inner_hyphens_and_single_punctuation():
    assert split_words("Jean-Luc O'Brien, born 1950.\nA: Paris!") == [
        "Jean-Luc",
        "O'Brien",
        ",",
        "born",
        "1950",
        ".",
        "\n",
        "A",
        ":",
        "Paris",
        "!",
    ]


def test_fitting_orders_words_by_frequency_then_alphabet_after_the_specials():
    tok = WordTokenizer.fit(["b a b c", "Paris paris b"])
    assert tok.vocab == ["<pad>", "<bos>", "<eos>", "<unk>", "\n", "b", "Paris", "a", "c", "paris"]
    assert WordTokenizer.fit(["b a b c", "Paris paris b"]).vocab == tok.vocab
    assert WordTokenizer.fit(["b a b c"], min_count=2).vocab[5:] == ["b"]
    assert len(WordTokenizer.fit(["b a b c"], max_size=6)) == 6


def test_unknown_words_become_unk_and_bos_eos_are_optional():
    tok = WordTokenizer.fit(["the cat"])
    assert tok.encode("the dog", bos=True, eos=True) == [tok.bos_id, tok.ids["the"], tok.unk_id, tok.eos_id]


def test_decode_then_encode_gives_back_the_same_ids():
    tok = WordTokenizer.fit(["Q: Where was Jean-Luc born?\nA: in Paris (France), 1950. Yes!"])
    rng = random.Random(0)
    for _ in range(200):
        ids = [rng.randrange(4, len(tok)) for _ in range(rng.randrange(1, 12))]
        assert tok.encode(tok.decode(ids)) == ids
    assert tok.decode(tok.encode("A: in Paris (France), 1950.\n")) == "A: in Paris (France), 1950.\n"


def test_a_vocabulary_without_the_specials_first_or_with_duplicates_is_refused():
    with pytest.raises(BadParamsError, match="start with"):
        WordTokenizer(["a", "b"])
    with pytest.raises(BadParamsError, match="duplicate"):
        WordTokenizer(["<pad>", "<bos>", "<eos>", "<unk>", "\n", "a", "a"])


def test_the_tiny_chat_template_is_factworlds_question_line_from_the_last_user_message():
    tok = WordTokenizer.fit(["Q: Where was Ann born? A: Oslo"])
    messages = [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "Where was Ann born?"},
    ]
    # formatQuestionPrompt in env/datasets/factworld/format.ts writes `Q: <question> A:`
    assert tok.chat_prompt(messages) == tok.encode("Q: Where was Ann born? A:", bos=True)
    assert tok.stop_ids == [tok.eos_id, tok.newline_id]
    with pytest.raises(BadParamsError, match="user message"):
        tok.chat_prompt([{"role": "system", "content": "x"}])
