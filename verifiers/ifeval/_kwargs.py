"""Validation of an instruction's kwargs: a bad reference is `invalid` with a reason, never a random fill.

Google's ``build_description`` replaces a missing or out-of-range kwarg with a random value, so the same
item could get a different threshold on every call. Here every kwarg an instruction needs is required and
type-checked, and the reason for a rejection names the instruction and the kwarg.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from verifiers.base import InvalidReference

RELATIONS = ("less than", "at least")

Validator = Callable[[Any], Any]


def non_negative_int(value: Any) -> int:
    """An integer >= 0; an integral float (3.0, as pandas writes nullable ints) is accepted, a bool is not."""
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"expected an integer, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"must be >= 0, got {value}")
    return value


def positive_int(value: Any) -> int:
    """An integer >= 1."""
    number = non_negative_int(value)
    if number < 1:
        raise ValueError(f"must be >= 1, got {number}")
    return number


def relation(value: Any) -> str:
    """One of Google's two comparison relations."""
    if value not in RELATIONS:
        raise ValueError(f"must be one of {list(RELATIONS)}, got {value!r}")
    return str(value)


def text(value: Any) -> str:
    """A string that is not blank (a blank keyword or end phrase would be followed by every response)."""
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def stripped_text(value: Any) -> str:
    """A non-blank string, stripped as Google strips starters, markers and end phrases."""
    return text(value).strip()


def text_list(value: Any) -> list[str]:
    """A non-empty list of non-blank strings."""
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"expected a non-empty list of strings, got {value!r}")
    return [text(item) for item in value]


def single_character(value: Any) -> str:
    """One non-whitespace character; lowercased because the response is lowercased before counting."""
    if not isinstance(value, str) or len(value) != 1 or value.isspace():
        raise ValueError(f"expected a single non-whitespace character, got {value!r}")
    return value.lower()


def validate_kwargs(instruction_id: str, params: dict[str, Validator], raw: Any) -> dict[str, Any]:
    """Check ``raw`` against ``params`` and return the normalised kwargs.

    ``None`` values are treated as absent: Hugging Face's copy of IFEval stores every kwarg of every
    instruction in each dict, with nulls for the ones that do not apply.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidReference(f"{instruction_id}: kwargs must be an object, got {type(raw).__name__}")
    given = {key: value for key, value in raw.items() if value is not None}
    unexpected = sorted(set(given) - set(params))
    if unexpected:
        raise InvalidReference(f"{instruction_id}: unexpected kwargs {unexpected}; it takes {sorted(params)}")
    normalised: dict[str, Any] = {}
    for name, validate in params.items():
        if name not in given:
            raise InvalidReference(f"{instruction_id}: missing required kwarg {name!r}")
        try:
            normalised[name] = validate(given[name])
        except ValueError as exc:
            raise InvalidReference(f"{instruction_id}: kwarg {name!r} {exc}") from None
    return normalised
