"""A synthetic GRPO-shaped batch of math rollouts for the scoring benchmark.

Shaped like what a trainer sends: P prompts x G samples, 1-3 KB responses with reasoning (often in a
``<think>`` block) before the final box, answers that repeat within a group (right answers in a few
spellings, wrong answers drawn from a small per-prompt pool), easy and hard problems, a few hedges,
truncations and answerless samples, and a handful of pathological expressions. Every item carries the
reward it deserves by construction (``expected``), so a benchmark can count misgradings too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

PATHOLOGICAL = [r"9^{9^{9^{9^{9}}}}", r"(10^{100})!", "(" * 300 + "1" + ")" * 300, r"10^{10^{10^{10}}}+1"]

_FILLER = [
    "Let me restate the problem to make sure I understand what is being asked.",
    "We can simplify the expression by collecting like terms, which gives $${a}x + {b} = {c}$$.",
    "Substituting $x = {a}$ into the second equation, we get ${a} \\cdot {b} = {ab}$.",
    "Hmm, wait. That does not look right, so let me double-check the arithmetic.",
    "Note that ${a}^2 = {a2}$ and ${b}^2 = {b2}$, so the sum of squares is ${s2}$.",
    "By the quadratic formula, $x = \\frac{{-b \\pm \\sqrt{{b^2 - 4ac}}}}{{2a}}$.",
    "Alternatively, consider the complementary case: there are ${c}$ ways to do it.",
    "Since the triangle is right-angled, the Pythagorean theorem applies here.",
    "The probability of the first event is $\\frac{{{a}}}{{{c}}}$ and they are independent.",
    "Checking small cases: for $n = 1$ we get ${a}$, for $n = 2$ we get ${b}$.",
    "So the intermediate result is ${ab}$, but we still need to divide by ${a}$.",
    "Let me verify this by plugging the value back into the original equation.",
    "This matches our earlier estimate, so I am fairly confident in the approach.",
]


@dataclass
class Problem:
    """A gold answer, spellings of it that are correct, and plausible wrong answers."""

    gold: str
    right: list[str]
    wrong: list[str]
    hard: bool


def _problem(rng: random.Random) -> Problem:
    a, c = rng.randint(2, 9), rng.randint(10, 99)
    b = rng.choice([n for n in (2, 4, 5, 6, 9, 10) if n != a and n + 1 != a])  # b+1 never a square; no a == b
    kind = rng.choices(
        ["int", "frac", "radical", "poly", "interval", "tuple", "set", "matrix", "degree", "equation", "pi", "unit"],
        weights=[40, 10, 6, 6, 5, 5, 4, 3, 4, 5, 4, 4],
    )[0]
    if kind == "int":
        n = rng.randint(1, 999)
        return Problem(str(n), [str(n)], [str(n + d) for d in (1, -1, 10, n)], False)
    if kind == "frac":
        p, q = a, a + b + 1
        return Problem(f"\\frac{{{p}}}{{{q}}}", [f"\\frac{{{p}}}{{{q}}}", f"\\dfrac{{{p}}}{{{q}}}", f"{p}/{q}"],
                       [f"\\frac{{{q}}}{{{p}}}", f"\\frac{{{p + 1}}}{{{q}}}"], False)
    if kind == "radical":
        return Problem(f"{a}\\sqrt{{{b + 1}}}", [f"{a}\\sqrt{{{b + 1}}}", f"\\sqrt{{{a * a * (b + 1)}}}"],
                       [str(a), f"\\sqrt{{{b + 1}}}", f"{a + 1}\\sqrt{{{b + 1}}}"], True)
    if kind == "poly":
        return Problem(f"(x+{a})(x+{b})", [f"x^2+{a + b}x+{a * b}", f"(x+{b})(x+{a})", f"(x+{a})(x+{b})"],
                       [f"x^2+{a + b}x-{a * b}", f"(x-{a})(x-{b})", f"x^2+{a * b}x+{a + b}"], True)
    if kind == "interval":
        return Problem(f"[{a}, {c})", [f"[{a},{c})", f"[{a}, {c})"], [f"[{a},{c}]", f"({a},{c})", str(c)], False)
    if kind == "tuple":
        return Problem(f"({a}, {b + 10})", [f"({a},{b + 10})", f"\\left({a}, {b + 10}\\right)"],
                       [f"({b + 10},{a})", f"({a},{b})"], False)
    if kind == "set":
        return Problem(f"\\{{{a}, {c}, {c + 1}\\}}", [f"\\{{{c}, {a}, {c + 1}\\}}", f"{a}, {c}, {c + 1}"],
                       [f"\\{{{a}, {c}\\}}", f"\\{{{a}, {c}, {c + 2}\\}}"], False)
    if kind == "matrix":
        m = f"\\begin{{pmatrix}} {a} & {b} \\\\ {c} & 1 \\end{{pmatrix}}"
        return Problem(m, [m, f"\\begin{{bmatrix}}{a}&{b}\\\\{c}&1\\end{{bmatrix}}"],
                       [f"\\begin{{pmatrix}} {a} & {c} \\\\ {b} & 1 \\end{{pmatrix}}"], True)
    if kind == "degree":
        d = rng.choice([30, 45, 60, 72, 120, 135])
        return Problem(f"{d}^\\circ", [f"{d}^\\circ", str(d), f"{d}^{{\\circ}}"], [str(180 - d), str(d // 2)], False)
    if kind == "equation":
        return Problem(f"x={c}", [f"x={c}", str(c), f"x = {c}"], [f"x={c + 1}", f"x=-{c}"], False)
    if kind == "pi":
        return Problem(f"\\frac{{{a}\\pi}}{{{b + 1}}}", [f"\\frac{{{a}\\pi}}{{{b + 1}}}", f"\\frac{{{a}}}{{{b + 1}}}\\pi"],
                       [f"\\frac{{{b + 1}\\pi}}{{{a}}}", f"{a}\\pi"], True)
    return Problem(f"{c}\\text{{ cm}}", [str(c), f"{c}\\text{{ cm}}", f"{c} \\text{{ cm}}"], [str(c + 1), str(c * 10)], False)


def _reasoning(rng: random.Random) -> str:
    target = rng.randint(1000, 3000)
    parts: list[str] = []
    size = 0
    while size < target:
        a, b, c = rng.randint(2, 30), rng.randint(2, 30), rng.randint(2, 60)
        line = rng.choice(_FILLER).format(a=a, b=b, c=c, ab=a * b, a2=a * a, b2=b * b, s2=a * a + b * b)
        parts.append(line)
        size += len(line) + 1
    return " ".join(parts)


def _response(rng: random.Random, problem: Problem, correct: bool, shape: str) -> tuple[str, float]:
    """One rollout text and the reward it deserves."""
    answer = rng.choice(problem.right) if correct else rng.choices(problem.wrong, weights=[8, 4, 2, 1][: len(problem.wrong)])[0]
    thinking = _reasoning(rng)
    think = rng.random() < 0.5
    if shape == "truncated":
        return f"<think>{thinking} so it should be \\boxed{{{answer}}}", 0.0
    head = f"<think>{thinking}</think>\n\n" if think else thinking + "\n\n"
    if shape == "none":
        return head + "I was not able to finish this problem.", 0.0
    if shape == "hedge":
        other = rng.choice(problem.wrong)
        return head + f"The answer is either $\\boxed{{{answer}}}$ or $\\boxed{{{other}}}$.", 0.0
    if shape == "stated":
        return head + f"Final Answer: The final answer is ${answer}$. I hope it is correct.", float(correct)
    if shape == "pathological":
        return head + f"Therefore the answer is $\\boxed{{{rng.choice(PATHOLOGICAL)}}}$.", 0.0
    return head + f"Putting it together, the answer is $\\boxed{{{answer}}}$.", float(correct)


def math_batch(prompts: int, samples: int, seed: int = 0, pathological: int = 4) -> list[dict[str, Any]]:
    """``prompts x samples`` contract items; each has ``expected`` (not part of the contract)."""
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    bad_groups = set(rng.sample(range(prompts), min(pathological, prompts)))
    for p in range(prompts):
        problem = _problem(rng)
        p_correct = rng.choice([0.15, 0.5, 0.85]) * (0.6 if problem.hard else 1.0)
        for s in range(samples):
            shape = rng.choices(["boxed", "stated", "none", "hedge", "truncated"], weights=[85, 8, 3, 2, 2])[0]
            if p in bad_groups and s == 0:
                shape = "pathological"
            text, expected = _response(rng, problem, rng.random() < p_correct, shape)
            items.append({"id": f"p{p}s{s}", "domain": "math", "response": text,
                          "reference": {"answer": problem.gold}, "expected": expected})
    return items
