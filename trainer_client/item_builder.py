"""Turn a trainer's (data source, completion, ground truth) into a contract item.

verl, TRL and OpenRLHF datasets carry the ground truth in their own shapes: a bare answer string, a
JSON string, or a dict that is either the reference itself or ``{"domain", "reference", "options"}``.
One place decides how each shape maps to an item, so every adapter scores the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from trainer_client.data.records import source_domain


def _as_mapping(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, (str, bytes)):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, Mapping) else None
    return None


def resolve_domain(data_source: Any, ground_truth: Any = None, extra: Mapping[str, Any] | None = None) -> str:
    """The item's domain: explicit (extra/ground truth) first, then the data source name or its alias."""
    return _domain(data_source, _as_mapping(ground_truth), extra)


def _domain(data_source: Any, mapping: Mapping[str, Any] | None, extra: Mapping[str, Any] | None) -> str:
    for source in (extra, mapping):
        if source and isinstance(source.get("domain"), str):
            return str(source["domain"])
    return source_domain(data_source) or str(data_source or "")  # unknown -> the service answers `invalid`


def build_item(data_source: Any, response: str, ground_truth: Any, extra: Mapping[str, Any] | None = None,
               item_id: str | int | None = None, *, truncated: bool = False) -> dict[str, Any]:
    """A contract item for one completion (see module docstring for the accepted ground-truth shapes).

    ``truncated=True`` (or ``extra["truncated"] is True``): the trainer cut this sample at its token budget
    (finish reason ``length``), so it is scored 0 with reason ``truncated`` whatever its text holds: a box
    written mid-thought in a cut-off sample must not pay.
    """
    mapping = _as_mapping(ground_truth)  # parsed once: a code row's JSON tests can be megabytes
    domain = _domain(data_source, mapping, extra)
    options: dict[str, Any] = dict((extra or {}).get("options") or {})
    if mapping is not None and "reference" in mapping:
        reference = mapping["reference"]
        options.update(mapping.get("options") or {})
    elif mapping is not None:
        reference = {k: v for k, v in mapping.items() if k != "domain"}
        if domain == "code" and "tests" not in reference and {"inputs", "outputs"} <= set(reference):
            reference = {"tests": reference}  # verl/PRIME code rows: bare {"inputs", "outputs", "fn_name"?}
    else:
        # A bare answer: the natural reference for math and MCQ; other domains need an object and will say so.
        reference = {"answer": ground_truth if isinstance(ground_truth, str) else json.dumps(ground_truth, default=str)}
    item: dict[str, Any] = {"domain": domain, "response": response, "reference": reference}
    if options:
        item["options"] = options
    if truncated or (extra or {}).get("truncated") is True:  # the trainer cut this sample at its token budget
        item["truncated"] = True
    if item_id is not None:
        item["id"] = item_id
    return item
