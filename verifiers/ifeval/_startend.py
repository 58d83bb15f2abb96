"""``combination:*``, ``startend:*``, ``change_case:*`` and ``punctuation:*`` instructions."""

from __future__ import annotations

from typing import Any

from verifiers.ifeval import _kwargs as kw
from verifiers.ifeval._keywords import compare
from verifiers.ifeval._text import capital_word_bounds, detect_language, word_tokens


def two_responses(response: str, args: dict[str, Any]) -> bool:
    """Exactly two different non-blank responses separated by ``******``.

    A blank piece is allowed only before the first or after the last separator.
    """
    answers = []
    pieces = response.split("******")
    for index, piece in enumerate(pieces):
        if not piece.strip():
            if index not in (0, len(pieces) - 1):
                return False
        else:
            answers.append(piece)
    return len(answers) == 2 and answers[0].strip() != answers[1].strip()


def repeat_prompt(response: str, args: dict[str, Any]) -> bool:
    """The response starts with the request repeated word for word (case-insensitive, outer space ignored)."""
    return response.strip().lower().startswith(args["prompt_to_repeat"].strip().lower())


def end_checker(response: str, args: dict[str, Any]) -> bool:
    """The response ends with the phrase (case-insensitive; outer whitespace and double quotes ignored)."""
    return response.strip().strip('"').lower().endswith(args["end_phrase"].lower())


def quotation(response: str, args: dict[str, Any]) -> bool:
    """The whole response, outer whitespace aside, is wrapped in double quotation marks."""
    stripped = response.strip()
    return len(stripped) > 1 and stripped[0] == '"' and stripped[-1] == '"'


def capital_word_frequency(response: str, args: dict[str, Any]) -> bool:
    """Tokens (``nltk.word_tokenize``) in all capitals compared with the threshold; "DON'T" is two."""
    threshold = args["capital_frequency"]
    low, high = capital_word_bounds(response)
    if low >= threshold or high < threshold:  # the bounds decide; no tokenizing needed
        return compare(low if low >= threshold else high, args["capital_relation"], threshold)
    capitals = sum(1 for token in word_tokens(response) if token.isupper())
    return compare(capitals, args["capital_relation"], threshold)


def english_capital(response: str, args: dict[str, Any]) -> bool:
    """All capitals and English by langdetect ("YES" alone is not English to it); undetectable counts as English."""
    if not response.isupper():
        return False
    detected = detect_language(response)
    return detected is None or detected == "en"


def english_lowercase(response: str, args: dict[str, Any]) -> bool:
    """All lowercase and English by langdetect; undetectable counts as English (Google's behaviour)."""
    if not response.islower():
        return False
    detected = detect_language(response)
    return detected is None or detected == "en"


def no_comma(response: str, args: dict[str, Any]) -> bool:
    """No ASCII comma anywhere."""
    return "," not in response


PARAMS: dict[str, dict[str, kw.Validator]] = {
    "combination:two_responses": {},
    "combination:repeat_prompt": {"prompt_to_repeat": kw.text},
    "startend:end_checker": {"end_phrase": kw.stripped_text},
    "startend:quotation": {},
    "change_case:capital_word_frequency": {
        "capital_frequency": kw.non_negative_int,
        "capital_relation": kw.relation,
    },
    "change_case:english_capital": {},
    "change_case:english_lowercase": {},
    "punctuation:no_comma": {},
}

CHECKS = {
    "combination:two_responses": two_responses,
    "combination:repeat_prompt": repeat_prompt,
    "startend:end_checker": end_checker,
    "startend:quotation": quotation,
    "change_case:capital_word_frequency": capital_word_frequency,
    "change_case:english_capital": english_capital,
    "change_case:english_lowercase": english_lowercase,
    "punctuation:no_comma": no_comma,
}
