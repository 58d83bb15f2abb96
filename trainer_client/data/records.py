"""The one record format for training and evaluation data, and its JSONL / Parquet files.

A record is ``{"prompt": [chat messages] or str, "domain": ..., "reference": {...}, "meta": {...}}`` with an
optional ``"options": {...}``. ``domain``, ``reference`` and ``options`` are exactly what the reward service's
contract wants, so a trainer turns a record plus a sampled response into a scoring item without knowing
anything about the domain (the IFEval training mix sets ``options: {"loopholes": "closed"}``).

Parquet is optional (pyarrow comes with the trainer extra). There ``prompt`` is a native column (a list of
``{role, content}`` structs, or a string column for plain prompts), the shape verl's ``RLHFDataset`` and
TRL/``datasets`` read as chat messages; our free-form ``reference``/``meta``/``options`` dicts have no fixed
schema, so they travel as JSON strings and are decoded on read. Each row also carries verl's reward columns,
``data_source`` (the domain) and ``reward_model: {"style": "rule", "ground_truth": <the item as JSON>}``, so
the file feeds verl with :mod:`trainer_client.verl` as is. JSONL needs nothing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from verifiers.schemas import BUILTIN_DOMAINS as DOMAINS  # the contract's domains: one list, in verifiers

Record = dict[str, Any]

# Columns of a record stored as JSON text in Parquet (free-form nested data). Files written before prompts
# became a native column hold the prompt as JSON text too; read_records still decodes them.
_JSON_COLUMNS = ("reference", "meta")
# Columns written for verl only: derived from the record, dropped on read.
_VERL_COLUMNS = ("data_source", "reward_model")


# Common data_source names in verl/TRL recipes -> our domain. Anything else must say its domain.
_SOURCE_ALIASES: dict[str, str] = {
    "openai/gsm8k": "math", "gsm8k": "math", "lighteval/MATH": "math", "DigitalLearningGmbH/MATH-lighteval": "math",
    "math_dapo": "math", "aime": "math", "aime24": "math", "aime25": "math", "amc": "math", "deepscaler": "math",
    "Idavidrein/gpqa": "mcq", "gpqa": "mcq", "gpqa_diamond": "mcq", "mmlu": "mcq", "mmlu_pro": "mcq",
    "google/IFEval": "ifeval", "ifeval": "ifeval",
    "codecontests": "code", "apps": "code", "taco": "code", "codeforces": "code", "primeintellect": "code",
    "livecodebench": "code",
}


def source_domain(data_source: Any) -> str | None:
    """The domain a data-source name stands for (a domain name, ``reasoning_gym...``, or a known alias), or
    None. The trainer adapters' item builder (:mod:`trainer_client.item_builder`) scores a row as this
    domain, and ``prorl data convert --format verl`` converts it to the same one."""
    name = str(data_source or "")
    if name in DOMAINS:
        return name
    if name.startswith("reasoning_gym"):
        return "reasoning_gym"
    return _SOURCE_ALIASES.get(name, _SOURCE_ALIASES.get(name.lower()))


class RecordError(ValueError):
    """A record (or an input row) is malformed; the message says which field and why."""


def make_record(prompt: list[dict[str, str]] | str, domain: str, reference: dict[str, Any],
                meta: dict[str, Any] | None = None, options: dict[str, Any] | None = None) -> Record:
    """Build a validated record; raises :class:`RecordError` on a malformed one.

    ``options`` are the contract's per-item scoring options; the key is present only when some are given.
    """
    record = {"prompt": prompt, "domain": domain, "reference": reference, "meta": dict(meta or {})}
    if options:
        record["options"] = dict(options)
    validate_record(record)
    return record


def validate_record(record: Any) -> None:
    """Check the shape of a record so a bad one fails at build time, not mid-training."""
    if not isinstance(record, dict):
        raise RecordError(f"record must be an object, got {type(record).__name__}")
    for key in ("prompt", "domain", "reference"):
        if key not in record:
            raise RecordError(f"record has no {key!r} field")
    if record["domain"] not in DOMAINS:
        raise RecordError(f"unknown domain {record['domain']!r}; expected one of {', '.join(DOMAINS)}")
    prompt = record["prompt"]
    if isinstance(prompt, str):
        if not prompt.strip():
            raise RecordError("prompt is empty")
    elif isinstance(prompt, list) and prompt:
        for message in prompt:
            if not (isinstance(message, dict) and isinstance(message.get("role"), str)
                    and isinstance(message.get("content"), str)):
                raise RecordError(f"prompt message must be {{'role': str, 'content': str}}, got {message!r}")
    else:
        raise RecordError("prompt must be a non-empty string or a non-empty list of chat messages")
    if not isinstance(record["reference"], dict):
        raise RecordError("reference must be an object")
    if not isinstance(record.get("meta", {}), dict):
        raise RecordError("meta must be an object")
    if not isinstance(record.get("options", {}), dict):
        raise RecordError("options must be an object (the contract's per-item scoring options)")


# ---------------------------------------------------------------- reading any tabular input


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield the rows of a ``.jsonl``, ``.json`` (list of objects), ``.csv`` or ``.parquet`` file.

    Converters read users' datasets through this one function, so every converter accepts every
    container format (GPQA ships as CSV, verl as Parquet, most others as JSONL).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from _read_parquet_rows(path)
    elif suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            yield from csv.DictReader(f)
    elif suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise RecordError(f"{path}: a .json input must hold a list of objects")
        yield from data
    else:
        with path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise RecordError(f"{path}:{lineno}: not valid JSON: {exc}") from exc


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401  (registers the submodule)
    except ModuleNotFoundError as exc:
        raise RecordError("Parquet needs pyarrow: pip install 'prorl[trainer]' or pip install pyarrow") from exc
    return pyarrow


def _read_parquet_rows(path: Path) -> Iterator[dict[str, Any]]:
    pa = _pyarrow()
    table = pa.parquet.read_table(path)
    for batch in table.to_batches(max_chunksize=1024):
        yield from batch.to_pylist()


# ---------------------------------------------------------------- reading / writing records


def read_records(path: str | Path) -> list[Record]:
    """Read and validate records from JSONL or Parquet (JSON-text columns are decoded)."""
    from_parquet = Path(path).suffix.lower() == ".parquet"
    records = []
    for i, row in enumerate(read_rows(path)):
        row = dict(row)
        row.setdefault("meta", {})
        try:
            if from_parquet:  # our Parquet files hold reference/meta/options as JSON text
                for key in (*_JSON_COLUMNS, "options"):
                    if isinstance(row.get(key), str):
                        row[key] = _json_column(key, row[key])
                for key in _VERL_COLUMNS:
                    row.pop(key, None)
                row["prompt"] = _parquet_prompt(row.get("prompt"))
                if row.get("options", 0) is None:  # a record without options in a file where others have some
                    del row["options"]
            validate_record(row)
        except RecordError as exc:
            raise RecordError(f"{path}: record {i}: {exc}") from exc
        records.append(row)
    return records


def _json_column(key: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:  # a Parquet file not written by write_records (e.g. a bare prompt string)
        raise RecordError(f"{key} is not JSON text (convert the file with `prorl data convert`): {exc}") from None


def _parquet_prompt(value: Any) -> Any:
    """A prompt read from Parquet: native messages as plain dicts, or a string (older files: JSON text)."""
    if isinstance(value, list):
        return [{k: v for k, v in m.items() if v is not None} if isinstance(m, dict) else m for m in value]
    if isinstance(value, str) and value[:1] in ('"', "["):
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError:
            return value
        return decoded if isinstance(decoded, (str, list)) else value
    return value


def write_records(records: Iterable[Record], path: str | Path) -> int:
    """Write records as JSONL, or Parquet when ``path`` ends in ``.parquet``; returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        pa = _pyarrow()
        records = list(records)
        # One column type for every row: native messages when every prompt is a conversation, a string column
        # when every prompt is text, JSON text (the old format, still read) for a file that mixes both.
        kinds = {isinstance(r["prompt"], str) for r in records}
        rows = [_parquet_row(r, json_prompt=len(kinds) > 1) for r in records]
        pa.parquet.write_table(pa.Table.from_pylist(rows), path)
        return len(rows)
    count = 0
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def _parquet_row(record: Record, json_prompt: bool = False) -> dict[str, Any]:
    prompt = record["prompt"]
    row: dict[str, Any] = {"prompt": json.dumps(prompt, ensure_ascii=False) if json_prompt else prompt,
                           "domain": record["domain"]}
    for key in _JSON_COLUMNS:
        row[key] = json.dumps(record.get(key, {}), ensure_ascii=False)
    row["options"] = json.dumps(record["options"], ensure_ascii=False) if "options" in record else None
    truth = {"domain": record["domain"], "reference": record["reference"], "options": record.get("options") or {}}
    row["data_source"] = record["domain"]
    row["reward_model"] = {"style": "rule", "ground_truth": json.dumps(truth, ensure_ascii=False)}
    return row
