"""Finding the final answer in a math response, with plain regexes and no sympy.

This runs twice per item (once in the parent for the dedup key, once in the worker), so it must cost
microseconds on a 3 KB response: no math-verify regex battery over the whole text, only a scan for
boxes, then for a stated answer, then for the last math environment.

The output is a string of LaTeX (or plain text) plus every *other* distinct boxed candidate, which is
what the hedging check needs. Turning that string into maths is :mod:`verifiers.math`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from verifiers.boxed import boxes

_MAX_BOX = 2_000  # a longer box is not a final answer; its content is not even copied
TOO_LONG = "\x00box content too long"  # stands in for a box over _MAX_BOX characters

# Anchors a writer uses to state an answer when it does not box it ("Final answer: 3", "The final
# answer is $3$", "the answer is 3", "**Answer:** 3"); the last one in the text wins. Matched around each
# occurrence of "answer" found with str.rfind: a case-insensitive regex scan of 3 KB costs 100x more.
_BEFORE_ANSWER = re.compile(r"(?:(?P<final>\bfinal)|(?P<the>\bthe))\s+$")
_AFTER_ANSWER = re.compile(r"(?P<is>\s+is\b)?(?P<colon>\s*:)?")
_ANCHOR_TAIL = re.compile(r"[\s*_:=]*")
# Math environments, display forms first so `$$x$$` is not read as two empty inline ones. The leading
# character class lets the regex engine skip to `$` and `\` instead of trying four branches everywhere.
# An environment's content may not contain its own opener, so every attempt stops at the next opener
# and a text of ten thousand unclosed `\[` is scanned in linear time, not quadratic (this runs in the
# service process, on untrusted text, to compute the dedup key).
_MATH_ENV = re.compile(
    r"[$\\`](?:(?<=\$)\$(?P<dd>(?:[^$]|\$(?!\$))+?)\$\$"
    r"|(?<=\\)\[(?P<db>(?:[^\\]|\\(?![\[\]]))+?)\\\]"
    r"|(?<=\\)\((?P<ip>(?:[^\\]|\\(?![()]))+?)\\\)"
    r"|(?<=\$)(?<![\\$\d]\$)(?P<id>[^$\n]+?)(?<!\\)\$"
    # Markdown code: a fenced block, then inline `5` (a model that answers in code formatting).
    r"|(?<=`)``[A-Za-z]*[ \t]*\n?(?P<fc>(?:[^`]|`(?!``))+?)```"
    r"|(?<=`)(?P<bt>[^`\n]+)`)"
)
# "The largest $n$ is $34$": after an anchor, the value a sentence states follows its verb.
_STATES = re.compile(r"(?<!\s)\s+(?:is|are|equals|was|=)(?:\s+(?:equal\s+to|therefore|thus|then|exactly))?[\s:]*")
# `<answer>...</answer>` (R1-style templates): an answer container like `\boxed{}`.
_ANSWER_TAG = re.compile(r"<(/?)answer\s*>", re.IGNORECASE)
# A stated answer in plain words that starts with a number and goes on with words ("42 apples.").
_LEADING_NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?(?:/\d+)?(?=\s+[A-Za-z])")
_JOINER = re.compile(r"[ \t]*(?:,[ \t]*(?:or|and)?|or|and)[ \t]*")
_PLAIN_OR = re.compile(r"\s+(?:or|and)\s+")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_SPACES = re.compile(r"\s+")
_MAX_LINE = 2_000  # of a stated answer's line: the verb search stays linear


@dataclass(frozen=True)
class Extraction:
    """What the response answers.

    ``prediction`` is the last boxed content (or the stated answer), ``None`` when there is none;
    ``others`` holds the other distinct boxed contents (normalised for comparison), empty when the
    response boxed one value or none; ``source`` says where the prediction came from.
    """

    prediction: str | None
    source: str  # "boxed" | "answer_tag" | "stated" | "math_env" | "bare" | "none"
    others: tuple[str, ...] = field(default_factory=tuple)


def boxed_contents(text: str) -> list[str]:
    """Every complete outermost box content, in order (:mod:`verifiers.boxed`); over-long ones as TOO_LONG."""
    return [box.content(text) if box.content_end - box.content_start <= _MAX_BOX else TOO_LONG for box in boxes(text)]


def comparable(latex: str) -> str:
    """A cheap canonical spelling for deciding that two candidates are *textually* the same value."""
    s = latex.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    s = s.replace("\\left", "").replace("\\right", "").replace("\\displaystyle", "")
    s = s.replace("\\!", "").replace("\\,", "").replace("\\;", "").replace("\\ ", "")
    s = _SPACES.sub("", s)
    return s.rstrip(".")


def _last_math_env(text: str) -> re.Match[str] | None:
    """The last math environment; a code span only when the text has no maths (`we get $5$ with `numpy``)."""
    last_math = last_code = None
    for env in _MATH_ENV.finditer(text):
        if env.group("bt") is None and env.group("fc") is None:
            last_math = env
        else:
            last_code = env
    return last_math or last_code


def _last_anchor_end(text: str) -> int | None:
    """End of the last "final answer [is]" / "the answer is" / "answer:" anchor, or None."""
    low = text.lower()
    pos = len(low)
    while (pos := low.rfind("answer", 0, pos)) >= 0:
        after = pos + len("answer")
        if after < len(low) and (low[after].isalnum() or low[after] == "_"):
            continue  # "answers", "answered"
        if pos > 0 and (low[pos - 1].isalnum() or low[pos - 1] == "_"):
            continue
        before = _BEFORE_ANSWER.search(low, max(0, pos - 16), pos)
        tail = _AFTER_ANSWER.match(low, after)
        if tail is None:  # cannot happen (every part is optional); keeps the types honest
            continue
        if before is not None and before.group("final"):
            end = tail.end("is") if tail.group("is") else after
        elif before is not None and tail.group("is"):
            end = tail.end("is")
        elif tail.group("colon"):
            end = tail.end("colon")
        else:
            continue
        skipped = _ANCHOR_TAIL.match(low, end)
        return skipped.end() if skipped is not None else end
    return None


def _math_env_content(match: re.Match[str]) -> str:
    return next(group for group in match.groups() if group is not None)


def _with_alternatives(text: str, env: re.Match[str]) -> str:
    """The stated environment plus any joined to it: "is $2$ or $3$" states two candidates."""
    candidates = [_math_env_content(env)]
    pos = env.end()
    while (joiner := _JOINER.match(text, pos)) is not None and joiner.end() > pos:
        following = _MATH_ENV.match(text, joiner.end())
        if following is None:
            break
        candidates.append(_math_env_content(following))
        pos = following.end()
    return ", ".join(candidates)


def _stated_answer(text: str) -> str | None:
    """The answer after the last "final answer"/"the answer is"/"Answer:" anchor, if any."""
    end = _last_anchor_end(text)
    if end is None:
        return None
    return _answer_at(text[end:])


def _answer_at(rest: str) -> str | None:
    """The value stated at the start of ``rest`` (what follows an anchor)."""
    env = _MATH_ENV.match(rest)
    if env is not None:
        verb = _STATES.match(rest, env.end())  # "$n$ is $34$": the value, not the name
        value = _MATH_ENV.match(rest, verb.end()) if verb is not None else None
        return _with_alternatives(rest, value or env)
    line = rest.split("\n", 1)[0][:_MAX_LINE]
    stop = _SENTENCE_END.search(line)
    if stop is not None:
        line = line[: stop.start()]
    line = line.strip().strip("*_").strip()
    if not line:
        return None
    first_env = _MATH_ENV.search(line)
    for verb in _STATES.finditer(line):
        # "The largest $n$ is $34$" / "the largest n is 34": the sentence states the value after its verb.
        value = _MATH_ENV.match(line, verb.end())
        if value is not None:
            return _with_alternatives(line, value)
        if first_env is None:
            tail = line[verb.end():].strip()
            number = _LEADING_NUMBER.match(tail)
            if number is not None:
                return number.group(0)
            if tail and " " not in tail:
                return tail
        break
    # An inline environment later on the same line ("is therefore $42$") is the answer.
    if first_env is not None:
        return _with_alternatives(line, first_env)
    if _PLAIN_OR.search(line):
        return _PLAIN_OR.sub(", ", line)  # "2 or 3" is two candidates; the single-value check sees them
    number = _LEADING_NUMBER.match(line)
    if number is not None:
        return number.group(0)  # "42 apples" -> "42"
    return line


def _tagged_answers(text: str) -> list[tuple[int, str]]:
    """``(position, content)`` of every closed ``<answer>...</answer>`` without a box inside (one pass).

    A box inside the tag is itself a candidate; a tag whose content is prose ("The answer is $5$")
    contributes the value it states.
    """
    found: list[tuple[int, str]] = []
    opened = -1
    for tag in _ANSWER_TAG.finditer(text):
        if not tag.group(1):
            opened = tag.end()
        elif opened >= 0:
            start, opened = opened, -1
            if tag.start() - start > _MAX_BOX:
                found.append((start, TOO_LONG))
                continue
            content = text[start:tag.start()].strip()
            if not content or "\\boxed" in content or "\\fbox" in content:
                continue
            if "\n" not in content and "$" not in content and "`" not in content and "nswer" not in content:
                found.append((start, content))  # `<answer>5</answer>`: the content is the answer
                continue
            stated = _stated_answer(content)
            if stated is None and "\n" not in content:
                stated = _answer_at(content) if _MATH_ENV.match(content) else content
            if stated is None:
                stated = content
            if stated.strip():
                found.append((start, stated.strip()))
    return found


# An answer text that is nothing but one number ("-4", "3/4", "1,000.5") states that number. Only the
# whole text counts: picking the last number out of prose would reward listing many numbers.
_BARE_NUMBER = re.compile(r"^[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s*/\s*\d+)?$")
_MAX_BARE_CHARS = 64


def _containers(text: str) -> tuple[list[str], str]:
    """The contents of every answer container (boxes and ``<answer>`` tags) in order, and their kind."""
    found = [(box.start, box.content(text) if box.content_end - box.content_start <= _MAX_BOX else TOO_LONG)
             for box in boxes(text)]
    tagged = _tagged_answers(text)
    source = "answer_tag" if tagged and (not found or tagged[-1][0] > found[-1][0]) else "boxed"
    found.extend(tagged)
    found.sort(key=lambda pair: pair[0])
    return [content.strip() for _, content in found if content.strip()], source


def extract(text: str) -> Extraction:
    """Find the prediction: last box or ``<answer>`` tag, else the stated answer, else the last math environment."""
    candidates, source = _containers(text)
    if candidates:
        last = candidates[-1]
        last_key = comparable(last)
        others: dict[str, None] = {}
        for candidate in dict.fromkeys(candidates[:-1]):  # a repetition loop boxes one value many times
            key = comparable(candidate)
            if key != last_key:
                others[key] = None
        return Extraction(last, source, tuple(others))
    stated = _stated_answer(text)
    if stated is not None and stated.strip():
        return Extraction(stated.strip(), "stated")
    last_env = _last_math_env(text)
    if last_env is not None:
        content = _math_env_content(last_env).strip()
        if content:
            return Extraction(content, "math_env")
    bare = text.strip().rstrip(".").strip()
    if len(bare) <= _MAX_BARE_CHARS and _BARE_NUMBER.match(bare):
        return Extraction(bare, "bare")  # the whole answer text is one number: that is what it states
    return Extraction(None, "none")
