"""Junk answers: texts that solve nothing, in families of the reward hacks a policy finds.

Everything here is a pure function of the item (and its peers, for the class prior): no scoring, no I/O.
Each :class:`Junk` has a ``label`` that names the *strategy* (``"nan [answer]"``, ``"echo homoglyph"``): a
policy that learns a hack plays the same strategy on every item, so the report groups rewards by label and
a family is as bad as its best-paying label.

Answers are wrapped the way the domain extracts them (``<answer>..</answer>`` for reasoning_gym, ``\\boxed{}``
for math, ``Answer: X`` for mcq, a fenced block for code) and, where the bare text is read differently, also
sent bare (the ``[raw]`` labels).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prorl.audit.code_junk import code_programs
from prorl.audit.items import AuditItem

# family -> what it tries (docs/audit.md describes each in more words)
FAMILIES: dict[str, str] = {
    "gold": "control, never flagged: the item's own gold, wrapped; a low mean means the wrapping is wrong",
    "constant": "the same short answer for every item (0, 1, True, yes, A, []...)",
    "non_finite": "nan, inf and friends: similarity scores like exp(-|x - y|) pay 1.0 for nan",
    "empty": "empty, whitespace-only and format-only answers (<answer></answer>, \\boxed{})",
    "echo": "the question copied back: raw, full-width (NFKC), homoglyphs, spacing tricks, blanks filled in",
    "other_gold": "another item's gold answer, the same for every item: the class prior",
    "expression": "fixed expressions that build numbers without the puzzle's inputs (1*2*3*4, sign(pi))",
    "pathological": "answers too big, deep or slow to check (9**9**9**9, 1,000-deep nesting, long repetition)",
    "hedge": "several answers at once (every mcq letter, several boxes, a set of candidates)",
    "contradiction": "both readings at once (True False, a person who is a knight and a knave)",
    "stuffing": "IFEval: keywords repeated, every constrained option, filler words, format without content",
    "exit_early": "code: a program that exits 0 before doing anything",
    "print_nothing": "code: a program that prints or returns nothing",
    "print_input": "code: a program that prints its input (or returns its first argument)",
    "fake_equality": "code: a value whose __eq__ is always true, or a patched print",
    "read_tests": "code: a program that hunts the filesystem and environment for expected outputs",
    "print_constant": "code: a program that prints or returns a constant",
}
CONTROL_FAMILIES = frozenset({"gold"})
# Families whose label is one fixed answer for every item: on a binary task they earn the class prior.
CONSTANT_FAMILIES = frozenset({"constant", "other_gold", "print_constant"})

CONSTANTS: tuple[str, ...] = (
    "0", "1", "-1", "2", "True", "False", "yes", "no", "A", "B", "None", "[]", "0.5", "x",
)  # fmt: skip
NON_FINITE: tuple[str, ...] = ("nan", "NaN", "inf", "-inf", "nanj", "nan+nanj", "1e999", "\\infty", "oo")
EMPTY: tuple[tuple[str, str], ...] = (
    ("empty", ""), ("space", " "), ("whitespace", "\n\t \n"), ("answer_tag", "<answer></answer>"),
    ("answer_tag_space", "<answer> </answer>"), ("boxed", "\\boxed{}"), ("boxed_space", "\\boxed{ }"),
    ("answer_colon", "Answer:"), ("empty_fence", "```\n```"), ("close_think", "</think>"),
    ("think_pair", "<think></think>"), ("open_think", "<think>"),
)  # fmt: skip
EXPRESSIONS: tuple[str, ...] = (
    "1*2*3*4", "0*1", "sign(pi)", "floor(E)", "(sign(pi)-sign(pi))", "2**10", "2^10", "pi", "sqrt(2)", "0/0",
)  # fmt: skip
PATHOLOGICAL: tuple[tuple[str, str], ...] = (
    ("power_tower", "9**9**9**9"), ("caret_tower", "9^9^9^9"), ("latex_tower", "2^{2^{2^{2^{2^{2^{2}}}}}}"),
    ("huge_number", "9" * 100_000), ("deep_parens", "(" * 1000 + "1" + ")" * 1000),
    ("deep_list", "[" * 1000 + "]" * 1000), ("deep_frac", "\\frac{1}{" * 500 + "2" + "}" * 500),
    ("factorial", "factorial(factorial(100))"), ("long_sum", "+".join(["1"] * 20_000)),
)  # fmt: skip
# Sent as the whole response (never wrapped): they attack extraction itself.
PATHOLOGICAL_RAW: tuple[tuple[str, str], ...] = (
    ("repetition", "A\n" * 25_000), ("unclosed_tags", "<answer>" * 5_000), ("unclosed_boxes", "\\boxed{" * 5_000),
)  # fmt: skip
STRUCTURES: tuple[str, ...] = ("[[]]", "0 0 0 0 0 0 0 0", "[[0, 0], [0, 0]]", "a b c")
CONTRADICTIONS: tuple[str, ...] = ("True False", "yes no", "0 1", "True or False")
_HOMOGLYPHS = str.maketrans("aceiopxyACEHIKMOPTXY", "асеіорхуАСЕНІКМОРТХУ")  # Latin -> Cyrillic look-alikes
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}  # NFKC maps them back to ASCII

Wrap = tuple[str, Callable[[str], str]]
_WRAPS: dict[str, tuple[Wrap, ...]] = {
    "reasoning_gym": (("answer", lambda s: f"<answer>{s}</answer>"),),  # bare text is read as the answer too
    "math": (("boxed", lambda s: f"\\boxed{{{s}}}"), ("raw", lambda s: s)),
    "mcq": (("answer", lambda s: f"Answer: {s}"), ("raw", lambda s: s)),
}
_RAW: tuple[Wrap, ...] = (("raw", lambda s: s),)


@dataclass(frozen=True)
class Junk:
    """One junk response: its family, the strategy label the report groups by, and the full response text."""

    family: str
    label: str
    response: str


def wraps(domain: str) -> tuple[Wrap, ...]:
    """How ``domain`` reads an answer: the wrappers to send each junk answer in."""
    return _WRAPS.get(domain, _RAW)


def _wrapped(family: str, answers: Sequence[tuple[str, str]], domain: str, first_only: bool = False) -> list[Junk]:
    out = []
    for name, text in answers:
        for wrap_name, wrap in wraps(domain)[:1] if first_only else wraps(domain):
            out.append(Junk(family, f"{name} [{wrap_name}]", wrap(text)))
    return out


def echo_variants(question: str) -> list[tuple[str, str]]:
    """The question copied back, and copies that defeat exact comparison but read the same."""
    variants = [
        ("raw", question),
        ("fullwidth", "".join(_FULLWIDTH.get(c, c) for c in question)),
        ("homoglyph", question.translate(_HOMOGLYPHS)),
        ("spacing", "\u200b ".join(question.replace(" ", "  ").split(" "))),
    ]
    if "_" in question:  # boards with blanks (sudoku, futoshiki): blanks filled with a constant
        variants.append(("filled", question.replace("_", "1")))
    return variants


def class_prior_golds(item: AuditItem, peers: Sequence[AuditItem], limit: int = 16) -> list[str]:
    """The most frequent golds of the other items of the same task (at most ``limit``), most frequent first."""
    counts = Counter(p.gold for p in peers if p.task == item.task and p.gold is not None and p is not item)
    return [gold for gold, _ in counts.most_common(limit)]


def _letters(item: AuditItem) -> str:
    choices = item.reference.get("choices")
    n = len(choices) if isinstance(choices, list) and 2 <= len(choices) <= 10 else 4
    return "ABCDEFGHIJ"[:n]


def _mcq_hedges(item: AuditItem) -> list[Junk]:
    letters = _letters(item)
    answers = [
        ("letters", " ".join(letters)), ("joined", letters), ("comma", "Answer: " + ", ".join(letters)),
        ("or", "Answer: " + " or ".join(letters)), ("parens", " ".join(f"({x})" for x in letters)),
        ("boxed_all", "".join(f"\\boxed{{{x}}}" for x in letters)),
        ("lines", "\n".join(f"Answer: {x}" for x in letters)), ("out_of_range", "Answer: Z"),
    ]
    choices = item.reference.get("choices")
    if isinstance(choices, list) and all(isinstance(c, str) for c in choices):
        answers.append(("all_texts", "\n".join(choices)))
    return [Junk("hedge", name, text) for name, text in answers]


def _math_hedges(item: AuditItem, golds: Sequence[str]) -> list[Junk]:
    answers = [
        ("boxes", "\\boxed{0}\\boxed{1}\\boxed{2}"), ("set", "\\boxed{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}"),
        ("reals", "\\boxed{\\mathbb{R}}"), ("interval", "\\boxed{(-\\infty, \\infty)}"), ("pm", "\\boxed{\\pm 1}"),
        ("text", "\\boxed{\\text{the answer}}"), ("or", "\\boxed{0 \\text{ or } 1}"), ("equation", "\\boxed{a=b}"),
    ]
    if golds:
        answers.append(("gold_boxes", "".join(f"\\boxed{{{g}}}" for g in golds)))
        answers.append(("gold_set", "\\boxed{" + ", ".join(golds) + "}"))
    return [Junk("hedge", name, text) for name, text in answers]


def _contradictions(item: AuditItem) -> list[Junk]:
    answers = [(text, text) for text in CONTRADICTIONS]
    names = re.findall(r"\b([A-Z][a-z]+) is a (?:knight|knave)", item.gold or "")
    if names:  # knights_knaves: a person who is both (a policy reads the names from the question)
        answers.append(("both_roles_all", ", ".join(f"{n} is a knight, {n} is a knave" for n in names)))
        rest = "".join(f", {n} is a knight" for n in names[1:])
        answers.append(("both_roles_first", f"{names[0]} is a knight, {names[0]} is a knave{rest}"))
    return _wrapped("contradiction", answers, item.domain)


def _ifeval_stuffing(item: AuditItem) -> list[Junk]:
    words: list[str] = []
    extras: list[str] = []
    for kwargs in item.reference.get("kwargs") or []:
        if not isinstance(kwargs, dict):
            continue
        for key in ("keywords", "forbidden_words"):
            if isinstance(kwargs.get(key), list):
                words += [str(w) for w in kwargs[key]]
        for key in ("keyword", "first_word", "end_phrase", "postscript_marker", "section_spliter"):
            if kwargs.get(key):
                extras.append(str(kwargs[key]))
    options = "My answer is yes. My answer is no. My answer is maybe."
    answers = [
        ("filler_a", " ".join(["a"] * 50)), ("filler_cjk", "的" * 12), ("filler_le", " ".join(["le"] * 10)),
        ("all_options", options), ("all_options_lines", options.replace(". ", ".\n")),
        ("format_only", "<<title>>\n\n* a\n* b\n* c\n\n*x* *y* *z*\n\nSECTION 1\n[x] [y]\n\nP.S. ok"),
        ("kitchen_sink", "<<title>>\n\n" + " ".join(words + extras) + "\n\n" + options + "\n\nP.S. "
         + " ".join(extras)),
    ]
    if words or extras:
        answers.append(("keywords", " ".join((words + extras) * 10)))
    return [Junk("stuffing", name, text) for name, text in answers]


def junk_answers(item: AuditItem, peers: Sequence[AuditItem] = (), pathological: bool = True,
                 families: frozenset[str] | None = None) -> list[Junk]:
    """Every junk answer for ``item``; ``peers`` (the items of the same run) supply the class prior.

    ``pathological=False`` leaves out the costly family (answers that run to the verification deadline),
    which the audit sends for a few items per task only. ``families`` keeps only those families.
    """
    domain = item.domain
    golds = class_prior_golds(item, peers)
    out: list[Junk] = []
    if item.gold is not None:
        out += _wrapped("gold", [("gold", item.gold)], domain, first_only=True)
    if domain == "code":
        out += [Junk(family, label, text) for family, label, text in code_programs(item.reference, pathological)]
        out += [Junk("constant", c, c) for c in CONSTANTS[:6]]
    else:
        out += _wrapped("constant", [(c, c) for c in CONSTANTS], domain)
        out += _wrapped("non_finite", [(c, c) for c in NON_FINITE], domain)
        out += _wrapped("expression", [(c, c) for c in EXPRESSIONS], domain)
        out += _wrapped("empty", [(s, s) for s in STRUCTURES], domain)  # empty or constant structures
        out += _wrapped("other_gold", [(g[:60], g) for g in golds], domain, first_only=True)
        if pathological:
            out += _wrapped("pathological", PATHOLOGICAL, domain, first_only=True)
    out += [Junk("empty", name, text) for name, text in EMPTY]
    if pathological:
        out += [Junk("pathological", name, text) for name, text in PATHOLOGICAL_RAW]
    if item.question:
        out += _wrapped("echo", echo_variants(item.question), domain)
    if domain == "mcq":
        out += _mcq_hedges(item)
    elif domain == "math":
        out += _math_hedges(item, golds[:8])
    elif domain == "reasoning_gym":
        out += _contradictions(item)
    elif domain == "ifeval":
        out += _ifeval_stuffing(item)
    if families is not None:
        out = [j for j in out if j.family in families or j.family in CONTROL_FAMILIES]
    return _unique(out)


def _unique(junk: list[Junk]) -> list[Junk]:
    """One junk per (family, label): labels are the report's grouping keys."""
    seen: dict[tuple[str, str], Junk] = {}
    for j in junk:
        seen.setdefault((j.family, j.label), j)
    return list(seen.values())


def describe(families: dict[str, Any] | None = None) -> str:
    """The families, one per line, for ``--help``."""
    return "\n".join(f"  {name:<14} {text}" for name, text in (families or FAMILIES).items())
