"""``detectable_content:*`` and ``detectable_format:*`` instructions.

Google expresses several of these as regexes such as ``^\\s*\\*[^\\*].*$`` (multiline) or ``\\[.*?\\]``, which
backtrack quadratically on text the policy controls: 40,000 blank lines take seconds. The scanners below
count exactly the matches those regexes find (``tests/verifiers/ifeval`` checks them against the regexes on
random text) in linear time.
"""

from __future__ import annotations

import json
import re
from typing import Any

from verifiers.ifeval import _kwargs as kw

CONSTRAINED_RESPONSES = ("My answer is yes.", "My answer is no.", "My answer is maybe.")
_HIGHLIGHT = re.compile(r"\*[^\n\*]*\*")
_DOUBLE_HIGHLIGHT = re.compile(r"\*\*[^\n\*]*\*\*")
_PS = re.compile(r"p\.\s?s\.")
_PPS = re.compile(r"p\.\s?p\.\s?s")


def count_placeholders(response: str, need_content: bool = False) -> int:
    """Matches of ``\\[.*?\\]``: a ``[`` closed by the next ``]`` on the same line.

    ``need_content`` (closed loopholes) skips ``[]`` and ``[ ]``: an empty bracket holds no placeholder.
    """
    count = 0
    for line in response.split("\n"):
        start = line.find("[")
        while start >= 0:
            end = line.find("]", start + 1)
            if end < 0:
                break
            if not need_content or line[start + 1:end].strip():
                count += 1
            start = line.find("[", end + 1)
    return count


def _next_line_start(text: str, pos: int) -> int:
    """The first position >= pos where multiline ``^`` matches, or -1."""
    if pos == 0 or (pos <= len(text) and text[pos - 1] == "\n"):
        return pos
    newline = text.find("\n", pos)
    return -1 if newline < 0 else newline + 1


def count_bullets(response: str, marker: str) -> int:
    """Matches of ``^\\s*\\*[^\\*].*$`` (marker ``*``) or ``^\\s*-.*$`` (marker ``-``), multiline.

    ``\\s*`` may cross blank lines, and ``[^\\*]`` may be a newline that lets ``.*`` run on into the next line,
    so a match is not always one line; the scan reproduces that and so counts what the regex counts.
    """
    n = len(response)
    count = 0
    pos = _next_line_start(response, 0)
    while 0 <= pos <= n:
        q = pos
        while q < n and response[q].isspace():
            q += 1
        if marker == "*":
            matched = q + 1 < n and response[q] == "*" and response[q + 1] != "*"
            rest = q + 2
        else:
            matched = q < n and response[q] == "-"
            rest = q + 1
        if matched:
            count += 1
            end = response.find("\n", rest)
            if end < 0:
                break
            pos = _next_line_start(response, end)
        else:
            # Every line start up to q shares this whitespace run and fails the same way.
            newline = response.find("\n", q)
            pos = -1 if newline < 0 else newline + 1
    return count


def number_placeholders(response: str, args: dict[str, Any]) -> bool:
    """At least N placeholders in square brackets, such as [address]."""
    return count_placeholders(response) >= args["num_placeholders"]


def postscript(response: str, args: dict[str, Any]) -> bool:
    """The marker occurs anywhere, case-insensitively (Google does not require it to start a line).

    "P.S." also matches "p. s." and "P.P.S" also "p. p. s", as in Google's patterns.
    """
    lowered = response.lower()
    marker = args["postscript_marker"]
    if marker == "P.P.S":
        return _PPS.search(lowered) is not None
    if marker == "P.S.":
        return _PS.search(lowered) is not None
    return marker.lower() in lowered


def number_bullet_lists(response: str, args: dict[str, Any]) -> bool:
    """Exactly N bullet lines; every line starting with ``*`` (not ``**``) or ``-`` counts, "---" included."""
    return count_bullets(response, "*") + count_bullets(response, "-") == args["num_bullets"]


def constrained_response(response: str, args: dict[str, Any]) -> bool:
    """The response contains one of "My answer is yes./no./maybe."."""
    stripped = response.strip()
    return any(option in stripped for option in CONSTRAINED_RESPONSES)


def count_highlights(response: str) -> int:
    """``*x*`` and ``**x**`` sections with non-blank content on one line (Google counts each form once)."""
    single = sum(1 for match in _HIGHLIGHT.findall(response) if match.strip("*").strip())
    double = sum(1 for match in _DOUBLE_HIGHLIGHT.findall(response) if match[2:-2].strip())
    return single + double


def number_highlighted_sections(response: str, args: dict[str, Any]) -> bool:
    """At least N highlighted sections."""
    return count_highlights(response) >= args["num_highlights"]


def multiple_sections(response: str, args: dict[str, Any]) -> bool:
    """At least N sections, each opened by the splitter followed by a number ("Section 1")."""
    pattern = r"\s?" + re.escape(args["section_spliter"]) + r"\s?\d+\s?"
    return len(re.split(pattern, response)) - 1 >= args["num_sections"]


def json_format(response: str, args: dict[str, Any]) -> bool:
    """The whole response parses as JSON once whitespace and a surrounding code fence are removed."""
    value = (
        response.strip()
        .removeprefix("```json")
        .removeprefix("```Json")
        .removeprefix("```JSON")
        .removeprefix("```")
        .removesuffix("```")
        .strip()
    )
    try:
        json.loads(value)
    except (ValueError, RecursionError):  # deeply nested brackets are not JSON we can judge: not followed
        return False
    return True


def title(response: str, args: dict[str, Any]) -> bool:
    """A title in double angular brackets, ``<<title>>``, with non-blank content on one line.

    Equivalent to Google's greedy ``<<[^\\n]+>>``: on each line only the first ``<<`` and the last ``>>``
    can form a match.
    """
    for line in response.split("\n"):
        start = line.find("<<")
        if start < 0:
            continue
        end = line.rfind(">>")
        if end >= start + 3 and line[start:end + 2].lstrip("<").rstrip(">").strip():
            return True
    return False


PARAMS: dict[str, dict[str, kw.Validator]] = {
    "detectable_content:number_placeholders": {"num_placeholders": kw.non_negative_int},
    "detectable_content:postscript": {"postscript_marker": kw.stripped_text},
    "detectable_format:number_bullet_lists": {"num_bullets": kw.non_negative_int},
    "detectable_format:constrained_response": {},
    "detectable_format:number_highlighted_sections": {"num_highlights": kw.non_negative_int},
    "detectable_format:multiple_sections": {"section_spliter": kw.stripped_text, "num_sections": kw.non_negative_int},
    "detectable_format:json_format": {},
    "detectable_format:title": {},
}

CHECKS = {
    "detectable_content:number_placeholders": number_placeholders,
    "detectable_content:postscript": postscript,
    "detectable_format:number_bullet_lists": number_bullet_lists,
    "detectable_format:constrained_response": constrained_response,
    "detectable_format:number_highlighted_sections": number_highlighted_sections,
    "detectable_format:multiple_sections": multiple_sections,
    "detectable_format:json_format": json_format,
    "detectable_format:title": title,
}
