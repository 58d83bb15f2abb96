"""What crosses the pipe between the pool's dispatcher and its workers, and the checks on it.

Parent -> worker: a chunk of tasks, pickled by the dispatcher itself (so a task that cannot be pickled
fails alone instead of killing the dispatcher thread). Worker -> parent: JSON only, validated here: a
worker that untrusted input took over must not be able to make the parent run code or mis-file a
verdict.
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler
from typing import Any

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # one worker message (a verdict's details); past it the worker is killed
MAX_NESTING = 100  # levels of lists/objects a task's reference or options may have; see nested_deeper_than


@dataclass
class Task:
    """One unit of jailed work: a prepared (domain, answer, reference, options) and its deadline."""

    domain: str
    answer: str
    reference: dict[str, Any]
    options: dict[str, Any]
    timeout_s: float  # CPU seconds of the worker's own time (see verifiers.jail.budget)
    future: Future = field(default_factory=Future)
    reference_check: bool = False  # the pool's own check of a reference after a task ran over its budget
    # Its scorer runs code on the answer (eval-like), so a hostile answer may take over what scores it: the
    # worker scores it in a throwaway fork (verifiers.jail.forked), or, with that off, the worker is tainted
    # and every later verdict of it is untrusted (not cached: see verifiers.batch).
    taints: bool = False
    trusted: bool = True  # set by the pool: no task ran on the worker itself before this one that tainted it


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether JSON-like data nests deeper than ``limit`` levels; iterative, so it cannot recurse itself.

    Real references nest a few levels (an ARC grid in an entry's metadata: 6). Whether pickle or
    json.dumps survives a deeper structure depends on the recursion limit and on how deep the stack
    already is, both of which other code changes at run time; a fixed, iterative bound gives the same
    verdict every time.
    """
    stack = [(value, 0)] if isinstance(value, (dict, list, tuple)) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list, tuple)))
    return False


def decode_message(raw: bytes) -> list[Any]:
    """A worker's message (see ``verifiers.jail.worker._report``); ValueError for anything a worker would not send."""
    message = json.loads(raw)
    if not isinstance(message, list) or not message:
        raise ValueError("worker message is not a non-empty list")
    if message[0] == "result":
        result = message[2] if len(message) == 3 else None
        if (
            not isinstance(message[1], int)
            or not isinstance(result, dict)
            or result.get("status") not in ("ok", "invalid", "timeout", "infra_error")
            or not isinstance(result.get("reward", 0.0), (int, float))
        ):
            raise ValueError("malformed result message")
    return message


def encodable_chunk(chunk: list[tuple[int, Task]]) -> tuple[list[tuple[int, Task]], memoryview | None]:
    """The chunk pickled for a worker, less any task that cannot be pickled (resolved as invalid).

    Pickled here, not inside ``conn.send``, so that a failure cannot escape the dispatcher thread and
    leave every later task waiting forever. score_batch rejects deeply nested items up front; this is
    the last line for any other caller. Depth is checked before pickling, by a fixed bound, so a
    deep task is refused whatever the recursion limit or the stack depth happen to be.
    """
    shallow = []
    for entry in chunk:
        task = entry[1]
        if nested_deeper_than(task.reference, MAX_NESTING) or nested_deeper_than(task.options, MAX_NESTING):
            _fail_unsendable(task)
        else:
            shallow.append(entry)
    chunk = shallow
    if not chunk:
        return [], None
    message = _encode(chunk)
    if message is not None:
        return chunk, message
    kept = []
    for entry in chunk:
        if _encode([entry]) is None:
            _fail_unsendable(entry[1])
        else:
            kept.append(entry)
    message = _encode(kept) if kept else None
    if message is None:
        for _, task in kept:
            _fail_unsendable(task)
        return [], None
    return kept, message


def _encode(chunk: list[tuple[int, Task]]) -> memoryview | None:
    try:
        return ForkingPickler.dumps([(tid, t.domain, t.answer, t.reference, t.options, t.taints) for tid, t in chunk])
    except Exception:  # RecursionError (nested too deep), PicklingError/TypeError (not plain data)
        return None


def _fail_unsendable(task: Task) -> None:
    """Resolve a task that cannot be pickled for a worker: its item is not plain, shallow JSON data."""
    if not task.future.done():
        task.future.set_result({"status": "invalid", "error": "item cannot be handed to a scoring process "
                                "(nested too deeply or not plain JSON data)"})
