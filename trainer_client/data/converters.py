"""The registry of input formats ``prorl data convert`` understands, and the file-level conversion.

Adding a format is one row converter (``row -> record``) and one line here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trainer_client.data.convert_code import from_lcb, from_prime
from trainer_client.data.convert_text import from_gpqa, from_ifeval, from_math, from_reasoning_gym, from_verl
from trainer_client.data.records import Record, RecordError, read_rows, write_records

FORMATS: dict[str, Callable[..., Record]] = {
    "verl": from_verl,
    "prime": from_prime,
    "lcb": from_lcb,
    "gpqa": from_gpqa,
    "ifeval": from_ifeval,
    "reasoning_gym": from_reasoning_gym,
    "math": from_math,
}

# Keyword arguments each converter accepts from the command line.
_OPTIONS: dict[str, tuple[str, ...]] = {"verl": ("domain",), "prime": ("unwrap_call_outputs",), "gpqa": ("seed",),
                                        "ifeval": ("loopholes",)}


def convert_rows(fmt: str, rows: list[dict[str, Any]] | Any, skip_bad: bool = False,
                 **options: Any) -> tuple[list[Record], list[str]]:
    """Convert rows of format ``fmt``; returns (records, errors). A bad row raises unless ``skip_bad``,
    in which case it is reported (row number and reason) and left out."""
    if fmt not in FORMATS:
        raise KeyError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    convert = FORMATS[fmt]
    kwargs = {k: v for k, v in options.items() if k in _OPTIONS.get(fmt, ()) and v is not None}
    records, errors = [], []
    for i, row in enumerate(rows):
        try:
            records.append(convert(row, **kwargs))
        except (RecordError, KeyError, TypeError, ValueError, AttributeError) as exc:
            if not skip_bad:
                raise RecordError(f"row {i}: {exc}") from exc
            errors.append(f"row {i}: {exc}")
    return records, errors


def convert_file(fmt: str, src: str | Path, dst: str | Path, skip_bad: bool = False, **options: Any) -> int:
    """Convert a whole file (JSONL/JSON/CSV/Parquet in; JSONL or Parquet out); returns records written."""
    records, errors = convert_rows(fmt, read_rows(src), skip_bad=skip_bad, **options)
    for error in errors[:20]:
        print(f"prorl data convert: skipped {error}", file=sys.stderr)
    if len(errors) > 20:
        print(f"prorl data convert: ... and {len(errors) - 20} more skipped rows", file=sys.stderr)
    return write_records(records, dst)
