"""Exact comparison of numeric and polynomial answers without sympy: the math verifier's fast path.

Most GRPO math answers are integers, fractions, decimals, polynomials, or small tuples, intervals and
sets of them. latex2sympy's ANTLR parser costs 2-10 ms per distinct string and sympy's equality
another few to tens, which would dominate a batch. This module reads those shapes into exact
canonical forms (:class:`fractions.Fraction` coefficients, :mod:`verifiers.math.poly`) and decides
only when the answer is certain: numbers, square roots of integers, pi, polynomials, and tuples,
intervals, sets and p/b-matrices of those. Anything else (e, logs, trig, percentages, infinity,
near-equal decimals, a tuple against a set) returns ``None`` and goes to math-verify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from verifiers.math.poly import canonical, read_poly

Exact = tuple  # canonical polynomial: sorted ((monomial, coefficient), ...); a number is a constant one

_INT_OR_DEC = r"-?\d+(?:\.\d+)?"
_SCALAR_FORMS = [
    re.compile(rf"^(?P<n>{_INT_OR_DEC})$"),
    re.compile(r"^(?P<sign>-?)\\frac\{(?P<p>-?\d+)\}\{(?P<q>-?\d+)\}$"),
    re.compile(r"^(?P<sign>-?)\\frac(?P<p>\d)(?P<q>\d)$"),  # `\frac12`
    re.compile(r"^(?P<p>-?\d+)/(?P<q>\d+)$"),
]
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_VARIABLE = re.compile(r"^(?P<var>[a-zA-Z])\s*=\s*(?P<rest>.+)$")
_DEGREES = re.compile(r"\^\s*(?:\\circ|\{\\circ\})$")
_TEXT_UNIT = re.compile(r"\s*\\(?:text|mbox|mathrm)\{\s*[a-zA-Z][a-zA-Z .]*\}$")
_NOISE = re.compile(r"(?<!\\)\\[,;:! ]|\\left|\\right")  # plain spaces stay: `\pi r` is not `\pir`
_SPACES = re.compile(r"\s+")
_SPACED_DIGITS = re.compile(r"\d\s+\d")
_MATRIX = re.compile(r"^\\begin\{([pb]?matrix)\}(?P<body>.*)\\end\{\1\}$", re.DOTALL)  # not vmatrix: a determinant
_OPEN = {"(": "(", "[": "[", "\\{": "{"}
_CLOSE = {")": ")", "]": "]", "\\}": "}"}


@dataclass(frozen=True)
class Value:
    """A numeric or polynomial answer: one value, or a bracketed/bare list of values."""

    kind: str  # "scalar" | "seq" (parenthesised or bracketed) | "set" (braces) | "list" (bare commas) | "matrix"
    items: tuple[Exact, ...]
    exact: bool  # no decimal point anywhere: unequal values are certainly unequal
    brackets: str = ""  # for "seq": opening + closing bracket, e.g. "[)"; for "matrix": its shape, e.g. "2x2"
    var: str | None = None  # `x = 3` -> "x"


def _scalar(text: str) -> tuple[Exact, bool] | None:
    """One number or polynomial in canonical form, and whether it is exact (no decimals)."""
    if _THOUSANDS.match(text):
        text = text.replace(",", "")  # `1,000`; but `1, 000` (with a space) is two numbers
    compact = _SPACES.sub("", text)
    for form in _SCALAR_FORMS:
        match = form.match(compact)
        if match is None:
            continue
        groups = match.groupdict()
        if "n" in groups:
            return _number(Fraction(groups["n"])), "." not in groups["n"]
        q = int(groups["q"])
        if q == 0:
            return None
        value = Fraction(int(groups["p"]), q)
        return _number(-value if groups.get("sign") else value), True
    if "," in text:
        return None
    poly = read_poly(text)
    if poly is None:
        return None
    return canonical(poly[0]), poly[1]


def _number(value: Fraction) -> Exact:
    return (((), value),) if value else ()


def read(latex: str) -> Value | None:
    """The numeric value of a cleaned answer string, or None when it is not a plain numeric shape."""
    if len(latex) > 200 or _SPACED_DIGITS.search(latex):
        return None  # `2 3` is not 23; let math-verify read it
    s = _NOISE.sub("", latex.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")).strip()
    var = None
    assignment = _VARIABLE.match(s)
    if assignment is not None:
        var, s = assignment.group("var"), assignment.group("rest").strip()
    s = _DEGREES.sub("", s)
    s = _TEXT_UNIT.sub("", s)
    matrix = _MATRIX.match(s)
    if matrix is not None:
        return _matrix(matrix.group("body"), var)
    single = _scalar(s)
    if single is not None:
        return Value("scalar", (single[0],), single[1], var=var)
    kind, brackets, body = "list", "", s
    for opening, open_name in _OPEN.items():
        if s.startswith(opening):
            for closing, close_name in _CLOSE.items():
                if s.endswith(closing) and len(s) > len(opening) + len(closing):
                    body = s[len(opening): -len(closing)].strip()
                    kind = "set" if open_name == "{" else "seq"
                    brackets = open_name + close_name
                    break
            break
    if (kind == "set" and brackets != "{}") or (kind == "seq" and "}" in brackets):
        return None  # mismatched brackets: `\{1,2)` is not a shape we decide
    parts = body.split(",")
    if len(parts) < 2:
        return None
    values = [_scalar(part.strip()) for part in parts]
    if any(v is None for v in values):
        return None
    return Value(kind, tuple(v[0] for v in values if v), all(v[1] for v in values if v), brackets, var)


def _matrix(body: str, var: str | None) -> Value | None:
    rows = [row.split("&") for row in body.strip().split("\\\\")]
    if rows and rows[-1] == [""]:
        rows.pop()  # a trailing `\\` before `\end`
    if not rows or len({len(row) for row in rows}) != 1:
        return None
    cells = [_scalar(cell.strip()) for row in rows for cell in row]
    if any(cell is None for cell in cells):
        return None
    return Value("matrix", tuple(c[0] for c in cells if c), all(c[1] for c in cells if c),
                 f"{len(rows)}x{len(rows[0])}", var)


def same(gold: Value, pred: Value) -> bool | None:
    """True/False when certain, None when math-verify must decide."""
    if gold.var and pred.var and gold.var != pred.var:
        return None
    exact = gold.exact and pred.exact
    if gold.kind == "matrix" or pred.kind == "matrix":
        if gold.kind != pred.kind:
            return None  # a vector against a tuple: math-verify's rules
        if gold.brackets != pred.brackets:
            return False
        if gold.items == pred.items:
            return True
        return False if exact else None
    if gold.kind == "scalar" or pred.kind == "scalar":
        if gold.kind != pred.kind:
            return False if len(gold.items) > 1 or len(pred.items) > 1 else None
        if gold.items == pred.items:
            return True
        return False if exact else None
    if gold.kind == "seq" and pred.kind == "seq":
        if gold.brackets != pred.brackets or len(gold.items) != len(pred.items):
            return False
        if gold.items == pred.items:
            return True
        return False if exact else None
    if gold.kind == "seq" and pred.kind == "set":
        return False  # an ordered pair asked, a set given: `\{1, 2\}` would answer (1, 2) and (2, 1) at once
    if gold.kind in ("set", "list") and pred.kind in ("set", "list"):
        if set(gold.items) == set(pred.items):
            return True
        return False if exact else None
    return None  # a tuple against a bare list or a set: math-verify's rules


def is_literal(text: str) -> bool:
    """True when ``text`` is a written-out number (``-4``, ``1,000``, ``0.5``, ``\\frac{3}{4}``, ``x = 3``,
    ``30^\\circ``, ``12\\text{ cm}``), not an expression that evaluates to one (``5 - 3 - 6``, ``10^2``).

    When the gold is a plain number, the answer must be one too: otherwise copying the question's
    arithmetic (``\\boxed{18271 \\times 43432}``) would earn the reward without computing anything.
    """
    s = comparable_number(text)
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    return any(form.match(s) for form in _SCALAR_FORMS)


def comparable_number(text: str) -> str:
    """``text`` without what is not the number: an assignment, degrees, a unit, spacing, outer parentheses."""
    s = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    s = _NOISE.sub("", s).strip()
    assignment = _VARIABLE.match(s)
    if assignment is not None:
        s = assignment.group("rest")
    s = _TEXT_UNIT.sub("", _DEGREES.sub("", s)).strip()
    s = s.removesuffix("\\%").removesuffix("%").strip()  # `5\%`: the comparison decides what a percent means
    s = _SPACES.sub("", s)
    opened, closed = len(s) - len(s.lstrip("(")), len(s) - len(s.rstrip(")"))
    if opened == closed > 0 and "(" not in s[opened:len(s) - closed]:
        s = s[opened:len(s) - closed]  # `((-4))`: redundant parentheses around one number
    return s

