"""STEM multiple choice (GPQA style): which option letter did the response commit to last?

The reward is a security boundary, so extraction is deliberately conservative:

- Commitments are ranked. Explicit statements ("Answer: C", "the answer is C", ``\\boxed{C}``,
  "(C) is correct") beat decorated letters on their own line or in bold, which beat the response
  naming one option's text, which beats a parenthesised "(C)" anywhere. The last commitment of the
  highest tier present wins, so "The answer is (C). (A) is wrong because..." is C.
- A commitment that lists several different letters ("A or C", ``\\boxed{A,C}``, "Answer: A, B") is
  hedging and scores 0, as do different letters in several ``\\boxed{}`` (the math domain's rule).
- The pronoun "I" and the article "A" followed by an ordinary word ("A good approach is...",
  "Answer: I think...") are prose, not commitments. Letters outside the choices never count.
- Naming an option's text counts only when the committed span *equals* that text (after case,
  whitespace and markup normalisation) and no other option has the same text: containment would let
  "the answer is not Paris" count as Paris.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from verifiers.base import InvalidReference, Verdict
from verifiers.boxed import boxes
from verifiers.schemas import ItemOptions

DEFAULT_TIMEOUT_S = 2.0
MAX_ANSWER_CHARS = 50_000  # longer answer texts score 0 rather than feed the regexes megabytes
_SPAN_CHARS = 400  # a committed answer sits in the first few hundred characters after "Answer:"
_MAX_STATEMENTS = 64  # answer statements read back from the end; a response repeating more is not answering
_NO_CHOICES_LETTERS = "ABCDEFGHIJ"  # MMLU-Pro has ten options; beyond that a letter is prose
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Words that may follow a bare letter that *is* an option ("A is correct", "I because ..."); after the
# article "A" or the pronoun "I", any other lowercase word means prose ("A good approach", "I think").
_LETTER_FOLLOWERS = frozenset(
    "is was seems appears remains would should must fits matches holds best because since as "
    "so therefore thus then here only alone or and nor".split()
)

# One option letter with its decoration: (C)  [C]  {C}  or a bare C not glued to other word chars.
_TOKEN = re.compile(r"\(\s*([A-Za-z])\s*\)|\[\s*([A-Za-z])\s*\]|\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![\w'’])")
_CONNECTOR = re.compile(r"\s*(?:,|/|&|;|\+|-|–|\bor\b|\band\b|\bnor\b|\s)\s*", re.IGNORECASE)
_SPAN_PREFIX = re.compile(
    r"[\s:=\-–—>]*(?:(?:the\s+)?(?:correct\s+|best\s+|final\s+)?(?:option|choice|letter)\s*[:#]?\s*)?"
    r"(?:(?:either|both)\s+)?(?:(?:option|choice|letter)\s*[:#]?\s*)?",
    re.IGNORECASE,
)
# No whitespace at the start of a separator: the statement's own `\s*` takes it. Two adjacent whitespace
# quantifiers made "answer" followed by thousands of newlines cost seconds (polynomial backtracking).
_SEP = r"(?:(?:is|:|=|-|–|—|=>|→)\s*(?:(?:therefore|thus|clearly|definitely|likely|probably|then)\s+)?" \
       r"|(?:would|should|must|will)\s+be\s+)"
# Each pattern that scans the whole text starts with a lookahead on its possible first characters:
# the regex engine then skips every other position cheaply (5-8x faster on a repetition loop).
_ANSWER_STATEMENT = re.compile(
    r"(?=[fcrbatmFCRBATM])\b(?:final\s+answer|(?:correct|right|best)\s+(?:answer|option|choice)|answer(?:\s+choice)?"
    r"|the\s+correct\s+one|my\s+choice|final(?=\s*:))\s*(?:is\s*:?\s*|" + _SEP + r")"
    r"|(?:\u6700\u7ec8|\u6b63\u786e)?\u7b54\u6848\s*(?:\u662f|\u4e3a|:|=)\s*",  # 答案：C, 答案是 C (NFKC: ： -> :)
    re.IGNORECASE,
)
_CHOOSE = re.compile(r"(?=[Ii])\bI(?:\s+would|\s+will|'d|'ll)?\s+(?:choose|select|pick|go\s+with)\s+", re.IGNORECASE)
# "C is correct" / "(C) is the answer": found from the literal tail, then the letter right before it is
# read in a small window (a scan that tried every position as a letter would cost 1 us per character).
_IS_CORRECT = re.compile(r"(?<!\s)\s+is\s+(?:the\s+)?(?:(?:correct|right|best)\b|(?:final\s+)?answer\b)", re.IGNORECASE)
_LETTER_BEFORE = re.compile(
    r"(?:(?:^|(?<=[\n.!?]))\s*|\b(?:option|choice|letter)\s+|(?=[(\[]))"
    r"(?:\(\s*([A-Z])\s*\)|\[\s*([A-Z])\s*\]|([A-Z]))$",
    re.IGNORECASE,
)
# "Thus, C." / "So the answer: C" at the end of a sentence: a conclusion naming one letter.
_CONCLUSION = re.compile(
    r"(?=[tThHsScC])\b(?i:thus|therefore|hence|so|consequently)\s*(?:,\s*)?\(?([A-Z])\)?[ \t]*(?:[.!]|$)", re.MULTILINE
)
_QUOTED_LETTER = re.compile("[\"'\u2018\u201c]([A-Z])[\"'\u2019\u201d]")  # 'C', "C"
_ANSWER_TAG = re.compile(r"<(/?)answer\s*>", re.IGNORECASE)
# "It is hydrogen.": a sentence whose subject is the answer names an option's text.
_LEAD_IN = re.compile(
    r"^(?:(?:so|thus|therefore|hence)\s*,?\s*)?(?:(?:it|this|that|the\s+(?:final\s+|correct\s+)?answer)\s+"
    r"(?:is|was|'s|must\s+be|would\s+be|should\s+be)\s+)",
    re.IGNORECASE,
)
_BOLD = re.compile(r"(?:\*\*|__)\s*\(?\s*([A-Z])\s*\)?\s*[.:)]?\s*(?:\*\*|__)")
_PAREN = re.compile(r"(?=[(oOcC])(?:\(([A-Z])\)|\b(?i:option|choice)\s+\(?([A-Z])\b\)?)")  # "(a)" is a sub-part label
_HEDGE_JOIN = re.compile(r"^\s*(?:,|/|&|\bor\b|\band\b)\s*$", re.IGNORECASE)
_LATEX_WRAPPERS = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf|mbox|boxed|fbox)\s*\{([^{}]*)\}")
_LATEX_DELIMS = re.compile(r"\$|\\\(|\\\)|\\\[|\\\]|`")
_ABBREVIATION = re.compile(r"\.\w")  # "e.g.", "i.e."
_NEXT_WORD = re.compile(r"\s+([a-z][a-z’']*)")
_CLOSING = re.compile(r"\s*[).:]")
_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")


@dataclass(frozen=True)
class _Pick:
    """What one commitment says: a set of letters (several = hedging) and how it was found."""

    letters: tuple[str, ...]
    pos: int
    via: str


def _valid_letters(reference: dict[str, Any]) -> tuple[str, list[str] | None]:
    choices = reference.get("choices")
    if choices is None:
        return _NO_CHOICES_LETTERS, None
    if not isinstance(choices, list) or not choices:
        raise InvalidReference("mcq reference 'choices' must be a non-empty list of option texts")
    if len(choices) > len(_ALPHABET):
        raise InvalidReference(f"mcq reference has {len(choices)} choices; at most 26 letters exist")
    if not all(isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in choices):
        raise InvalidReference("mcq reference 'choices' must hold strings (or numbers)")
    return _ALPHABET[: len(choices)], [str(c) for c in choices]


def _gold_letter(reference: dict[str, Any], valid: str) -> str:
    gold = reference.get("answer")
    if not isinstance(gold, str) or not gold.strip():
        raise InvalidReference("mcq reference needs 'answer': the correct option letter, e.g. \"B\"")
    match = re.fullmatch(r"\s*\(?\s*([A-Za-z])\s*\)?\s*\.?\s*", gold)
    if not match:
        raise InvalidReference(f"mcq reference answer {gold[:40]!r} is not an option letter")
    letter = match.group(1).upper()
    if letter not in valid:
        raise InvalidReference(f"mcq reference answer {letter!r} is outside the options {valid[0]}-{valid[-1]}")
    return letter


def _unwrap_latex(text: str) -> str:
    for _ in range(4):  # nested wrappers: \boxed{\text{C}}
        unwrapped = _LATEX_WRAPPERS.sub(r"\1", text)
        if unwrapped == text:
            break
        text = unwrapped
    return _LATEX_DELIMS.sub("", text)


def _plain(text: str) -> str:
    """The text with markdown emphasis and LaTeX wrappers removed, for reading letters out of a span."""
    return _unwrap_latex(text).replace("**", "").replace("__", "").replace("*", "")


def _norm_option(text: str) -> str:
    """Case/whitespace/markup-insensitive form of an option text, for equality only."""
    text = _plain(text).lower()
    text = re.sub(r"\s+", " ", text).strip().strip(".,;:!?\"'").strip()
    text = re.sub(r"^(?:the|an|a)\s+", "", text)
    return re.sub(r"\s+", "", text)


def _is_prose_letter(span: str, m: re.Match[str]) -> bool:
    """A bare A/I followed by an ordinary word is the article/pronoun; "e.g." is an abbreviation."""
    if m.group(4) is None:
        return False  # decorated: (A) [A] {A}
    if _ABBREVIATION.match(span, m.end()):
        return True
    if m.group(4).upper() in "AI":
        word = _NEXT_WORD.match(span, m.end())
        return word is not None and word.group(1) not in _LETTER_FOLLOWERS
    return False


def _prose_at(text: str, pos: int) -> bool:
    token = _TOKEN.match(text, pos)
    return token is None or _is_prose_letter(text, token)


def _letters_at(span: str) -> tuple[list[str], int]:
    """Read a letter list ("C", "(A) or (C)", "A, B", "either A or C") at the start of ``span``.

    Returns the letters and where the list ended.
    """
    prefix = _SPAN_PREFIX.match(span)
    pos = prefix.end() if prefix else 0
    letters: list[str] = []
    while True:
        m = _TOKEN.match(span, pos)
        if not m or _is_prose_letter(span, m):
            break
        letters.append(next(g for g in m.groups() if g).upper())
        pos = m.end()
        closing = _CLOSING.match(span, pos) if m.group(4) else None
        if closing and not _ABBREVIATION.match(span, pos):
            pos = closing.end()
        conn = _CONNECTOR.match(span, pos)
        if conn is None or _prose_at(span, conn.end()):
            break  # the list ends unless a connector leads to another letter
        pos = conn.end()
    return letters, pos


def _option_for(text: str, choices: list[str] | None, valid: str) -> str | None:
    """The letter of the one option whose text equals ``text`` (normalised), else None."""
    if not choices:
        return None
    target = _norm_option(text)
    if not target:
        return None
    hits = [valid[i] for i, c in enumerate(choices) if _norm_option(c) == target]
    return hits[0] if len(hits) == 1 else None


def _read_span(span: str, choices: list[str] | None, valid: str) -> tuple[str, ...] | None:
    """The letters a committed span names, or None when it names none."""
    line = span.split("\n", 1)[0][:_SPAN_CHARS]
    plain = _plain(line)
    letters, end = _letters_at(plain)
    kept = tuple(dict.fromkeys(x for x in letters if x in valid))
    rest = plain[end:]
    if kept:
        if len(kept) == 1:
            # "C (or possibly A)": a further option offered in the same sentence is still a hedge.
            sentence = re.split(r"(?<=[.!?])\s", rest, maxsplit=1)[0]
            other = re.search(r"\bor\b\s*(?:possibly\s+|maybe\s+|perhaps\s+)?\(?([A-Z])\)?(?![\w'])", sentence)
            if other and other.group(1) in valid and other.group(1) != kept[0]:
                return kept + (other.group(1),)
        return kept
    for candidate in (line, re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]):
        letter = _option_for(candidate, choices, valid)
        if letter:
            return (letter,)
    return None


def _boxed_contents(text: str) -> list[tuple[int, str]]:
    """Every ``\\boxed{...}`` / ``\\fbox{...}`` and closed ``<answer>...</answer>``, with where it starts.

    Boxes come from the shared scanner (:mod:`verifiers.boxed`); tags are paired in one pass. Only the
    head of a long container can hold a letter, so at most ``_SPAN_CHARS`` of each is copied.
    """
    out = [(box.start, text[box.content_start:min(box.content_end, box.content_start + _SPAN_CHARS)])
           for box in boxes(text)]
    opened = -1
    for tag in _ANSWER_TAG.finditer(text):
        if not tag.group(1):
            opened = tag.end()
        elif opened >= 0:
            out.append((opened, text[opened:min(tag.start(), opened + _SPAN_CHARS)]))
            opened = -1
    return sorted(out)


def _explicit_picks(text: str, choices: list[str] | None, valid: str) -> list[_Pick]:
    picks: list[_Pick] = []
    boxed_letters: set[str] = set()
    for pos, content in _boxed_contents(text)[-_MAX_STATEMENTS:]:
        plain = _plain(content).strip()
        if re.fullmatch(r"[A-Za-z]", plain):
            letters: tuple[str, ...] | None = (plain.upper(),) if plain.upper() in valid else None
        elif re.fullmatch(r"[A-Z]{2,}", plain) and all(c in valid for c in plain):
            letters = tuple(dict.fromkeys(plain))  # \boxed{AC}: two options at once
        else:
            letters = _read_span(content, choices, valid)
        if letters:
            boxed_letters.update(letters)
            picks.append(_Pick(letters, pos, "boxed"))
    statements = sorted([*_ANSWER_STATEMENT.finditer(text), *_CHOOSE.finditer(text)], key=lambda m: m.start())
    for m in reversed(statements[-_MAX_STATEMENTS:]):  # only the last one naming an option can win
        letters = _read_span(text[m.end(): m.end() + _SPAN_CHARS], choices, valid)
        if letters:
            picks.append(_Pick(letters, m.start(), "answer_statement"))
            break
    for tail in _IS_CORRECT.finditer(text):
        before = _LETTER_BEFORE.search(text, max(0, tail.start() - 24), tail.start())
        if before is None:
            continue
        letter = next(g for g in before.groups() if g).upper()
        if letter in valid:
            picks.append(_Pick((letter,), before.start(), "letter_is_correct"))
    for m in _CONCLUSION.finditer(text):
        if m.group(1) in valid and not _ABBREVIATION.match(text, m.end(1)):
            picks.append(_Pick((m.group(1),), m.start(), "conclusion"))
    if len(boxed_letters) > 1:  # several boxes naming different options: hedging, as in math
        picks.append(_Pick(tuple(sorted(boxed_letters)), len(text), "boxed"))
    return picks


def _line_letters(line: str, choices: list[str] | None, valid: str) -> tuple[str, ...]:
    """The letters a line commits to when it is only a decorated letter or a letter with its option text."""
    if len(line) > 2 * _SPAN_CHARS:
        return ()  # a letter with its option's text fits in this; a longer line is prose
    line = _plain(line).strip().lstrip("#>-• \t").strip()
    if not line:
        return ()
    letters, end = _letters_at(line)
    kept = tuple(dict.fromkeys(x for x in letters if x in valid))
    rest = line[end:].strip()
    if kept and (not rest.strip(".!:)") or (len(kept) == 1 and _option_for(rest, choices, valid) == kept[0])):
        return kept
    return ()


def _line_picks(text: str, choices: list[str] | None, valid: str) -> list[_Pick]:
    """Lines that are only a decorated letter ("(C)", "C.") or a letter with its option's text.

    Several such lines naming different options (a restated option list, "A" then "B") are hedging.
    Each distinct line is read once: a repetition loop (``"A\\n" * 25000``) costs one reading plus a
    dictionary lookup per line, in the service process that computes the dedup key.
    """
    read: dict[str, tuple[str, ...]] = {}
    named: dict[str, None] = {}
    last: tuple[tuple[str, ...], int] | None = None
    offset = 0
    for raw in text.split("\n"):
        key = raw.strip()
        if key:
            kept = read.get(key)
            if kept is None:
                kept = read[key] = _line_letters(key, choices, valid)
            if kept:
                if last is None or kept is not last[0]:  # a repeated line reuses the same tuple
                    named.update(dict.fromkeys(kept))
                last = (kept, offset)
        offset += len(raw) + 1
    if len(named) > 1:
        return [_Pick(tuple(named), len(text), "line")]
    return [_Pick(last[0], last[1], "line")] if last is not None else []


def _bold_picks(raw_text: str, valid: str) -> list[_Pick]:
    return [_Pick((m.group(1),), m.start(), "bold") for m in _BOLD.finditer(raw_text) if m.group(1) in valid]


def _option_text_picks(text: str, choices: list[str] | None, valid: str) -> list[_Pick]:
    """The whole text, its last line or that line's last sentence equals one option's text.

    A lead-in naming the answer as the subject ("It is hydrogen.", "So the answer is hydrogen") is
    dropped first; a negation ("It is not hydrogen") then fails the equality, as it should.
    """
    if not choices:
        return []
    stripped = text.rstrip()
    last_line = stripped[stripped.rfind("\n") + 1:][:_SPAN_CHARS]
    sentences = [part for part in re.split(r"(?<=[.!?])\s+", last_line) if part.strip()]
    candidates = [text, last_line] if len(text) <= _SPAN_CHARS * 4 else [last_line]
    if sentences:
        candidates.append(sentences[-1])
    for candidate in candidates:
        for form in (candidate, _LEAD_IN.sub("", candidate.strip(), count=1)):
            letter = _option_for(form, choices, valid)
            if letter:
                return [_Pick((letter,), len(text), "option_text")]
    return []


def _paren_picks(text: str, valid: str) -> list[_Pick]:
    found = [(m, (m.group(1) or m.group(2)).upper()) for m in _PAREN.finditer(text)]
    found = [(m, x) for m, x in found if x in valid and not (m.group(2) and _prose_at(text, m.start(2)))]
    if not found:
        return []
    last_m, last = found[-1]
    letters: tuple[str, ...] = (last,)
    if len(found) > 1:
        prev_m, prev = found[-2]
        if prev != last and _HEDGE_JOIN.match(text[prev_m.end(): last_m.start()]):
            letters = (prev, last)
    return [_Pick(letters, last_m.start(), "parenthesized")]


def extract(answer_text: str, choices: list[str] | None, valid: str) -> _Pick | None:
    """The commitment the response makes: highest tier present, last within the tier."""
    raw = unicodedata.normalize("NFKC", answer_text).strip()
    text = raw.replace("**", "").replace("__", "")  # "**Answer:** C", "**C** is correct"
    text = _QUOTED_LETTER.sub(r"\1", text)  # 'C' is the letter C
    if not text:
        return None
    tiers = (
        lambda: _explicit_picks(text, choices, valid),
        lambda: _line_picks(text, choices, valid),
        lambda: _bold_picks(raw, valid),
        lambda: _option_text_picks(text, choices, valid),
        lambda: _paren_picks(text, valid),
    )
    for tier in tiers:
        picks = tier()
        if picks:
            return max(picks, key=lambda p: p.pos)
    return None


def _judge(answer_text: str, reference: dict[str, Any]) -> tuple[str, str | None, str]:
    """(gold letter, extracted letter or None, reason) for one answer text."""
    valid, choices = _valid_letters(reference)
    gold = _gold_letter(reference, valid)
    if len(answer_text) > MAX_ANSWER_CHARS:
        return gold, None, "too_long"
    pick = extract(answer_text, choices, valid)
    if pick is None:
        return gold, None, "no_answer"
    if len(pick.letters) > 1:
        return gold, None, f"hedging:{','.join(pick.letters)}:{pick.via}"
    return gold, pick.letters[0], pick.via


def score(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> Verdict:
    """Reward 1 when the last committed option letter is the gold letter, else 0."""
    gold, letter, how = _judge(answer_text, reference)
    if letter is None:
        reason, _, rest = how.partition(":")
        details: dict[str, Any] = {"extracted": None, "reason": reason}
        if rest:
            details["letters"], _, details["matched_by"] = rest.partition(":")
        return Verdict(0.0, details)
    reason = "correct" if letter == gold else "wrong_letter"
    return Verdict(1.0 if letter == gold else 0.0, {"extracted": letter, "reason": reason, "matched_by": how})


def dedup_key(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> str:
    """The extracted letter plus the hedging/no-answer reason: equal keys get equal verdicts."""
    try:
        _, letter, how = _judge(answer_text, reference)
    except InvalidReference:
        return "invalid-reference"
    return f"{letter}|{how}"

