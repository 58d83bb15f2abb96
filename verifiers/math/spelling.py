"""Rewriting the spellings that math-verify and the fast path would misread, before either sees them.

Applied to the gold and to the answer alike, so both sides read the same way:

- a mixed number is a sum: ``3\\frac{1}{2}`` is 7/2 (the fast path's polynomial reader would take the
  juxtaposition for a product, 3/2, and pay ``1.5`` for it); ``-2\\tfrac12`` is -5/2;
- ``1 \\le x < 5`` is the interval ``[1, 5)``, and ``x \\in [1, 5)`` too;
- ``\\mathrm{e}`` is Euler's e (latex2sympy does not read the wrapped letter), ``\\cfrac`` is ``\\frac``,
  U+2212 is a minus, ``30°`` and ``30\\degree`` are ``30^\\circ``.

Plain string rewriting with bounded regexes on an answer already capped in length; nothing is evaluated.
"""

from __future__ import annotations

import re

_E = re.compile(r"\\(?:mathrm|operatorname|text|textrm|mathit)\s*\{\s*e\s*\}|\\mathrm\s+e(?![A-Za-z])")
_DEGREE_SIGN = re.compile(r"\s*(?:\^\s*\{?\s*\\degree\s*\}?|\\degree(?![A-Za-z])|\u00b0|\^\s*\{?\s*\u00b0\s*\}?)")
_MIXED = re.compile(r"(?<![\w.^}\\])(?<!\^\{)(\d+)\s*\\[dtc]?frac\s*(?:\{\s*(\d+)\s*\}|(\d))\s*(?:\{\s*(\d+)\s*\}|(\d))")
_COMPARISON = re.compile(r"(<|\\lt(?![A-Za-z])|\\leq?(?:slant)?(?![A-Za-z])|\u2264|>|\\gt(?![A-Za-z])|"
                         r"\\geq?(?:slant)?(?![A-Za-z])|\u2265)")
_MEMBER = re.compile(r"^[A-Za-z]\s*\\in\s*(?=[(\[])")
_VARIABLE = re.compile(r"^[A-Za-z]$")
_ELLIPSIS = re.compile(r"\\[lc]?dots[bcimo]?(?![A-Za-z])|\.\.\.|\u2026")


def _mixed(match: re.Match[str]) -> str:
    whole = match.group(1)
    p = match.group(2) or match.group(3)
    q = match.group(4) or match.group(5)
    if not 0 < int(p) < int(q):
        return match.group(0)  # `3\frac{4}{3}` is no mixed number: keep the reader's product
    return f"({whole}+\\frac{{{p}}}{{{q}}})"


def _interval(text: str) -> str:
    """``lo < x \\le hi`` (or ``hi > x \\ge lo``) as interval notation; anything else unchanged."""
    parts = _COMPARISON.split(text)
    if len(parts) != 5 or not _VARIABLE.match(parts[2].strip()):
        return text
    lo, first, _, second, hi = (part.strip() for part in parts)
    if not lo or not hi:
        return text
    less = [op.startswith(("<", "\\l", "\u2264")) for op in (first, second)]
    if less[0] != less[1]:
        return text  # `1 < x > 5` is no interval
    strict = [op in ("<", ">") or op in ("\\lt", "\\gt") for op in (first, second)]
    if not less[0]:
        lo, hi, strict = hi, lo, strict[::-1]
    return f"{'(' if strict[0] else '['}{lo}, {hi}{')' if strict[1] else ']'}"


def respell(latex: str) -> str:
    """The answer with mixed numbers, chained inequalities and odd symbols spelled the standard way."""
    s = latex.replace("\u2212", "-").replace("\\cfrac", "\\frac")
    if "e}" in s or "e }" in s or "\\mathrm e" in s:
        s = _E.sub("e", s)
    if "degree" in s or "\u00b0" in s:
        s = _DEGREE_SIGN.sub("^\\\\circ", s)
    if "frac" in s:
        s = _MIXED.sub(_mixed, s)
    if "\\in" in s:
        s = _MEMBER.sub("", s)
    if "<" in s or ">" in s or "\\l" in s or "\\g" in s or "\u2264" in s or "\u2265" in s:
        s = _interval(s)
    return s


def has_ellipsis(latex: str) -> bool:
    """Whether the answer trails off (``1, 2, 3, \\ldots``): a sequence that goes on is not a finite list."""
    return _ELLIPSIS.search(latex) is not None
