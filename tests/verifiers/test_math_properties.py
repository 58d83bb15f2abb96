"""Property suite: golds drawn at random, rendered through a grammar of fair spellings and of near misses.

Every fair spelling of the gold's value scores 1 in every answer container; every near miss (another
digit, another fraction, the mixed number read as a product, the sign flipped, another bracket) and
every hedge (two values offered) scores 0. Deterministic (``derandomize=True``) so CI sees the same
examples on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifiers import math as math_verifier
from verifiers.answer_text import answer_text
from verifiers.schemas import ItemOptions

OPTIONS = ItemOptions()
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

CONTAINERS = [
    "Adding the cases, we get \\boxed{{{x}}}.",
    "<think>Maybe 12? Let me check again.</think>\nTherefore the value is $\\boxed{{{x}}}$",
    "Final Answer: The final answer is ${x}$. I hope it is correct.",
    "<think>reasoning</think>\n<answer>{x}</answer>",
]


@dataclass(frozen=True)
class Case:
    gold: str  # how the reference writes the gold
    fair: list[str]  # spellings of the same value
    near: list[str]  # spellings of another value


def reward(gold: str, response: str) -> float:
    return math_verifier.score(answer_text(response), {"answer": gold}, OPTIONS).reward


def _thousands(n: int, sep: str) -> str:
    digits = str(abs(n))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return ("-" if n < 0 else "") + sep.join(groups)


def _decimal(value: Fraction) -> str | None:
    """The finite decimal expansion of ``value``, or None when it has none."""
    q = value.denominator
    for k in range(0, 12):
        if (10**k) % q == 0:
            scaled = abs(value) * 10**k
            text = str(scaled.numerator).rjust(k + 1, "0")
            body = text[:-k] + "." + text[-k:] if k else text
            return ("-" if value < 0 else "") + body
    return None


def _latex_fraction(value: Fraction) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _integer_spellings(n: int) -> list[str]:
    minus = "\u2212" if n < 0 else ""
    spellings = [str(n), f"x = {n}", f"\\text{{{n}}}", f"\\textbf{{{n}}}", f"{n}\\text{{ units}}", f"{n}.0",
                 f"\\frac{{{2 * n}}}{{2}}", "n = " + _thousands(n, "{,}"), _thousands(n, ",\\!"), f"{n}^\\circ",
                 f"x \\approx {n}", f"(({n}))"]
    if n > 0:
        spellings += [f"+{n}", "\\$" + _thousands(n, "{,}"), "\\mathbf{" + _thousands(n, "{,}") + "}"]
    if minus:
        spellings.append(minus + str(abs(n)))
    if abs(n) >= 1000:
        spellings.append(_thousands(n, "\\,"))
    if n != 0 and n % 100 == 0:
        mantissa, exponent = Fraction(abs(n)), 0
        while mantissa >= 10:
            mantissa, exponent = mantissa / 10, exponent + 1
        m = _decimal(mantissa)
        spellings += [f"{'-' if n < 0 else ''}{m} \\times 10^{{{exponent}}}", f"{'-' if n < 0 else ''}{m}e{exponent}"]
    return spellings


def _fraction_spellings(v: Fraction) -> list[str]:
    p, q = abs(v.numerator), v.denominator
    sign = "-" if v < 0 else ""
    spellings = [_latex_fraction(v), f"{sign}\\dfrac{{{p}}}{{{q}}}", f"{sign}\\cfrac{{{p}}}{{{q}}}", f"{sign}{p}/{q}",
                 f"{sign}\\frac{{{2 * p}}}{{{2 * q}}}", f"\\frac{{{sign}{p}}}{{{q}}}"]
    if p < 10 and q < 10:
        spellings += [f"{sign}\\frac{p}{q}", f"{sign}\\frac{p}{{{q}}}"]
    if p > q:
        whole, rest = divmod(p, q)
        spellings += [f"{sign}{whole}\\frac{{{rest}}}{{{q}}}", f"{sign}{whole}\\tfrac{{{rest}}}{{{q}}}"]
    if (decimal := _decimal(v)) is not None:
        spellings += [decimal, decimal.replace("0.", ".", 1) if abs(v) < 1 else decimal]
    elif q in (3, 6, 9, 11, 12):
        spellings.append(_repeating(v))
    return spellings


def _repeating(v: Fraction) -> str:
    """``0.58\\overline{3}``-style spelling for a value whose period starts within four digits."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    whole, rest = divmod(v.numerator, v.denominator)
    digits, seen, r = "", {}, rest
    while r not in seen:
        seen[r] = len(digits)
        r *= 10
        digits += str(r // v.denominator)
        r %= v.denominator
    start = seen[r]
    return f"{sign}{whole}.{digits[:start]}\\overline{{{digits[start:]}}}"


integers = st.one_of(st.integers(-999, 999), st.integers(-10**9, 10**9), st.integers(10**15, 10**24),
                     st.integers(1, 999).map(lambda k: k * 100))
fractions_ = st.builds(Fraction, st.integers(-400, 400), st.integers(2, 40)).filter(lambda v: v.denominator > 1)


@st.composite
def numeric_cases(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(["integer", "fraction", "decimal", "mixed", "percent"]))
    if kind == "integer":
        n = draw(integers)
        gold = draw(st.sampled_from([str(n), _thousands(n, ","), _thousands(n, "{,}")]))
        near = [str(n + 1), str(n - 10), f"{n}.5"] + ([str(-n)] if n else [])
        return Case(gold, _integer_spellings(n), near)
    if kind == "percent":
        n = draw(st.integers(1, 99))
        return Case(f"{n}\\%", [f"{n}\\%", str(n), _decimal(Fraction(n, 100)) or ""], [f"{n + 1}\\%", str(n + 1)])
    if kind == "decimal":
        v = Fraction(draw(st.integers(-99999, 99999)), 10 ** draw(st.integers(1, 3)))
        if v.denominator == 1:
            v += Fraction(1, 10)
        near_v = v + Fraction(1, 10 ** len(str(v.denominator)))
        return Case(_decimal(v) or "", _fraction_spellings(v), [_decimal(near_v) or "", str(-v) if v else "1"])
    v = draw(fractions_)
    if kind == "mixed":
        whole = draw(st.integers(1, 20))
        part = Fraction(draw(st.integers(1, 8)), draw(st.integers(9, 12)))
        v = whole + part
        gold = f"{whole}\\frac{{{part.numerator}}}{{{part.denominator}}}"
        near = [_latex_fraction(whole * part), _decimal(whole * part) or _latex_fraction(whole * part),
                f"{whole + 1}\\frac{{{part.numerator}}}{{{part.denominator}}}"]
        return Case(gold, _fraction_spellings(v), near)
    near = [_latex_fraction(v + Fraction(1, v.denominator)), _latex_fraction(-v), f"\\frac{{{v.denominator}}}{{{v.numerator}}}"]
    return Case(_latex_fraction(v), _fraction_spellings(v), near)


@st.composite
def structured_cases(draw: st.DrawFn) -> Case:
    a = draw(st.integers(-50, 50))
    b = a + draw(st.integers(1, 50))
    if draw(st.booleans()):
        left, right = draw(st.sampled_from("[(")), draw(st.sampled_from("])"))
        gold = f"{left}{a}, {b}{right}"
        ops = {"[": "\\le", "(": "<", "]": "\\le", ")": "<"}
        other = {"[": "(", "(": "[", "]": ")", ")": "]"}
        fair = [f"{left}{a},{b}{right}", f"\\left{left}{a}, {b}\\right{right}", f"{a} {ops[left]} x {ops[right]} {b}",
                f"x \\in {left}{a}, {b}{right}"]
        near = [f"{other[left]}{a}, {b}{right}", f"{left}{a}, {b + 1}{right}", f"{left}{a - 1}, {b}{right}"]
        return Case(gold, fair, near)
    gold = f"({a}, {b})"
    fair = [f"({a},{b})", f"\\left( {a}, {b} \\right)", f"({_decimal(Fraction(a))}, {b})"]
    near = [f"({b}, {a})", f"({a}, {b + 1})", f"({a}, {b}, 0)", f"\\{{{a}, {b}\\}}"]
    return Case(gold, fair, near)


cases = st.one_of(numeric_cases(), structured_cases())


@SETTINGS
@given(case=cases, container=st.sampled_from(CONTAINERS), pick=st.integers(0, 10**6))
def test_fair_spellings_score_one(case: Case, container: str, pick: int) -> None:
    spelling = case.fair[pick % len(case.fair)]
    assert reward(case.gold, container.format(x=spelling)) == 1.0, (case.gold, spelling)


@SETTINGS
@given(case=cases, container=st.sampled_from(CONTAINERS), pick=st.integers(0, 10**6))
def test_near_misses_score_zero(case: Case, container: str, pick: int) -> None:
    spelling = case.near[pick % len(case.near)]
    assert reward(case.gold, container.format(x=spelling)) == 0.0, (case.gold, spelling)


@SETTINGS
@given(case=numeric_cases(), pick=st.integers(0, 10**6), form=st.integers(0, 4))
def test_hedges_score_zero(case: Case, pick: int, form: int) -> None:
    """Offering the gold together with a near miss never pays, whichever comes last."""
    right, wrong = case.fair[pick % len(case.fair)], case.near[pick % len(case.near)]
    first, second = (right, wrong) if pick % 2 else (wrong, right)
    response = [
        f"It is \\boxed{{{first}}} or \\boxed{{{second}}}.",
        f"<answer>{first}</answer> or maybe <answer>{second}</answer>",
        f"\\boxed{{{first}}}\n<answer>{second}</answer>",
        f"The answer is ${first}$ or ${second}$.",
        f"\\boxed{{{first}, {second}}}",
    ][form]
    assert reward(case.gold, response) == 0.0, (case.gold, response)
