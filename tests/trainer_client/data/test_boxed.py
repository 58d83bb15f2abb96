"""The gold of a worked solution is its last \\boxed{} content, braces balanced."""

from __future__ import annotations

import pytest

from trainer_client.data.boxed import last_boxed


@pytest.mark.parametrize("text, gold", [
    ("so $\\boxed{5}$.", "5"),
    ("first \\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
    ("\\boxed{\\left\\{ 1, 2 \\right\\}}", "\\left\\{ 1, 2 \\right\\}"),
    ("\\boxed{x^{2^{3}} + \\sqrt{\\frac{a}{b}}} and no more", "x^{2^{3}} + \\sqrt{\\frac{a}{b}}"),
    ("The answer is $\\boxed 7$.", "7"),
    ("\\fbox{12}", "12"),
    ("\\boxed{ (1, 2) }", "(1, 2)"),
    ("no box here", None),
    ("\\boxed{unbalanced", None),
    ("\\boxed{ok} then broken \\boxed{", "ok"),
    ("\\boxedfoo{3}", None),
])
def test_last_boxed(text: str, gold: str | None) -> None:
    assert last_boxed(text) == gold
