"""Exact polynomial arithmetic on short LaTeX answers, so `(x+7)(x+1)` = `x^2+8x+7` needs no sympy.

A tiny recursive-descent reader for answers that are polynomials over Q(sqrt(2), sqrt(3), ..., pi):
numbers, single-letter variables, ``\\pi``, ``\\sqrt`` of a positive integer, ``+ - * \\cdot
\\times``, implicit multiplication, ``/`` and ``\\frac`` by a rational constant, parentheses and
non-negative integer powers. It expands to a canonical dict of monomials in which every square root
is reduced to ``k * sqrt(m)`` with ``m`` square-free. Square roots of distinct square-free integers
are linearly independent over Q and pi is transcendental, so two expressions are equal exactly when
their canonical forms are (no sampling, nothing a policy could aim at). Anything outside that
grammar, or that would expand too far, returns ``None`` and goes to sympy.
"""

from __future__ import annotations

import re
from fractions import Fraction

Monomial = tuple[tuple[str, int], ...]  # sorted (variable, power) pairs; () is the constant term
Poly = dict[Monomial, Fraction]

MAX_TERMS = 200
MAX_POWER = 30
MAX_DIGITS = 40

_TOKEN = re.compile(
    r"\s*(?:(\d+(?:\.\d+)?)|\\frac|\\cdot|\\times|\\pi(?![a-zA-Z])|\\sqrt(?!\s*\[)|([a-df-hj-zA-DF-HJ-Z])|([-+*/^(){}]))"
)
_PI = "\\pi"
_ROOT = "\u221a"  # a monomial variable "√m" stands for sqrt(m), m square-free
MAX_RADICAND = 10**6
_CONSTANT: Monomial = ()


class _Unsupported(Exception):
    """Not a shape this reader decides; the caller falls back to sympy."""


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        match = _TOKEN.match(text, i)
        if match is None or match.end() == i:
            raise _Unsupported(text[i:i + 10])
        token = match.group(0).strip()
        if token.isalpha() and out and out[-1].isalpha():
            raise _Unsupported("adjacent letters: a word or a unit, not a product")  # `cm`, `xy`
        out.append(token)
        i = match.end()
    return out


def _add(a: Poly, b: Poly, sign: int = 1) -> Poly:
    out = dict(a)
    for mono, coeff in b.items():
        value = out.get(mono, Fraction(0)) + sign * coeff
        if value:
            out[mono] = value
        else:
            out.pop(mono, None)
    return out


def _squarefree(n: int) -> tuple[int, int]:
    """n = k^2 * m with m square-free; returns (k, m)."""
    k, m, d = 1, 1, 2
    while d * d <= n:
        while n % (d * d) == 0:
            n //= d * d
            k *= d
        if n % d == 0:
            n //= d
            m *= d
        d += 1
    return k, m * n


def _monomial(powers: dict[str, int]) -> tuple[int, Monomial]:
    """Reduce the square roots of a monomial: sqrt(a)^2 = a, sqrt(a) * sqrt(b) = k * sqrt(m)."""
    factor, radicand = 1, 1
    for var in [v for v in powers if v.startswith(_ROOT)]:
        base = int(var[len(_ROOT):])
        power = powers.pop(var)
        factor *= base ** (power // 2)
        if power % 2:
            radicand *= base
    if radicand > 1:
        k, m = _squarefree(radicand)
        factor *= k
        if m > 1:
            powers[f"{_ROOT}{m}"] = 1
    return factor, tuple(sorted(powers.items()))


def _mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            powers = dict(ma)
            for var, power in mb:
                powers[var] = powers.get(var, 0) + power
            factor, mono = _monomial(powers)
            value = out.get(mono, Fraction(0)) + ca * cb * factor
            if value:
                out[mono] = value
            else:
                out.pop(mono, None)
    if len(out) > MAX_TERMS:
        raise _Unsupported("too many terms")
    return out


def _constant(p: Poly) -> Fraction | None:
    if not p:
        return Fraction(0)
    if set(p) == {_CONSTANT}:
        return p[_CONSTANT]
    return None


class _Reader:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.decimal = False

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _Unsupported(f"expected {expected!r}")
        self.pos += 1
        return token

    def expr(self) -> Poly:
        result = self.term()
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            result = _add(result, self.term(), sign)
        return result

    def term(self) -> Poly:
        result = self.factor()
        while True:
            token = self.peek()
            if token in ("*", "\\cdot", "\\times"):
                self.take()
                result = _mul(result, self.factor())
            elif token == "/":
                self.take()
                divisor = _constant(self.factor())
                if not divisor:
                    raise _Unsupported("division by a non-constant or zero")
                result = {m: c / divisor for m, c in result.items()}
            elif token is not None and (token[0].isalnum() or token in ("(", "{", "\\frac", _PI, "\\sqrt")):
                result = _mul(result, self.factor())  # implicit multiplication: 2x, x(x+1)
            else:
                return result

    def factor(self) -> Poly:
        if self.peek() in ("-", "+"):
            sign = -1 if self.take() == "-" else 1
            return {m: sign * c for m, c in self.factor().items()}
        base = self.atom()
        if self.peek() != "^":
            return base
        self.take()
        if self.peek() == "{":
            self.take()
            exponent = self.take()
            self.take("}")
        else:
            exponent = self.take()
            if exponent.isdigit() and len(exponent) > 1:  # `x^23` is x^2 * 3 in LaTeX
                self.tokens[self.pos:self.pos] = [exponent[1:]]
                exponent = exponent[0]
        if not exponent.isdigit() or int(exponent) > MAX_POWER:
            raise _Unsupported("power")
        result: Poly = {_CONSTANT: Fraction(1)}
        for _ in range(int(exponent)):
            result = _mul(result, base)
        return result

    def atom(self) -> Poly:
        token = self.take()
        if token[0].isdigit():
            if len(token) > MAX_DIGITS:
                raise _Unsupported("number too long")
            self.decimal = self.decimal or "." in token
            value = Fraction(token)
            return {_CONSTANT: value} if value else {}
        if token.isalpha() or token == _PI:
            return {((token, 1),): Fraction(1)}
        if token == "\\sqrt":
            radicand = _constant(self.group())
            if radicand is None or radicand < 0 or radicand.denominator != 1 or radicand > MAX_RADICAND:
                raise _Unsupported("square root of something other than a natural number")
            factor, mono = _monomial({f"{_ROOT}{radicand.numerator}": 1}) if radicand else (0, ())
            return {mono: Fraction(factor)} if factor else {}
        if token in ("(", "{"):
            inner = self.expr()
            self.take(")" if token == "(" else "}")
            return inner
        if token == "\\frac":
            numerator, denominator = self.group(), self.group()
            divisor = _constant(denominator)
            if not divisor:
                raise _Unsupported("fraction with a non-constant or zero denominator")
            return {m: c / divisor for m, c in numerator.items()}
        raise _Unsupported(token)

    def group(self) -> Poly:
        token = self.peek()
        if token is not None and token.isdigit() and token != "{":
            self.take()
            if len(token) > 1:  # `\frac12`: one digit per argument
                self.tokens[self.pos:self.pos] = [token[1:]]
            return {_CONSTANT: Fraction(token[0])} if token[0] != "0" else {}
        self.take("{")
        inner = self.expr()
        self.take("}")
        return inner


def read_poly(text: str) -> tuple[Poly, bool] | None:
    """The expanded polynomial of ``text`` and whether every number in it was exact (no decimals)."""
    try:
        reader = _Reader(_tokens(text))
        poly = reader.expr()
        if reader.peek() is not None:
            return None
        return poly, not reader.decimal
    except (_Unsupported, ValueError, ZeroDivisionError, RecursionError):
        return None


def canonical(poly: Poly) -> tuple[tuple[Monomial, Fraction], ...]:
    """A hashable, order-free form: equal polynomials give equal tuples."""
    return tuple(sorted(poly.items()))
