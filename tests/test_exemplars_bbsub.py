"""Hand-written exemplars for the 54 BB-sub tasks (edit_ray/prompts/exemplars_bbsub.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import needs_shared_data

from edit_ray.answers import ANSWER_PHRASE, extract_answer
from edit_ray.data.loaders import load_path, parse_options
from edit_ray.prompts.exemplars_bbsub import BBSUB_HAND_WRITTEN

BBSUB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bigbench" / "bbsub"
needs_bbsub = needs_shared_data(BBSUB)

# The stems of bbsub/*.json (checked against the files when they are present).
BBSUB_TASKS = (
    "anachronisms", "analogical_similarity", "analytic_entailment", "checkmate_in_one", "code_line_description",
    "crash_blossom", "crass_ai", "discourse_marker_prediction", "emoji_movie", "empirical_judgments",
    "english_proverbs", "english_russian_proverbs", "entailed_polarity", "entailed_polarity_hindi",
    "epistemic_reasoning", "evaluating_information_essentiality", "fantasy_reasoning",
    "figure_of_speech_detection", "general_knowledge", "gre_reading_comprehension", "human_organs_senses",
    "identify_math_theorems", "identify_odd_metaphor", "implicit_relations", "irony_identification", "kannada",
    "known_unknowns", "logic_grid_puzzle", "logical_args", "logical_fallacy_detection", "logical_sequence",
    "mathematical_induction", "metaphor_boolean", "misconceptions", "moral_permissibility",
    "movie_dialog_same_or_different", "nonsense_words_grammar", "odd_one_out", "parsinlu_qa", "physics",
    "play_dialog_same_or_different", "presuppositions_as_nli", "riddle_sense", "sentence_ambiguity",
    "similarities_abstraction", "simple_ethical_questions", "social_iqa", "strategyqa",
    "swahili_english_proverbs", "swedish_to_german_proverbs", "timedial", "understanding_fables",
    "vitaminc_fact_verification", "winowhy",
)
# Most checkmate_in_one rows list more legal moves than there are letters, so the loader makes them free-form.
FREE_FORM = {"checkmate_in_one"}
# Tasks whose exemplars keep only the first line of a very long fixed instruction.
ABRIDGED_PREFIX = {"analogical_similarity"}

CASES = [(name, i, ex) for name, exs in BBSUB_HAND_WRITTEN.items() for i, ex in enumerate(exs)]


def _stem(text: str) -> str:
    parsed = parse_options(text)
    return parsed[0] if parsed else text


def test_every_bbsub_task_has_three_exemplars():
    assert len(BBSUB_TASKS) == 54
    assert sorted(BBSUB_HAND_WRITTEN) == sorted(BBSUB_TASKS)
    assert all(len(exs) == 3 for exs in BBSUB_HAND_WRITTEN.values())
    for exs in BBSUB_HAND_WRITTEN.values():
        assert len({ex["q"] for ex in exs}) == 3  # three different questions


@needs_bbsub
def test_the_tasks_are_the_bbsub_files():
    assert sorted(p.stem for p in BBSUB.glob("*.json")) == sorted(BBSUB_TASKS)


@pytest.mark.parametrize(("name", "i", "ex"), CASES, ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_exemplar_has_a_right_and_a_one_step_wrong_cot(name, i, ex):
    assert set(ex) == {"q", "cot", "wrong"}
    assert all(isinstance(ex[k], str) and ex[k].strip() == ex[k] and ex[k] for k in ex)
    right, wrong = ex["cot"].split("\n"), ex["wrong"].split("\n")
    assert all(line.strip() for line in right + wrong)  # one step per line, no blank lines
    a_right, a_wrong = extract_answer(ex["cot"]), extract_answer(ex["wrong"])
    assert a_right and a_wrong and a_right != a_wrong
    assert right[-1] == f"{ANSWER_PHRASE} {a_right}." and wrong[-1] == f"{ANSWER_PHRASE} {a_wrong}."
    # The wrong CoT copies the right one line for line except one step (not the first) and the answer.
    assert len(right) == len(wrong) >= 3 and right[0] == wrong[0]
    assert sum(r != w for r, w in zip(right[:-1], wrong[:-1])) == 1
    parsed = parse_options(ex["q"])
    if name in FREE_FORM:
        assert parsed is None
        return
    assert parsed, "multiple-choice question without 'Options:\\n(A) ...'"
    options = parsed[1]
    assert len(set(options)) == len(options) >= 2
    letters = [f"({chr(65 + j)})" for j in range(len(options))]
    assert a_right in letters and a_wrong in letters  # both answers are options of the question


@needs_bbsub
@pytest.mark.parametrize("name", BBSUB_TASKS)
def test_exemplars_are_shaped_like_the_task_rows_but_not_copied_from_them(name):
    rows, errors = load_path(str(BBSUB / f"{name}.json"))
    assert rows and not errors
    stems = [_stem(r["input"]) for r in rows]
    prefix = os.path.commonprefix(stems)
    suffix = os.path.commonprefix([s[::-1] for s in stems])[::-1]
    if name in ABRIDGED_PREFIX:
        prefix = prefix.split("\n")[0]
    multiple_choice = sum(bool(r["choices"]) for r in rows) > len(rows) / 2
    option_sets = {frozenset(r["choices"]) for r in rows if r["choices"]}
    for ex in BBSUB_HAND_WRITTEN[name]:
        stem = _stem(ex["q"])
        assert stem.startswith(prefix) and stem.endswith(suffix)
        assert (parse_options(ex["q"]) is not None) == multiple_choice
        if multiple_choice and len(option_sets) == 1:  # a task with one fixed set of answers uses the same
            assert frozenset(parse_options(ex["q"])[1]) == next(iter(option_sets))
        # Not copied: no real row has this question, unless it is a template that several rows share and
        # whose content is in the options ("Which of the following lists is correctly ordered ...?").
        assert ex["q"] not in {r["input"] for r in rows}
        assert stems.count(stem) != 1
