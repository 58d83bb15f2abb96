"""IFEval scoring throughput by instruction group: in-process ``score()`` loop vs ``verifiers.score_batch``.

Not a test. Both run in this process tree on the same generated GRPO-shaped batch, in the same run:

    .venv/bin/python bench/bench_ifeval.py                       # 128 prompts x 16 samples per group
    .venv/bin/python bench/bench_ifeval.py --prompts 64 --workers 2

Groups: "regex/counting" (every type except the four below), "language/tokenizer" (langdetect for
response_language / english_capital / english_lowercase, NLTK tokens for capital_word_frequency, Punkt
for number_sentences) and "all". Target: >= 2,000 items/s per core for regex/counting.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trainer_client.data.ifeval_prompts import generate, sample_responses  # noqa: E402
from verifiers import score_batch  # noqa: E402
from verifiers.answer_text import TruncatedInThinking, answer_text  # noqa: E402
from verifiers.ifeval import _text, score  # noqa: E402
from verifiers.ifeval.instructions import INSTRUCTION_IDS  # noqa: E402
from verifiers.jail.pool import JailedPool  # noqa: E402
from verifiers.schemas import ItemOptions  # noqa: E402

HEAVY = {
    "language:response_language",
    "change_case:english_capital",
    "change_case:english_lowercase",
    "change_case:capital_word_frequency",
    "length_constraints:number_sentences",
}
GROUPS = {
    "regex/counting": [iid for iid in INSTRUCTION_IDS if iid not in HEAVY],
    "language/tokenizer": sorted(HEAVY),
    "all": list(INSTRUCTION_IDS),
}


def batch(ids: list[str], prompts: int, samples: int, seed: int) -> list[dict[str, Any]]:
    base = generate(prompts, seed=seed, instruction_ids=ids)
    group = [item for item in base for _ in range(samples)]
    responses = sample_responses(group, seed)
    return [{"domain": "ifeval", "response": r, "reference": it["reference"]} for it, r in zip(group, responses, strict=True)]


def in_process(items: list[dict[str, Any]]) -> float:
    """Items/s of a plain loop over the domain module (one core, no pool, no dedup), langdetect memo cold."""
    _text._detect_cached.cache_clear()
    options = ItemOptions()
    start = time.perf_counter()
    for item in items:
        try:
            score(answer_text(item["response"]), item["reference"], options)
        except TruncatedInThinking:
            pass
    return len(items) / (time.perf_counter() - start)


def pooled(items: list[dict[str, Any]], pool: JailedPool) -> float:
    start = time.perf_counter()
    score_batch(items, pool=pool, cache=None)
    return len(items) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=128)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    cores = min(args.workers, os.cpu_count() or 1)
    pool = JailedPool(workers=args.workers)
    rows = []
    try:
        score_batch(batch(list(INSTRUCTION_IDS), 8, 2, args.seed + 1), pool=pool, cache=None)  # warm workers
        for name, ids in GROUPS.items():
            items = batch(ids, args.prompts, args.samples, args.seed)
            pool_rate = pooled(items, pool)  # distinct items per group: the workers' memo is cold too
            loop = in_process(items)
            rows.append([name, str(len(items)), f"{loop:,.0f}", f"{pool_rate:,.0f}", str(cores), f"{pool_rate / cores:,.0f}"])
    finally:
        pool.close()
    header = ["group", "items", "loop items/s (1 core)", "pool items/s", "cores", "pool items/s/core"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(f"{os.cpu_count()} cores, pool workers {args.workers}, {args.prompts} prompts x {args.samples} samples per group")
    for row in [header, *rows]:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    print("target: regex/counting >= 2,000 items/s per core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
