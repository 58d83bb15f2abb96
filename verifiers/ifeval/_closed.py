"""IFEval with its reward hacks closed: ``options.loopholes: "closed"`` (training), next to Google's parity.

Google's semantics let near-empty or degenerate answers follow instructions: ``.`` has no commas, an answer
listing all three options "contains" one, ``1`` is JSON, "P.S." counts mid-sentence, a repeated prompt
holds the requested keywords. A benchmark must keep them (published numbers depend on them); a policy
trained on them learns them. Under "closed" every instruction keeps its meaning and only the hack goes:

- effort floor: an answer with fewer than ``min_words`` distinct words of real text (default 10; tokens with
  a letter, compared folded, each character of an unspaced script one word) scores 0, the floor capped by
  what the item's instructions allow ("less than N words" caps it at N//2, a constrained answer at its 4);
- ``constrained_response``: exactly one of the options, counted case- and punctuation-insensitively;
  ``json_format``: an object or array; ``postscript``: the marker starts a line and something follows it;
- ``response_language``: text langdetect cannot judge (digits, symbols, fewer than 4 distinct words such as
  "le le le") does not count as the language;
- ``number_placeholders``: ``[]`` is no placeholder; ``multiple_sections``: an empty section does not count;
  ``two_responses``: the two must differ in words, not just in punctuation or spacing;
- a copy of the prompt (or of the request to repeat), compared folded (NFKC, look-alike letters, zero-width
  characters, case, spacing: ``_echo.py``), is no evidence for an instruction that asks for something to be
  present: keywords, "at least" counts, markers, titles, sections; nor for the floor.

Every closed check implies Google's (a closed pass is a Google pass), so "closed" only ever lowers rewards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from verifiers.ifeval import _format, _startend
from verifiers.ifeval._echo import distinct_words, fold, remove_copies
from verifiers.ifeval._format import CONSTRAINED_RESPONSES, count_placeholders
from verifiers.ifeval._text import count_words, detect_language
from verifiers.ifeval.instructions import BoundInstruction, Check
from verifiers.schemas import ItemOptions

__all__ = ["CLOSED_CHECKS", "DEFAULT_MIN_WORDS", "Rules", "floor_cap", "rules_for"]

DEFAULT_MIN_WORDS = 10
# A copy shorter than this is a phrase, not an echo of the prompt (and removing it could eat real text).
_MIN_ECHO_WORDS = 4
# langdetect names a language from a single repeated word ("le le le ..." is French): a language needs words.
_MIN_LANGUAGE_WORDS = 4
_OPTION_TEXT = re.compile(r"[^\w\s]+")
_FOLDED_OPTIONS = tuple(" ".join(_OPTION_TEXT.sub(" ", option).lower().split()) for option in CONSTRAINED_RESPONSES)
_WORD = re.compile(r"\w+")
_PRESENCE_IDS = frozenset({
    "keywords:existence",
    "detectable_content:number_placeholders",
    "detectable_content:postscript",
    "detectable_format:number_highlighted_sections",
    "detectable_format:multiple_sections",
    "detectable_format:title",
})
_RELATION_KWARG = {
    "keywords:frequency": "relation",
    "keywords:letter_frequency": "let_relation",
    "length_constraints:number_words": "relation",
    "length_constraints:number_sentences": "relation",
    "change_case:capital_word_frequency": "capital_relation",
}


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def constrained_response(response: str, args: dict[str, Any]) -> bool:
    """Exactly one of "My answer is yes./no./maybe." (it may repeat): naming two of them is hedging.

    Google's case-sensitive check must pass, and then the options are counted in folded text without
    punctuation, so "My answer is yes. My answer is No." names two options, not one.
    """
    stripped = response.strip()
    if sum(option in stripped for option in CONSTRAINED_RESPONSES) != 1:
        return False
    text = " " + " ".join(_OPTION_TEXT.sub(" ", fold(response)[0]).split()) + " "
    return sum(f" {option} " in text for option in _FOLDED_OPTIONS) == 1


def json_format(response: str, args: dict[str, Any]) -> bool:
    """Google's fence stripping, then a JSON object or array: a bare ``1`` or ``"text"`` wraps nothing."""
    if not _format.json_format(response, args):
        return False
    value = response.strip()
    for prefix in ("```json", "```Json", "```JSON", "```"):
        value = value.removeprefix(prefix)
    return isinstance(json.loads(value.removesuffix("```").strip()), dict | list)


def postscript(response: str, args: dict[str, Any]) -> bool:
    """A real P.S.: a line starts with the marker (after spaces and ``*``/``_`` emphasis), and words follow it.

    Only the first such line is examined: any later one's text is part of what follows the first, so
    looking further could not change the answer (and keeps the scan linear).
    """
    marker = args["postscript_marker"]
    pattern = {"P.P.S": _format._PPS, "P.S.": _format._PS}.get(marker) or re.compile(re.escape(marker.lower()))
    lowered = response.lower()
    start = 0
    while start <= len(lowered):
        end = lowered.find("\n", start)
        end = len(lowered) if end < 0 else end
        line = lowered[start:end]
        body = line.lstrip(" \t*_")
        match = pattern.match(body)
        if match:
            rest = lowered[start + len(line) - len(body) + match.end():]
            return _WORD.search(pattern.sub("", rest)) is not None
        start = end + 1
    return False


def response_language(response: str, args: dict[str, Any]) -> bool:
    """langdetect must say the language of real text: digits, symbols or one repeated word are in none."""
    return distinct_words(response) >= _MIN_LANGUAGE_WORDS and detect_language(response) == args["language"]


def number_placeholders(response: str, args: dict[str, Any]) -> bool:
    """At least N placeholders with a name inside the brackets (``[]`` does not count)."""
    return count_placeholders(response, need_content=True) >= args["num_placeholders"]


def multiple_sections(response: str, args: dict[str, Any]) -> bool:
    """At least N sections with words in them: a bare "Section 1 Section 2" heading list does not count."""
    pattern = r"\s?" + re.escape(args["section_spliter"]) + r"\s?\d+\s?"
    pieces = re.split(pattern, response)[1:]
    return sum(1 for piece in pieces if _WORD.search(piece)) >= args["num_sections"]


def two_responses(response: str, args: dict[str, Any]) -> bool:
    """Google's two responses, which must also differ in their words (not only a trailing dot or a space)."""
    if not _startend.two_responses(response, args):
        return False
    first, second = (piece for piece in response.split("******") if piece.strip())
    return _words(first) != _words(second)


CLOSED_CHECKS: dict[str, Check] = {
    "detectable_format:constrained_response": constrained_response,
    "detectable_format:json_format": json_format,
    "detectable_content:postscript": postscript,
    "language:response_language": response_language,
    "detectable_content:number_placeholders": number_placeholders,
    "detectable_format:multiple_sections": multiple_sections,
    "combination:two_responses": two_responses,
}


def floor_cap(instructions: Sequence[BoundInstruction]) -> int | None:
    """The most words the item's own instructions let an answer be required to have, or None for no limit.

    The floor counts distinct words. Only two instructions bound an answer's length from above in words:
    "less than N words" (at most N-1 words, of which an honest short answer may repeat some, so the cap is
    half of them, rounded up) and the constrained response, whose options are four distinct words. "Less
    than N sentences" does not (one sentence can be long), nor does any other instruction.
    """
    caps = []
    for instruction in instructions:
        if instruction.id == "length_constraints:number_words" and instruction.args["relation"] == "less than":
            caps.append(max(0, instruction.args["num_words"]) // 2)
        elif instruction.id == "detectable_format:constrained_response":
            caps.append(min(count_words(option) for option in CONSTRAINED_RESPONSES))
    return min(caps) if caps else None


def _echoes(reference: dict[str, Any], instructions: Sequence[BoundInstruction]) -> tuple[str, ...]:
    texts = [reference.get("prompt")]
    texts += [i.args["prompt_to_repeat"] for i in instructions if i.id == "combination:repeat_prompt"]
    found = {fold(text)[0] for text in texts if isinstance(text, str) and count_words(text) >= _MIN_ECHO_WORDS}
    return tuple(sorted(found, key=len, reverse=True))  # the longer copy first: the shorter may sit inside it


def _asks_for_presence(instruction: BoundInstruction) -> bool:
    relation = _RELATION_KWARG.get(instruction.id)
    if relation is not None:
        return instruction.args[relation] == "at least"
    return instruction.id in _PRESENCE_IDS


@dataclass(frozen=True)
class Rules:
    """How one item is judged: Google's checks or the closed ones, and the effort floor (0: none)."""

    closed: bool
    min_words: int
    echoes: tuple[str, ...] = ()

    def without_echo(self, text: str) -> str:
        """The text with every copy of the prompt taken out, compared folded (``_echo.fold``)."""
        return remove_copies(text, self.echoes)

    def followed(self, instruction: BoundInstruction, text: str) -> bool:
        """Whether one instruction is followed by ``text`` under these rules (a blank text follows nothing)."""
        if not self.closed:
            return instruction.followed(text)
        if not text.strip():
            return False
        check = CLOSED_CHECKS.get(instruction.id, instruction.check)
        if not check(text, instruction.args):
            return False
        if self.echoes and _asks_for_presence(instruction):
            echo_free = self.without_echo(text)
            return bool(echo_free.strip()) and check(echo_free, instruction.args)
        return True

    def effort(self, answer: str) -> tuple[int, bool]:
        """(distinct words of real text, whether the floor is met); the prompt's copies are not the answer's."""
        words = distinct_words(self.without_echo(answer) if self.echoes else answer)
        return words, words >= self.min_words


def rules_for(reference: dict[str, Any], instructions: Sequence[BoundInstruction], options: ItemOptions) -> Rules:
    """The rules an item asks for: ``loopholes`` "google" (default) or "closed", and ``min_words``.

    ``min_words`` defaults to 10 under "closed" and to none under "google"; given explicitly it applies to
    either (Google's checks plus a floor). It is always capped by :func:`floor_cap`.
    """
    closed = options.loopholes == "closed"
    wanted = options.min_words if options.min_words is not None else (DEFAULT_MIN_WORDS if closed else 0)
    cap = floor_cap(instructions)
    min_words = wanted if cap is None else min(wanted, cap)
    echoes = _echoes(reference, instructions) if closed or min_words else ()
    return Rules(closed=closed, min_words=min_words, echoes=echoes)

