"""Math answers: symbolic equivalence with math-verify + sympy, hardened against reward hacking.

Why not ``math_verify.verify(parse(gold), parse(response))`` as verl and open-r1 do (see
shared/PITFALLS.md): a bare gold is misread (``3\\sqrt{6}`` -> 3), several boxes become a set that
contains the gold (hedging scores 1), sentence punctuation makes ``$2^{10}.$`` read as 2, and parsing
the whole 3 KB response costs ~10 ms. Here the answer is cut out with plain regexes
(:mod:`verifiers._math_extract`), cleaned, wrapped in ``$$...$$`` so it parses whole, and only that
short string reaches math-verify. The gold is parsed once per distinct string (LRU).

Timeouts: math-verify's own SIGALRM timers bound each parse and comparison (the pool runs us on a
worker's main thread); a timer that fires raises :class:`TimeoutError`, which the pool reports as
status ``timeout``. The pool's SIGKILL at ``DEFAULT_TIMEOUT_S`` is the backstop for C code that
ignores signals.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from math_verify import LatexExtractionConfig, parse, verify
from math_verify.errors import TimeoutException
from sympy import Basic, FiniteSet, Interval, MatrixBase, Tuple

from verifiers._math_extract import Extraction, comparable, extract
from verifiers.base import InvalidReference, Verdict
from verifiers.schemas import ItemOptions

DEFAULT_TIMEOUT_S = 5.0
MAX_ANSWER_CHARS = 50_000  # longer answer texts score 0 unparsed: parsing cost grows with length
MAX_CANDIDATE_CHARS = 2_000  # a single extracted answer longer than this is not a final answer
MAX_HEDGE_CHECKS = 4  # distinct boxed values to compare before calling it hedging outright
_PARSE_TIMEOUT_S = 2  # math-verify timers are whole seconds (signal.alarm)
_VERIFY_TIMEOUT_S = 2
_GOLD_CACHE_SIZE = 8192

_CONFIG = [LatexExtractionConfig()]  # one instance: math-verify caches its compiled regexes per config

_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
_TRAILING_JUNK = re.compile(r"(?:\s|\\[,;:! ]|\\quad|\\qquad|[.,;!?])+$")
_CHOICE_LABEL = re.compile(r"^(?:\\text(?:bf)?|\\mathrm|\\mathbf)?\s*\{?\s*\(([A-E])\)\s*\}?\s*")
_TEXT_WRAPPER = re.compile(r"^\\(?:text|textbf|mathrm|mbox|textit)\{([^{}]*)\}$")
_WORD = re.compile(r"^[A-Za-z]{2,}(?:[ \-'][A-Za-z]+)*$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,(?:\d{1,2}|\d{4,})$")  # `1,22`: a decimal comma, not the set {1, 22}
_LETTER = re.compile(r"^[A-E]$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_SINGLE_BOX = re.compile(r"^\\(?:boxed|fbox)\s*\{(.*)\}$", re.DOTALL)


@dataclass(frozen=True)
class _Answer:
    """A cleaned answer string and what the cheap paths need to know about it."""

    text: str  # LaTeX handed to math-verify (decimal comma already turned into a point)
    label: str | None  # AMC choice letter written before the value, `\textbf{(B) } 12` -> "B"
    word: str | None  # lower-cased words for answers like `\text{Monday}` / `yes`
    number: Decimal | None  # exact value of a plain decimal numeral, for the fast path


@dataclass(frozen=True)
class _Gold:
    answer: _Answer
    parsed: Any  # sympy object; None only for word golds
    collection: bool  # a set, tuple, interval or matrix: several values are expected


def _clean(latex: str) -> _Answer:
    """Strip what is not the value: dollars, trailing sentence punctuation, AMC labels, `\\boxed`."""
    s = latex.replace("\n", " ").strip()
    for _ in range(3):
        box = _SINGLE_BOX.match(s)
        if box is None:
            break
        s = box.group(1).strip()
    s = s.replace("\\$", "")  # `\$10`: an escaped dollar is currency, never maths
    s = _UNESCAPED_DOLLAR.sub("", s)
    s = s.replace("\\displaystyle", "")
    s = _TRAILING_JUNK.sub("", s).strip()
    label = None
    choice = _CHOICE_LABEL.match(s)
    if choice is not None:
        label = choice.group(1)
        s = s[choice.end():].strip()
    wrapped = _TEXT_WRAPPER.match(s)
    inner = wrapped.group(1).strip() if wrapped else s
    word = " ".join(inner.lower().split()) if _WORD.match(inner) else None
    number = None
    if _PLAIN_NUMBER.match(s):
        try:
            number = Decimal(s)
        except InvalidOperation:
            number = None
    return _Answer(s, label, word, number)


def _parse(latex: str, timeout_s: int) -> Basic | MatrixBase | None:
    """Parse one cleaned answer as a whole; None when math-verify finds no maths in it."""
    if not latex:
        return None
    try:
        found = parse(f"$${latex}$$", extraction_config=_CONFIG, parsing_timeout=timeout_s, raise_on_error=True)
    except TimeoutException as exc:
        raise TimeoutError(f"math-verify parse exceeded {timeout_s}s") from exc
    except Exception:
        return None
    for value in found:
        if isinstance(value, (Basic, MatrixBase)):
            return value
    return None


def _is_collection(value: Any) -> bool:
    return isinstance(value, (FiniteSet, Tuple, Interval, MatrixBase))


@functools.lru_cache(maxsize=_GOLD_CACHE_SIZE)
def _gold(text: str) -> _Gold | str:
    """Parse a gold once per distinct string; a str result is the reason it cannot be judged.

    Failures are cached too (as strings): a malformed gold sent with every sample of a group should
    not cost a parse timeout sixteen times.
    """
    answer = _clean(text)
    if _DECIMAL_COMMA.match(answer.text):
        answer = _clean(answer.text.replace(",", "."))
    if not answer.text and answer.label is not None:
        answer = _Answer(answer.label, answer.label, None, None)  # gold "(B)": the letter is the answer
    if not answer.text:
        return "empty gold answer"
    if answer.word is not None:
        return _Gold(answer, None, False)
    try:
        parsed = _parse(answer.text, _PARSE_TIMEOUT_S)
    except TimeoutError:
        return f"gold answer {text[:80]!r} did not parse within {_PARSE_TIMEOUT_S}s"
    if parsed is None:
        return f"gold answer {text[:80]!r} does not parse as maths"
    return _Gold(answer, parsed, _is_collection(parsed))


def _gold_text(reference: dict[str, Any]) -> str:
    raw = reference.get("answer") if isinstance(reference, dict) else None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise InvalidReference("math reference needs an 'answer' string (the gold answer)")
    text = str(raw).strip()
    if not text:
        raise InvalidReference("math reference has an empty 'answer'")
    return text


def _load_gold(gold_text: str) -> _Gold:
    gold = _gold(gold_text)
    if isinstance(gold, str):
        raise InvalidReference(gold)
    return gold


def _remaining(deadline: float) -> int:
    """Whole seconds left for the next math-verify timer; TimeoutError when the budget is spent."""
    left = deadline - time.monotonic()
    if left <= 0.05:
        raise TimeoutError("math verification ran out of its time budget")
    return max(1, min(_VERIFY_TIMEOUT_S, int(left)))


def _equal(gold: Any, pred: Any, deadline: float) -> bool:
    try:
        return bool(verify(gold, pred, timeout_seconds=_remaining(deadline), raise_on_error=True))
    except TimeoutException as exc:
        raise TimeoutError("math-verify comparison timed out") from exc
    except Exception:
        return False  # sympy cannot compare them: not shown equal


def _judge(gold: _Gold, pred: _Answer, deadline: float) -> tuple[bool, str]:
    """Is the cleaned prediction the gold's value? Returns (correct, reason); cheap paths first."""
    g = gold.answer
    if g.label is not None and (pred.label is not None or _LETTER.match(pred.text)):
        # An AMC answer may be given as its letter; a wrong letter is wrong whatever value follows.
        letter = pred.label or pred.text
        if letter != g.label:
            return False, "wrong_choice"
        if not pred.text or pred.text == letter:
            return True, "correct"
    if not pred.text:
        return False, "empty_answer"
    if g.word is not None:
        return (True, "correct") if pred.word == g.word else (False, "wrong_answer")
    if comparable(pred.text) == comparable(g.text):
        return True, "correct"
    if g.number is not None and pred.number is not None:
        if g.number == pred.number:
            return True, "correct"
        if g.number == g.number.to_integral_value() and pred.number == pred.number.to_integral_value():
            return False, "wrong_answer"
    text = pred.text
    if not gold.collection and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    parsed = _parse(text, _remaining(deadline))
    if parsed is None:
        return False, "unparsable_answer"
    if not gold.collection and isinstance(parsed, FiniteSet) and len(parsed) > 1:
        # Several values for a question that has one: `\boxed{2, 3}` for gold 2 is a hedge.
        return False, "multiple_candidates"
    return (True, "correct") if _equal(gold.parsed, parsed, deadline) else (False, "wrong_answer")


def _hedging(extraction: Extraction, deadline: float) -> bool:
    """Several boxes with different values. The same value boxed twice (`1/2`, `0.5`) is fine."""
    if not extraction.others:
        return False
    if len(extraction.others) > MAX_HEDGE_CHECKS:
        return True
    last = _parse(_clean(extraction.prediction or "").text, _remaining(deadline))
    if last is None:
        return True
    for other in extraction.others:
        value = _parse(_clean(other).text, _remaining(deadline))
        if value is None or not _equal(last, value, deadline):
            return True
    return False


def score(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> Verdict:
    """Reward 1 when the response's final answer equals the gold, else 0; see the module docstring."""
    gold_text = _gold_text(reference)
    gold = _load_gold(gold_text)
    budget = options.timeout_s or DEFAULT_TIMEOUT_S
    deadline = time.monotonic() + budget * 0.9  # leave the pool's kill a margin to not be needed

    def verdict(reward: float, reason: str, extracted: str | None = None) -> Verdict:
        return Verdict(reward, {"extracted": extracted, "gold": gold_text, "reason": reason})

    if len(answer_text) > MAX_ANSWER_CHARS:
        return verdict(0.0, "answer_too_long")
    extraction = extract(answer_text)
    if extraction.prediction is None:
        return verdict(0.0, "no_answer")
    prediction = extraction.prediction
    if len(prediction) > MAX_CANDIDATE_CHARS:
        return verdict(0.0, "answer_too_long", prediction[:200])
    if _hedging(extraction, deadline):
        return verdict(0.0, "hedging", prediction)
    correct, reason = _judge(gold, _clean(prediction), deadline)
    return verdict(1.0 if correct else 0.0, reason, prediction)


def dedup_key(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> str:
    """Items whose final answers read the same get one verdict: the extraction, not the prose around it."""
    if len(answer_text) > MAX_ANSWER_CHARS:
        return "\x00too_long"
    extraction = extract(answer_text)
    return "\x1f".join((extraction.source, extraction.prediction or "", "\x1e".join(extraction.others)))
