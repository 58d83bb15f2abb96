"""``keywords:*`` and ``language:*`` instructions.

Keywords are matched as Google matches them (case-insensitive; existence and frequency are substring
matches, so "riddle" matches "riddles"; forbidden words need word boundaries), except that a keyword is
always a literal: Google passes it to ``re`` unescaped, where "C++" raises and "a.b" matches "axb".
"""

from __future__ import annotations

import re
from typing import Any

from verifiers.ifeval import _kwargs as kw
from verifiers.ifeval._text import detect_language, supported_languages


def compare(count: int, relation: str, threshold: int) -> bool:
    """Google's two relations: "less than" is ``<``, "at least" is ``>=``."""
    return count < threshold if relation == "less than" else count >= threshold


def existence(response: str, args: dict[str, Any]) -> bool:
    """Every keyword occurs, case-insensitively, anywhere (inside longer words too)."""
    return all(re.search(re.escape(word), response, flags=re.IGNORECASE) for word in args["keywords"])


def frequency(response: str, args: dict[str, Any]) -> bool:
    """Non-overlapping case-insensitive occurrences of the keyword compared with the threshold."""
    count = len(re.findall(re.escape(args["keyword"]), response, flags=re.IGNORECASE))
    return compare(count, args["relation"], args["frequency"])


def forbidden_words(response: str, args: dict[str, Any]) -> bool:
    """None of the words occurs as a whole word, case-insensitively ("cats" does not break "cat")."""
    return not any(
        re.search(r"\b" + re.escape(word) + r"\b", response, flags=re.IGNORECASE)
        for word in args["forbidden_words"]
    )


def letter_frequency(response: str, args: dict[str, Any]) -> bool:
    """Occurrences of the character in the lowercased response compared with the threshold.

    Google replaces a requested character outside a-z with a random letter; here it is counted as given.
    """
    count = response.lower().count(args["letter"])
    return compare(count, args["let_relation"], args["let_frequency"])


def response_language(response: str, args: dict[str, Any]) -> bool:
    """langdetect (seeded) says the requested language; a text it cannot judge counts as followed."""
    detected = detect_language(response)
    return detected is None or detected == args["language"]


def _language(value: Any) -> str:
    if not isinstance(value, str) or value not in supported_languages():
        raise ValueError(f"must be a language code langdetect knows ({sorted(supported_languages())}), got {value!r}")
    return value


PARAMS: dict[str, dict[str, kw.Validator]] = {
    "keywords:existence": {"keywords": kw.text_list},
    "keywords:frequency": {"keyword": kw.stripped_text, "frequency": kw.non_negative_int, "relation": kw.relation},
    "keywords:forbidden_words": {"forbidden_words": kw.text_list},
    "keywords:letter_frequency": {
        "letter": kw.single_character,
        "let_frequency": kw.non_negative_int,
        "let_relation": kw.relation,
    },
    "language:response_language": {"language": _language},
}

CHECKS = {
    "keywords:existence": existence,
    "keywords:frequency": frequency,
    "keywords:forbidden_words": forbidden_words,
    "keywords:letter_frequency": letter_frequency,
    "language:response_language": response_language,
}
