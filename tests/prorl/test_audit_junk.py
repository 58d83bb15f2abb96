"""The junk generators of ``prorl audit``: every family appears where it applies, answers are wrapped the way
the domain extracts them, and the echo variants defeat exact comparison while normalising back."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from prorl.audit.code_junk import code_programs
from prorl.audit.items import AuditItem, from_row
from prorl.audit.junk import FAMILIES, echo_variants, junk_answers
from verifiers.code import extract_program
from verifiers.reasoning_gym import extract_answer

RG_ENTRY = {"question": "Fill the board:\n_ 2\n2 _", "answer": "1 2\n2 1",
            "metadata": {"source_dataset": "mini_sudoku"}}


def _families(item: AuditItem, peers: list[AuditItem] | None = None, pathological: bool = True) -> set[str]:
    return {j.family for j in junk_answers(item, peers or [item], pathological)}


def _rg_items() -> list[AuditItem]:
    golds = ["1 2\n2 1", "2 1\n1 2", "1 2\n2 1"]
    return [from_row({"domain": "reasoning_gym",
                      "reference": {"entry": {**RG_ENTRY, "answer": g, "metadata": {"source_dataset": "mini_sudoku",
                                                                                  "i": i}}}})
            for i, g in enumerate(golds)]


def test_reasoning_gym_item_gets_the_generic_families_wrapped_in_answer_tags() -> None:
    items = _rg_items()
    junk = junk_answers(items[0], items)
    families = {j.family for j in junk}
    assert {"gold", "constant", "non_finite", "empty", "echo", "other_gold", "expression", "pathological",
            "contradiction"} <= families
    by_label = {(j.family, j.label): j.response for j in junk}
    assert by_label[("non_finite", "nan [answer]")] == "<answer>nan</answer>"
    assert extract_answer(by_label[("constant", "True [answer]")]) == ("True", True)
    # the class prior: another entry's gold, most frequent first, never the item's own entry
    assert [j.response for j in junk if j.family == "other_gold"] == ["<answer>2 1\n1 2</answer>",
                                                                       "<answer>1 2\n2 1</answer>"]
    # a board with blanks is also copied back with the blanks filled
    assert by_label[("echo", "filled [answer]")] == "<answer>Fill the board:\n1 2\n2 1</answer>"


def test_math_and_mcq_items_get_boxed_answer_raw_and_hedges() -> None:
    math = from_row({"domain": "math", "reference": {"answer": "\\frac{1}{2}"}})
    junk = {(j.family, j.label): j.response for j in junk_answers(math, [math])}
    assert junk[("constant", "0 [boxed]")] == "\\boxed{0}" and junk[("constant", "0 [raw]")] == "0"
    assert junk[("gold", "gold [boxed]")] == "\\boxed{\\frac{1}{2}}"
    assert "hedge" in {family for family, _ in junk}
    mcq = from_row({"domain": "mcq", "reference": {"answer": "B", "choices": ["x", "y", "z"]}})
    hedges = {j.label: j.response for j in junk_answers(mcq, [mcq]) if j.family == "hedge"}
    assert hedges["letters"] == "A B C" and hedges["boxed_all"] == "\\boxed{A}\\boxed{B}\\boxed{C}"
    assert hedges["all_texts"] == "x\ny\nz"


def test_ifeval_item_gets_stuffing_and_prompt_echoes() -> None:
    item = from_row({"domain": "ifeval", "reference": {
        "prompt": "Write about the sea.", "instruction_id_list": ["keywords:existence"],
        "kwargs": [{"keywords": ["lighthouse", "storm"]}]}})
    junk = {(j.family, j.label): j.response for j in junk_answers(item, [item])}
    assert junk[("echo", "raw [raw]")] == "Write about the sea."
    assert junk[("stuffing", "keywords")].split() == ["lighthouse", "storm"] * 10
    assert junk[("stuffing", "filler_a")] == " ".join(["a"] * 50)
    assert "My answer is yes." in junk[("stuffing", "all_options")]


def test_code_programs_cover_every_code_family_for_stdin_and_call_problems() -> None:
    stdin = {"language": "python", "tests": {"inputs": ["1\n"], "outputs": ["1\n"]}}
    call = {"language": "python", "tests": {"inputs": [[1]], "outputs": [1], "fn_name": "solve"}}
    code_families = {"exit_early", "print_nothing", "print_input", "fake_equality", "read_tests", "print_constant",
                     "pathological"}
    for reference in (stdin, call):
        programs = code_programs(reference)
        assert {family for family, _, _ in programs} == code_families
        fenced = [text for _, label, text in programs if label.endswith("[fenced]")]
        assert all(extract_program(text) is not None for text in fenced)
        raw = [text for _, label, text in programs if label.endswith("[raw]")]
        assert raw and all(extract_program(text) is None for text in raw)  # unfenced: must not run at all
    assert all("def solve(" in text for _, label, text in code_programs(call)
               if label.endswith("[fenced]") and label.split()[0] not in ("pass", "spin", "huge_output", "memory_bomb"))


def test_every_family_is_produced_for_some_domain_and_pathological_is_optional() -> None:
    items = [
        *_rg_items(),
        from_row({"domain": "math", "reference": {"answer": "3"}, "prompt": "What is 1+2?"}),
        from_row({"domain": "mcq", "reference": {"answer": "A"}}),
        from_row({"domain": "ifeval", "reference": {"prompt": "p", "instruction_id_list": [], "kwargs": []}}),
        from_row({"domain": "code", "reference": {"tests": {"inputs": ["1"], "outputs": ["1"]}}}),
    ]
    items.append(from_row({"domain": "reasoning_gym", "reference": {"entry": {
        "question": "q", "answer": "Ann is a knight, and Bob is a knave", "metadata": {"source_dataset": "knights_knaves"}}}}))
    seen = set().union(*(_families(item, items) for item in items))
    assert seen == set(FAMILIES)
    assert "pathological" not in set().union(*(_families(item, items, pathological=False) for item in items))
    knights = junk_answers(items[-1], items)
    both = {j.label: j.response for j in knights if j.family == "contradiction"}
    assert both["both_roles_all [answer]"] == "<answer>Ann is a knight, Ann is a knave, Bob is a knight, " \
                                              "Bob is a knave</answer>"


def test_labels_are_unique_per_item_and_families_filter_keeps_the_gold_control() -> None:
    items = _rg_items()
    junk = junk_answers(items[0], items, families=frozenset({"non_finite"}))
    assert {j.family for j in junk} == {"gold", "non_finite"}
    labels = [(j.family, j.label) for j in junk_answers(items[0], items)]
    assert len(labels) == len(set(labels))


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=200))
def test_echo_variants_read_the_same_but_differ_as_text(question: str) -> None:
    variants = dict(echo_variants(question))
    assert variants["raw"] == question
    assert unicodedata.normalize("NFKC", variants["fullwidth"]) == question
    assert variants["fullwidth"] != question
    assert len(variants["homoglyph"]) == len(question)
    assert " ".join(variants["spacing"].replace("\u200b", "").split()) == " ".join(question.split())


def test_plan_gives_the_costly_family_to_the_first_items_of_each_task_only() -> None:
    from prorl.audit.run import plan

    items = _rg_items() + [from_row({"domain": "math", "reference": {"answer": str(i)}}) for i in range(3)]
    pairs = plan(items, pathological_items=1)
    costly = [item for item, junk in pairs if junk.family == "pathological"]
    assert {item.key for item in costly} == {items[0].key, items[3].key}
    assert {item.key for item, _ in pairs} == {item.key for item in items}
