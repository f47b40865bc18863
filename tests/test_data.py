"""Dataset loaders, splits and `edit-ray data stats` (edit_ray/data/)."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import needs_shared_data

from edit_ray.answers import is_correct
from edit_ray.cli import data_stats_command
from edit_ray.config import DataConfig, SyntheticData
from edit_ray.data import QUESTIONS_SCHEMA, build_questions, load_questions
from edit_ray.data.loaders import load_path
from edit_ray.data.splits import assign_splits, split_sizes
from edit_ray.data.stats import data_stats

BIGBENCH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bigbench"
needs_bigbench = needs_shared_data(BIGBENCH)


def _write(path: Path, obj) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))
    return path


# ------------------------------------------------------------------------------ real BIG-bench data
@pytest.fixture(scope="module")
def real_stats():
    """`data stats --json` over bbh + bbsub, parsed (loads ~21k rows once for the module)."""
    return data_stats([str(BIGBENCH / "bbh"), str(BIGBENCH / "bbsub")])


@needs_bigbench
def test_data_stats_loads_every_bigbench_file_with_counts_equal_to_the_files(real_stats):
    expected = {}
    for f in sorted(BIGBENCH.glob("*/*.json")):
        expected[f.stem] = len(json.loads(f.read_text())["examples"])
    assert real_stats["errors"] == 0
    assert real_stats["ok"] == sum(expected.values())
    assert {t: c["ok"] for t, c in real_stats["tasks"].items()} == expected
    assert set(real_stats) == {"ok", "errors", "tasks"}
    assert all(set(c) == {"ok", "errors"} for c in real_stats["tasks"].values())


@needs_bigbench
def test_bigbench_multiple_choice_target_letter_points_at_the_top_scored_choice():
    src = BIGBENCH / "bbh" / "date_understanding.json"
    raw = json.loads(src.read_text())["examples"]
    questions, errors = load_path(str(src))
    assert errors == [] and len(questions) == len(raw)
    first_letters = Counter()
    for q in questions:
        i = int(q["qid"].split("/")[1])
        gold = q["choices"][string.ascii_uppercase.index(q["target"][1])]
        assert raw[i]["target_scores"][gold] == max(raw[i]["target_scores"].values())
        assert q["input"].endswith("\n".join(f"({string.ascii_uppercase[j]}) {c}" for j, c in enumerate(q["choices"])))
        assert "\nOptions:\n(A) " in q["input"]
        assert is_correct(q["target"], q) and is_correct(gold, q)
        first_letters[q["target"]] += 1
    # the file lists the correct date first in 364/369 rows; the seeded shuffle spreads it out
    assert first_letters["(A)"] < 0.4 * len(questions)
    again, _ = load_path(str(src))
    assert again == questions  # the shuffle is seeded by the qid: identical on every load


@needs_bigbench
def test_bigbench_free_form_prefix_and_many_option_tasks():
    qs, errs = load_path(str(BIGBENCH / "bbh" / "object_counting.json"))
    assert not errs and qs[0]["choices"] is None and qs[0]["target"] == "3"
    assert is_correct("three", qs[0]) and is_correct("3", qs[0])
    dyck, _ = load_path(str(BIGBENCH / "bbh" / "dyck_languages.json"))  # 84 options -> free-form
    assert dyck[0]["choices"] is None and dyck[0]["target"] == "] }"
    assert dyck[0]["input"].startswith("Complete the rest of the sequence")  # task_prefix kept
    ana, _ = load_path(str(BIGBENCH / "bbsub" / "anachronisms.json"))
    assert "Does the preceding sentence contain non-contemporaneous" in ana[0]["input"]  # question-like suffix
    # a question followed by an answer marker ("...?\nA: "): the question is kept, the marker is not
    ind, _ = load_path(str(BIGBENCH / "bbsub" / "mathematical_induction.json"))
    assert ind[0]["input"].split("\n")[-4] == ("Is this a correct induction argument (even though some of the "
                                               "assumptions may be incorrect)?")
    assert "\nA:" not in ind[0]["input"]


# ----------------------------------------------------------------------------------- bad input rows
def test_malformed_rows_become_errors_naming_file_row_and_field(tmp_path):
    f = _write(tmp_path / "toy.json", {"description": "toy", "examples": [
        {"input": "2+2?", "target_scores": {"4": 1, "5": 0}},          # 0 ok
        {"target_scores": {"a": 1}},                                   # 1 missing_input
        {"input": "q", "target_scores": {"a": 0, "b": 0}},             # 2 no_correct_choice
        {"input": "q", "target": ""},                                  # 3 empty_target
        {"input": 7, "target": "x"},                                   # 4 wrong_type
        {"input": "q", "target_scores": {"a": "1"}},                   # 5 wrong_type
        {"input": "name a colour", "target": ["red", "blue"]},         # 6 ok, free-form with aliases
    ]})
    res = load_questions([str(f)])
    assert len(res.questions) + len(res.errors) == 7
    assert [q["qid"] for q in res.questions] in (["toy/0", "toy/6"], ["toy/6", "toy/0"])
    reasons = {e["row_id"]: e["reason"] for e in res.errors}
    assert reasons == {f"{f}:1": "missing_input", f"{f}:2": "no_correct_choice", f"{f}:3": "empty_target",
                       f"{f}:4": "wrong_type", f"{f}:5": "wrong_type"}
    detail = {e["row_id"]: e["detail"] for e in res.errors}[f"{f}:4"]
    assert str(f) in detail and "row 4" in detail and "'input'" in detail
    assert all(e["stage"] == "data" for e in res.errors)
    free = next(q for q in res.questions if q["qid"] == "toy/6")
    assert is_correct("blue", free) and not is_correct("green", free)


def test_unreadable_paths_are_reported_and_stats_exit_nonzero(tmp_path, capsys):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    res = load_questions([str(bad), str(tmp_path / "missing.json")])
    assert res.questions == [] and [e["reason"] for e in res.errors] == ["unreadable_file", "unreadable_file"]
    assert "broken.json" in res.errors[0]["detail"] and "missing.json" in res.errors[1]["detail"]
    assert data_stats_command([str(bad)], as_json=True) == 1
    assert json.loads(capsys.readouterr().out) == {"ok": 0, "errors": 1, "tasks": {"broken": {"ok": 0, "errors": 1}}}


def test_hf_source_without_datasets_or_network_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    qs, errs = load_path("hf:nobody/no-such-dataset")
    assert qs == [] and len(errs) == 1 and errs[0]["reason"] == "unreadable_file"
    assert "hf:nobody/no-such-dataset" in errs[0]["detail"]
    assert ("pip install datasets" in errs[0]["detail"]) or ("cannot load" in errs[0]["detail"])


def test_hf_rows_map_like_jsonl_rows(monkeypatch):
    """The hf: path with a stand-in `datasets` module (no network here): ids, split and columns."""
    import types

    calls = []

    def load_dataset(name, split):
        calls.append((name, split))
        return [{"question": "Pick one", "choices": ["x", "y"], "answer": 1}, {"question": "", "answer": "z"}]

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    qs, errs = load_path("hf:org/quiz:validation")
    assert calls == [("org/quiz", "validation")]
    assert [(q["qid"], q["target"], q["source"]) for q in qs] == [("quiz/0", "(B)", "hf:org/quiz:validation")]
    assert [(e["row_id"], e["reason"]) for e in errs] == [("hf:org/quiz:validation:1", "missing_input")]


# ---------------------------------------------------------------------------------- other formats
def test_task_json_directories_with_subtasks_and_prefixes(tmp_path):
    root = tmp_path / "mytask"
    _write(root / "easy" / "task.json", {"task_prefix": "Answer briefly.\n", "description": "easy one",
                                         "examples": [{"input": "1+1?", "target": "2"}]})
    _write(root / "hard" / "task.json", {"examples": [{"input": "pick", "target_scores": {"x": 0, "y": 1}}]})
    res = load_questions([str(tmp_path)])
    assert res.errors == []
    by_task = {q["task"]: q for q in res.questions}
    assert set(by_task) == {"mytask.easy", "mytask.hard"}
    assert by_task["mytask.easy"]["input"] == "Answer briefly.\n1+1?"
    assert by_task["mytask.easy"]["description"] == "easy one"
    hard = by_task["mytask.hard"]
    _write(root / "task.json", {"examples": [{"input": "top", "target": "t"}]})  # a task with subtasks
    assert sorted(q["task"] for q in load_questions([str(root)]).questions) == ["mytask", "mytask.easy",
                                                                                 "mytask.hard"]
    assert hard["choices"] in (["x", "y"], ["y", "x"]) and hard["choices"][string.ascii_uppercase.index(hard["target"][1])] == "y"


def test_bbh_json_with_options_in_the_input(tmp_path):
    f = _write(tmp_path / "date_understanding.json", {"examples": [
        {"input": "Today is 01/02/2020. What is tomorrow?\nOptions:\n(A) 01/03/2020\n(B) 01/01/2020",
         "target": "(A)"},
        {"input": "Is it raining?", "target": "No"},
    ]})
    qs, errs = load_path(str(f))
    assert errs == []
    assert qs[0]["choices"] == ["01/03/2020", "01/01/2020"] and qs[0]["target"] == "(A)"
    assert qs[0]["input"].endswith("Options:\n(A) 01/03/2020\n(B) 01/01/2020")
    assert qs[1]["choices"] is None and qs[1]["target"] == "No"


def test_jsonl_and_parquet_question_answer_columns(tmp_path):
    jl = tmp_path / "mine.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in [
        {"question": "Capital of France?", "answer": "Paris", "task": "geo"},
        {"question": "2*3?", "answer": "B", "choices": ["5", "6"]},
        {"question": "Pick", "answer": "zebra", "choices": ["cat", "dog"]},
        {"answer": "x"},
    ]) + "\nnot json\n")
    qs, errs = load_path(str(jl))
    assert [q["qid"] for q in qs] == ["geo/0", "mine/1"]
    assert qs[1]["target"] == "(B)" and qs[1]["input"] == "2*3?\nOptions:\n(A) 5\n(B) 6"
    assert {e["row_id"]: e["reason"] for e in errs} == {f"{jl}:2": "no_correct_choice",
                                                        f"{jl}:3": "missing_input", f"{jl}:4": "wrong_type"}
    pqf = tmp_path / "tab.parquet"
    pq.write_table(pa.Table.from_pylist([{"question": "a or b?", "answer": "b", "choices": ["a", "b"]},
                                         {"question": "1+1", "answer": "2", "choices": None}]), pqf)
    qs, errs = load_path(str(pqf))
    assert errs == [] and qs[0]["target"] == "(B)" and qs[1]["target"] == "2" and qs[1]["choices"] is None


def test_same_qid_twice_is_a_duplicate_error(tmp_path):
    f = _write(tmp_path / "t.json", {"examples": [{"input": "q", "target": "a"}]})
    res = load_questions([str(f), str(f)])
    assert len(res.questions) == 1 and [e["reason"] for e in res.errors] == ["duplicate_qid"]


# ------------------------------------------------------------------------------------------ splits
def _rows(n_per_task: dict[str, int]) -> list[dict]:
    return [{"qid": f"{t}/{i}", "task": t, "split": ""} for t, n in n_per_task.items() for i in range(n)]


def test_split_is_per_task_four_to_one_seeded_and_disjoint():
    rows = _rows({"a": 250, "b": 187, "c": 5, "d": 1})
    out = assign_splits(rows, seed=42, train_fraction=0.8)
    again = assign_splits(rows, seed=42, train_fraction=0.8)
    other = assign_splits(rows, seed=7, train_fraction=0.8)
    assert out == again and out != other
    for task, n in {"a": 250, "b": 187, "c": 5, "d": 1}.items():
        c = Counter(q["split"] for q in out if q["task"] == task)
        assert (c["train"], c["test"]) == split_sizes(n, 0.8)
    assert split_sizes(250, 0.8) == (200, 50) and split_sizes(5, 0.8) == (4, 1) and split_sizes(1, 0.8) == (1, 0)
    train = {q["qid"] for q in out if q["split"] == "train"}
    test = {q["qid"] for q in out if q["split"] == "test"}
    assert not train & test and len(train | test) == len(rows)
    # adding a task never moves the split of another one
    more = assign_splits(rows + _rows({"e": 30}), seed=42, train_fraction=0.8)
    assert [q for q in more if q["task"] == "a"] == [q for q in out if q["task"] == "a"]


def test_split_fraction_and_cap_per_task():
    out = assign_splits(_rows({"a": 100, "b": 10}), seed=1, train_fraction=0.5, max_per_task=20)
    c = Counter((q["task"], q["split"]) for q in out)
    assert c == {("a", "train"): 10, ("a", "test"): 10, ("b", "train"): 5, ("b", "test"): 5}


def test_build_questions_combines_paths_and_synthetic_tasks(tmp_path):
    f = _write(tmp_path / "toy.json", {"examples": [{"input": f"q{i}", "target": str(i)} for i in range(10)]})
    cfg = DataConfig(paths=[str(f)], synthetic=SyntheticData(tasks=["web_of_lies", "object_counting"], n_per_task=5))
    res = build_questions(cfg, seed=3)
    assert res.errors == []
    assert Counter(q["task"] for q in res.questions) == {"toy": 10, "web_of_lies": 5, "object_counting": 5}
    assert {q["source"] for q in res.questions if q["task"] != "toy"} == {"synthetic"}
    assert Counter(q["split"] for q in res.questions if q["task"] == "toy") == {"train": 8, "test": 2}
    assert build_questions(cfg, seed=3).questions == res.questions
    table = pa.Table.from_pylist(res.questions, schema=QUESTIONS_SCHEMA)  # what the pipeline writes
    assert table.num_rows == 20 and table.schema.field("choices").type == pa.list_(pa.string())
    no_syn = build_questions(DataConfig(paths=[str(f)], synthetic=None), seed=3)
    assert len(no_syn.questions) == 10
    capped = build_questions(DataConfig(paths=[str(f)], synthetic=None, max_per_task=4), seed=3)
    assert len(capped.questions) == 4 and capped.capped == 6


def test_cli_data_stats_reports_bad_rows_and_exits_zero(tmp_path):
    f = _write(tmp_path / "toy.json", {"examples": [{"input": "q", "target": "a"}, {"input": "", "target": "b"}]})
    edit_ray = Path(sys.executable).with_name("edit-ray")
    proc = subprocess.run([str(edit_ray), "data", "stats", str(f), "--json"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"ok": 1, "errors": 1, "tasks": {"toy": {"ok": 1, "errors": 1}}}
    assert f"{f}: row 1: field 'input'" in proc.stderr


def test_data_stats_table_lists_each_task_and_the_total(tmp_path, capsys):
    a = _write(tmp_path / "a.json", {"examples": [{"input": "q", "target": "x"}] * 3})
    b = _write(tmp_path / "b.json", {"examples": [{"input": "q"}]})
    assert data_stats_command([str(a), str(b)]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows == [["task", "ok", "errors"], ["a", "3", "0"], ["b", "0", "1"], ["total", "3", "1"]]


def test_a_non_utf8_or_broken_jsonl_line_is_one_error_row(tmp_path):
    """One undecodable, one broken and one non-object line: three error rows naming their line; the rest load."""
    from edit_ray.data import load_questions

    jl = tmp_path / "mixed.jsonl"
    good = [json.dumps({"question": f"What is {i} + 1?", "answer": str(i + 1)}) for i in range(4)]
    jl.write_bytes(b"\n".join([good[0].encode(), b'{"question": "caf\xe9 \xff", "answer": "1"}', good[1].encode(),
                               b'{"question": ', good[2].encode(), b"[1, 2]", good[3].encode()]) + b"\n")
    res = load_questions([str(jl)], train_fraction=0.5)
    assert len(res.questions) == 4 and len(res.errors) == 3 and res.n_in == 7
    by_row = {e["row_id"]: e for e in res.errors}
    assert set(by_row) == {f"{jl}:1", f"{jl}:3", f"{jl}:5"}
    assert "not UTF-8" in by_row[f"{jl}:1"]["detail"] and "not valid JSON" in by_row[f"{jl}:3"]["detail"]
    assert "not an object" in by_row[f"{jl}:5"]["detail"]
