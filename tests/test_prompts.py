"""CEP / AHP / CCP / student / reflection prompts and their exemplars (edit_ray/prompts/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import needs_shared_data

from edit_ray.answers import ANSWER_PHRASE, extract_answer, is_correct
from edit_ray.config import SYNTHETIC_TASKS
from edit_ray.data.loaders import parse_options
from edit_ray.data.synthetic import generate, gold_cot
from edit_ray.prompts import (
    GENERIC,
    HAND_WRITTEN,
    build_ahp_prompt,
    build_ccp_prompt,
    build_cep_prompt,
    build_minimal_rectify_prompt,
    build_reflection_prompt,
    build_student_prompt,
    exemplars_for,
    family,
)

REAL_MC = {"qid": "logical_deduction.three_objects/0", "task": "logical_deduction.three_objects",
           "input": "On a branch sit a crow, a robin and an owl. The owl is the rightmost. The crow is left of the "
                    "robin.\nOptions:\n(A) The crow is the leftmost.\n(B) The robin is the leftmost.\n"
                    "(C) The owl is the leftmost.",
           "choices": ["The crow is the leftmost.", "The robin is the leftmost.", "The owl is the leftmost."],
           "target": "(A)", "description": "A logical deduction task", "meta": "{}"}
UNKNOWN = {"qid": "mystery/0", "task": "mystery", "input": "What is 2 + 2?", "choices": None, "target": "4",
           "description": "", "meta": "{}"}

BBH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bigbench" / "bbh"
ALL_WRITTEN = [(name, i, ex) for name, exs in [("generic", GENERIC), *HAND_WRITTEN.items()] for i, ex in enumerate(exs)]


# ---------------------------------------------------------------------------------------- exemplars
@pytest.mark.parametrize("name, i, ex", ALL_WRITTEN, ids=[f"{n}-{i}" for n, i, _ in ALL_WRITTEN])
def test_written_exemplars_have_a_right_and_a_one_step_wrong_cot(name, i, ex):
    right, wrong = ex["cot"].split("\n"), ex["wrong"].split("\n")
    assert right[-1].startswith(ANSWER_PHRASE) and wrong[-1].startswith(ANSWER_PHRASE)
    a_right, a_wrong = extract_answer(ex["cot"]), extract_answer(ex["wrong"])
    assert a_right and a_wrong and a_right != a_wrong
    assert right[0] == wrong[0]  # the wrong CoT copies the right one up to its mistake
    parsed = parse_options(ex["q"])
    if parsed:  # multiple choice: both answers are options of the question
        letters = [f"({chr(65 + j)})" for j in range(len(parsed[1]))]
        assert a_right in letters and a_wrong in letters


def test_written_exemplar_answers_are_right_where_a_program_can_check():
    for ex in HAND_WRITTEN["word_sorting"]:
        words = ex["q"].split("List:")[1].split()
        assert extract_answer(ex["cot"]) == " ".join(sorted(words))
    pairs = {"(": ")", "[": "]", "{": "}", "<": ">"}
    for ex in HAND_WRITTEN["dyck_languages"]:
        stack = []
        for tok in ex["q"].split("Input:")[1].split():
            stack.append(tok) if tok in pairs else stack.pop()
        assert extract_answer(ex["cot"]) == " ".join(pairs[t] for t in reversed(stack))
    for ex in HAND_WRITTEN["navigate"]:
        for line in ex["cot"].split("\n"):
            m = re.search(r"(-?\d+) ([-+]) (\d+) = (-?\d+)", line)
            if m:
                a, op, b, v = m.groups()
                assert eval(f"{a} {op} {b}") == int(v)


@pytest.mark.parametrize("task", SYNTHETIC_TASKS)
def test_synthetic_families_take_generator_exemplars_that_are_correct(task):
    q = generate(task, 1, 1, seed=42)[0]
    exs = exemplars_for(q)
    assert len(exs) == 3 and all(ex["q"] != q["input"] for ex in exs)
    pool = {r["input"]: r for r in generate(task, 4, 1, seed=12345)}
    for ex in exs:
        row = pool[ex["q"]]
        assert ex["cot"] == gold_cot(row) and is_correct(extract_answer(ex["cot"]), row)
        assert not is_correct(extract_answer(ex["wrong"]), row)


def test_family_lookup():
    assert family("logical_deduction.seven_objects") == "logical_deduction"
    assert family("tracking_shuffled_objects.five_objects") == "tracking_shuffled_objects"
    assert family("multistep_arithmetic_two") == "multistep_arithmetic"
    assert exemplars_for(REAL_MC) == HAND_WRITTEN["logical_deduction"]
    assert exemplars_for(UNKNOWN) == GENERIC


@needs_shared_data(BBH)
def test_every_bbh_task_gets_task_exemplars_not_the_generic_fallback():
    # GENERIC is for unknown tasks; a BBH file landing on it means HAND_WRITTEN lacks its family.
    stems = sorted(f.stem for f in BBH.glob("*.json"))
    assert stems
    for stem in stems:
        fam = family(stem)
        assert fam in SYNTHETIC_TASKS or fam in HAND_WRITTEN, stem
        exs = exemplars_for({"task": stem, "input": ""})
        assert len(exs) == 3 and exs is not GENERIC, stem


# ------------------------------------------------------------------------------------------ prompts
@pytest.mark.parametrize("q", [REAL_MC, UNKNOWN, generate("date_arithmetic", 1, 1, 0)[0]], ids=["mc", "generic", "syn"])
def test_cep_prompt_structure(q):
    p = build_cep_prompt(q)
    first = p.split("\n")[0]
    assert first.endswith('Your response should conclude with the format "Therefore, the answer is".')
    assert first.startswith(q["description"] or "Answer the following question.")
    assert p.count("\nA: Let's think step by step.\n") == 4
    assert p.endswith(f"Q: {q['input']}\nA: Let's think step by step.\n")
    for ex in exemplars_for(q):
        assert f"Q: {ex['q']}\nA: Let's think step by step.\n{ex['cot']}\n\n" in p


@pytest.mark.parametrize("q", [REAL_MC, UNKNOWN, generate("tracking_shuffled_objects", 1, 1, 0)[0]],
                         ids=["mc", "generic", "syn"])
def test_ahp_prompt_is_the_cep_plus_hint_lines(q):
    p = build_ahp_prompt(q)
    hints = re.findall(r"^H: The correct answer is (.+)\.$", p, flags=re.MULTILINE)
    assert hints == [extract_answer(ex["cot"]) for ex in exemplars_for(q)] + [q["target"]]
    assert re.sub(r"^H: The correct answer is .+\.\n", "", p, flags=re.MULTILINE) == build_cep_prompt(q)


def test_ccp_prompt_structure():
    right = "The owl is the rightmost.\nThe crow is left of the robin, so the crow is leftmost.\n" \
            "Therefore, the answer is (A)."
    p = build_ccp_prompt(REAL_MC, right)
    assert p.startswith("Question Description: A logical deduction task\nYou need to complete the Wrong Response")
    assert p.count("Right Response: ") == 4 and p.count("Wrong Response:") == 4
    assert p.endswith(f"Q: {REAL_MC['input']}\nRight Response: {right}\nWrong Response:")
    for ex in exemplars_for(REAL_MC):
        assert f"Right Response: {ex['cot']}\nWrong Response: {ex['wrong']}\n\n" in p


def test_student_prompt_is_the_reference_format():
    assert build_student_prompt(REAL_MC) == f"Task Description:\nA logical deduction task\nQ:{REAL_MC['input']}\n\nA:"
    assert build_student_prompt(UNKNOWN) == "Task Description:\n\nQ:What is 2 + 2?\n\nA:"


def test_reflection_and_minimal_rectify_prompts():
    teacher = "2 + 2 = 4.\nTherefore, the answer is 4."
    wrong = ["2 + 2 = 5.\nTherefore, the answer is 5.", "2 + 2 = 22.\nTherefore, the answer is 22."]
    p = build_reflection_prompt(UNKNOWN, teacher, wrong)
    assert f"Reference solution:\n{teacher}\n" in p
    assert f"Your previous incorrect attempt 1:\n{wrong[0]}" in p and f"Your previous incorrect attempt 2:\n{wrong[1]}" in p
    assert "Question: What is 2 + 2?" in p and p.endswith("Rewritten solution:\n")
    assert f'"{ANSWER_PHRASE} 4."' in p
    with pytest.raises(ValueError):
        build_reflection_prompt(UNKNOWN, teacher, [])
    r = build_minimal_rectify_prompt(REAL_MC, "The robin is leftmost.\nTherefore, the answer is (B).")
    assert "The correct answer is (A)." in r and "Keep every correct step verbatim" in r
    assert "change as few words as possible" in r and r.endswith("Corrected solution:\n")
    assert "The robin is leftmost.\nTherefore, the answer is (B)." in r
