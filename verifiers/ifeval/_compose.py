"""Hand-built compliant responses for IFEval references: the witness that an item can be satisfied.

The generator keeps only items for which this builder finds a response that the verifier accepts, so no
training prompt asks for the impossible (say "the letter e less than 3 times" together with an end phrase
that holds five e's). The builder lays out paragraphs, sections, bullets and the other parts an item asks
for, fills them with shipped filler text, then measures the result with the verifier itself and adds or
removes filler until every instruction is followed, or gives up with :class:`Unsatisfiable`.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass
from typing import Any

from verifiers.ifeval import _corpus
from verifiers.ifeval._closed import Rules, rules_for
from verifiers.ifeval._format import CONSTRAINED_RESPONSES
from verifiers.ifeval._text import count_sentences, count_words
from verifiers.ifeval.instructions import BoundInstruction, bind
from verifiers.schemas import ItemOptions

_MAX_ATTEMPTS = 16
_EFFORT = "effort_floor"  # stands for the closed-loophole effort floor among the failing instructions
_PLACEHOLDERS = ("name", "date", "address", "city", "phone", "email", "company", "time")


class Unsatisfiable(ValueError):
    """The builder found no response that follows every instruction of the reference."""


@dataclass
class _Knobs:
    sentences: int
    letter_extra: int = 0
    capital_extra: int = 0


class _Filler:
    """Sentences and words that cannot break the item's negative constraints (forbidden words, rare letter)."""

    def __init__(self, spec: dict[str, dict[str, Any]], rng: random.Random) -> None:
        self.language = spec.get("language:response_language", {}).get("language", "en")
        self.banned_words = list(spec.get("keywords:forbidden_words", {}).get("forbidden_words", []))
        self.banned_substrings = []
        frequency = spec.get("keywords:frequency")
        if frequency and frequency["relation"] == "less than":
            self.banned_substrings.append(frequency["keyword"].lower())
        letter = spec.get("keywords:letter_frequency")
        self.banned_letter = letter["letter"] if letter and letter["let_relation"] == "less than" else None
        if self.language in _corpus.LANGUAGE_SENTENCES:
            sentences = list(_corpus.LANGUAGE_SENTENCES[self.language])
        else:
            sentences = [s for s in _corpus.ENGLISH_SENTENCES if self.allowed(s)]
        rng.shuffle(sentences)
        self.words = [w for w in _corpus.ENGLISH_WORDS if self.allowed(w)]
        if len(sentences) < 3:
            if len(self.words) < 8:
                raise Unsatisfiable("the banned words and letter leave no English filler")
            sentences = [self._salad(rng) for _ in range(8)]
        self.sentences = sentences

    def allowed(self, text: str) -> bool:
        lowered = text.lower()
        if self.banned_letter and self.banned_letter in lowered:
            return False
        if any(sub in lowered for sub in self.banned_substrings):
            return False
        return not any(re.search(r"\b" + re.escape(w) + r"\b", text, flags=re.IGNORECASE) for w in self.banned_words)

    def _salad(self, rng: random.Random) -> str:
        words = rng.sample(self.words, k=min(len(self.words), rng.randint(6, 9)))
        return " ".join(words).capitalize() + "."

    def sentence(self, index: int) -> str:
        return self.sentences[index % len(self.sentences)]

    def tokens(self, pool: tuple[str, ...], count: int) -> list[str]:
        usable = [token for token in pool if self.allowed(token)]
        if count and not usable:
            raise Unsatisfiable("no usable token for a required insertion")
        return [usable[i % len(usable)] for i in range(count)]


def _insert(sentence: str, token: str) -> str:
    """Put a token just before the sentence's final punctuation."""
    if sentence and sentence[-1] in ".!?。।۔":
        return f"{sentence[:-1]} {token}{sentence[-1]}"
    return f"{sentence} {token}"


def _required_tokens(spec: dict[str, dict[str, Any]], filler: _Filler, knobs: _Knobs) -> list[str]:
    tokens: list[str] = list(spec.get("keywords:existence", {}).get("keywords", []))
    frequency = spec.get("keywords:frequency")
    if frequency and frequency["relation"] == "at least":
        tokens += [frequency["keyword"]] * frequency["frequency"]
    placeholders = spec.get("detectable_content:number_placeholders", {}).get("num_placeholders", 0)
    tokens += [f"[{_PLACEHOLDERS[i % len(_PLACEHOLDERS)]}]" for i in range(placeholders)]
    highlights = spec.get("detectable_format:number_highlighted_sections", {}).get("num_highlights", 0)
    if filler.language == "en" and filler.words:
        tokens += [f"*{word}*" for word in filler.tokens(tuple(filler.words), highlights)]
    else:
        tokens += [f"*{i + 1}*" for i in range(highlights)]
    tokens += filler.tokens(_corpus.CAPITAL_WORDS, knobs.capital_extra)
    letter = spec.get("keywords:letter_frequency", {}).get("letter")
    if knobs.letter_extra and letter:
        with_letter = tuple(w for w in _corpus.ENGLISH_WORDS if letter in w) or (letter,)
        tokens += [with_letter[i % len(with_letter)] for i in range(knobs.letter_extra)]
    return tokens


def _paragraphs(spec: dict[str, dict[str, Any]]) -> int:
    if "length_constraints:nth_paragraph_first_word" in spec:
        return spec["length_constraints:nth_paragraph_first_word"]["num_paragraphs"]
    return max(1, spec.get("length_constraints:number_paragraphs", {}).get("num_paragraphs", 1))


def _render_body(spec: dict[str, dict[str, Any]], filler: _Filler, knobs: _Knobs, offset: int) -> str:
    count = _paragraphs(spec)
    sentences = [filler.sentence(offset + i) for i in range(max(knobs.sentences, count))]
    for i, token in enumerate(_required_tokens(spec, filler, knobs)):
        sentences[i % len(sentences)] = _insert(sentences[i % len(sentences)], token)
    groups = [sentences[i::count] for i in range(count)]
    nth = spec.get("length_constraints:nth_paragraph_first_word")
    if nth:
        first = groups[nth["nth_paragraph"] - 1]
        first[0] = f"{nth['first_word'].capitalize()} {first[0]}"
    sections = spec.get("detectable_format:multiple_sections", {})
    splitter, total = sections.get("section_spliter", ""), sections.get("num_sections", 0)
    paragraphs = []
    for p, group in enumerate(groups):
        own = [j for j in range(1, total + 1) if (j - 1) * count // total == p]
        # Section headers go after a paragraph's first line, so they never displace its first word; without
        # a first-word instruction and with too few sentences to go round, the first line opens a section
        # instead (an empty section does not count under closed loopholes).
        lead = not own or bool(nth) or len(group) > len(own)
        lines = [group[0]] if lead else []
        rest = group[1:] if lead else group
        for k, j in enumerate(own):
            lines.append(f"{splitter} {j}")
            share = rest[k::len(own)]
            if share:
                lines.append(" ".join(share))
        if not own and rest:
            lines[0] = " ".join(group)
        paragraphs.append(lines)
    title = _corpus.TITLE_WORDS[offset % len(_corpus.TITLE_WORDS)]
    if "detectable_format:title" in spec:
        if nth:
            paragraphs[0][0] += f" <<{title}>>"
        else:
            paragraphs[0].insert(0, f"<<{title}>>")
    bullets = spec.get("detectable_format:number_bullet_lists", {}).get("num_bullets", 0)
    paragraphs[-1] += [f"* {filler.sentence(offset + 3 + i)}" for i in range(bullets)]
    postscript = spec.get("detectable_content:postscript")
    if postscript:
        paragraphs[-1].append(f"{postscript['postscript_marker']} {filler.sentence(offset + 1)}")
    separator = "\n***\n" if "length_constraints:number_paragraphs" in spec else "\n\n"
    text = separator.join("\n".join(lines) for lines in paragraphs)
    end = spec.get("startend:end_checker")
    if end:
        text += "\n" + end["end_phrase"]
    return text


def _render(spec: dict[str, dict[str, Any]], filler: _Filler, knobs: _Knobs) -> str:
    text = _render_body(spec, filler, knobs, 0)
    if "combination:two_responses" in spec:
        second = _render_body(spec, filler, knobs, 1)
        if second.strip() == text.strip():
            second += " " + filler.sentence(2)
        text = f"{text}\n******\n{second}"
    if "combination:repeat_prompt" in spec:
        text = f"{spec['combination:repeat_prompt']['prompt_to_repeat']}\n{text}"
    if "change_case:english_capital" in spec:
        text = text.upper()
    if "change_case:english_lowercase" in spec:
        text = text.lower()
    if "startend:quotation" in spec:
        text = f'"{text}"'
    return text


def _adjust(knobs: _Knobs, failing: dict[str, dict[str, Any]], text: str, minimum: int) -> bool:
    """Move the knobs towards compliance; False when a failing instruction has no knob that can fix it."""
    for iid, args in failing.items():
        if iid == "length_constraints:number_words":
            words = count_words(text)
            per_sentence = max(1.0, words / max(1, knobs.sentences))
            if args["relation"] == "at least":
                knobs.sentences += math.ceil((args["num_words"] - words) / per_sentence) + 1
            elif knobs.sentences > minimum:
                knobs.sentences = max(minimum, knobs.sentences - math.ceil((words - args["num_words"] + 1) / per_sentence))
            else:
                return False
        elif iid == "length_constraints:number_sentences":
            found = count_sentences(text)
            if args["relation"] == "at least":
                knobs.sentences += args["num_sentences"] - found
            elif knobs.sentences > minimum:
                knobs.sentences = max(minimum, knobs.sentences - (found - args["num_sentences"] + 1))
            else:
                return False
        elif iid == "keywords:letter_frequency" and args["let_relation"] == "at least":
            knobs.letter_extra += max(1, args["let_frequency"] - text.lower().count(args["letter"]))
        elif iid == "change_case:capital_word_frequency" and args["capital_relation"] == "at least":
            knobs.capital_extra += 1 + knobs.capital_extra // 2
        elif iid in ("detectable_format:multiple_sections", _EFFORT):  # an empty section, or too few words
            knobs.sentences += args.get("num_sections", 2)
        else:
            return False
    return True


def _failing(instructions: list[BoundInstruction], rules: Rules, text: str) -> dict[str, dict[str, Any]]:
    """The instructions ``text`` does not follow under closed loopholes, plus the effort floor when unmet."""
    failing = {i.id: i.args for i in instructions if not rules.followed(i, text)}
    if not rules.effort(text)[1]:
        failing[_EFFORT] = {}
    return failing


def compliant_response(reference: dict[str, Any], seed: int = 0) -> str:
    """A response that follows every instruction of ``reference`` (strict mode), or :class:`Unsatisfiable`.

    The response passes under ``loopholes: "closed"`` (effort floor included), and so under Google's
    semantics too: training data built with closed loopholes stays satisfiable. Supports all 25
    instruction types and every language of Google's list; combinations that contradict each other (or
    that the layout cannot meet) raise instead of returning a non-compliant text.
    """
    instructions = bind(reference)
    rules = rules_for(reference, instructions, ItemOptions(loopholes="closed"))
    spec = {instruction.id: instruction.args for instruction in instructions}
    rng = random.Random(seed)
    if "detectable_format:constrained_response" in spec:
        return rng.choice(CONSTRAINED_RESPONSES)
    filler = _Filler(spec, rng)
    if "detectable_format:json_format" in spec:
        words = spec.get("keywords:existence", {}).get("keywords", [])
        for count in (1, 2, 3):  # one filler sentence, or more when the floor wants more words
            answer = " ".join([*(filler.sentence(i) for i in range(count)), *words])
            text = json.dumps({"answer": answer}, ensure_ascii=False)
            if not _failing(instructions, rules, text):
                return text
        raise Unsatisfiable("no JSON answer follows every instruction")
    minimum = _paragraphs(spec)
    knobs = _Knobs(sentences=max(minimum, 3))
    for _ in range(_MAX_ATTEMPTS):
        text = _render(spec, filler, knobs)
        failing = _failing(instructions, rules, text)
        if not failing:
            return text
        if not _adjust(knobs, failing, text, minimum):
            break
    raise Unsatisfiable(f"could not satisfy {sorted(failing)}")
