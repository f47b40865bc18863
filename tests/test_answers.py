"""Answer extraction and matching (edit_ray/answers.py): example tests and hypothesis properties."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edit_ray.answers import ANSWER_PHRASE, extract_answer, is_correct

MC = {"qid": "t/0", "task": "toy", "choices": ["red", "blue", "green"], "target": "(B)", "meta": "{}"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2.5 + 1 = 3.5. Therefore, the answer is 3.5.", "3.5"),
        ("Therefore, the answer is (A).\nWait.\nTherefore, the answer is (C).", "(C)"),
        ("Therefore, the answer is (B) blue. That is all.", "(B) blue"),
        ("So the answer is Yes.", "Yes"),
        ("Thus the answer is 12 apples.", "12 apples"),
        ("Answer: invalid", "invalid"),
        ("Therefore, the answer is: **valid**.", "valid"),
        ("Therefore, the answer is \\boxed{42}.", "42"),
        ("Therefore, the answer is -0.75", "-0.75"),
        ("Therefore, the answer is 1,234.", "1,234"),
        ("Step one.\nStep two gives (D)", "(D)"),
        ("no conclusion here", None),
        ("Therefore, the answer is", None),
        ("", None),
    ],
)
def test_extract_answer_examples(text, expected):
    assert extract_answer(text) == expected


def test_extract_answer_keeps_decimals_unlike_reference_cut_at_first_dot():
    assert extract_answer(f"{ANSWER_PHRASE} 3.14159.") == "3.14159"
    assert extract_answer(f"{ANSWER_PHRASE} 10.") == "10"


@pytest.mark.parametrize(
    "pred, ok",
    [("(B)", True), ("B", True), ("(B) blue", True), ("blue", True), ("Blue.", True), ("(A)", False),
     ("red", False), ("(A) blue", False), (None, False), ("", False)],
)
def test_is_correct_multiple_choice_by_letter_or_content(pred, ok):
    assert is_correct(pred, MC) is ok


def test_is_correct_accepts_every_correct_letter_of_multi_answer_rows():
    q = {**MC, "target": "(A)", "meta": json.dumps({"correct": ["(A)", "(C)"]})}
    assert is_correct("(C)", q) and is_correct("green", q) and not is_correct("(B)", q)


@pytest.mark.parametrize("pred, ok", [("12", True), ("12.0", True), ("12.5", False), ("twelve", True),
                                      ("13", False), ("1e1", False)])
def test_is_correct_numbers(pred, ok):
    assert is_correct(pred, {"task": "n", "choices": None, "target": "12", "meta": "{}"}) is ok


def test_is_correct_free_form_aliases_and_symbol_answers():
    q = {"task": "object_counting", "choices": None, "target": "3", "meta": json.dumps({"aliases": ["three"]})}
    assert is_correct("three", q) and is_correct("Three.", q) and not is_correct("four", q)
    dyck = {"task": "dyck_languages", "choices": None, "target": "] }", "meta": "{}"}
    assert is_correct("]}", dyck) and is_correct("] }", dyck) and not is_correct("} ]", dyck)
    words = {"task": "word_sorting", "choices": None, "target": "apple banana", "meta": "{}"}
    assert is_correct("Apple  banana", words) and not is_correct("banana apple", words)


def test_is_correct_formal_fallacies_uses_valid_invalid_semantics():
    q = {"task": "formal_fallacies_syllogisms_negation", "choices": ["valid", "invalid"], "target": "(B)",
         "meta": "{}"}
    assert is_correct("invalid", q) and is_correct("the argument is invalid", q) and is_correct("(B)", q)
    assert not is_correct("valid", q) and not is_correct("(A)", q)
    free = {"task": "formal_fallacies", "choices": None, "target": "valid", "meta": "{}"}
    assert is_correct("deductively valid", free) and not is_correct("invalid", free)


# ------------------------------------------------------------------------------------- properties
_answer_text = st.text(alphabet=string.ascii_letters + string.digits + " ()-,'", min_size=1, max_size=30).filter(
    lambda s: s.strip() and "answer" not in s.lower() and s.strip().strip("'") == s.strip())


@settings(max_examples=80, deadline=None)
@given(prefix=st.text(max_size=80), answer=_answer_text)
def test_property_extract_returns_what_follows_the_last_phrase(prefix, answer):
    text = f"{prefix}\n{ANSWER_PHRASE} {answer}."
    assert extract_answer(text) == answer.strip()


@settings(max_examples=80, deadline=None)
@given(x=st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False, allow_infinity=False))
def test_property_numbers_keep_their_decimals_and_match(x):
    s = str(x)
    assert extract_answer(f"We compute it. {ANSWER_PHRASE} {s}.") == s
    q = {"task": "n", "choices": None, "target": s, "meta": "{}"}
    assert is_correct(extract_answer(f"{ANSWER_PHRASE} {s}."), q)
    assert not is_correct(str(x + 1), q)


@settings(max_examples=60, deadline=None)
@given(choices=st.lists(st.text(alphabet=string.ascii_lowercase + " ", min_size=1, max_size=12)
                        .map(str.strip).filter(bool), min_size=2, max_size=8, unique=True),
       data=st.data())
def test_property_mc_exactly_one_letter_is_correct(choices, data):
    gold = data.draw(st.integers(0, len(choices) - 1))
    q = {"task": "toy", "choices": choices, "target": f"({string.ascii_uppercase[gold]})", "meta": "{}"}
    verdicts = [is_correct(f"({string.ascii_uppercase[i]})", q) for i in range(len(choices))]
    assert verdicts == [i == gold for i in range(len(choices))]
    assert is_correct(choices[gold], q)
