"""IFEval domain: Google's instruction-following checks, strict or loose, offline and deterministic.

Reference: ``{"prompt": str, "instruction_id_list": [id, ...], "kwargs": [{...}, ...]}`` in Google's format.
Options: ``mode`` "strict" (default) or "loose"; ``reward`` "binary" (default, 1 only when every
instruction is followed) or "fraction" (the fraction followed); ``loopholes`` "google" (default, exact
parity) or "closed" (reward hacks closed, for training) and ``min_words`` (the effort floor).

Loose mode is IFEval's upper bound: an instruction is followed when any of eight variants of the response
follows it (as is, without its first line, without its last line, without both, each also with every
``*`` removed), so "Sure, here is..." preambles and markdown emphasis do not count against the model.
"""

from __future__ import annotations

from typing import Any

from verifiers.base import Verdict
from verifiers.ifeval._closed import rules_for
from verifiers.ifeval._text import warm_up
from verifiers.ifeval.instructions import INSTRUCTION_IDS, bind
from verifiers.schemas import ItemOptions

__all__ = ["DEFAULT_TIMEOUT_S", "INSTRUCTION_IDS", "loose_variants", "score", "warm"]

# Every check is linear in the response; langdetect and Punkt on a long answer take tens of milliseconds.
DEFAULT_TIMEOUT_S = 10.0


def loose_variants(response: str) -> list[str]:
    """IFEval's eight loose variants, in Google's order; lines are split on "\\n" only."""
    lines = response.split("\n")
    remove_first = "\n".join(lines[1:]).strip()
    remove_last = "\n".join(lines[:-1]).strip()
    remove_both = "\n".join(lines[1:-1]).strip()
    return [
        response,
        response.replace("*", ""),
        remove_first,
        remove_last,
        remove_both,
        remove_first.replace("*", ""),
        remove_last.replace("*", ""),
        remove_both.replace("*", ""),
    ]


def score(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> Verdict:
    """Check every instruction of ``reference`` against ``answer_text`` (already cut after ``</think>``).

    ``options.loopholes: "closed"`` judges with the hacks of Google's semantics closed and an effort floor
    (``verifiers/ifeval/_closed.py``); an answer under the floor scores 0 whatever it follows.
    """
    instructions = bind(reference)
    rules = rules_for(reference, instructions, options)
    mode = options.mode or "strict"
    variants = loose_variants(answer_text) if mode == "loose" else [answer_text]
    followed = [any(rules.followed(instruction, variant) for variant in variants) for instruction in instructions]
    fraction = sum(followed) / len(followed)
    reward = fraction if options.reward == "fraction" else float(all(followed))
    details: dict[str, Any] = {
        "instructions": [
            {"id": instruction.id, "followed": ok} for instruction, ok in zip(instructions, followed, strict=True)
        ],
        "mode": mode,
    }
    if rules.closed or rules.min_words:  # Google parity (the default) keeps its details exactly as they were
        words, enough = rules.effort(answer_text)
        details["loopholes"] = "closed" if rules.closed else "google"
        details["effort_floor"] = {"min_words": rules.min_words, "words": words, "met": enough}
        if not enough:
            reward = 0.0
            details["reason"] = "effort_floor"
    return Verdict(reward=reward, details=details)


def warm() -> None:
    """Load Punkt's model and langdetect's profiles before the first item's deadline starts.

    The jailed workers' preload calls it. Not done at import: the service process imports this module
    only to prepare items and would pay about a second and the profiles' memory for nothing.
    """
    warm_up()
