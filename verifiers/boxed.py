"""The one ``\\boxed{}`` scanner: math and mcq answers, and gold answers when building data.

``\\boxed{...}`` nests braces (``\\boxed{\\frac{1}{2}}``), so no regex can find where it ends: a brace
stack does. One pass over the text from the first box on, so the cost is linear even for thousands of
unclosed or nested boxes: this runs in the service process on untrusted text (the dedup key), where a
quadratic scan of a repetition loop would stall every request. The module has no dependencies, so
``trainer_client.data`` uses it as well.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# `\boxed{...}`, `\boxed {...}`, `\fbox{...}`; the content is read with a brace counter, not a regex.
_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")
# `\boxed 5` (TeX lets a single token follow without braces).
_BOX_BARE = re.compile(r"\\boxed[ \t]+([^\s${}\\]+)")
# Tokens that matter for brace matching: a box opening, an escaped character (`\{` is a literal brace,
# `\\` a line break), or a brace.
_BRACE_TOKEN = re.compile(r"\\(?:boxed|fbox)\s*\{|\\.|[{}]", re.DOTALL)


class Box(NamedTuple):
    """One complete box: ``text[start:end]`` is the whole box, ``text[content_start:content_end]`` its content.

    A named tuple, not a frozen dataclass: a repetition loop creates thousands, and a frozen dataclass's
    ``__init__`` costs several times more.
    """

    start: int
    end: int
    content_start: int
    content_end: int

    def content(self, text: str) -> str:
        return text[self.content_start:self.content_end]


def boxes(text: str) -> list[Box]:
    """Every complete outermost ``\\boxed{}``/``\\fbox{}``/``\\boxed 5``, in order of position.

    Unclosed boxes are not answers. A box inside a box (``\\boxed{\\boxed{3}}``) is one answer: only the
    outermost is returned. Contents are not copied, so a caller can cap what it reads of each.
    """
    first = min((i for i in (text.find("\\boxed"), text.find("\\fbox")) if i >= 0), default=-1)
    if first < 0:
        return []
    found: list[Box] = []
    stack: list[int] = []  # for each open brace: the start of its box, or -1 for a plain brace
    for token in _BRACE_TOKEN.finditer(text, first):
        piece = token.group(0)
        if piece == "{":
            stack.append(-1)
        elif piece == "}":
            if stack and (start := stack.pop()) >= 0:
                opening = _BOX_OPEN.match(text, start)
                if opening is not None:
                    found.append(Box(start, token.end(), opening.end(), token.start()))
        elif piece[-1] == "{" and len(piece) > 2:
            stack.append(token.start())
    for match in _BOX_BARE.finditer(text, first):
        found.append(Box(match.start(), match.end(), match.start(1), match.end(1)))
    found.sort()  # by start: the first field
    outermost: list[Box] = []
    last_end = -1
    for box in found:
        if box.start < last_end:
            continue
        outermost.append(box)
        last_end = box.end
    return outermost


def last_boxed(text: str) -> str | None:
    """Content of the last complete box (stripped), or None: the gold answer of a worked solution."""
    found = boxes(text)
    return found[-1].content(text).strip() if found else None
