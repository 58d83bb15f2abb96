"""Math answers: symbolic equivalence with math-verify + sympy, hardened against reward hacking.

Why not ``math_verify.verify(parse(gold), parse(response))`` as verl and open-r1 do (see
shared/PITFALLS.md): a bare gold is misread (``3\\sqrt{6}`` -> 3), several boxes become a set that
contains the gold (hedging scores 1), sentence punctuation makes ``$2^{10}.$`` read as 2, and parsing
the whole 3 KB response costs milliseconds. Here:

1. the answer is cut out with plain regexes (:mod:`verifiers.math.extract`): last box, else the
   stated answer, else the last math environment; different boxed values are hedging;
2. both sides are cleaned (dollars, trailing punctuation, AMC labels, decimal commas);
3. plain numeric shapes are compared exactly without sympy (:mod:`verifiers.math.numeric`);
4. everything else is wrapped in ``$$...$$`` so it parses whole, and compared by math-verify under
   CPU and wall-clock limits (:mod:`verifiers.math.symbolic`). The gold is parsed once per distinct
   string (LRU) and only when a comparison needs sympy.

A timer that fires raises :class:`TimeoutError`, which the pool reports as status ``timeout``.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from typing import Any

from sympy import FiniteSet, Interval, MatrixBase, Tuple

from verifiers.base import InvalidReference, Verdict
from verifiers.math import numeric
from verifiers.math.extract import TOO_LONG, Extraction, comparable, extract
from verifiers.math.number import Number, is_unevaluated, read_number
from verifiers.math.number import same as same_number
from verifiers.math.spelling import has_ellipsis, respell
from verifiers.math.symbolic import equal, parse_whole, too_complex
from verifiers.schemas import ItemOptions

DEFAULT_TIMEOUT_S = 5.0
MAX_ANSWER_CHARS = 50_000  # longer answer texts score 0 unparsed: extraction and parsing grow with length
MAX_CANDIDATE_CHARS = 2_000  # one extracted answer longer than this is not a final answer
MAX_HEDGE_CHECKS = 4  # distinct boxed values to compare before calling it hedging outright
_GOLD_CACHE_SIZE = 8192

_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
_TRAILING_JUNK = re.compile(r"(?:\s|\\[,;:! ]|\\quad|\\qquad|[.,;!?])+$")
_CHOICE_LABEL = re.compile(r"^(?:\\text(?:bf)?|\\mathrm|\\mathbf)?\s*\{?\s*\(([A-E])\)\s*\}?\s*")
_TEXT_WRAPPER = re.compile(r"^\\(?:text|textbf|mathrm|mbox|textit)\{([^{}]*)\}$")
_WORD = re.compile(r"^[A-Za-z]{2,}(?:[ \-'][A-Za-z]+)*$")
_LETTER = re.compile(r"^[A-E]$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,(?:\d{1,2}|\d{4,})$")  # `1,22`: a decimal comma, not the set {1, 22}
_SINGLE_BOX = re.compile(r"^\\(?:boxed|fbox)\s*\{(.*)\}$", re.DOTALL)


@dataclass(frozen=True)
class _Answer:
    """A cleaned answer string and what the cheap paths know about it."""

    text: str  # LaTeX handed to math-verify
    label: str | None  # AMC choice letter written before the value, `\textbf{(B) } 12` -> "B"
    word: str | None  # lower-cased words for answers like `\text{Monday}` / `yes`
    number: Number | None = None  # one written-out number, read through its formatting

    @functools.cached_property
    def value(self) -> numeric.Value | None:
        """Plain numeric shape (tuples, sets, polynomials too), compared exactly without sympy.

        Read on first use only: a numeric gold is decided by ``number`` and never needs it.
        """
        return None if self.word is not None or self.text == self.label else numeric.read(self.text)


@dataclass(frozen=True)
class _Gold:
    answer: _Answer
    collection: bool  # a set, tuple, interval or matrix: several values are expected


def _clean(latex: str, decimal_comma: bool = False) -> _Answer:
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
    if decimal_comma and _DECIMAL_COMMA.match(s):
        s = s.replace(",", ".")
    number = read_number(s)  # before respelling: it reads `3\frac{1}{2}` as the mixed number itself
    s = respell(s)
    wrapped = _TEXT_WRAPPER.match(s)
    inner = wrapped.group(1).strip() if wrapped else s
    word = " ".join(inner.lower().split()) if _WORD.match(inner) else None
    if word is not None:
        return _Answer(s, label, word)
    return _Answer(s, label, None, number)


@functools.lru_cache(maxsize=_GOLD_CACHE_SIZE)
def _sympy_value(text: str) -> Any:
    """The gold's sympy value, parsed on first need only (a numeric gold usually never needs it)."""
    return parse_whole(text)


@functools.lru_cache(maxsize=_GOLD_CACHE_SIZE)
def _gold(text: str) -> _Gold | str:
    """Read a gold once per distinct string; a str result is the reason it cannot be judged.

    Failures are cached too: a malformed gold sent with every sample of a group should not cost a
    parse timeout sixteen times.
    """
    answer = _clean(text, decimal_comma=True)
    if not answer.text and answer.label is not None:
        answer = _Answer(answer.label, answer.label, None)  # gold "(B)": the letter is the answer
    elif answer.label is None and _LETTER.match(answer.text):
        answer = _Answer(answer.text, answer.text, None)  # gold "B": "(B)" and "\\text{B}" answer it too
    if not answer.text:
        return "empty gold answer"
    if answer.word is not None or answer.number is not None:
        return _Gold(answer, False)
    if answer.value is not None:
        return _Gold(answer, answer.value.kind != "scalar")
    if (why := too_complex(answer.text)) is not None:
        return f"gold answer is too complex to verify: {why}"
    try:
        parsed = _sympy_value(answer.text)
    except TimeoutError:
        return f"gold answer {text[:80]!r} did not parse in time"
    if parsed is None:
        return f"gold answer {text[:80]!r} does not parse as maths"
    return _Gold(answer, isinstance(parsed, (FiniteSet, Tuple, Interval, MatrixBase)))


def _gold_text(reference: dict[str, Any]) -> str:
    raw = reference.get("answer") if isinstance(reference, dict) else None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise InvalidReference("math reference needs an 'answer' string (the gold answer)")
    text = str(raw).strip()
    if not text:
        raise InvalidReference("math reference has an empty 'answer'")
    return text


def _budget(deadline: float) -> float:
    """Seconds left for the next parse or comparison; TimeoutError when the item's budget is spent."""
    left = deadline - time.process_time()  # CPU time, like the pool's budget: waiting for a core is free
    if left <= 0.05:
        raise TimeoutError("math verification ran out of its time budget")
    return left


def _sympy(answer: _Answer, deadline: float) -> Any:
    if (why := too_complex(answer.text)) is not None:
        raise TimeoutError(f"answer is too complex to verify: {why}")
    return parse_whole(answer.text, _budget(deadline))


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
    several = "multiple_candidates" if not gold.collection else "wrong_answer"
    if not gold.collection and _DECIMAL_COMMA.match(pred.text):
        pred = _clean(pred.text, decimal_comma=True)  # `1,22` for a one-number gold is 1.22
    if has_ellipsis(pred.text) != has_ellipsis(g.text):
        return False, "wrong_answer"  # `1, 2, 3, \ldots` is a sequence going on, not the list `1, 2, 3`
    if g.number is not None:
        return _judge_number(g.number, pred, several, deadline)
    if g.value is not None and pred.value is not None:
        decided = numeric.same(g.value, pred.value)
        if decided is not None:
            if decided:
                return True, "correct"
            return False, several if pred.value.kind in ("set", "list") and len(pred.value.items) > 1 else "wrong_answer"
    parsed = _sympy(pred, deadline)
    if parsed is None:
        return False, "unparsable_answer"
    if not gold.collection and isinstance(parsed, FiniteSet) and len(parsed) > 1:
        return False, several  # `\boxed{2, 3}` for gold 2: several values where one was asked
    gold_value = _sympy_value(g.text)
    if gold_value is None:
        return False, "wrong_answer"
    return (True, "correct") if equal(gold_value, parsed, _budget(deadline)) else (False, "wrong_answer")


def _judge_number(gold: Number, pred: _Answer, several: str, deadline: float) -> tuple[bool, str]:
    """A numeric gold asks for a number: the answer must write one out (in any formatting).

    Arithmetic on numeric literals (the question's own, copied into the box) is not an answer even
    when sympy would evaluate it to the gold; neither is anything else that is not one number.
    """
    if pred.number is None:
        if (why := too_complex(pred.text)) is not None:
            raise TimeoutError(f"answer is too complex to verify: {why}")
        if pred.value is not None and pred.value.kind in ("set", "list") and len(pred.value.items) > 1:
            return False, several
        return False, "unevaluated_expression" if is_unevaluated(pred.text) else "not_a_number"
    decided = same_number(gold, pred.number)
    if decided is None:  # a decimal for a gold with no finite expansion: math-verify's tolerance
        first, second = parse_whole(gold.latex(), _budget(deadline)), parse_whole(pred.number.latex(), _budget(deadline))
        decided = first is not None and second is not None and equal(first, second, _budget(deadline))
    return (True, "correct") if decided else (False, "wrong_answer")


def _same_value(a: _Answer, b: _Answer, deadline: float) -> bool:
    if a.number is not None and b.number is not None:
        decided = same_number(a.number, b.number)
        if decided is not None:
            return decided
    if a.value is not None and b.value is not None:
        decided = numeric.same(a.value, b.value)
        if decided is not None:
            return decided
    first, second = _sympy(a, deadline), _sympy(b, deadline)
    return first is not None and second is not None and equal(first, second, _budget(deadline))


def _hedging(extraction: Extraction, deadline: float) -> bool:
    """Several boxes with different values. The same value boxed twice (`1/2`, `0.5`) is fine."""
    if not extraction.others:
        return False
    if len(extraction.others) > MAX_HEDGE_CHECKS:
        return True
    last = _clean(extraction.prediction or "")
    return not all(_same_value(last, _clean(other), deadline) for other in extraction.others)


def score(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> Verdict:
    """Reward 1 when the response's final answer equals the gold, else 0; see the module docstring."""
    gold_text = _gold_text(reference)
    gold = _gold(gold_text)
    if isinstance(gold, str):
        raise InvalidReference(gold)
    deadline = time.process_time() + (options.timeout_s or DEFAULT_TIMEOUT_S) * 0.9  # before the pool's CPU kill

    def verdict(reward: float, reason: str, extracted: str | None = None) -> Verdict:
        return Verdict(reward, {"extracted": extracted, "gold": gold_text, "reason": reason})

    if len(answer_text) > MAX_ANSWER_CHARS:
        return verdict(0.0, "answer_too_long")
    extraction = extract(answer_text)
    prediction = extraction.prediction
    if prediction is None:
        return verdict(0.0, "no_answer")
    if prediction == TOO_LONG or len(prediction) > MAX_CANDIDATE_CHARS:
        return verdict(0.0, "answer_too_long")
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


_WARM_UP_PAIRS = [
    (r"3\sqrt{6}", r"\sqrt{54}"), (r"\frac{\pi}{4}", r"\frac{1}{4}\pi"), ("[1, 5)", r"\left[1,5\right)"),
    (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", r"\begin{bmatrix}1&2\\3&4\end{bmatrix}"),
    (r"\{1, 2\}", r"\{2, 1\}"), ("x^2+1", "1+x^2"), (r"30^\circ", r"\frac{\pi}{6}"), (r"2\sqrt{2}", r"\sqrt{8}"),
    (r"\frac{\sqrt{3}}{2}", r"\frac{1}{2}\sqrt{3}"), (r"(-\infty, 2]", r"x \le 2"), ("5\\%", "0.05"),
    (r"e^{2}", r"e^2"), (r"\ln 2", r"\log 2"), ("y = 2x + 1", "2x+1"), (r"\frac{1}{3}", "0.333333"),
]


def warm() -> None:
    """Prime latex2sympy's ANTLR caches and sympy's on typical answer shapes.

    A fresh process pays tens of milliseconds for the first parse of each shape; a pool worker that
    calls this once at start-up (the pool does, before it reports ready) scores its first batch at full speed. It
    goes straight to sympy, since the fast path would otherwise answer most of these pairs.
    """
    for gold, pred in _WARM_UP_PAIRS:
        try:
            first, second = parse_whole(gold), parse_whole(pred)
            if first is not None and second is not None:
                equal(first, second)
        except TimeoutError:
            pass
