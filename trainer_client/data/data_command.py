"""``prorl data build | ood | convert``: build the offline mix, the held-out OOD set, or convert a dataset.

    prorl data build --out mix.jsonl --size 10000 --seed 0 --val-fraction 0.02 --mix math=0.3,code=0.2
    prorl data ood --out ood.jsonl --size 300 --seed 0
    prorl data convert --format gpqa gpqa_diamond.csv gpqa.jsonl
    prorl data convert --format ifeval input_data.jsonl ifeval.jsonl [--ifeval-loopholes closed]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer_client.data.converters import FORMATS, convert_file
from trainer_client.data.prompts import flat_prompt
from trainer_client.data.records import DOMAINS, Record, RecordError, read_records, write_records


def _split_paths(out: Path, val_out: Path | None) -> tuple[Path, Path]:
    """``--val-out`` if given (then ``--out`` is the training file), else ``X.train.EXT`` / ``X.val.EXT``."""
    if val_out is not None:
        return out, val_out
    return out.with_name(f"{out.stem}.train{out.suffix}"), out.with_name(f"{out.stem}.val{out.suffix}")


def _styled(records: list[Record], style: str) -> list[Record]:
    """``--prompt-style text``: one string per prompt (system text merged into the user turn)."""
    if style == "text":
        return [dict(r, prompt=flat_prompt(r["prompt"])) for r in records]
    return records


def _build(args: argparse.Namespace) -> int:
    from trainer_client.data.mix import build_mix, parse_mix, split_train_val, summary_line

    weights = parse_mix(args.mix)
    records = _styled(build_mix(args.size, args.seed, weights, progress=not args.quiet), args.prompt_style)
    if args.val_fraction > 0 or args.val_out is not None:
        train, val = split_train_val(records, args.val_fraction, args.seed)
        train_path, val_path = _split_paths(args.out, args.val_out)
        write_records(train, train_path)
        write_records(val, val_path)
        print(f"wrote {len(train)} training records to {train_path} and {len(val)} validation records to {val_path}",
              file=sys.stderr)
    else:
        write_records(records, args.out)
        print(f"wrote {len(records)} records to {args.out}", file=sys.stderr)
    print(summary_line(records))
    return 0


def _ood(args: argparse.Namespace) -> int:
    from trainer_client.data.gym_tasks import ood_held_out
    from trainer_client.data.mix import generate_ood, summary_line

    records = _styled(generate_ood(args.size, args.seed), args.prompt_style)
    write_records(records, args.out)
    print(f"wrote {len(records)} held-out records ({', '.join(ood_held_out())}) to {args.out}", file=sys.stderr)
    print(summary_line(records))
    return 0


def _convert(args: argparse.Namespace) -> int:
    count = convert_file(args.format, args.input, args.output, skip_bad=args.skip_bad, domain=args.domain,
                         seed=args.seed, unwrap_call_outputs=args.unwrap_call_outputs or None,
                         loopholes=args.ifeval_loopholes)
    if args.prompt_style == "text":
        write_records(_styled(read_records(args.output), "text"), args.output)
    print(f"wrote {count} records to {args.output}", file=sys.stderr)
    return 0


_EXAMPLES = {
    "build": "prorl data build --out mix.jsonl --size 10000 --seed 0 --val-fraction 0.02",
    "ood": "prorl data ood --out ood.parquet --size 300",
    "convert": "prorl data convert --format gpqa gpqa_diamond.csv gpqa.jsonl",
}
_OUTPUT_SUFFIXES = (".jsonl", ".parquet")


def _output_path(text: str) -> Path:
    """argparse type: an output file the writers know (JSONL, Parquet); ``x.csv`` must not get JSONL inside."""
    path = Path(text)
    if path.suffix.lower() not in _OUTPUT_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text!r}: unknown output format {path.suffix or '(no extension)'!r}; "
                                         f"use {' or '.join(_OUTPUT_SUFFIXES)}")
    return path


def _add_prompt_style(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt-style", choices=("messages", "text"), default="messages",
                        help="messages: chat messages with a system turn (default); text: one string, the "
                             "system text merged into the user turn")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prorl data", description="Build and convert prorl training data.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="examples:\n" + "\n".join(f"  {line}" for line in _EXAMPLES.values()))
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build the procedural offline training mix (no downloads)",
                           epilog=f"example:\n  {_EXAMPLES['build']}", formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("--out", type=_output_path, required=True, help="output .jsonl or .parquet")
    build.add_argument("--size", type=int, required=True, help="number of unique records")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--mix", default=None,
                       help="domain weights, e.g. math=0.3,code=0.2,mcq=0.1,reasoning_gym=0.3,ifeval=0.1 "
                            "(normalised; unnamed domains get 0; default "
                            "math=0.25,code=0.15,mcq=0.15,reasoning_gym=0.35,ifeval=0.10)")
    build.add_argument("--val-fraction", type=float, default=0.0,
                       help="fraction held out for validation, per domain (default 0: no split)")
    build.add_argument("--val-out", type=_output_path, default=None,
                       help="validation file (then --out holds training); default OUT.train.EXT / OUT.val.EXT")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_prompt_style(build)
    build.set_defaults(run=_build)

    ood = sub.add_parser("ood", help="held-out reasoning_gym tasks for out-of-distribution evaluation",
                         epilog=f"example:\n  {_EXAMPLES['ood']}", formatter_class=argparse.RawDescriptionHelpFormatter)
    ood.add_argument("--out", type=_output_path, required=True, help="output .jsonl or .parquet")
    ood.add_argument("--size", type=int, default=300)
    ood.add_argument("--seed", type=int, default=0)
    _add_prompt_style(ood)
    ood.set_defaults(run=_ood)

    convert = sub.add_parser("convert", help="convert a dataset you have into prorl records",
                             epilog=f"example:\n  {_EXAMPLES['convert']}",
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    convert.add_argument("--format", required=True, choices=sorted(FORMATS))
    convert.add_argument("input", type=Path, help=".jsonl, .json, .csv or .parquet")
    convert.add_argument("output", type=_output_path, help=".jsonl or .parquet")
    convert.add_argument("--domain", choices=DOMAINS, default=None, help="verl: force the domain of every row")
    convert.add_argument("--seed", type=int, default=0, help="gpqa: seed of the option shuffle")
    convert.add_argument("--unwrap-call-outputs", action="store_true",
                         help="prime: expected return values are wrapped in one-element lists (APPS/TACO)")
    convert.add_argument("--ifeval-loopholes", choices=("closed", "google"), default=None,
                         help="ifeval: write options.loopholes into every record (default: none, so Google's "
                              "exact semantics, as for benchmark numbers; 'closed' for training on the data)")
    convert.add_argument("--skip-bad", action="store_true", help="report and skip malformed rows instead of failing")
    _add_prompt_style(convert)
    convert.set_defaults(run=_convert)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``prorl data`` (``argv`` is what follows ``data``)."""
    args = _parser().parse_args(argv)
    if getattr(args, "size", 1) is not None and getattr(args, "size", 1) <= 0:
        print("prorl data: --size must be positive", file=sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except (RecordError, ValueError, RuntimeError, FileNotFoundError) as exc:
        print(f"prorl data {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
