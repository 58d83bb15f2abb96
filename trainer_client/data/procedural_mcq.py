"""Procedural STEM multiple choice: physics, chemistry, unit conversion and biology facts.

Each numeric generator computes the right answer from a formula and three distractors from the
mistakes students make with it (a dropped factor of 1/2, an inverted ratio, a wrong conversion factor),
so the wrong options are plausible and cannot be ruled out by their look. Options are shuffled into
letters by :func:`trainer_client.data.convert_text.mcq_record`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from trainer_client.data.convert_text import mcq_record
from trainer_client.data.records import Record, RecordError

Question = tuple[str, float, list[float], str, str]  # text, correct, distractors, unit, topic


def _fmt(x: float, unit: str) -> str:
    text = f"{x:.3g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa} × 10^{int(exp)}"
    return f"{text} {unit}".strip()


def _kinematics(r: random.Random) -> Question:
    a, t = r.randint(4, 30) / 2, r.randint(3, 20)
    a = int(a) if a == int(a) else a
    if r.random() < 0.5:
        return (f"A cart starts from rest and accelerates uniformly at {a} m/s² for {t} s. How far does it travel?",
                0.5 * a * t * t, [a * t * t, a * t, 0.25 * a * t * t], "m", "physics")
    v0 = r.randint(1, 20)
    return (f"A cyclist moving at {v0} m/s accelerates uniformly at {a} m/s² for {t} s. What is the final speed?",
            v0 + a * t, [a * t, v0 * a * t, v0 + 0.5 * a * t], "m/s", "physics")


def _newton(r: random.Random) -> Question:
    m, a = r.randint(2, 80), r.randint(2, 15)
    if r.random() < 0.5:
        return (f"What net force accelerates a {m} kg mass at {a} m/s²?", m * a, [m / a, a / m, m + a], "N", "physics")
    f = m * a
    return (f"A net force of {f} N acts on a {m} kg body. What is its acceleration?", a, [f * m, m / f, f - m], "m/s²",
            "physics")


def _energy(r: random.Random) -> Question:
    m, v = r.randint(2, 90), r.randint(2, 30)
    if r.random() < 0.5:
        return (f"What is the kinetic energy of a {m} kg object moving at {v} m/s?",
                0.5 * m * v * v, [m * v * v, 0.5 * m * v, m * v], "J", "physics")
    h = r.randint(2, 50)
    return (f"A {m} kg crate is lifted {h} m. Taking g = 9.8 m/s², how much gravitational potential energy does it gain?",
            m * 9.8 * h, [m * h, 9.8 * h, 0.5 * m * 9.8 * h], "J", "physics")


def _circuits(r: random.Random) -> Question:
    # E12 resistor values over three decades, any whole-volt supply up to 240 V
    v, res = r.randint(1, 240), r.choice([10, 12, 15, 18, 22, 27, 33, 39, 47, 56, 68, 82]) * r.choice([0.1, 1, 10])
    res = round(res, 1) if res < 10 else int(res)
    if r.random() < 0.5:
        return (f"A {res} Ω resistor is connected across a {v} V supply. What current flows?",
                v / res, [v * res, res / v, v / res / 2], "A", "physics")
    return (f"What power does a {res} Ω resistor dissipate across a {v} V supply?",
            v * v / res, [v / res, v * res, v * v * res], "W", "physics")


def _waves(r: random.Random) -> Question:
    f, lam = r.randint(5, 900), round(r.uniform(0.1, 4.0), 2)
    return (f"A wave has frequency {f} Hz and wavelength {lam} m. What is its speed?",
            f * lam, [f / lam, lam / f, 2 * f * lam], "m/s", "physics")


def _half_life(r: random.Random) -> Question:
    m0, h, k = 10 * r.randint(1, 100), r.randint(2, 30), r.randint(2, 5)
    return (f"A radioactive sample of {m0} g has a half-life of {h} days. How much remains after {h * k} days?",
            m0 / 2**k, [m0 / (2 * k), m0 / 2 ** (k + 1), m0 - m0 / 2**k], "g", "physics")


_MOLAR_MASS = {"H₂O": 18.02, "CO₂": 44.01, "NaCl": 58.44, "CH₄": 16.04, "NH₃": 17.03, "C₆H₁₂O₆": 180.16,
               "H₂SO₄": 98.08, "CaCO₃": 100.09, "O₂": 32.00, "KCl": 74.55}


def _moles(r: random.Random) -> Question:
    compound, molar = r.choice(sorted(_MOLAR_MASS.items()))
    mass = r.randint(5, 500)
    return (f"How many moles are in {mass} g of {compound} (molar mass {molar} g/mol)?",
            mass / molar, [mass * molar, molar / mass, mass / molar / 2], "mol", "chemistry")


def _ideal_gas(r: random.Random) -> Question:
    n, t, vol = r.randint(1, 10), r.randint(250, 600), r.randint(5, 100)
    p = n * 8.314 * t / (vol / 1000)
    return (f"{n} mol of an ideal gas at {t} K occupies {vol} L. What is its pressure? (R = 8.314 J/(mol·K))",
            p, [n * 8.314 * t / vol, n * 8.314 * (t - 273) / (vol / 1000), n * t / (vol / 1000)], "Pa", "chemistry")


def _ph(r: random.Random) -> Question:
    k, mantissa = r.randint(1, 6), r.randint(10, 99) / 10
    conc = mantissa * 10.0**-k
    ph = -math.log10(conc)
    if r.random() < 0.5:
        return (f"What is the pH of a {mantissa} × 10^-{k} M solution of a strong monoprotic acid?",
                ph, [14 - ph, ph + 1, -math.log(conc)], "", "chemistry")
    return (f"What is the pH at 25 °C of a {mantissa} × 10^-{k} M solution of a strong base with one hydroxide "
            "per formula unit?", 14 - ph, [ph, 14 - ph + 1, -math.log(conc)], "", "chemistry")


def _units(r: random.Random) -> Question:
    kind = r.randrange(3)
    if kind == 0:
        v = r.randint(10, 250)
        return (f"Convert {v} km/h to m/s.", v / 3.6, [v * 3.6, v / 60, v * 1000 / 60], "m/s", "unit conversion")
    if kind == 1:
        c = r.randint(-40, 200)
        if c == -40:
            c = 37
        return (f"Convert {c} °C to degrees Fahrenheit.", c * 9 / 5 + 32, [c * 5 / 9 + 32, (c + 32) * 9 / 5, c + 273.15],
                "°F", "unit conversion")
    x = r.randint(2, 900)
    return (f"How many cubic centimetres are in {x} L?", x * 1000.0, [x * 100.0, x * 10.0, x / 1000], "cm³",
            "unit conversion")


_BIOLOGY = [
    ("Which organelle produces most of a eukaryotic cell's ATP?", "mitochondrion", ["ribosome", "Golgi apparatus", "lysosome"]),
    ("Which molecule carries amino acids to the ribosome during translation?", "tRNA", ["mRNA", "rRNA", "DNA polymerase"]),
    ("In which phase of mitosis do sister chromatids separate?", "anaphase", ["prophase", "metaphase", "telophase"]),
    ("Which base pairs with adenine in DNA?", "thymine", ["uracil", "guanine", "cytosine"]),
    ("Where does the Calvin cycle take place?", "the stroma of the chloroplast", ["the thylakoid membrane", "the cytosol", "the mitochondrial matrix"]),
    ("Which blood cells carry oxygen?", "erythrocytes", ["neutrophils", "platelets", "lymphocytes"]),
    ("Which enzyme unwinds the DNA double helix during replication?", "helicase", ["ligase", "primase", "topoisomerase"]),
    ("What is the product of meiosis in human males?", "four haploid sperm cells", ["two diploid cells", "four diploid cells", "one haploid egg"]),
    ("Which hormone lowers blood glucose?", "insulin", ["glucagon", "adrenaline", "cortisol"]),
    ("Which part of the neuron receives signals from other neurons?", "dendrites", ["axon terminal", "myelin sheath", "node of Ranvier"]),
    ("Which kingdom do mushrooms belong to?", "Fungi", ["Plantae", "Protista", "Monera"]),
    ("Which process converts glucose to pyruvate?", "glycolysis", ["the Krebs cycle", "oxidative phosphorylation", "fermentation"]),
    ("What is the site of protein synthesis?", "ribosome", ["nucleolus", "vacuole", "centrosome"]),
    ("Which gas do plants take up for photosynthesis?", "carbon dioxide", ["oxygen", "nitrogen", "methane"]),
    ("Which type of bond holds the two strands of DNA together?", "hydrogen bonds", ["peptide bonds", "ionic bonds", "disulfide bonds"]),
    ("How many chambers does the human heart have?", "four", ["two", "three", "five"]),
    ("Which organ produces bile?", "liver", ["gallbladder", "pancreas", "stomach"]),
    ("Which macromolecule is an enzyme usually made of?", "protein", ["lipid", "carbohydrate", "nucleic acid"]),
    ("Which structure controls what enters and leaves a cell?", "cell membrane", ["cell wall", "nucleus", "cytoskeleton"]),
    ("What are the monomers of proteins?", "amino acids", ["nucleotides", "monosaccharides", "fatty acids"]),
]


def _biology(r: random.Random) -> tuple[str, str, list[str], str]:
    question, correct, wrong = r.choice(_BIOLOGY)
    return question, correct, wrong, "biology"


_NUMERIC: list[Callable[[random.Random], Question]] = [
    _kinematics, _newton, _energy, _circuits, _waves, _half_life, _moles, _ideal_gas, _ph, _units,
]


def mcq_question(rng: random.Random) -> Record:
    """One STEM question: one in eleven is a biology fact (a small fixed pool), the rest numeric."""
    topic_pick = rng.randrange(len(_NUMERIC) + 1)
    if topic_pick == len(_NUMERIC):
        question, correct_text, wrong_texts, topic = _biology(rng)
    else:
        for _ in range(20):
            question, correct, wrong, unit, topic = _NUMERIC[topic_pick](rng)
            correct_text, wrong_texts = _fmt(correct, unit), [_fmt(w, unit) for w in wrong]
            if len({correct_text, *wrong_texts}) == 4:
                break
        else:  # pragma: no cover - every generator has distinct distractors for most draws
            raise RecordError(f"could not draw distinct options for {_NUMERIC[topic_pick].__name__}")
    return mcq_record(question, correct_text, wrong_texts, rng, {"source": "prorl_stem", "topic": topic})


def generate_mcq(n: int, seed: int, round_: int = 0) -> list[Record]:
    """``n`` procedural STEM questions (duplicates possible: the mix builder removes them)."""
    rng = random.Random(f"mcq:{seed}:{round_}")
    return [mcq_question(rng) for _ in range(n)]
