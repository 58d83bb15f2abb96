"""Regenerate math_answer_lines.jsonl (the differential corpus): answer lines in the styles models write.

Run: .venv/bin/python tests/verifiers/data/make_math_answer_lines.py. Deterministic (seeded). A line whose
verdict deliberately departs from math-verify carries the departure id that docs/math.md documents.
"""
import json
import random
from pathlib import Path

random.seed(15)
PRE = ["Let me work through this carefully.\n\nCombining the two cases, ", "We substitute back and simplify. ", "Checking the edge cases as well, ", ""]
BOX = ["so the answer is $\\boxed{%s}$.", "Therefore, \\[\\boxed{%s}\\]", "The final result is \\boxed{%s}", "Hence $x=\\boxed{%s}$."]
MINERVA = "Final Answer: The final answer is $%s$. I hope it is correct."
THINK = "<think>\nHmm, maybe 7? Let me recompute.\n</think>\n"
# Right spellings math-verify misses, by the departure that accepts them (docs/math.md).
SPELLING_DEPARTURE = {
    "n = 2{,}025": "formatted_number", "\\mathbf{2{,}025}": "formatted_number", "1\\,000\\,000": "formatted_number",
    "1.5e3": "formatted_number", "30°": "formatted_number", "30\\degree": "formatted_number",
    "0.\\overline{6}": "formatted_number", "0.58\\overline{3}": "formatted_number", "12.": "formatted_number",
    "1 \\le x < 5": "interval_chain",
}
GOLD_DEPARTURE = {"1 - \\frac{1}{\\mathrm{e}}": "gold_read_whole", "\\textbf{(B) } 12": "gold_read_whole"}
def lines_for(gold, right, wrong, extra=()):
    out = []
    for spelling in right:
        t = random.choice(BOX)
        dep = GOLD_DEPARTURE.get(gold) or SPELLING_DEPARTURE.get(spelling)
        out.append((gold, random.choice(PRE) + t % spelling, dep))
        out.append((gold, THINK + random.choice(PRE) + t % spelling, dep))
    out.append((gold, MINERVA % right[0], GOLD_DEPARTURE.get(gold) or SPELLING_DEPARTURE.get(right[0])))
    for spelling in wrong:
        out.append((gold, random.choice(PRE) + random.choice(BOX) % spelling, None))
    out.extend((gold, text, dep) for text, dep in extra)
    return out
rows = []
G = [
 ("\\frac{1}{2}", ["0.5", "\\frac12", "\\dfrac{1}{2}", "1/2"], ["0.6", "\\frac13"]),
 ("0.75", ["\\frac{3}{4}", "\\frac34", ".75"], ["\\frac{4}{3}", "0.7"]),
 ("3\\sqrt{6}", ["\\sqrt{54}", "3\\sqrt{6}", "3 \\sqrt 6"], ["3", "\\sqrt{6}"]),
 ("2\\sqrt{3}", ["\\sqrt{12}", "2\\sqrt3"], ["\\sqrt{3}", "4\\sqrt{3}"]),
 ("\\frac{\\pi}{4}", ["\\frac{1}{4}\\pi", "\\pi/4"], ["\\frac{\\pi}{2}", "0.785"]),
 ("(x+7)(x+1)", ["x^2+8x+7", "(x+1)(x+7)"], ["x^2+8x+8", "(x+7)(x-1)"]),
 ("x^2 + 2x + 1", ["(x+1)^2"], ["x^2+1"]),
 ("[33, 36)", ["[33,36)", "\\left[33, 36\\right)"], ["[33,36]", "(33,36)"]),
 ("(-\\infty, 3]", ["(-\\infty,3]", "\\left(-\\infty, 3\\right]"], ["(-\\infty,3)"]),
 ("\\{1,2,3\\}", ["\\{3,1,2\\}", "\\{1, 2, 3\\}"], ["\\{1,2\\}"]),
 ("(1,2)", ["(1, 2)", "\\left(1,2\\right)"], ["(2,1)"]),
 ("\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}", ["\\begin{pmatrix}1\\\\-2\\end{pmatrix}", "\\begin{bmatrix}1\\\\-2\\end{bmatrix}"], ["\\begin{pmatrix}-2\\\\1\\end{pmatrix}"]),
 ("42", ["42", "42.0", "x = 42", "42\\text{ apples}", "+42", "\\textbf{42}"], ["41", "24"]),
 ("-4", ["-4", "(-4)", "x=-4", "-4.0", "\\dfrac{-8}{2}"], ["4", "-5"]),
 ("2025", ["2025", "2{,}025", "2,025", "\\$2{,}025", "2{,}025\\text{ dollars}", "n = 2{,}025", "\\mathbf{2{,}025}"], ["2024", "202.5"]),
 ("1000000", ["1{,}000{,}000", "1,000,000", "10^{6}", "1\\,000\\,000"], ["100000", "10^{5}"]),
 ("1500", ["1.5 \\times 10^{3}", "1500", "1.5e3", "1{,}500"], ["1.5 \\times 10^{4}", "150"]),
 ("30", ["30^\\circ", "30", "30°", "30\\degree", "30^{\\circ}"], ["60", "\\frac{\\pi}{6}"]),
 ("5\\%", ["5\\%", "0.05", "5"], ["6\\%", "0.5"]),
 ("0.25", [".25", "\\frac{1}{4}", "25\\%"], ["0.26"]),
 ("\\frac{2}{3}", ["0.\\overline{6}", "\\frac{4}{6}", "\\cfrac{2}{3}", "\\frac2{3}"], ["0.6", "0.67"]),
 ("\\frac{7}{12}", ["0.58\\overline{3}", "\\frac{7}{12}"], ["0.58"]),
 ("3\\frac{1}{2}", ["\\frac72", "3.5", "3\\frac12", "\\frac{7}{2}"], ["1.5", "\\frac32"]),
 ("-2\\frac{1}{2}", ["-2\\tfrac{1}{2}", "-\\frac{5}{2}", "-2.5"], ["-1", "-1.5"]),
 ("-3", ["\u22123", "-3"], ["3"]),
 ("7", ["x \\approx 7", "7", "\\text{7}"], ["8"]),
 ("[1,5)", ["1 \\le x < 5", "[1,5)", "x \\in [1,5)"], ["1 \\le x \\le 5", "(1,5)"]),
 ("1 - \\frac{1}{\\mathrm{e}}", ["1-\\frac{1}{e}", "1 - e^{-1}", "\\frac{e-1}{e}"], ["1-\\frac{1}{\\pi}", "1-e"]),
 ("e^{2}", ["e^2", "\\exp(2)"], ["e^3", "7.39"]),
 ("\\ln 2", ["\\log 2", "\\ln(2)"], ["\\ln 3"]),
 ("y = 2x + 1", ["2x+1", "y=1+2x"], ["2x-1"]),
 ("\\text{Monday}", ["\\text{monday}", "Monday"], ["\\text{Tuesday}"]),
 ("\\textbf{(B) } 12", ["12", "B", "(B)", "\\textbf{(B) }12"], ["13", "C"]),
 ("10^{20}", ["100000000000000000000", "10^{20}"], ["100000000000000000001"]),
 ("\\pm 2", ["\\{2,-2\\}", "\\pm 2"], ["2"]),
 ("1, 2, 3", ["1, 2, 3", "3, 2, 1"], ["1, 2"]),
 ("\\frac{1}{3}", ["0.333333", "\\frac{1}{3}", "1/3"], ["0.33", "0.3"]),
 ("\\sqrt{2}", ["\\sqrt2", "\\frac{2}{\\sqrt{2}}"], ["1.414", "\\sqrt{3}"]),
 ("2^{16}", ["65536", "2^{16}", "4^8"], ["65535"]),
 ("65536", ["65536", "65{,}536"], ["65535"]),
 ("12", ["12", "12.", "\\boxed{12}"], ["13"]),
]
for gold, right, wrong in G:
    rows.extend(lines_for(gold, right, wrong))
D = [
 # (gold, response, departure)
 ("3", "It is either \\boxed{2} or \\boxed{3}.", "hedging"),
 ("3", "\\boxed{3}, \\boxed{4}, \\boxed{5}", "hedging"),
 ("2", "We find $\\boxed{2}$ and also $\\boxed{3}$ works.", "hedging"),
 ("-4", "So the result is \\boxed{5 - 3 - 6}.", "unevaluated_arithmetic"),
 ("793546072", "The product is \\boxed{18271 \\times 43432}.", "unevaluated_arithmetic"),
 ("1", "Therefore \\boxed{\\gcd(780, 461)}", "unevaluated_arithmetic"),
 ("10", "The count is $\\boxed{\\binom{5}{2}}$.", "unevaluated_arithmetic"),
 ("1024", "So there are \\boxed{2^{10}} subsets.", "unevaluated_arithmetic"),
 ("120", "There are \\boxed{5 \\cdot 4 \\cdot 3 \\cdot 2} ways.", "unevaluated_arithmetic"),
 ("4", "<think>It must be \\boxed{4}", "truncated_thinking"),
 ("4", "<think>a</think> So <think> maybe \\boxed{4}", "truncated_thinking"),
 ("2", "\\boxed{2, 3}", "several_values"),
 ("2", "\\boxed{x = 2 \\text{ or } x = 3}", "several_values"),
 ("0.5", "\\boxed{0.5000001}", "float_tolerance"),
 ("3", "\\boxed{3.0000001}", "float_tolerance"),
 ("(1,2)", "\\boxed{\\{1, 2\\}}", "set_for_tuple"),
 ("(1,2)", "\\boxed{\\{2, 1\\}}", "set_for_tuple"),
 ("42", "I think it could be 41, 42 or 43 depending on rounding; probably 42", "bare_number_in_prose"),
 ("42", "The numbers are 3 and 42", "bare_number_in_prose"),
 ("5", "<answer>5</answer>", "answer_tag"),
 ("\\frac12", "<think>long work</think>\n<answer>\\frac{1}{2}</answer>", "answer_tag"),
 ("5", "The answer is `5`.", "code_span"),
 ("5", "The answer is:\n```\n5\n```", "code_span"),
 ("1, 2, 3", "\\boxed{1, 2, 3, \\ldots}", None),
 ("1500", "\\boxed{1.5e3}", "formatted_number"),
 ("30", "\\boxed{30°}", "formatted_number"),
 ("2025", "\\boxed{2{,}025\\text{ dollars}}", "formatted_number"),
 ("4", "<think></think><think>\\boxed{4}", "truncated_thinking"),
 ("\\frac{1}{3}", "Thus the probability is $\\frac{1}{3}$.", None),
 ("34", "Final Answer: The largest $n$ is $34$.", None),
 ("3", "$2^{10}.$ and so \\boxed{3}", None),
]
rows.extend(D)
with open(Path(__file__).with_name("math_answer_lines.jsonl"), "w") as f:
    for gold, response, dep in rows:
        row = {"gold": gold, "response": response}
        if dep:
            row["departure"] = dep
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
print(len(rows))
