"""A whitelisting parser for the arithmetic and algebra answers of reasoning_gym tasks.

Why this exists: upstream scorers hand the model's answer to ``sympy.parse_expr`` (which ``eval``s it)
or ``eval``. Any name check in front of that is a blacklist in disguise: Python NFKC-normalises
identifiers, so full-width letters spell ``gi_frame`` past an ASCII check, and an attribute chain from
an allowed symbol reaches ``exec``. Here nothing is ever evaluated by Python: the answer is NFKC-
normalised, tokenised, and parsed by a small recursive-descent parser that builds the value itself,
from numeric literals, ``+ - * / **`` and parentheses, and (in the algebra mode) a fixed table of
symbols and sympy functions. Whatever is not in the grammar is a :class:`Refused` answer.

Sizes are bounded so that building the value is cheap: the text length, the number of tokens, the
nesting depth (counted, not Python's stack), literal digits, numeric exponents and the bit size of
every exact number the parser computes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

MAX_CHARS = 2000
MAX_TOKENS = 600
MAX_DEPTH = 40
MAX_LITERAL_DIGITS = 60
MAX_EXPONENT = 100  # |n| for a numeric exponent: polynomials and antiderivatives here stay far below
MAX_BITS = 4096  # numerator / denominator of any exact number the parser builds

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/(),]))"
)


class Refused(ValueError):
    """The answer is outside the whitelisted grammar (the caller scores it as unparseable)."""


def normalise(text: str) -> str:
    """NFKC, as Python does for identifiers, so every later textual check sees what Python would."""
    return unicodedata.normalize("NFKC", text)


def tokenize(text: str) -> list[tuple[str, str]]:
    """``(kind, text)`` tokens of the NFKC-normalised answer; anything else refuses the whole answer."""
    text = normalise(text)
    if len(text) > MAX_CHARS:
        raise Refused(f"answer longer than {MAX_CHARS} characters")
    tokens: list[tuple[str, str]] = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise Refused(f"character {text[pos:pos + 1]!r} at {pos} is not arithmetic")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
        if len(tokens) > MAX_TOKENS:
            raise Refused(f"more than {MAX_TOKENS} tokens")
    return tokens


class _Parser:
    """Recursive descent with Python's precedence: ``+ -`` < ``* /`` < unary ``+ -`` < ``**`` (right)."""

    def __init__(self, tokens: list[tuple[str, str]], ops: _Ops) -> None:
        self.tokens, self.ops, self.pos, self.depth = tokens, ops, 0, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise Refused("the expression ends too early")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise Refused(f"expected {expected!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Any:
        if not self.tokens:
            raise Refused("empty answer")
        value = self.sum()
        if self.pos != len(self.tokens):
            raise Refused(f"unexpected {self.tokens[self.pos][1]!r}")
        return value

    def nested(self, parse: Callable[[], Any]) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused(f"nested deeper than {MAX_DEPTH}")
        try:
            return parse()
        finally:
            self.depth -= 1

    def sum(self) -> Any:
        value = self.product()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            value = self.ops.binary(op, value, self.product())
        return value

    def product(self) -> Any:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            value = self.ops.binary(op, value, self.unary())
        return value

    def unary(self) -> Any:
        if self.peek() in ("+", "-"):
            if not self.ops.unary_allowed:
                raise Refused("a sign in front of a term is not allowed here")
            op = self.take()[1]
            operand = self.nested(self.unary)
            return self.ops.binary("-", self.ops.zero(), operand) if op == "-" else operand
        return self.power()

    def power(self) -> Any:
        base = self.atom()
        if self.peek() == "**":
            if not self.ops.power_allowed:
                raise Refused("'**' is not allowed here")
            self.take()
            return self.ops.binary("**", base, self.nested(self.unary))
        return base

    def atom(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return self.ops.number(text)
        if text == "(":
            value = self.nested(self.sum)
            self.take(")")
            return value
        if kind == "name":
            if self.peek() == "(":
                self.take("(")
                args = [self.nested(self.sum)]
                while self.peek() == ",":
                    self.take()
                    args.append(self.nested(self.sum))
                self.take(")")
                return self.ops.call(text, args)
            return self.ops.name(text)
        raise Refused(f"unexpected {text!r}")


@dataclass
class _Ops:
    """What the parser builds values with; subclasses decide the value type."""

    unary_allowed: bool = True
    power_allowed: bool = True

    def zero(self) -> Any:
        raise NotImplementedError

    def number(self, text: str) -> Any:
        raise NotImplementedError

    def name(self, text: str) -> Any:
        raise Refused(f"name {text[:40]!r} is not allowed here")

    def call(self, name: str, args: list[Any]) -> Any:
        raise Refused(f"function {name[:40]!r} is not allowed here")

    def binary(self, op: str, left: Any, right: Any) -> Any:
        raise NotImplementedError


def _check_bits(value: Fraction) -> Fraction:
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_BITS:
        raise Refused(f"a number in the answer exceeds {MAX_BITS} bits")
    return value


@dataclass
class _FractionOps(_Ops):
    """Exact rational arithmetic on integer literals; records every literal it reads."""

    literals: list[int] = field(default_factory=list)

    def zero(self) -> Fraction:
        return Fraction(0)

    def number(self, text: str) -> Fraction:
        if not text.isdigit():
            raise Refused(f"{text[:40]!r} is not a whole number")
        if len(text) > MAX_LITERAL_DIGITS:
            raise Refused("number literal too long")
        self.literals.append(int(text))
        return Fraction(int(text))

    def binary(self, op: str, left: Fraction, right: Fraction) -> Fraction:
        if op == "+":
            return _check_bits(left + right)
        if op == "-":
            return _check_bits(left - right)
        if op == "*":
            return _check_bits(left * right)
        if op == "/":
            if right == 0:
                raise Refused("division by zero")
            return _check_bits(left / right)
        raise Refused(f"operator {op!r} is not allowed here")


def arithmetic(text: str, allow_unary: bool = False) -> tuple[Fraction, list[int]]:
    """The exact value of ``text`` made of whole numbers, ``+ - * /``, parentheses (and signs when
    ``allow_unary``), and the numbers it uses in order. For countdown and puzzle24, whose rules allow
    nothing else (countdown's own gold answers negate numbers: ``-1 + 72*(89 - 77)``)."""
    ops = _FractionOps(unary_allowed=allow_unary, power_allowed=False)
    value = _Parser(tokenize(text), ops).parse()
    return value, ops.literals


# The maths names the algebra tasks' answers use (sympy's printer spells antiderivatives with these).
# Deliberately absent: Integral/Derivative (an unevaluated integral of the question is not an answer),
# factorial/gamma/binomial (huge values from small text), and anything that is not a function of numbers.
_FUNCTIONS: dict[str, tuple[str, int]] = {
    **{n: (n, 1) for n in "sin cos tan cot sec csc asin acos atan acot asec acsc sinh cosh tanh coth "
       "asinh acosh atanh acoth exp log sqrt cbrt Abs".split()},
    "ln": ("log", 1),
    "abs": ("Abs", 1),
}
_CONSTANTS = {"pi": "pi", "E": "E"}  # other single letters are variables, as upstream's auto_symbol makes them


@dataclass
class _SympyOps(_Ops):
    """Builds a sympy expression from the parsed tree: sympy never sees the answer's text."""

    symbols: dict[str, Any] = field(default_factory=dict)
    single_letter_symbols: bool = True

    def __post_init__(self) -> None:
        import sympy

        self.sympy = sympy

    def zero(self) -> Any:
        return self.sympy.Integer(0)

    def number(self, text: str) -> Any:
        if len(text) > MAX_LITERAL_DIGITS:
            raise Refused("number literal too long")
        if text.isdigit():
            return self.sympy.Integer(int(text))
        return self.sympy.Float(text)

    def name(self, text: str) -> Any:
        if text in self.symbols:
            return self.symbols[text]
        if text in _CONSTANTS:
            return getattr(self.sympy, _CONSTANTS[text])
        if self.single_letter_symbols and len(text) == 1:
            return self.sympy.Symbol(text)  # upstream's parse_expr turns unknown names into symbols too
        raise Refused(f"name {text[:40]!r} is not a variable or known maths constant")

    def call(self, name: str, args: list[Any]) -> Any:
        if name not in _FUNCTIONS:
            raise Refused(f"function {name[:40]!r} is not a known maths function")
        real, arity = _FUNCTIONS[name]
        if len(args) != arity:
            raise Refused(f"{name} takes {arity} argument(s)")
        return getattr(self.sympy, real)(*args)

    def binary(self, op: str, left: Any, right: Any) -> Any:
        if op == "**":
            self._check_power(left, right)
            result = left**right
        elif op == "+":
            result = left + right
        elif op == "-":
            result = left - right
        elif op == "*":
            result = left * right
        else:
            result = left / right
        if isinstance(result, self.sympy.Rational):
            _check_bits(Fraction(int(result.p), int(result.q)))
        return result

    def _check_power(self, base: Any, exponent: Any) -> None:
        if not exponent.is_Number:
            return  # symbolic exponents (E**x) stay unevaluated
        if abs(exponent) > MAX_EXPONENT:
            raise Refused(f"exponent beyond {MAX_EXPONENT}")
        if base.is_Rational:
            bits = max(int(base.p).bit_length(), int(base.q).bit_length())
            if bits * abs(exponent) > MAX_BITS:
                raise Refused(f"a power in the answer exceeds {MAX_BITS} bits")


def sympy_expression(text: str, symbols: dict[str, Any] | None = None) -> Any:
    """A sympy expression built from ``text`` by the whitelisting parser: numbers, ``+ - * / **``,
    parentheses, ``symbols``, single-letter variables, ``pi E I oo`` and the functions in ``_FUNCTIONS``."""
    return _Parser(tokenize(text), _SympyOps(symbols=dict(symbols or {}))).parse()
