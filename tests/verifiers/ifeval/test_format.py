"""The linear-time scanners of ``verifiers/ifeval/_format.py`` count exactly what Google's regexes count.

Google's regexes backtrack quadratically on policy-controlled text; the scanners must not change a single
verdict, so they are compared with the original patterns on random texts over the characters that matter.
"""

from __future__ import annotations

import random
import re

import pytest

from verifiers.ifeval import _format

ALPHABET = ["*", "*", "-", "-", "\n", "\n", " ", "\t", "a", "b", "[", "]", "<", "<", ">", ">", "\u00a0", "\r"]


def _random_texts(seed: int, count: int, max_len: int = 40) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, max_len))) for _ in range(count)]


def _google_title(value: str) -> bool:
    return any(t.lstrip("<").rstrip(">").strip() for t in re.findall(r"<<[^\n]+>>", value))


@pytest.mark.parametrize("seed", range(4))
def test_scanners_agree_with_google_regexes(seed: int) -> None:
    for text in _random_texts(seed, 3000):
        assert _format.count_bullets(text, "*") == len(re.findall(r"^\s*\*[^\*].*$", text, flags=re.MULTILINE)), text
        assert _format.count_bullets(text, "-") == len(re.findall(r"^\s*-.*$", text, flags=re.MULTILINE)), text
        assert _format.count_placeholders(text) == len(re.findall(r"\[.*?\]", text)), text
        assert _format.title(text, {}) == _google_title(text), text


@pytest.mark.parametrize(
    "text",
    ["*\n* x", "*\n\n* y", "\n\n  * a\n-b\n", "**x**\n* y", "- \n", "*", "-", "\n*a", "* a\r\n* b"],
)
def test_bullet_scanner_quirks(text: str) -> None:
    # A "[^*]" that is a newline lets one match swallow the next line, as Google's regex does.
    assert _format.count_bullets(text, "*") == len(re.findall(r"^\s*\*[^\*].*$", text, flags=re.MULTILINE))
    assert _format.count_bullets(text, "-") == len(re.findall(r"^\s*-.*$", text, flags=re.MULTILINE))


def test_postscript_search_agrees_with_google_patterns() -> None:
    rng = random.Random(7)
    pieces = ["p", "P", ".", " ", "s", "S", "\n", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        lowered = text.lower()
        google_ps = bool(re.findall(r"\s*p\.\s?s\..*$", lowered, flags=re.MULTILINE))
        google_pps = bool(re.findall(r"\s*p\.\s?p\.\s?s.*$", lowered, flags=re.MULTILINE))
        assert _format.postscript(text, {"postscript_marker": "P.S."}) == google_ps, text
        assert _format.postscript(text, {"postscript_marker": "P.P.S"}) == google_pps, text


ADVERSARIAL = ["\n" * 200_000, "[" * 200_000, " " * 200_000, "<<" * 100_000, " \n" * 100_000, "*\n" * 100_000]


@pytest.mark.timeout(30)  # a hang guard, not a speed assert: Google's regexes need minutes on these texts
@pytest.mark.parametrize("text", ADVERSARIAL, ids=["newlines", "brackets", "spaces", "angles", "blank-lines", "stars"])
def test_scanners_do_not_backtrack_on_adversarial_text(text: str) -> None:
    # A policy must not be able to stall a scoring worker with blank lines or unclosed brackets.
    # "*\n*\n": the "[^*]" of one match is the newline, so each match swallows the next line's star.
    assert _format.count_bullets(text, "*") == (50_000 if text.startswith("*") else 0)
    assert _format.count_bullets(text, "-") == 0
    assert _format.count_placeholders(text) == 0
    assert _format.title(text, {}) is False
    assert _format.postscript(text, {"postscript_marker": "P.S."}) is False
