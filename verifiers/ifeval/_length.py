"""``length_constraints:*`` instructions: sentences, words and the two kinds of paragraph.

The two paragraph instructions split differently on purpose (Google's semantics): ``number_paragraphs``
splits on a ``***`` divider anywhere in the text, ``nth_paragraph_first_word`` on exactly a blank line.
"""

from __future__ import annotations

import re
from typing import Any

from verifiers.ifeval import _kwargs as kw
from verifiers.ifeval._keywords import compare
from verifiers.ifeval._text import count_sentences, count_words, max_sentences

_DIVIDER = re.compile(r"\s?\*\*\*\s?")
_FIRST_WORD_STOP = frozenset(".,?!'\"")


def number_sentences(response: str, args: dict[str, Any]) -> bool:
    """Punkt English sentence count compared with the threshold."""
    if max_sentences(response) < args["num_sentences"]:  # decided without running Punkt
        return args["relation"] == "less than"
    return compare(count_sentences(response), args["relation"], args["num_sentences"])


def number_words(response: str, args: dict[str, Any]) -> bool:
    """``\\w+`` word count compared with the threshold."""
    return compare(count_words(response), args["relation"], args["num_words"])


def number_paragraphs(response: str, args: dict[str, Any]) -> bool:
    """Exactly N paragraphs between ``***`` dividers.

    An empty piece before the first or after the last divider is not a paragraph; an empty piece between
    two dividers fails the instruction (a policy must not pad the count with empty paragraphs).
    """
    pieces = _DIVIDER.split(response)
    count = len(pieces)
    for index, piece in enumerate(pieces):
        if not piece.strip():
            if index in (0, len(pieces) - 1):
                count -= 1
            else:
                return False
    return count == args["num_paragraphs"]


def nth_paragraph_first_word(response: str, args: dict[str, Any]) -> bool:
    """Exactly N blank-line paragraphs, and paragraph n starts with the word.

    Empty pieces do not count towards N but do keep their place in the numbering, as in Google's code.
    The first word is compared lowercased, after dropping leading quotes and cutting at ``.,?!'"``.
    """
    pieces = response.split("\n\n")
    count = sum(1 for piece in pieces if piece.strip())
    nth = args["nth_paragraph"]
    if nth > count:
        return False
    paragraph = pieces[nth - 1].strip()
    if not paragraph:
        return False
    word = paragraph.split()[0].strip().lstrip("'").lstrip('"')
    first = []
    for letter in word:
        if letter in _FIRST_WORD_STOP:
            break
        first.append(letter.lower())
    return count == args["num_paragraphs"] and "".join(first) == args["first_word"]


def _first_word(value: Any) -> str:
    return kw.text(value).lower()


PARAMS: dict[str, dict[str, kw.Validator]] = {
    "length_constraints:number_sentences": {"num_sentences": kw.non_negative_int, "relation": kw.relation},
    "length_constraints:number_paragraphs": {"num_paragraphs": kw.non_negative_int},
    "length_constraints:number_words": {"num_words": kw.non_negative_int, "relation": kw.relation},
    "length_constraints:nth_paragraph_first_word": {
        "num_paragraphs": kw.positive_int,
        "nth_paragraph": kw.positive_int,
        "first_word": _first_word,
    },
}

CHECKS = {
    "length_constraints:number_sentences": number_sentences,
    "length_constraints:number_paragraphs": number_paragraphs,
    "length_constraints:number_words": number_words,
    "length_constraints:nth_paragraph_first_word": nth_paragraph_first_word,
}
