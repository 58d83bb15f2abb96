"""math-verify calls under time limits, and a static guard for expressions not worth trying.

Three layers, cheapest first:

1. :func:`too_complex` rejects, without parsing, shapes that make sympy spin: power towers three
   levels deep (``9^{9^{9^{9}}}``) and brackets nested deeper than any real answer. It costs
   microseconds, where a timer costs its full budget per pathological item.
2. A CPU-time timer (``ITIMER_VIRTUAL``) around every parse and comparison. CPU time, not wall time:
   math-verify's own timers are wall-clock SIGALRM, and with more busy processes than cores they fire
   on items that merely waited (shared/PITFALLS.md), flipping right answers to timeouts.
3. math-verify's own ``parsing_timeout`` / ``timeout_seconds`` (wall clock, whole seconds) stay on as
   the outer bound inside the process; the pool's SIGKILL at the item deadline is the last resort.

Signals only work on the main thread, which is where the pool runs scorers. Called from another
thread, the timers are off and only the pool's kill bounds the work.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from math_verify import LatexExtractionConfig, parse, verify
from math_verify.errors import TimeoutException
from sympy import Basic, MatrixBase

PARSE_CPU_S = 1.0
VERIFY_CPU_S = 1.5
WALL_S = 2  # math-verify's own timers take whole seconds (signal.alarm)
_WALL_BACKSTOP_S = 60  # see _wall
MAX_NESTING = 40  # bracket depth; real answers stay under 10
MAX_TOWER = 2  # `a^{b^{c}}` is fine, `a^{b^{c^{d}}}` is not worth sympy's time

_CONFIG = [LatexExtractionConfig()]  # one instance: math-verify caches compiled regexes per config
_POWER_OPEN = re.compile(r"\^\s*\{")


def too_complex(latex: str) -> str | None:
    """Why this expression is not worth parsing, or None. One linear scan, no sympy."""
    stack: list[bool] = []  # one entry per open bracket: was it opened by `^{` (an exponent)?
    height = 0  # exponents currently open, i.e. how high in a power tower we are
    i, n = 0, len(latex)
    while i < n:
        ch = latex[i]
        power = _POWER_OPEN.match(latex, i) if ch == "^" else None
        if power is not None:
            stack.append(True)
            height += 1
            if height > MAX_TOWER:
                return f"power tower higher than {MAX_TOWER}"
            i = power.end()
        else:
            if ch in "([{":
                stack.append(False)
            elif ch in ")]}" and stack:
                height -= stack.pop()
            i += 1
        if len(stack) > MAX_NESTING:
            return f"brackets nested deeper than {MAX_NESTING}"
    return None


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _cpu_expired(signum: int, frame: Any) -> None:
    raise TimeoutException("CPU time budget exceeded")


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Raise math-verify's TimeoutException after ``seconds`` of this process's CPU time."""
    if not _on_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGVTALRM, _cpu_expired)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def _wall(budget_s: float) -> int | None:
    """math-verify's own wall-clock timer, kept far out of the way: on a loaded host a tight one fired on
    items that only waited for a core, and a verification past its budget is now a judgement (ok, reward
    0), so it would turn right answers into zeros. The CPU timer above and the pool's CPU budget bound the
    work; this only catches a call blocked outside the CPU (None would make math-verify warn per call)."""
    return _WALL_BACKSTOP_S if _on_main_thread() else None


def parse_whole(latex: str, budget_s: float = WALL_S) -> Basic | MatrixBase | None:
    """Parse one cleaned answer as a single expression; None when it is not maths.

    ``budget_s`` bounds the CPU timer and, rounded up to whole seconds, math-verify's wall timer.
    Wrapped in ``$$...$$`` so math-verify reads the whole string (``3\\sqrt{6}``, ``(x+7)(x+1)``)
    instead of hunting for a number inside it. Raises TimeoutError when a timer fires.
    """
    if not latex:
        return None
    try:
        with cpu_limit(min(PARSE_CPU_S, budget_s)):
            found = parse(f"$${latex}$$", extraction_config=_CONFIG, parsing_timeout=_wall(budget_s),  # type: ignore[arg-type]
                          raise_on_error=True)
    except TimeoutException as exc:
        raise TimeoutError("parsing the answer ran out of time") from exc
    except Exception:
        return None
    for value in found:
        if isinstance(value, (Basic, MatrixBase)):
            return value
    return None


def equal(gold: Any, pred: Any, budget_s: float = WALL_S) -> bool:
    """math-verify's equivalence of two parsed values; TimeoutError when a timer fires."""
    try:
        with cpu_limit(min(VERIFY_CPU_S, budget_s)):
            return bool(verify(gold, pred, timeout_seconds=_wall(budget_s), raise_on_error=True))
    except TimeoutException as exc:
        raise TimeoutError("comparing the answer with the gold ran out of time") from exc
    except Exception:
        return False  # sympy could not compare them: not shown equal
