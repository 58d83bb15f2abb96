"""The ``prorl`` console script.

Each subcommand lives with the component that owns it and is imported lazily, so ``prorl score``
works on the core install (no FastAPI, no torch) and a missing extra gives a clear message.
"""

from __future__ import annotations

import importlib
import os
import sys

# subcommand -> (module, function, extra that provides it, one-line help)
_COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "score": ("prorl.score_command", "main", "", "score a JSONL or Parquet file of items offline"),
    "serve": ("reward_service.serve_command", "serve_main", "service", "run the HTTP reward service"),
    "worker": ("reward_service.serve_command", "rq_worker_main", "service", "run an RQ scoring worker"),
    "train": ("trainer_client.train_command", "train_main", "trainer", "run the bundled ProRL GRPO trainer"),
    "eval": ("trainer_client.eval.eval_command", "main", "trainer", "pass@k evaluation (and --compare plots)"),
    "data": ("trainer_client.data.data_command", "main", "", "build / convert training data"),
    "audit": ("prorl.audit.audit_command", "main", "", "score junk answers; flag any reward that pays for junk"),
}


# Commands whose output must be a function of their arguments alone. Some reasoning_gym generators
# (word_ladder, knight_swap, polynomial_multiplication, ...) iterate over sets of strings, so what they
# draw for a given seed changes with the per-process string hash seed: `prorl data build --seed 0` wrote
# a different mix on every run. Run from the command line, these commands re-run themselves once with a
# fixed hash seed (an explicit PYTHONHASHSEED is respected).
_NEEDS_FIXED_HASH_SEED = frozenset({"data", "audit"})


def _rerun_with_fixed_hash_seed(args: list[str]) -> None:
    """Replace this process by ``python -m prorl.cli ARGS`` with ``PYTHONHASHSEED=0`` (never returns)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, "-m", "prorl.cli", *args], {**os.environ, "PYTHONHASHSEED": "0"})


def _usage() -> str:
    lines = ["usage: prorl <command> [args...]", "", "commands:"]
    lines += [f"  {name:<8} {help_}" for name, (_, _, _, help_) in _COMMANDS.items()]
    lines += ["", "Run `prorl <command> --help` for the command's options and an example.", "", "example:",
              "  prorl data build --out mix.jsonl --size 1000 && prorl serve --port 8000",
              "  prorl score rollouts.jsonl -o rewards.jsonl"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``prorl <command> ...`` to the owning component's entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    if args[0] in {"-V", "--version"}:
        from prorl import __version__

        print(__version__)
        return 0
    command, rest = args[0], args[1:]
    if command not in _COMMANDS:
        print(f"prorl: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    if argv is None and command in _NEEDS_FIXED_HASH_SEED and "PYTHONHASHSEED" not in os.environ:
        _rerun_with_fixed_hash_seed(args)
    module_name, func_name, extra, _ = _COMMANDS[command]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        hint = f" (install it with: pip install 'prorl[{extra}]')" if extra else ""
        print(f"prorl {command}: missing dependency {exc.name!r}{hint}", file=sys.stderr)
        return 2
    result = getattr(module, func_name)(rest)
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
