"""Synthetic BBH-style tasks with known gold steps (edit_ray/data/synthetic.py)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from edit_ray.answers import ANSWER_PHRASE, extract_answer, is_correct
from edit_ray.config import SYNTHETIC_TASKS
from edit_ray.data.synthetic import FAMILIES, classify_mistake, corrupt_cot, generate, gold_cot


def test_every_configured_task_has_a_generator():
    assert tuple(FAMILIES) == SYNTHETIC_TASKS


@pytest.mark.parametrize("task", SYNTHETIC_TASKS)
def test_generate_is_deterministic_and_follows_the_questions_schema(task):
    rows = generate(task, 5, 2, seed=11)
    assert rows == generate(task, 5, 2, seed=11)
    assert rows != generate(task, 5, 2, seed=12)
    assert [r["qid"] for r in rows] == [f"{task}/d2-{i}" for i in range(5)]
    for r in rows:
        assert set(r) == {"qid", "task", "split", "input", "choices", "target", "source", "description", "meta"}
        assert r["source"] == "synthetic" and r["task"] == task and r["input"] and r["target"]
        meta = json.loads(r["meta"])
        assert meta["difficulty"] == 2 and meta["steps"] == gold_cot(r).splitlines()[:-1]


@pytest.mark.parametrize("task", SYNTHETIC_TASKS)
@pytest.mark.parametrize("difficulty", [1, 4])
def test_gold_cot_is_one_step_per_line_and_reaches_the_target(task, difficulty):
    for q in generate(task, 15, difficulty, seed=5):
        cot = gold_cot(q)
        lines = cot.split("\n")
        assert lines[-1] == f"{ANSWER_PHRASE} {q['target']}."
        assert all(ln.strip() for ln in lines)
        assert is_correct(extract_answer(cot), q)


@pytest.mark.parametrize("task", SYNTHETIC_TASKS)
def test_corrupt_cot_diverges_at_one_step_and_ends_wrong(task):
    fam = FAMILIES[task]
    seen_types = set()
    for q in generate(task, 12, 2, seed=3):
        gold = gold_cot(q).split("\n")
        for mistake in (None, *fam.types):
            try:
                out = corrupt_cot(q, seed=9, mistake_type=mistake)
            except ValueError:
                assert mistake is not None  # with a free type choice a mistake always exists
                continue
            wrong = out["cot"].split("\n")
            k = out["step"]
            assert wrong[:k] == gold[:k] and wrong[k] != gold[k]
            assert wrong[-1] == f"{ANSWER_PHRASE} {out['answer']}."
            assert not is_correct(extract_answer(out["cot"]), q)
            assert out["mistake_type"] == (mistake or out["mistake_type"]) and out["mistake_type"] in fam.types
            assert classify_mistake(q, out["cot"]) == out["mistake_type"]
            assert corrupt_cot(q, seed=9, mistake_type=mistake) == out
            seen_types.add(out["mistake_type"])
    assert seen_types == set(fam.types)


def test_corrupted_arithmetic_propagates_the_wrong_value_consistently():
    q = generate("multistep_arithmetic", 1, 3, seed=1)[0]
    out = corrupt_cot(q, seed=0, mistake_type="calculation")
    # every later line must be arithmetically right given the numbers it uses
    for line in out["cot"].split("\n")[out["step"] + 1:-1]:
        a, op, b, v = re.search(r"= (-?\d+) ([-+*]) (-?\d+) = (-?\d+)\.$", line).groups()
        assert eval(f"({a}) {op} ({b})") == int(v)


def test_date_arithmetic_gold_matches_the_calendar():
    for q in generate("date_arithmetic", 20, 3, seed=2):
        spec = json.loads(q["meta"])["spec"]
        d = dt.date.fromisoformat(spec["start"])
        for sh in spec["shifts"]:
            days = sh["amount"] * (7 if sh["unit"] == "weeks" else 1)
            d += dt.timedelta(days=days if sh["later"] else -days)
        assert q["target"] == d.strftime("%m/%d/%Y")


def test_difficulty_adds_steps_for_ood_sets():
    for task in SYNTHETIC_TASKS:
        easy = sum(len(gold_cot(q).splitlines()) for q in generate(task, 10, 1, seed=0))
        hard = sum(len(gold_cot(q).splitlines()) for q in generate(task, 10, 4, seed=0))
        assert hard > easy, task


def test_tracking_shuffled_objects_is_multiple_choice_with_options():
    q = generate("tracking_shuffled_objects", 1, 3, seed=4)[0]
    assert len(q["choices"]) == 5 and q["input"].endswith("\n".join(
        f"({'ABCDE'[i]}) {c}" for i, c in enumerate(q["choices"])))
    assert re.fullmatch(r"\([A-E]\)", q["target"])


def test_classify_mistake_heuristics_for_free_form_wrong_cots():
    q = generate("multistep_arithmetic", 1, 1, seed=8)[0]
    gold = gold_cot(q).split("\n")
    # a changed result that no generator mistake produces: numbers differ, words equal -> calculation
    line = re.sub(r"= (-?\d+)\.$", lambda m: f"= {int(m.group(1)) + 100}.", gold[0])
    assert classify_mistake(q, "\n".join([line, *gold[1:]])) == "calculation"
    assert classify_mistake(q, "\n".join(["I have no idea what this is about at all.", *gold[1:]])) == "other"
    assert classify_mistake(q, gold_cot(q)) == "other"  # nothing differs
    real = {"qid": "x/0", "task": "x", "input": "q", "choices": None, "target": "1", "meta": "{}"}
    assert classify_mistake(real, "anything") == "other"


def test_unknown_task_and_unsupported_mistake_are_clear_errors():
    with pytest.raises(ValueError, match="unknown synthetic task"):
        generate("nope", 1, 1, 0)
    q = generate("web_of_lies", 1, 1, 0)[0]
    with pytest.raises(ValueError, match="supports mistake types"):
        corrupt_cot(q, 0, "calculation")
