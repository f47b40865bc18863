"""Teacher stages end to end with the program teacher on synthetic tasks (real Ray Data), the CEP retry
loop, AHP/CCP verification, pair bookkeeping, bad-input rows, and kill -9 + resume in a subprocess."""

from __future__ import annotations

from collections import Counter

import pytest

from edit_ray import io
from edit_ray.answers import ANSWER_PHRASE, extract_answer, is_correct
from edit_ray.config import DualConfig, load_config

PROGRAM = [
    "teacher.engine.kind=program",
    "teacher.engine.program_error_rate=0.4",
    "teacher.engine.program_format_error_rate=0.3",
    "teacher.engine.batch_size=8",
    "teacher.samples_per_question=2",
    "teacher.max_attempts=2",
    "teacher.part_rows=8",
    "data.synthetic.n_per_task=4",
    "data.train_fraction=0.75",
]


def _write_questions(cfg, run_dir, extra=()):
    from edit_ray.data import build_questions

    res = build_questions(cfg.data, cfg.run.seed)
    io.write_table(list(res.questions) + list(extra), io.join(run_dir, "data", "questions.parquet"))
    return [q for q in res.questions if q["split"] == "train"]


EMPTY_Q = {"qid": "broken/0", "task": "broken", "split": "train", "input": "   ", "choices": None, "target": "1",
           "source": "test", "description": "", "meta": "{}"}


@pytest.fixture(scope="module")
def program_run(ray_local, tmp_path_factory):
    run_dir = str(tmp_path_factory.mktemp("program_run"))
    cfg = load_config(None, [*PROGRAM, f"run.dir={run_dir}"])
    train = _write_questions(cfg, run_dir, extra=[EMPTY_Q])
    from edit_ray.teacher.stage import run_dual, run_teacher

    teacher = run_teacher(cfg, run_dir)
    dual = run_dual(cfg, run_dir)
    qs = {q["qid"]: q for q in io.read_rows(io.join(run_dir, "data", "questions.parquet"))}
    return {"cfg": cfg, "dir": run_dir, "train": train, "teacher": teacher, "dual": dual, "questions": qs}


def test_cep_counts_reconcile_and_split(program_run):
    t, run_dir = program_run["teacher"], program_run["dir"]
    n_train = len(program_run["train"]) + 1  # + the empty question
    assert t["in"] == 2 * n_train
    cots = io.read_rows(io.join(run_dir, "teacher", "cots.parquet"))
    errors = io.read_rows(io.join(run_dir, "teacher", "errors.parquet"))
    assert (t["ok"], t["errors"]) == (len(cots), len(errors))
    assert len(cots) + len(errors) == t["in"]
    ids = [r["row_id"] for r in cots + errors]
    assert len(ids) == len(set(ids))
    qs = program_run["questions"]
    for c in cots:  # D+/D- split agrees with the scorer, and every kept CoT has the answer phrase
        assert ANSWER_PHRASE in c["text"]
        assert c["correct"] == is_correct(extract_answer(c["text"]), qs[c["qid"]])
    assert t["d_plus"] == sum(c["correct"] for c in cots) > 0
    assert t["d_minus"] == sum(not c["correct"] for c in cots) > 0


def test_cep_samples_have_distinct_seeds(program_run):
    cots = io.read_rows(io.join(program_run["dir"], "teacher", "cots.parquet"))
    by_q: dict[str, list[int]] = {}
    for c in cots:
        if c["attempts"] == 1:
            by_q.setdefault(c["qid"], []).append(c["seed"])
    assert any(len(s) == 2 for s in by_q.values())
    assert all(len(set(s)) == len(s) for s in by_q.values())


def test_cep_retry_raises_temperature_then_gives_up(program_run):
    cfg = program_run["cfg"]
    cots = io.read_rows(io.join(program_run["dir"], "teacher", "cots.parquet"))
    errors = io.read_rows(io.join(program_run["dir"], "teacher", "errors.parquet"))
    retried = [c for c in cots if c["attempts"] == 2]
    assert retried, "format errors at rate 0.3 must trigger some retries"
    base = cfg.teacher.engine.temperature
    assert all(c["temperature"] == pytest.approx(base + cfg.teacher.temperature_step) for c in retried)
    assert all(c["temperature"] == pytest.approx(base) for c in cots if c["attempts"] == 1)
    gave_up = [e for e in errors if e["reason"] == "no_answer_phrase"]
    assert gave_up and all(e["attempts"] == cfg.teacher.max_attempts for e in gave_up)


def test_empty_question_becomes_error_rows(program_run):
    errors = io.read_rows(io.join(program_run["dir"], "teacher", "errors.parquet"))
    empty = sorted(e["row_id"] for e in errors if e["reason"] == "empty_question")
    assert empty == ["broken/0:cep:0", "broken/0:cep:1"]
    assert all(e["stage"] == "teacher" for e in errors)


def test_dual_counts_reconcile(program_run):
    t, d, run_dir = program_run["teacher"], program_run["dual"], program_run["dir"]
    assert d["rectified_ok"] + d["rectified_failed"] == t["d_minus"]
    assert d["corrupted_ok"] + d["corrupted_failed"] == t["d_plus"]
    pairs = io.read_rows(io.join(run_dir, "dual", "pairs.parquet"))
    sft = io.read_rows(io.join(run_dir, "dual", "sft.parquet"))
    assert len(pairs) == d["ok"] == d["rectified_ok"] + d["corrupted_ok"]  # no distance filter by default
    assert Counter(p["origin"] for p in pairs) == {"dual+": d["corrupted_ok"], "dual-": d["rectified_ok"]}
    assert len({p["pair_id"] for p in pairs}) == len(pairs)
    assert len(sft) == d["sft"] == t["d_plus"] + d["rectified_ok"]
    assert d["rectified_ok"] > 0 and d["corrupted_ok"] > 0


def test_every_ahp_verified_correct_and_every_ccp_wrong(program_run):
    qs = program_run["questions"]
    dual = io.read_rows(io.join(program_run["dir"], "dual", "cots.parquet"))
    assert {r["kind"] for r in dual} == {"ahp", "ccp"}
    for r in dual:
        answer = extract_answer(r["text"])
        assert answer is not None
        assert is_correct(answer, qs[r["qid"]]) == (r["kind"] == "ahp"), r["row_id"]
    for p in io.read_rows(io.join(program_run["dir"], "dual", "pairs.parquet")):
        q = qs[p["qid"]]
        assert is_correct(extract_answer(p["chosen"]), q) and not is_correct(extract_answer(p["rejected"]), q)
        assert 0 < p["distance"] < 1 and p["similarity"] == pytest.approx(1 - p["distance"])


def test_max_distance_filter_turns_pairs_into_errors(program_run):
    from edit_ray.teacher.dual import build_pairs

    run_dir = program_run["dir"]
    cep = io.read_rows(io.join(run_dir, "teacher", "cots.parquet"))
    dual = io.read_rows(io.join(run_dir, "dual", "cots.parquet"))
    qs = program_run["questions"]
    distances = sorted(p["distance"] for p in io.read_rows(io.join(run_dir, "dual", "pairs.parquet")))
    cut = distances[len(distances) // 2]
    pairs, far = build_pairs(cep, dual, qs, DualConfig(max_distance=cut))
    assert len(pairs) + len(far) == len(dual)
    assert len(far) == sum(x > cut for x in distances) > 0
    assert all(e["reason"] == "too_distant" for e in far) and all(p["distance"] <= cut for p in pairs)


def test_rerun_is_a_no_op_with_same_outputs(program_run):
    from edit_ray.teacher.stage import run_teacher

    before = io.read_rows(io.join(program_run["dir"], "teacher", "cots.parquet"))
    again = run_teacher(program_run["cfg"], program_run["dir"])
    assert again["ok"] == program_run["teacher"]["ok"]
    assert io.read_rows(io.join(program_run["dir"], "teacher", "cots.parquet")) == before


# ----------------------------------------------------------------------------------- kill -9 + resume
def _assert_resumed_from_parts(before: dict[str, list[str]], parts_dir) -> None:
    """The killed run's part files are kept as they were, and the resumed run wrote only rows they lack."""
    from tests_support import part_rows

    after = part_rows(parts_dir)
    assert {name: after[name] for name in before} == before
    done = {r for rows in before.values() for r in rows}
    new = [r for name in set(after) - set(before) for r in after[name]]
    assert new and not done & set(new) and len(new) == len(set(new))


def test_kill_and_resume_of_cep_and_the_dual_stage_give_the_uninterrupted_rows(ray_local, tmp_path):
    """kill -9 of the driver in the middle of CEP, then of AHP/CCP: each re-run keeps the rows written before
    the kill, generates only the others, and ends with the rows of an uninterrupted run."""
    from tests_support import kill_stage_when_parts_appear

    from edit_ray.teacher.stage import run_dual, run_teacher

    overrides = [*PROGRAM, "teacher.part_rows=4", "teacher.engine.batch_size=4"]
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    cfg_killed = load_config(None, [*overrides, f"run.dir={killed}"])
    cfg_clean = load_config(None, [*overrides, f"run.dir={clean}"])
    _write_questions(cfg_killed, str(killed))
    _write_questions(cfg_clean, str(clean))
    slow = [*overrides, f"run.dir={killed}", "teacher.engine.program_delay_s=1.0"]  # execution-only: same rows
    gcs = ray_local.get_runtime_context().gcs_address

    for stage, run in (("teacher", run_teacher), ("dual", run_dual)):
        parts_dir = killed / stage / "parts" / "ok"
        before = kill_stage_when_parts_appear(f"edit_ray.teacher.stage:run_{stage}", gcs, slow, parts_dir)
        assert not (killed / stage / "cots.parquet").exists(), "killed before the end"
        resumed = run(cfg_killed, str(killed))
        _assert_resumed_from_parts(before, parts_dir)
        uninterrupted = run(cfg_clean, str(clean))
        assert resumed == uninterrupted
        rows_k, rows_c = (io.read_rows(str(d / stage / "cots.parquet")) for d in (killed, clean))
        assert len(rows_k) == len({r["row_id"] for r in rows_k}) == len(rows_c)
        assert [(r["row_id"], r["text"]) for r in rows_k] == [(r["row_id"], r["text"]) for r in rows_c]
        errs_k, errs_c = (io.read_rows(str(d / stage / "errors.parquet")) for d in (killed, clean))
        assert sorted(e["row_id"] for e in errs_k) == sorted(e["row_id"] for e in errs_c)


def test_generate_command_prints_counts_and_yield(ray_local, tmp_path, capsys):
    import json

    from edit_ray.cli import generate_command

    cfg = load_config(None, [*PROGRAM, f"run.dir={tmp_path}", "data.synthetic.tasks=[boolean_expressions]",
                             "data.synthetic.n_per_task=4"])
    assert generate_command(cfg, as_json=True) == 0
    out = json.loads(capsys.readouterr().out)  # stdout holds only the JSON; count lines go to stderr
    n_train = sum(q["split"] == "train" for q in io.read_rows(io.join(str(tmp_path), "data", "questions.parquet")))
    assert out["questions"] == n_train
    assert out["cep_ok"] + out["cep_errors"] == 2 * n_train
    assert out["d_plus"] + out["d_minus"] == out["cep_ok"]
    assert out["rectified_ok"] + out["rectified_failed"] == out["d_minus"]
    assert out["corrupted_ok"] + out["corrupted_failed"] == out["d_plus"]
    assert out["pairs"] == out["rectified_ok"] + out["corrupted_ok"]
    assert out["yield"] == pytest.approx(round(out["pairs"] / (2 * n_train), 4))


def test_a_corrupt_part_is_set_aside_and_only_its_rows_are_redone(tmp_path, capsys):
    from edit_ray.teacher import parts

    d = str(tmp_path / "parts")
    parts.write_part(d, [{"row_id": "a", "text": "x"}], [])
    parts.write_part(d, [{"row_id": "b", "text": "y"}], [])
    newest = max((tmp_path / "parts" / "ok").iterdir())
    newest.write_bytes(newest.read_bytes()[:20])  # cut short, as a full disk or a bad copy leaves it
    assert parts.done_row_ids(d) == {"a"}  # b's part no longer counts: b is generated again
    assert (newest.parent / (newest.name + ".corrupt")).exists() and not newest.exists()
    assert f"{newest} is unreadable" in capsys.readouterr().out
    parts.write_part(d, [{"row_id": "b", "text": "y"}], [])
    ok, errors = parts.read_parts(d)
    assert sorted(r["row_id"] for r in ok) == ["a", "b"] and errors == []
