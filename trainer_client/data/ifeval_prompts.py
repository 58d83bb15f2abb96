"""IFEval-style training prompts without downloads: random compatible instruction combinations.

``generate(n, seed)`` composes 1-3 instructions per prompt (respecting Google's conflict table) with
kwargs in Google's ranges over the shipped base tasks. Every item is kept only if the hand-built
compliant response of :mod:`verifiers.ifeval._compose` passes the verifier, so no prompt is impossible.
``sample_responses`` makes a realistic mix of compliant and non-compliant answers for benchmarks.

Which prompts to train on is the data builder's business, so this lives in ``trainer_client/data/``; it
reads the ifeval verifier's instruction table, conflict table, corpus and witness builder, because a
prompt is only worth generating if that verifier can judge it.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from typing import Any

from verifiers.ifeval import _corpus
from verifiers.ifeval._compose import Unsatisfiable, compliant_response
from verifiers.ifeval.instructions import CONFLICTS, INSTRUCTION_IDS

__all__ = ["Unsatisfiable", "compliant_response", "describe", "generate", "sample_responses"]

GENERATOR_VERSION = "prorl-ifeval-generate/1"
_RELATIONS = ("less than", "at least")
_REPEAT = (
    "First repeat the request word for word without change then give your answer (1. do not say any words "
    "or characters before repeating the request; 2. the request you need to repeat does not include this sentence)"
)


def _sample_kwargs(iid: str, rng: random.Random, used: set[str]) -> dict[str, Any]:
    """Google's kwarg ranges; keywords are distinct within an item so that no two instructions collide."""

    def words(k: int) -> list[str]:
        chosen = rng.sample([w for w in _corpus.KEYWORDS if w not in used], k)
        used.update(chosen)
        return chosen

    samplers: dict[str, Any] = {
        "keywords:existence": lambda: {"keywords": words(2)},
        "keywords:frequency": lambda: {
            "keyword": words(1)[0], "frequency": rng.randint(1, 3), "relation": rng.choice(_RELATIONS)},
        "keywords:forbidden_words": lambda: {"forbidden_words": words(2)},
        "keywords:letter_frequency": lambda: {
            "letter": rng.choice(string.ascii_lowercase), "let_frequency": rng.randint(1, 10),
            "let_relation": rng.choice(_RELATIONS)},
        "language:response_language": lambda: {"language": rng.choice(sorted(_corpus.LANGUAGE_NAMES))},
        "length_constraints:number_sentences": lambda: {
            "num_sentences": rng.randint(1, 20), "relation": rng.choice(_RELATIONS)},
        "length_constraints:number_paragraphs": lambda: {"num_paragraphs": rng.randint(1, 5)},
        "length_constraints:number_words": lambda: {
            "num_words": rng.randint(100, 500), "relation": rng.choice(_RELATIONS)},
        "detectable_content:number_placeholders": lambda: {"num_placeholders": rng.randint(1, 4)},
        "detectable_content:postscript": lambda: {"postscript_marker": rng.choice(("P.S.", "P.P.S"))},
        "detectable_format:number_bullet_lists": lambda: {"num_bullets": rng.randint(1, 5)},
        "detectable_format:number_highlighted_sections": lambda: {"num_highlights": rng.randint(1, 4)},
        "detectable_format:multiple_sections": lambda: {
            "section_spliter": rng.choice(("Section", "SECTION")), "num_sections": rng.randint(1, 5)},
        "startend:end_checker": lambda: {"end_phrase": rng.choice(_corpus.END_PHRASES)},
        "change_case:capital_word_frequency": lambda: {
            "capital_frequency": rng.randint(1, 20), "capital_relation": rng.choice(_RELATIONS)},
    }
    if iid == "length_constraints:nth_paragraph_first_word":
        num = rng.randint(1, 5)
        return {"num_paragraphs": num, "nth_paragraph": rng.randint(1, num), "first_word": words(1)[0]}
    return samplers[iid]() if iid in samplers else {}


def describe(iid: str, args: dict[str, Any]) -> str:
    """The instruction as the prompt states it (Google's wording, kept free of commas)."""
    a = args
    texts = {
        "keywords:existence": lambda: f"Include the keywords {' and '.join(a.get('keywords', []))} in the response.",
        "keywords:frequency": lambda: f"In your response the word {a['keyword']} should appear {a['relation']} {a['frequency']} times.",
        "keywords:forbidden_words": lambda: f"Do not include the words {' or '.join(a['forbidden_words'])} in the response.",
        "keywords:letter_frequency": lambda: f"In your response the letter {a['letter']} should appear {a['let_relation']} {a['let_frequency']} times.",
        "language:response_language": lambda: f"Your ENTIRE response should be in {_corpus.LANGUAGE_NAMES[a['language']]} language and no other language is allowed.",
        "length_constraints:number_sentences": lambda: f"Your response should contain {a['relation']} {a['num_sentences']} sentences.",
        "length_constraints:number_paragraphs": lambda: f"There should be {a['num_paragraphs']} paragraphs. Paragraphs are separated with the markdown divider: ***",
        "length_constraints:number_words": lambda: f"Answer with {a['relation']} {a['num_words']} words.",
        "length_constraints:nth_paragraph_first_word": lambda: (
            f"There should be {a['num_paragraphs']} paragraphs. Paragraphs and only paragraphs are separated with each "
            f"other by two new lines as if it was '\\n\\n' in python. Paragraph {a['nth_paragraph']} must start with word {a['first_word']}."),
        "detectable_content:number_placeholders": lambda: f"The response must contain at least {a['num_placeholders']} placeholders represented by square brackets such as [address].",
        "detectable_content:postscript": lambda: f"At the end of your response please explicitly add a postscript starting with {a['postscript_marker']}",
        "detectable_format:number_bullet_lists": lambda: f"Your answer must contain exactly {a['num_bullets']} bullet points. Use the markdown bullet points such as:\n* This is point 1.\n* This is point 2",
        "detectable_format:constrained_response": lambda: "Answer with one of the following options: ('My answer is yes.', 'My answer is no.', 'My answer is maybe.')",
        "detectable_format:number_highlighted_sections": lambda: f"Highlight at least {a['num_highlights']} sections in your answer with markdown i.e. *highlighted section*.",
        "detectable_format:multiple_sections": lambda: (
            f"Your response must have {a['num_sections']} sections. Mark the beginning of each section with {a['section_spliter']} X such as:\n"
            f"{a['section_spliter']} 1\n[content of section 1]\n{a['section_spliter']} 2\n[content of section 2]"),
        "detectable_format:json_format": lambda: "Entire output should be wrapped in JSON format. You can use markdown ticks such as ```.",
        "detectable_format:title": lambda: "Your answer must contain a title wrapped in double angular brackets such as <<poem of joy>>.",
        "combination:two_responses": lambda: "Give two different responses. Responses and only responses should be separated by 6 asterisk symbols: ******.",
        "combination:repeat_prompt": lambda: _REPEAT,
        "startend:end_checker": lambda: f"Finish your response with this exact phrase {a['end_phrase']} No other words should follow this phrase.",
        "startend:quotation": lambda: "Wrap your entire response with double quotation marks.",
        "change_case:capital_word_frequency": lambda: f"In your response words with all capital letters should appear {a['capital_relation']} {a['capital_frequency']} times.",
        "change_case:english_capital": lambda: "Your entire response should be in English and in all capital letters.",
        "change_case:english_lowercase": lambda: "Your entire response should be in English and in all lowercase letters. No capital letters are allowed.",
        "punctuation:no_comma": lambda: "In your entire response refrain from the use of any commas.",
    }
    return texts[iid]()


def _choose_ids(rng: random.Random, pool: Sequence[str], max_instructions: int) -> list[str]:
    wanted = rng.randint(1, max_instructions)
    chosen: list[str] = []
    for iid in rng.sample(list(pool), len(pool)):
        if len(chosen) == wanted:
            break
        if all(iid not in CONFLICTS[other] for other in chosen):
            chosen.append(iid)
    return chosen


def _sample_item(rng: random.Random, pool: Sequence[str], max_instructions: int) -> dict[str, Any]:
    ids = _choose_ids(rng, pool, max_instructions)
    base = rng.choice(_corpus.BASE_TASKS)
    used: set[str] = set()
    kwargs = [_sample_kwargs(iid, rng, used) for iid in ids]
    # The repeat instruction goes last and the request to repeat is everything before it.
    order = sorted(range(len(ids)), key=lambda i: ids[i] == "combination:repeat_prompt")
    ids, kwargs = [ids[i] for i in order], [kwargs[i] for i in order]
    body = " ".join([base] + [describe(iid, kw) for iid, kw in zip(ids, kwargs, strict=True) if iid != "combination:repeat_prompt"])
    prompt = body
    if "combination:repeat_prompt" in ids:
        kwargs[ids.index("combination:repeat_prompt")] = {"prompt_to_repeat": body}
        prompt = f"{body} {_REPEAT}"
    return {"prompt": prompt, "domain": "ifeval", "reference": {"prompt": prompt, "instruction_id_list": ids, "kwargs": kwargs},
            "meta": {"source": GENERATOR_VERSION, "base_task": base}}


def generate(n: int, seed: int, instruction_ids: Sequence[str] | None = None, max_instructions: int = 3) -> list[dict[str, Any]]:
    """``n`` training items ``{"prompt", "domain", "reference", "meta"}``, deterministic in ``seed``.

    ``instruction_ids`` restricts the instruction types drawn. Items are drawn independently per index, so
    ``generate(10, s)`` is a prefix of ``generate(100, s)``. A combination the compliant-response builder
    cannot satisfy is redrawn, so every item has a response that earns reward 1.
    """
    pool = list(instruction_ids or INSTRUCTION_IDS)
    unknown = sorted(set(pool) - set(INSTRUCTION_IDS))
    if unknown:
        raise ValueError(f"unknown instruction ids {unknown}")
    items = []
    for index in range(n):
        rng = random.Random(f"{GENERATOR_VERSION}:{seed}:{index}")
        for _ in range(200):
            item = _sample_item(rng, pool, max_instructions)
            try:
                compliant_response(item["reference"], seed=index)
            except Unsatisfiable:
                continue
            item["meta"].update({"seed": seed, "index": index})
            items.append(item)
            break
        else:
            raise RuntimeError(f"no satisfiable combination found for item {index} from {pool}")
    return items


def _think(rng: random.Random) -> str:
    return "<think>\n" + " ".join(rng.sample(_corpus.ENGLISH_SENTENCES, 3)) + "\n</think>\n\n"


def _break(text: str, rng: random.Random) -> str:
    """A near miss: what a policy's almost-compliant answer looks like."""
    kind = rng.choice(("preamble", "comma", "truncate", "shout", "drop_last_line", "extra_bullet"))
    if kind == "preamble":
        return "Sure, here is my response:\n" + text
    if kind == "comma":
        middle = len(text) // 2
        return text[:middle] + ", and so on," + text[middle:]
    if kind == "truncate":
        return text[: max(1, len(text) // 3)]
    if kind == "shout":
        return text.upper() + "\nTHANKS!"
    if kind == "drop_last_line":
        return "\n".join(text.split("\n")[:-1]) or text + " Extra words"
    return text + "\n* One more point."


def sample_responses(items: Sequence[dict[str, Any]], seed: int) -> list[str]:
    """One response per item: about half compliant, a quarter near misses, the rest off-task.

    Half of them open with a closed ``<think>`` block, as a reasoning model's rollouts do.
    """
    responses = []
    for index, item in enumerate(items):
        rng = random.Random(f"{GENERATOR_VERSION}:responses:{seed}:{index}")
        draw = rng.random()
        try:
            compliant = compliant_response(item["reference"], seed=index)
        except Unsatisfiable:
            compliant = " ".join(rng.sample(_corpus.ENGLISH_SENTENCES, 4))
        if draw < 0.5:
            text = compliant
        elif draw < 0.75:
            text = _break(compliant, rng)
        else:
            text = "\n\n".join(" ".join(rng.sample(_corpus.ENGLISH_SENTENCES, 4)) for _ in range(rng.randint(1, 4)))
        responses.append((_think(rng) if rng.random() < 0.5 else "") + text)
    return responses
