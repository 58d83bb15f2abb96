"""Cutting the scored part out of a reasoning model's response.

Only the text after the last ``</think>`` is an answer. A response that opens ``<think>`` and never
closes it was truncated while thinking: whatever it boxed inside its thoughts is not an answer
(math-verify would otherwise happily score a box inside an unclosed think block).
"""

from __future__ import annotations

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


class TruncatedInThinking(Exception):
    """The response opened a think block and never closed it: it has no answer."""


def answer_text(response: str) -> str:
    """Return the text after the last ``</think>``; raise :class:`TruncatedInThinking` if unclosed."""
    close = response.rfind(THINK_CLOSE)
    if close >= 0:
        return response[close + len(THINK_CLOSE):]
    if THINK_OPEN in response:
        raise TruncatedInThinking("response opens <think> and never closes it")
    return response
