"""The sympy-free fast path (verifiers/math/numeric.py, verifiers/math/poly.py) against math-verify itself.

The fast path may only decide where it is certain, and when it decides it must agree with
math-verify (the reference semantics); where it cannot decide it must say so (None).
"""

from __future__ import annotations

import pytest

from verifiers.math import numeric
from verifiers.math.poly import canonical, read_poly
from verifiers.math.symbolic import equal, parse_whole, too_complex

PAIRS = [
    ("7", "7"), ("7", "8"), ("7", "7.0"), ("0.5", r"\frac{1}{2}"), ("0.5", r"\frac12"), (r"\frac{3}{4}", "3/4"),
    (r"-\frac{3}{4}", r"\frac{-3}{4}"), (r"\frac{1}{3}", "0.333333"), (r"\frac{1}{3}", "0.33"), ("1,000", "1000"),
    ("x=3", "3"), ("3", "y=3"), ("x=3", "x=4"), (r"30^\circ", "30"), (r"10\text{ cm}", "10"),
    ("(1,2)", "(1,2)"), ("(1,2)", "(2,1)"), ("[1,2)", "[1,2]"), ("[1,2)", "(1,2)"), ("(1,2,3)", "(1,2)"),
    (r"\{1,2,3\}", r"\{3,2,1\}"), (r"\{1,2\}", r"\{1,3\}"), (r"\{1,2\}", "2, 1"), ("2", "2, 3"), ("(1,2)", "1, 2"),
    ("(x+7)(x+1)", "x^2+8x+7"), ("(x+7)(x+1)", "x^2+8x+8"), ("x^2+2x+1", "(x+1)^2"), (r"\frac{x}{2}", "0.5x"),
    ("2x+1", "1+2x"), ("x(x+1)", "x^2+x"), ("(x-1)^3", "x^3-3x^2+3x-1"), ("3x", "3y"), ("2+3", "5"),
    ("(2x, 3)", "(2x, 3)"), (r"\{x, 2\}", r"\{2, x\}"), (r"3\sqrt{6}", r"\sqrt{54}"), (r"\pi", "3.14159"),
    (r"3\sqrt{6}", r"3\sqrt{5}"), (r"2\sqrt{3}", r"\sqrt{12}"), (r"\frac{\sqrt{3}}{2}", r"\frac{1}{2}\sqrt{3}"),
    (r"\sqrt{2}\sqrt{3}", r"\sqrt{6}"), (r"(1+\sqrt{2})^2", r"3+2\sqrt{2}"), (r"\sqrt{11}", r"\sqrt 11"),
    (r"\frac{7\pi}{11}", r"\frac{7}{11}\pi"), (r"\frac{7\pi}{11}", r"\frac{11\pi}{7}"), (r"\pi r^2", r"r^2 \pi"),
    (r"\sqrt{8}", r"2\sqrt{2}"), (r"\sqrt{2}", "1.414214"), (r"2\pi", r"\pi"),
    (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", r"\begin{bmatrix}1&2\\3&4\end{bmatrix}"),
    (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", r"\begin{pmatrix}1&3\\2&4\end{pmatrix}"),
    (r"\begin{pmatrix} 1 \\ -2 \end{pmatrix}", r"\begin{pmatrix}1 & -2\end{pmatrix}"),
    (r"\begin{pmatrix} \frac{1}{2} \\ \sqrt{2} \end{pmatrix}", r"\begin{pmatrix}0.5 \\ \sqrt{2}\end{pmatrix}"),
]


@pytest.mark.parametrize(("gold", "pred"), PAIRS)
def test_fast_path_agrees_with_math_verify_when_it_decides(gold: str, pred: str) -> None:
    g, p = numeric.read(gold), numeric.read(pred)
    decided = numeric.same(g, p) if g is not None and p is not None else None
    if decided is None:
        return  # math-verify decides these; covered by test_math.py
    reference = equal(parse_whole(gold, 2), parse_whole(pred, 2), 2)
    assert decided == reference, f"fast path says {decided}, math-verify says {reference}"


def test_fast_path_decides_the_common_shapes() -> None:
    decided = [(g, p) for g, p in PAIRS if (a := numeric.read(g)) and (b := numeric.read(p))
               and numeric.same(a, b) is not None]
    assert len(decided) >= 38, "the fast path should cover integers, fractions, radicals, pi, tuples, sets, polynomials"


def test_fast_path_refuses_what_it_cannot_read() -> None:
    for text in (r"\sqrt{x}", r"\sqrt[3]{2}", r"\sqrt{-4}", r"e^{2}", r"\begin{vmatrix}1&2\\3&4\end{vmatrix}", "5\\%", "10 cm", "xy", "2 3", r"\frac{2}{x}",
                 "(" * 300 + "1" + ")" * 300):
        assert numeric.read(text) is None, text


def test_polynomial_reader_expands_exactly() -> None:
    poly = read_poly("(x+1)^{3}")
    assert poly is not None and canonical(poly[0]) == canonical(read_poly("x^3+3x^2+3x+1")[0])
    assert read_poly("3.5x") is not None and read_poly("3.5x")[1] is False  # decimals are not exact
    assert read_poly("(x+1)^{31}") is None  # power cap
    assert read_poly("((x+1)^{30})^{30}") is None  # term cap
    assert read_poly("x/0") is None


def test_complexity_guard() -> None:
    assert too_complex(r"9^{9^{9^{9}}}") is not None
    assert too_complex(r"2^{2^{2}}") is None
    assert too_complex("(" * 41 + ")" * 41) is not None
    assert too_complex(r"\frac{a^{2}}{b^{3}} + (x^{2})^{3}") is None
