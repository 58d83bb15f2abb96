"""The 25 instruction types of Google's IFEval registry, their kwargs and Google's conflict table.

Adding an instruction is one check function and one ``PARAMS`` line in the module of its group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from verifiers.base import InvalidReference
from verifiers.ifeval import _format, _keywords, _length, _startend
from verifiers.ifeval._kwargs import validate_kwargs

Check = Callable[[str, dict[str, Any]], bool]

_GROUPS = (_keywords, _length, _format, _startend)
PARAMS: dict[str, dict[str, Any]] = {iid: params for group in _GROUPS for iid, params in group.PARAMS.items()}
CHECKS: dict[str, Check] = {iid: check for group in _GROUPS for iid, check in group.CHECKS.items()}
INSTRUCTION_IDS: tuple[str, ...] = tuple(sorted(CHECKS))


def _conflicts() -> dict[str, frozenset[str]]:
    """Google's ``INSTRUCTION_CONFLICTS`` after ``conflict_make``: symmetric, and every id conflicts with itself."""
    every = set(INSTRUCTION_IDS)
    table: dict[str, set[str]] = {iid: set() for iid in INSTRUCTION_IDS}
    table["language:response_language"] |= {
        "detectable_format:multiple_sections",
        "keywords:existence",
        "keywords:frequency",
        "keywords:forbidden_words",
        "startend:end_checker",
        "change_case:english_capital",
        "change_case:english_lowercase",
    }
    table["length_constraints:number_paragraphs"] |= {
        "length_constraints:nth_paragraph_first_word",
        "length_constraints:number_sentences",
    }
    table["length_constraints:nth_paragraph_first_word"] |= {"length_constraints:number_paragraphs"}
    table["detectable_format:constrained_response"] |= every
    table["detectable_format:multiple_sections"] |= {
        "language:response_language",
        "detectable_format:number_highlighted_sections",
    }
    table["detectable_format:json_format"] |= every - {"keywords:forbidden_words", "keywords:existence"}
    table["combination:two_responses"] |= every - {
        "keywords:forbidden_words",
        "keywords:existence",
        "language:response_language",
        "detectable_format:title",
        "punctuation:no_comma",
    }
    table["combination:repeat_prompt"] |= every - {
        "keywords:existence",
        "detectable_format:title",
        "punctuation:no_comma",
    }
    table["change_case:capital_word_frequency"] |= {
        "change_case:english_lowercase",
        "change_case:english_capital",
    }
    table["change_case:english_lowercase"] |= {"change_case:english_capital"}
    table["startend:quotation"] |= {"detectable_format:title"}
    for iid in INSTRUCTION_IDS:
        table[iid].add(iid)
        for other in list(table[iid]):
            table[other].add(iid)
    return {iid: frozenset(others) for iid, others in table.items()}


CONFLICTS: dict[str, frozenset[str]] = _conflicts()


@dataclass(frozen=True)
class BoundInstruction:
    """One instruction of an item with its validated kwargs."""

    id: str
    check: Check
    args: dict[str, Any]

    def followed(self, response: str) -> bool:
        """Google's rule: a blank response follows nothing."""
        return bool(response.strip()) and self.check(response, self.args)


def _nth_paragraph_in_range(args: dict[str, Any]) -> None:
    if args["nth_paragraph"] > args["num_paragraphs"]:
        raise InvalidReference(
            "length_constraints:nth_paragraph_first_word: kwarg 'nth_paragraph' "
            f"({args['nth_paragraph']}) exceeds 'num_paragraphs' ({args['num_paragraphs']})"
        )


def bind(reference: Any) -> list[BoundInstruction]:
    """Validate an IFEval reference ``{"prompt", "instruction_id_list", "kwargs"}`` into checkable instructions.

    Raises :class:`InvalidReference` naming the first problem: an unknown id, kwargs missing a required
    field or of the wrong type, or lists of different lengths.
    """
    if not isinstance(reference, dict):
        raise InvalidReference("ifeval reference must be an object")
    ids = reference.get("instruction_id_list")
    if not isinstance(ids, list) or not ids:
        raise InvalidReference("ifeval reference needs a non-empty list 'instruction_id_list'")
    kwargs_list: Sequence[Any] | None = reference.get("kwargs")
    if kwargs_list is None:
        kwargs_list = [{}] * len(ids)
    if not isinstance(kwargs_list, list):
        raise InvalidReference("ifeval reference 'kwargs' must be a list with one object per instruction")
    if len(kwargs_list) != len(ids):
        raise InvalidReference(
            f"ifeval reference has {len(ids)} instruction ids but {len(kwargs_list)} kwargs objects"
        )
    prompt = reference.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise InvalidReference("ifeval reference 'prompt' must be a string")
    bound = []
    for iid, raw in zip(ids, kwargs_list, strict=True):
        if not isinstance(iid, str) or iid not in CHECKS:
            raise InvalidReference(f"unknown ifeval instruction id {iid!r}")
        args = validate_kwargs(iid, PARAMS[iid], raw)
        if iid == "length_constraints:nth_paragraph_first_word":
            _nth_paragraph_in_range(args)
        bound.append(BoundInstruction(iid, CHECKS[iid], args))
    return bound
