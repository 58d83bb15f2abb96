"""Extracting the gold answer of a worked solution: the content of its last ``\\boxed{}``.

MATH-style solutions put the answer in ``\\boxed{...}`` (sometimes ``\\fbox{...}`` or ``\\boxed 5``), and
the content nests braces (``\\boxed{\\frac{1}{2}}``), so a regex cannot find where it ends: we match
braces by depth.
"""

from __future__ import annotations

import re

_BOX = re.compile(r"\\(?:boxed|fbox)\b")


def last_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{...}``/``\\fbox{...}`` (braces balanced), or None if there is none."""
    for match in reversed(list(_BOX.finditer(text))):
        content = _box_content(text, match.end())
        if content is not None:
            return content.strip()
    return None


def _box_content(text: str, start: int) -> str | None:
    i = start
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return None
    if text[i] != "{":
        # "\boxed 5" (TeX's argument without braces): up to the next whitespace or `$`
        end = re.match(r"[^\s$]+", text[i:])
        return end.group(0) if end and i > start else None
    depth = 0
    for j in range(i, len(text)):
        char = text[j]
        if char == "\\" and j + 1 < len(text) and text[j + 1] in "{}":
            continue  # an escaped brace \{ is text, not nesting
        if char == "{" and (j == 0 or text[j - 1] != "\\"):
            depth += 1
        elif char == "}" and (j == 0 or text[j - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[i + 1:j]
    return None  # unbalanced: no usable box here
