"""Offline text measurements with Google's semantics: Punkt sentences, \\w+ words, word_tokenize tokens."""

from __future__ import annotations

import pytest

from verifiers.ifeval import _text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Smith went home. He was tired.", 2),
        ("The U.S. economy grew. It did.", 2),
        ("Is it? Yes! Fine.", 3),
        ("No terminal punctuation", 1),
        ("", 0),
        ("Version 3.5 shipped today. Good.", 2),
    ],
)
def test_count_sentences_uses_punkt(text: str, expected: int) -> None:
    assert _text.count_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("don't", 2), ("light-hearted", 2), ("a_b c", 2), ("naïve café", 2), ("  ", 0), ("3.14 is pi", 4)],
)
def test_count_words_counts_word_character_runs(text: str, expected: int) -> None:
    assert _text.count_words(text) == expected


def test_word_tokens_follow_nltk_word_tokenize() -> None:
    tokens = _text.word_tokens("HELLO, DON'T go. WELL-KNOWN U.S.A. now")
    assert tokens == ["HELLO", ",", "DO", "N'T", "go", ".", "WELL-KNOWN", "U.S.A.", "now"]


def test_language_detection_is_seeded_and_deterministic() -> None:
    text = "Ciao, come stai? Oggi il tempo è bello e andiamo al mare."
    verdicts = {_text.detect_language(text) for _ in range(20)}
    assert verdicts == {"it"}


def test_undetectable_text_has_no_language() -> None:
    assert _text.detect_language("1234 5678 !!!") is None


def test_supported_languages_cover_googles_codes() -> None:
    google = {"en", "es", "pt", "ar", "hi", "fr", "ru", "de", "ja", "it", "bn", "uk", "th", "ur", "ta", "te",
              "bg", "ko", "pl", "he", "fa", "vi", "ne", "sw", "kn", "mr", "gu", "pa", "ml", "fi"}
    assert google <= _text.supported_languages()


def _random_texts(seed: int, count: int) -> list[str]:
    import random

    rng = random.Random(seed)
    pieces = ["THE", "the", "The", "DON'T", "I", "USA's", "A.B.", "e.g.", "WORD,", "x", ".", "?", "!", "...",
              " ", " ", "\n", "-", "\"", "'", "ÉTÉ", "ß", "(OK)", "3.5", "Mr.", "NO."]
    return ["".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(0, 30))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(3))
def test_shortcut_bounds_hold(seed: int) -> None:
    # The bounds let checks skip Punkt and the word tokenizer; they must never cross the real counts.
    for text in _random_texts(seed, 400):
        assert _text.count_sentences(text) <= _text.max_sentences(text), text
        low, high = _text.capital_word_bounds(text)
        capitals = sum(1 for token in _text.word_tokens(text) if token.isupper())
        assert low <= capitals <= high, (text, low, capitals, high)


def test_scoring_needs_no_nltk_data_and_no_network(tmp_path) -> None:
    # Air-gapped clusters have no nltk_data: Punkt comes from the punkt package, tokens from NLTK's regexes.
    import os
    import subprocess
    import sys

    script = (
        "import socket\n"
        "def _no_network(*a, **k):\n"
        "    raise RuntimeError('network access attempted')\n"
        "socket.socket.connect = _no_network\n"
        "socket.create_connection = _no_network\n"
        "from verifiers.ifeval import score\n"
        "from verifiers.schemas import ItemOptions\n"
        "ref = {'prompt': 'p', 'instruction_id_list': ['change_case:capital_word_frequency',"
        " 'length_constraints:number_sentences', 'language:response_language'],"
        " 'kwargs': [{'capital_frequency': 2, 'capital_relation': 'at least'},"
        " {'num_sentences': 2, 'relation': 'at least'}, {'language': 'en'}]}\n"
        "v = score(\"I DON'T know. It is a fine day for a walk.\", ref, ItemOptions())\n"
        "print(v.reward)\n"
    )
    env = dict(os.environ, NLTK_DATA=str(tmp_path / "no-nltk-data"), HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1.0"
