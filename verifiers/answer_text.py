"""Cutting the scored part out of a reasoning model's response.

Only the text after the last ``</think>`` is an answer. A response that opens ``<think>`` and never
closes it (also a second block opened after the last ``</think>``) was truncated while thinking: whatever it boxed inside its thoughts is not an answer
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
    if response.find(THINK_OPEN, max(close, 0)) >= 0:
        # Also after a closed block: `<think></think><think>\boxed{3}` re-opens thinking and is cut off
        # there; its box is as much a guess as one in a first, unclosed block.
        raise TruncatedInThinking("response opens <think> and never closes it")
    return response[close + len(THINK_CLOSE):] if close >= 0 else response
