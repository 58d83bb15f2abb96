"""Cutting the scored part out of a reasoning model's response.

Only the text after the last ``</think>`` is an answer. A response that opens ``<think>`` and never
closes it (also a second block opened after the last ``</think>``) was truncated while thinking: whatever
it boxed inside its thoughts is not an answer (math-verify would otherwise happily score a box inside an
unclosed think block).

R1-style chat templates end the *prompt* with ``<think>``, so the response starts inside a think block
and has no opening tag. ``thinking="prompted"`` (``options.thinking``) says so: such a response without
any ``</think>`` never left its thoughts, and scoring its text as an answer would pay a box written
mid-thought when the sample ran out of tokens.
"""

from __future__ import annotations

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
PROMPTED = "prompted"


class TruncatedInThinking(Exception):
    """The response opened a think block and never closed it: it has no answer."""


def answer_text(response: str, thinking: str | None = None) -> str:
    """Return the text after the last ``</think>``; raise :class:`TruncatedInThinking` if thinking is unclosed.

    ``thinking="prompted"``: the response starts inside a think block (the prompt ended with ``<think>``), so
    a response with no ``</think>`` at all is unclosed thinking too.
    """
    close = response.rfind(THINK_CLOSE)
    if close < 0 and thinking == PROMPTED:
        raise TruncatedInThinking("the response starts inside a think block (thinking: prompted) and never closes it")
    if response.find(THINK_OPEN, max(close, 0)) >= 0:
        # Also after a closed block: `<think></think><think>\boxed{3}` re-opens thinking and is cut off
        # there; its box is as much a guess as one in a first, unclosed block.
        raise TruncatedInThinking("response opens <think> and never closes it")
    return response[close + len(THINK_CLOSE):] if close >= 0 else response
