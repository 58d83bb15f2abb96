"""Reading a written-out number through its formatting, and telling it apart from unevaluated arithmetic.

When the gold is a plain number, the answer must be a number too: copying the question's arithmetic
into the box (``18271 \\times 43432``, ``\\gcd(780, 461)``) would otherwise score 1, since sympy
evaluates it to the gold. "A number" is defined here by what a writer may wrap around one, not by a
narrow regex: thousands separators in all their LaTeX forms (``2{,}025``, ``1,\\!000``, ``1\\,000``),
``\\text``/``\\textbf``/``\\mathbf``/``\\mathrm`` wrappers, units and currency, an explicit sign, U+2212
minus, degree and percent marks, ``x = ``/``x \\approx `` and equation chains (the last side), ``.25``,
repeating decimals (``0.58\\overline{3}``), fractions in every spelling (``\\cfrac{1}{3}``,
``\\frac3{4}``, ``\\frac34``, ``3/4``), mixed numbers (``-2\\tfrac{1}{2}`` = -5/2) and scientific notation
(``1.5 \\times 10^{3}``, ``1.5e3``, ``10^{6}``: a mantissa in [1, 10) or none). A power of another base
(``2^{10}``) is arithmetic, not a number.

Everything here is string handling and :class:`fractions.Fraction`: no parser that could evaluate text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

MAX_EXPONENT = 400  # `1e999999` is not a number worth expanding
MAX_CHARS = 200

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2009": " ", "\u202f": " ", "\u00a0": " "})
_WRAPPER = re.compile(r"\\(?:text|textbf|textrm|textit|textup|mathbf|mathrm|mathit|mbox|boldsymbol|bm|operatorname)"
                      r"\s*\{([^{}]*)\}")
_NOISE = re.compile(r"\\(?:left|right|displaystyle|textstyle|big|Big|bigg|Bigg)(?![A-Za-z])")
_THIN = re.compile(r"\\[,;:! ]|\\thinspace|\\quad|\\qquad|~")
_SEPARATOR = re.compile(r"(?<=\d)(?:\{,\}|,\\!|,)(?=\d{3}(?!\d))")  # `2{,}025`, `1,\!000`, `1,000`
_SPACED_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?: \d{3})+(?:\.\d+)?$")
# Several values joined (`x = 4, y = 5`, `x = 2 \text{ or } x = 3`): not one chain with a last side.
_SEVERAL = re.compile(r",|;|\\\\|\\quad|\\qquad|\\lor|\\vee|\\land|\\wedge|\bor\b|\band\b")
_CHAIN = re.compile(r"=|\\approx(?![A-Za-z])|\\simeq(?![A-Za-z])|\u2248")
_CURRENCY = re.compile(r"^(?:\\\$|\$|\\textdollar|\\euro|\\pounds|\u20ac|\u00a3|\u00a5)\s*")
# One unit at the very end (`\text{ dollars}`, `\text{m}^2`); units are peeled off one at a time with the
# separators between them, so no nested quantifier can backtrack over a long run of units.
_UNIT = re.compile(r"\\(?:text|textbf|textrm|textit|mathbf|mathrm|mbox|operatorname)\s*\{\s*[A-Za-z][A-Za-z .\-/]*\}"
                   r"(?:\^(?:\d|\{\d\}))?$")
_UNIT_JOIN = re.compile(r"(?:\s|\\[,;:! ]|/|\\cdot)+$")
_DEGREE = re.compile(r"\s*(?:\^\s*\{?\s*\\circ\s*\}?|\\circ|\^\s*\{?\s*\\degree\s*\}?|\\degree|\u00b0|\\text\{\u00b0\})$")
_PERCENT = re.compile(r"\s*(?:\\%|%|\\text\{\s*\\?%\s*\}|\\text\{\s*percent\s*\})$")

_PLAIN = re.compile(r"^-?\d{1,60}(?:\.\d{1,60})?$")
_DECIMAL = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:\\overline\{(?P<rep>\d+)\}|\\bar\{(?P<bar>\d+)\})?$")
_FRAC = re.compile(r"^(?P<sign>[-+]?)(?:(?P<whole>\d+)\s*)?\\[dtc]?frac\s*(?:\{\s*(?P<p>[-+]?\d+)\s*\}|(?P<p1>\d))"
                   r"\s*(?:\{\s*(?P<q>[-+]?\d+)\s*\}|(?P<q1>\d))$")
_SLASH = re.compile(r"^(?P<sign>[-+]?)(?:(?P<whole>\d+)\s+)?(?P<p>\d+)\s*/\s*(?P<q>\d+)$")
_SCIENTIFIC = re.compile(r"^(?P<sign>[-+]?)(?:(?P<m>\d+(?:\.\d*)?|\.\d+)\s*(?:\\times|\\cdot|\*|\u00d7)\s*)?10\s*\^\s*"
                         r"(?:\{\s*(?P<e>[-+]?\d+)\s*\}|(?P<e1>\d))$")
_E_NOTATION = re.compile(r"^(?P<sign>[-+]?)(?P<m>\d+(?:\.\d*)?|\.\d+)[eE](?P<e>[-+]?\d+)$")

# Unevaluated arithmetic: an operator or a function applied to numeric literals.
_LITERAL = re.compile(r"\d+(?:\.\d+)?")
_OPERATOR = re.compile(r"(?<=[\d)}\]|!])\s*(?:[-+*/^\u00d7\u00f7]|\\times|\\cdot|\\div|\\pm|\\mp)|!|\\(?:frac|dfrac|tfrac|cfrac|"
                       r"binom|dbinom|tbinom|choose|gcd|lcm|sqrt|log|ln|lg|exp|sin|cos|tan|cot|sec|csc|arcsin|arccos|"
                       r"arctan|max|min|lfloor|lceil|mod|bmod|pmod|sum|prod|operatorname)(?![A-Za-z])|\|")
_LETTERS = re.compile(r"(?<![\\A-Za-z])[A-Za-z]|\\[A-Za-z]+")


@dataclass(frozen=True)
class Number:
    """A written-out number: its exact value and how it was written."""

    value: Fraction
    exact: bool  # no finite decimal expansion written (a decimal may stand for a rounded value)
    percent: bool = False

    def latex(self) -> str:
        """A plain spelling for math-verify (tolerance checks only): no formatting left to misread."""
        v = self.value
        text = str(v.numerator) if v.denominator == 1 else (
            _decimal_string(v) if not self.exact else f"\\frac{{{v.numerator}}}{{{v.denominator}}}")
        return text + ("\\%" if self.percent else "")


def _decimal_string(value: Fraction) -> str:
    """The finite decimal expansion of a value read from a decimal (its denominator divides a power of 10)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    digits = 0
    while (value * 10**digits).denominator != 1 and digits < 2 * MAX_EXPONENT:
        digits += 1
    scaled = str((value * 10**digits).numerator).rjust(digits + 1, "0")
    return sign + (scaled[:-digits] + "." + scaled[-digits:] if digits else scaled)


def strip_formatting(text: str) -> tuple[str, bool]:
    """``text`` without what is not the number, and whether a percent mark was removed."""
    s = _NOISE.sub("", text.translate(_MINUS)).strip()
    s = _SEPARATOR.sub("", s)
    for _ in range(3):
        unit = _UNIT.search(s)
        if unit is None or unit.start() == 0:
            break
        s = s[:unit.start()]  # `2{,}025\text{ dollars}`, `10\,\text{m}^2`
        join = _UNIT_JOIN.search(s)
        s = (s[:join.start()] if join is not None else s).strip()
    for _ in range(3):  # `\textbf{\$2{,}025}`
        unwrapped = _WRAPPER.sub(lambda m: m.group(1), s)
        if unwrapped == s:
            break
        s = unwrapped.strip()
    if _CHAIN.search(s) and _SEVERAL.search(s) is None:
        s = _CHAIN.split(s)[-1].strip()  # `n = 2{,}025`, `x = 2+3 = 5`: the last side
    percent = False
    if (mark := _PERCENT.search(s)) is not None:
        s, percent = s[:mark.start()].strip(), True
    s = _DEGREE.sub("", s).strip()
    s = _CURRENCY.sub("", s).strip()
    s = _THIN.sub(" ", s).strip()
    if _SPACED_THOUSANDS.match(s):
        s = s.replace(" ", "")  # `1\,000\,000`
    opened, closed = len(s) - len(s.lstrip("(")), len(s) - len(s.rstrip(")"))
    if opened == closed > 0 and "(" not in s[opened:len(s) - closed]:
        s = s[opened:len(s) - closed].strip()  # `((-4))`
    if s.startswith("{") and s.endswith("}") and "{" not in s[1:-1]:
        s = s[1:-1].strip()
    return s, percent


def read_number(text: str) -> Number | None:
    """The number ``text`` writes out, or None when it is not one number (arithmetic, a set, a symbol)."""
    if len(text) > MAX_CHARS:
        return None
    if _PLAIN.match(text):  # most answers: no formatting to strip
        return Number(Fraction(text), "." not in text)
    s, percent = strip_formatting(text)
    value = _value(s)
    if value is None:
        return None
    return Number(value[0], value[1], percent)


def _signed(sign: str, value: Fraction) -> Fraction:
    return -value if sign == "-" else value


def _value(s: str) -> tuple[Fraction, bool] | None:
    compact = s.replace(" ", "")
    if (m := _DECIMAL.match(compact)) is not None and (m.group("int") or m.group("frac")):
        whole, frac = m.group("int") or "0", m.group("frac") or ""
        rep = m.group("rep") or m.group("bar")
        if rep is None:
            return _signed(m.group("sign"), Fraction(f"{whole}.{frac}" if frac else whole)), "." not in compact
        if "." not in compact:
            return None  # `3\overline{3}` is not a repeating decimal
        # a.b(c) = (abc - ab) / (10^len(b) * (10^len(c) - 1))
        prefix = int(whole + frac)
        value = Fraction(int(whole + frac + rep) - prefix, 10 ** len(frac) * (10 ** len(rep) - 1))
        return _signed(m.group("sign"), value), True
    if (m := _FRAC.match(s)) is not None:
        p, q = int(m.group("p") or m.group("p1")), int(m.group("q") or m.group("q1"))
        if q == 0:
            return None
        value = Fraction(p, q)
        if m.group("whole") is not None:
            if not 0 < p < q:
                return None  # `3\frac{4}{3}` is not a mixed number: leave it to sympy's reading
            value += int(m.group("whole"))
        return _signed(m.group("sign"), value), True
    if (m := _SLASH.match(s)) is not None:
        p, q = int(m.group("p")), int(m.group("q"))
        if q == 0 or (m.group("whole") is not None and not 0 < p < q):
            return None
        return _signed(m.group("sign"), Fraction(p, q) + int(m.group("whole") or 0)), True
    if (m := _SCIENTIFIC.match(s)) is not None or (m := _E_NOTATION.match(compact)) is not None:
        exponent = int(m.group("e") if m.group("e") is not None else m.group("e1"))
        mantissa = m.group("m")
        if abs(exponent) > MAX_EXPONENT:
            return None
        if mantissa is None:
            return _signed(m.group("sign"), Fraction(10) ** exponent), True
        mant = Fraction(mantissa)
        if not 1 <= mant < 10:
            return None  # `15 \times 10^{2}`: not scientific notation, arithmetic
        return _signed(m.group("sign"), mant * Fraction(10) ** exponent), "." not in mantissa
    return None


def is_unevaluated(text: str) -> bool:
    """True when ``text`` applies an operator or a function to numeric literals only (no symbols).

    ``18271 \\times 43432``, ``5-3-6``, ``\\gcd(780, 461)``, ``\\binom{5}{2}``, ``5!``, ``2^{10}``: the
    question's arithmetic, not its result. Formatting is removed first, so a formatted number is never
    mistaken for arithmetic.
    """
    if read_number(text) is not None:
        return False
    s, _ = strip_formatting(text)
    return bool(_LITERAL.search(s)) and _OPERATOR.search(s) is not None and _LETTERS.search(
        _OPERATOR.sub(" ", s)) is None


def same(gold: Number, pred: Number) -> bool | None:
    """True/False when certain, None when math-verify's float tolerance must decide.

    A percent is the number or its hundredth (math-verify's rule: `5\\%` is 5 and 0.05). Tolerance is
    only for a decimal answer to a gold without a finite decimal expansion (``0.333333`` for 1/3): a
    gold that is itself a finite decimal is matched exactly, so ``0.5000001`` is not ``0.5``.
    """
    g, p = gold.value, pred.value
    if g == p or (pred.percent and p / 100 == g) or (gold.percent and g / 100 == p):
        return True
    terminating = _terminating(g)
    if pred.exact or terminating:
        return False
    return None


def _terminating(value: Fraction) -> bool:
    q = value.denominator
    for prime in (2, 5):
        while q % prime == 0:
            q //= prime
    return q == 1
