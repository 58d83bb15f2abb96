"""Converters for non-code datasets: verl Parquet, GPQA-style MCQ, Google IFEval, reasoning_gym entries
and MATH/DeepScaleR-style math. Each takes one input row (a dict) and returns one record.
"""

from __future__ import annotations

import json
import random
from typing import Any

from trainer_client.data.boxed import last_boxed
from trainer_client.data.convert_code import code_tests
from trainer_client.data.prompts import build_prompt
from trainer_client.data.records import Record, RecordError, make_record, source_domain

LETTERS = "ABCDEFGHIJ"


def _json_safe(value: Any) -> Any:
    """Drop what JSON cannot carry (numpy scalars, dates from Parquet) by round-tripping through text."""
    return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


# ---------------------------------------------------------------- math


def from_math(row: dict[str, Any]) -> Record:
    """MATH/DeepScaleR/GSM8K-style row: ``problem`` (or ``question``) plus ``answer``, or ``solution``
    whose last ``\\boxed{}`` is the gold. GSM8K's ``#### 42`` answer tail is understood too."""
    problem = row.get("problem") or row.get("question")
    if not isinstance(problem, str) or not problem.strip():
        raise RecordError("math row has no 'problem' or 'question'")
    gold = row.get("answer")
    if isinstance(gold, str) and "####" in gold:  # GSM8K: worked answer, final number after ####
        gold = gold.rsplit("####", 1)[1].strip().replace(",", "")
    if gold is None or (isinstance(gold, str) and not gold.strip()):
        solution = row.get("solution")
        gold = last_boxed(solution) if isinstance(solution, str) else None
    if gold is None or not str(gold).strip():
        raise RecordError("math row has no 'answer' and its 'solution' has no \\boxed{} answer")
    meta = {k: row[k] for k in ("level", "type", "subject", "unique_id", "source") if row.get(k) is not None}
    return make_record(build_prompt("math", problem), "math", {"answer": str(gold).strip()}, _json_safe(meta))


# ---------------------------------------------------------------- GPQA-style multiple choice


def mcq_question(question: str, choices: list[str]) -> str:
    """The question followed by its lettered options, one per line."""
    lines = [question.strip(), ""] + [f"{LETTERS[i]}) {c}" for i, c in enumerate(choices)]
    return "\n".join(lines)


def mcq_record(question: str, correct: str, wrong: list[str], rng: random.Random,
               meta: dict[str, Any] | None = None) -> Record:
    """Shuffle the correct option among the wrong ones and letter them."""
    choices = [str(correct).strip()] + [str(w).strip() for w in wrong]
    if len(set(choices)) != len(choices):
        raise RecordError(f"multiple-choice options are not distinct: {choices}")
    if not 2 <= len(choices) <= len(LETTERS):
        raise RecordError(f"multiple choice needs 2..{len(LETTERS)} options, got {len(choices)}")
    order = list(range(len(choices)))
    rng.shuffle(order)
    shuffled = [choices[i] for i in order]
    answer = LETTERS[order.index(0)]
    reference = {"answer": answer, "choices": shuffled}
    return make_record(build_prompt("mcq", mcq_question(question, shuffled)), "mcq", reference, meta)


def from_gpqa(row: dict[str, Any], seed: int = 0) -> Record:
    """GPQA row (``Question``, ``Correct Answer``, ``Incorrect Answer 1..3``; lowercase/underscore spellings
    and ``incorrect_answers: [...]`` accepted). Each row is shuffled by its own RNG seeded from ``seed`` and
    the question, so a row gets the same letters whatever else is in the file."""
    norm = {str(k).strip().lower().replace(" ", "_"): v for k, v in row.items()}
    question, correct = norm.get("question"), norm.get("correct_answer")
    wrong = norm.get("incorrect_answers") or [norm[k] for k in sorted(norm)
                                              if k.startswith("incorrect_answer_") and norm[k] not in (None, "")]
    if not question or correct in (None, "") or not wrong:
        raise RecordError("GPQA row needs Question, Correct Answer and Incorrect Answer 1..3")
    rng = random.Random(f"{seed}:{question}")
    meta = {k: norm[k] for k in ("record_id", "subdomain", "high-level_domain") if norm.get(k)}
    meta["source"] = "gpqa"
    return mcq_record(question, correct, list(wrong), rng, meta)


# ---------------------------------------------------------------- IFEval


def ifeval_reference(prompt: str, instruction_ids: list[str], kwargs: list[dict[str, Any]]) -> dict[str, Any]:
    """The contract's ifeval reference. Hugging Face's copy of IFEval fills every kwargs dict with all
    argument names set to null; Google's checkers take only the ones given, so nulls are dropped."""
    if not isinstance(instruction_ids, list) or not instruction_ids:
        raise RecordError("IFEval row needs a non-empty instruction_id_list")
    if not isinstance(kwargs, list) or len(kwargs) != len(instruction_ids):
        raise RecordError("IFEval kwargs must be a list with one dict per instruction")
    clean = [{k: v for k, v in (kw or {}).items() if v is not None} for kw in kwargs]
    return {"prompt": prompt, "instruction_id_list": list(instruction_ids), "kwargs": clean}


def from_ifeval(row: dict[str, Any], loopholes: str | None = None) -> Record:
    """Google IFEval row: ``key``, ``prompt``, ``instruction_id_list``, ``kwargs``.

    ``loopholes`` ("closed" or "google") is written as the record's scoring option; without it the record
    has no options and is scored with Google's exact semantics, as a benchmark must be.
    """
    if loopholes not in (None, "closed", "google"):
        raise RecordError(f"IFEval loopholes must be 'closed' or 'google', got {loopholes!r}")
    prompt = row.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise RecordError("IFEval row has no prompt")
    kwargs = row.get("kwargs")
    kwargs = json.loads(kwargs) if isinstance(kwargs, str) else kwargs
    reference = ifeval_reference(prompt, list(row.get("instruction_id_list") or []), list(kwargs or []))
    meta = {"source": row.get("source", "ifeval")}
    if row.get("key") is not None:
        meta["key"] = row["key"]
    options = {"loopholes": loopholes} if loopholes else None
    return make_record(build_prompt("ifeval", prompt), "ifeval", _json_safe(reference), meta, options)


# ---------------------------------------------------------------- reasoning_gym


def from_reasoning_gym(entry: dict[str, Any]) -> Record:
    """A reasoning_gym dataset entry (``question``, ``answer``, ``metadata.source_dataset``)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("question"), str):
        raise RecordError("reasoning_gym entry needs a 'question'")
    metadata = entry.get("metadata")
    if not isinstance(metadata, dict) or not metadata.get("source_dataset"):
        raise RecordError("reasoning_gym entry needs metadata.source_dataset (its scorer is chosen by it)")
    safe = _json_safe(entry)
    meta = {"source": "reasoning_gym", "task": metadata["source_dataset"]}
    return make_record(build_prompt("reasoning_gym", entry["question"]), "reasoning_gym", {"entry": safe}, meta)


# ---------------------------------------------------------------- verl Parquet

_DOMAIN_HINTS = (  # (substring of data_source/ability, domain), first match wins
    ("reasoning_gym", "reasoning_gym"), ("ifeval", "ifeval"), ("gpqa", "mcq"), ("mcq", "mcq"),
    ("stem", "mcq"), ("code", "code"), ("apps", "code"), ("taco", "code"), ("livecodebench", "code"),
    ("primeintellect", "code"), ("math", "math"), ("gsm8k", "math"), ("deepscaler", "math"), ("aime", "math"),
)


def verl_domain(row: dict[str, Any]) -> str:
    """Our domain for a verl row: the verl adapter's own reading of ``data_source`` when it knows the name
    (``trainer_client.data.records.source_domain``), else hints in ``ability`` and ``data_source``."""
    known = source_domain(row.get("data_source"))
    if known:
        return known
    text = f"{row.get('ability', '')} {row.get('data_source', '')}".lower()
    for hint, domain in _DOMAIN_HINTS:
        if hint in text:
            return domain
    raise RecordError(f"cannot tell the domain of verl row (data_source={row.get('data_source')!r}, "
                      f"ability={row.get('ability')!r}); pass --domain")


def from_verl(row: dict[str, Any], domain: str | None = None) -> Record:
    """verl row: ``data_source``, ``prompt`` (chat messages), ``ability``, ``reward_model.ground_truth``,
    ``extra_info``. The prompt is kept as the user rendered it; the ground truth becomes our reference."""
    domain = domain or verl_domain(row)
    reward_model = row.get("reward_model") or {}
    if isinstance(reward_model, str):
        reward_model = json.loads(reward_model)
    gt = reward_model.get("ground_truth")
    extra = _json_safe(row.get("extra_info") or {})
    if gt is None and domain in ("math", "code", "mcq"):
        raise RecordError("verl row has no reward_model.ground_truth")
    prompt = _json_safe(row.get("prompt"))
    reference: dict[str, Any]
    if domain == "math":
        reference = {"answer": str(gt)}
    elif domain == "code":
        reference = {"language": "python", "tests": code_tests(gt)}
    elif domain == "mcq":
        gt = json.loads(gt) if isinstance(gt, str) and gt.startswith("{") else gt
        reference = dict(gt) if isinstance(gt, dict) else {"answer": str(gt).strip()}
    elif domain == "reasoning_gym":
        entry = extra.get("entry") or (json.loads(gt) if isinstance(gt, str) else gt)
        reference = {"entry": entry}
    else:  # ifeval: the instructions sit in ground_truth or extra_info; the prompt text defaults to the user turn
        gt = json.loads(gt) if isinstance(gt, str) else (gt or extra)
        user_turn = prompt if isinstance(prompt, str) else next(
            (m.get("content", "") for m in reversed(prompt or []) if m.get("role") == "user"), "")
        reference = ifeval_reference(gt.get("prompt") or user_turn, gt.get("instruction_id_list"), gt.get("kwargs"))
    if domain == "reasoning_gym" and not isinstance(reference["entry"], dict):
        raise RecordError("verl reasoning_gym row needs the entry in extra_info.entry or ground_truth")
    meta = {"source": row.get("data_source"), "ability": row.get("ability"), "extra_info": extra}
    return make_record(prompt, domain, _json_safe(reference), meta)
