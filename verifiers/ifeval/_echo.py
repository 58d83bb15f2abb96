"""Folding text for echo and effort checks, so spacing, homoglyph and zero-width tricks change nothing.

Closed-loophole IFEval refuses a copy of the prompt as evidence and floors near-empty answers. Compared as
raw text both are easy to dodge: a copy with doubled spaces, a Cyrillic "а" for a Latin "a" or a zero-width
space inside a word is no longer "the same text", and twelve copies of one word are twelve words. Here text
is folded before any comparison: NFKC (full-width and compatibility forms), format characters (zero-width
spaces and joiners, soft hyphens) dropped, the common Cyrillic and Greek look-alikes of Latin letters mapped
to them, case folded and every run of whitespace made one space. :func:`fold` keeps, for each folded
character, the index of the character it came from, so a copy found in the folded text is cut from the
original one and every other check still sees the answer as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["distinct_words", "fold", "remove_copies"]

# Cyrillic and Greek letters drawn like Latin ones (the pairs of Unicode's confusables list that matter for
# English prompts). Mapped before case folding, so both cases are covered.
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "м": "m", "о": "o",
    "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "ԝ": "w", "х": "x", "ԁ": "d", "ɡ": "g",
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M", "О": "O",
    "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y",
    "α": "a", "ι": "i", "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "κ": "k",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
_WORD = re.compile(r"\w+")
# Scripts written without spaces between words: each character is a word of its own.
UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0002ffff]"
)


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index in ``text`` it comes from."""
    out: list[str] = []
    source: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():  # the common case, without a normalisation call per character
            pieces = char.lower()
        elif unicodedata.category(char) == "Cf":
            continue
        else:
            pieces = unicodedata.normalize("NFKC", char).translate(_LOOKALIKES).casefold()
        for piece in pieces:
            if piece.isspace():
                if not out or out[-1] == " ":
                    continue
                piece = " "
            out.append(piece)
            source.append(index)
    if out and out[-1] == " ":
        out.pop()
        source.pop()
    return "".join(out), source


def remove_copies(text: str, folded_copies: Iterable[str]) -> str:
    """``text`` with every copy of each (already folded) string cut out, each cut leaving a line break."""
    folded, source = fold(text)
    spans: list[tuple[int, int]] = []
    for copy in folded_copies:
        if not copy:
            continue
        start = folded.find(copy)
        while start >= 0:
            spans.append((source[start], source[start + len(copy) - 1] + 1))
            start = folded.find(copy, start + len(copy))
    if not spans:
        return text
    pieces, position = [], 0
    for begin, end in sorted(spans):
        if end <= position:
            continue
        pieces.append(text[position:max(begin, position)])
        pieces.append("\n")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def distinct_words(text: str) -> int:
    """Distinct words of real text: folded ``\\w+`` tokens with a letter, each unspaced-script character one.

    ``a a a a``, ``1 2 3 4`` and a dozen copies of one CJK character are one, zero and one words: a floor
    counted this way asks for text, not tokens.
    """
    seen: set[str] = set()
    for token in _WORD.findall(fold(text)[0]):
        unspaced = UNSPACED.findall(token)
        if unspaced:
            seen.update(unspaced)
        elif any(char.isalpha() for char in token):
            seen.add(token)
    return len(seen)
