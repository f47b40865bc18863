"""The one generate-check-regenerate loop (``teacher.retry``) behind CEP, AHP/CCP, ORION reflection and
minimal rectification: its seed and temperature schedule, the part store it streams into (a rectification
re-run regenerates only the rows without a finished part), and engine errors that fail at once.

Real parts only: the program teacher and the HTTP engine run through real Ray Data. The HTTP engine here
has no server behind it (``base_url`` points at a closed port) and needs none: with the tiny model's
tokenizer and ``max_model_len=64`` every prompt is ``prompt_too_long`` in the engine's own row check, and
such rows never reach the request stage.
"""

from __future__ import annotations

import os

import pytest

from edit_ray import io
from edit_ray.config import load_config
from edit_ray.data import synthetic
from edit_ray.engines import sample_seed
from edit_ray.orion import mistakes, rectify, reflect
from edit_ray.teacher import parts, retry

TASKS = ("multistep_arithmetic", "date_arithmetic", "boolean_expressions", "object_counting")


def _questions(n: int = 2) -> list[dict]:
    return [{**q, "split": "train"} for t in TASKS for q in synthetic.generate(t, n, 1, seed=7)]


def _exposed(qs: list[dict]) -> list[dict]:
    """One wrong 'student' CoT per question (a known injected mistake), as exposure writes them."""
    rows = []
    for j, q in enumerate(qs):
        text = synthetic.corrupt_cot(q, seed=j)["cot"]
        rows.append({"qid": q["qid"], "row_id": f"{q['qid']}:expose:0", "sample": 0, "task": q["task"], "prompt": "p",
                     "text": text, "answer": None, "target": q["target"], "truncated": False, "n_tokens": 1,
                     "seed": 0, "mistake_type": mistakes.classify(q, text)})
    return rows


class EngineCalls:
    """Wraps ``retry.generate_batches`` (the real engine) and records the row ids of every engine pass."""

    def __init__(self, monkeypatch):
        self.passes: list[list[str]] = []
        real = retry.generate_batches

        def counted(rows, engine, batch_rows):
            self.passes.append(sorted(r["row_id"] for r in rows))
            return real(rows, engine, batch_rows)

        monkeypatch.setattr(retry, "generate_batches", counted)

    @property
    def rows(self) -> list[str]:
        return sorted(i for p in self.passes for i in p)


# --------------------------------------------------------------------------------------------- pure
def test_temperature_schedule_rises_per_retry_and_never_lowers_a_base_above_the_cap():
    got = [retry.attempt_temperature(0.7, a, 0.1, 1.0) for a in range(1, 6)]
    assert got == pytest.approx([0.7, 0.8, 0.9, 1.0, 1.0])
    assert [retry.attempt_temperature(1.5, a, 0.1, 1.0) for a in (1, 2, 3)] == [1.5, 1.5, 1.5]
    assert retry.attempt_temperature(0.0, 4, 0.0, 2.0) == 0.0


def test_engine_settings_leave_out_execution_only_values():
    cfg = load_config(None, ["teacher.engine.kind=program"])
    a = retry.engine_settings(cfg.teacher.engine)
    b = retry.engine_settings(cfg.teacher.engine.model_copy(update={"batch_size": 3, "program_delay_s": 0.5}))
    assert a == b and "batch_size" not in a and a["kind"] == "program"
    assert retry.engine_settings(cfg.teacher.engine.model_copy(update={"temperature": 0.9})) != a


def test_several_attempts_per_pass_give_the_rows_of_the_sequential_loop_in_fewer_passes(ray_local, tmp_path):
    """CEP with the program teacher leaving out the answer sentence half the time (so rows need 1, 2, 3 or
    more attempts): 3 attempts per engine pass finish exactly the rows, attempts and errors of the sequential
    loop (one attempt per pass), which is the reference, in at most 2 passes instead of up to 5."""
    from edit_ray.teacher.cep import cep_rows, cot_row, has_answer_phrase

    cfg = load_config(None, ["teacher.engine.kind=program", "teacher.engine.program_format_error_rate=0.5",
                             "teacher.max_attempts=5", "teacher.samples_per_question=2"])
    rows, _ = cep_rows(_questions(3), cfg.teacher)
    rows.append({**rows[0], "row_id": "empty:cep:0", "prompt": " "})  # fails at once (empty_prompt), never retried
    out = {}
    for per_pass in (1, 3):
        cfg.teacher.attempts_per_pass = per_pass
        parts_dir = str(tmp_path / f"per-pass-{per_pass}")
        counts = retry.generate_with_retries(
            rows, cfg.teacher.engine, check=has_answer_phrase, finish=lambda r, a: cot_row(r, a, "program"),
            stage="teacher", parts_dir=parts_dir, **retry.loop_settings(cfg, cfg.teacher.max_attempts))
        out[per_pass] = (counts, *parts.read_parts(parts_dir))
    (seq_counts, seq_ok, seq_err), (counts, ok, err) = out[1], out[3]
    by_id = lambda rs: sorted(rs, key=lambda r: r["row_id"])
    assert by_id(ok) == by_id(seq_ok) and by_id(err) == by_id(seq_err)
    attempts = [r["attempts"] for r in seq_ok] + [e["attempts"] for e in seq_err]
    assert max(attempts) >= 3 and seq_counts["passes"] == max(attempts)  # the retries were exercised
    assert counts["passes"] == (2 if max(attempts) > 3 else 1) < seq_counts["passes"]
    assert (counts["ok"], counts["errors"]) == (seq_counts["ok"], seq_counts["errors"]) == (len(ok), len(err))
    assert len(ok) + len(err) == len(rows)
    assert [(e["reason"], e["attempts"]) for e in err if e["row_id"] == "empty:cep:0"] == [("empty_prompt", 1)]


# ------------------------------------------------------------------------------ resumable rectification
def test_rectify_rerun_regenerates_only_rows_without_a_finished_part(ray_local, tmp_path, monkeypatch):
    qs = _questions()
    exposed = _exposed(qs)
    gold = {q["qid"]: synthetic.gold_cot(q) for q in qs}
    # the program teacher rectifies to the gold CoT whatever the seed: rows farther than the cap are too_far
    # on every attempt (2 engine calls each), the others verify on the first (1 call)
    dist = sorted(rectify.normalized_distance(gold[e["qid"]], e["text"]) for e in exposed)
    cut = (dist[len(dist) // 2 - 1] + dist[len(dist) // 2]) / 2
    cfg = load_config(None, [f"run.dir={tmp_path / 'run'}", "teacher.engine.kind=program", "teacher.part_rows=2",
                             "teacher.engine.batch_size=2", f"orion.max_rectify_distance={cut}",
                             "dual.max_verify_attempts=2"])
    out = str(tmp_path / "rectify")
    calls = EngineCalls(monkeypatch)
    first = rectify.rectify(cfg, qs, exposed, out)
    ids = sorted(f"{q['qid']}:rectify_min:0" for q in qs)
    n_ok, n_far = sum(d <= cut for d in dist), sum(d > cut for d in dist)
    assert (first["in"], first["ok"], first["errors"]) == (len(qs), n_ok, n_far) and n_ok and n_far
    assert first["reasons"] == {"too_far": n_far}
    assert len(calls.passes) == 2 and calls.passes[0] == ids and len(calls.passes[1]) == n_far
    files = {name: io.read_rows(io.join(out, name)) for name in ("cots.parquet", "pairs.parquet", "errors.parquet")}
    for c in files["cots.parquet"]:  # the seed rule of every caller: sample_seed(run seed, row, attempt index)
        assert c["attempts"] == 1 and c["seed"] == sample_seed(cfg.run.seed, c["row_id"], 0)
    assert all(e["attempts"] == 2 for e in files["errors.parquet"])

    # "kill" the run: the final files and the parts of one ok row and one error row are gone
    parts_dir = io.join(out, "parts")
    ok, errors = parts.read_parts(parts_dir)
    lost = {ok[0]["row_id"], errors[0]["row_id"]}
    for sub in ("ok", "errors"):
        for f in os.listdir(os.path.join(parts_dir, sub)):
            os.remove(os.path.join(parts_dir, sub, f))
    parts.write_part(parts_dir, [r for r in ok if r["row_id"] not in lost], [e for e in errors if e["row_id"] not in lost])
    for name in files:
        os.remove(os.path.join(out, name))

    calls.passes.clear()
    again = rectify.rectify(cfg, qs, exposed, out)
    assert calls.passes == [sorted(lost), [errors[0]["row_id"]]]  # only the lost rows; the error one retried
    assert {k: again[k] for k in ("in", "ok", "errors", "reasons")} == \
        {k: first[k] for k in ("in", "ok", "errors", "reasons")}
    assert {name: io.read_rows(io.join(out, name)) for name in files} == files  # the same rows, same order

    # a finished run re-runs no row; another config clears the parts and regenerates every row
    calls.passes.clear()
    rectify.rectify(cfg, qs, exposed, out)
    assert calls.passes == []
    wider = cfg.model_copy(update={"orion": cfg.orion.model_copy(update={"max_rectify_distance": 1.0})})
    assert rectify.rectify(wider, qs, exposed, out)["ok"] == len(qs)
    assert calls.passes == [ids]


# ------------------------------------------------------------------------- prompt_too_long at once
@pytest.fixture(scope="module")
def http_cfg(tmp_path_factory, tiny_model_dir):
    run_dir = tmp_path_factory.mktemp("too_long") / "run"
    return load_config(None, [
        f"run.dir={run_dir}", "teacher.engine.kind=http", f"teacher.engine.model={tiny_model_dir}",
        "teacher.engine.base_url=http://127.0.0.1:9/v1", "teacher.engine.max_model_len=64",
        "teacher.engine.max_retries=0", "teacher.engine.timeout_s=5", "teacher.max_attempts=3",
        "teacher.samples_per_question=2", "dual.max_verify_attempts=3", "orion.reflect_with=teacher"])


def _run_caller(kind: str, cfg, qs: list[dict]) -> tuple[dict, list[dict]]:
    """Run one caller of the loop on ``qs``; return its counts and its error rows."""
    from edit_ray.teacher.stage import run_dual, run_teacher

    run_dir = cfg.run.dir
    io.write_table(qs, io.join(run_dir, "data", "questions.parquet"))
    exposed = _exposed(qs)
    gold_cots = [{"row_id": f"{q['qid']}:cep:0", "qid": q["qid"], "kind": "cep", "sample": 0,
                  "text": synthetic.gold_cot(q), "answer": q["target"], "correct": True, "error": None} for q in qs]
    match kind:
        case "cep":
            return run_teacher(cfg, run_dir), io.read_rows(io.join(run_dir, "teacher", "errors.parquet"))
        case "ahp_ccp":
            wrong = [{**c, "row_id": c["row_id"][:-1] + "1", "sample": 1, "text": e["text"], "correct": False}
                     for c, e in zip(gold_cots, exposed)]
            io.write_table(gold_cots + wrong, io.join(run_dir, "teacher", "cots.parquet"))
            return run_dual(cfg, run_dir), io.read_rows(io.join(run_dir, "dual", "errors.parquet"))
        case "reflect":
            out = io.join(run_dir, "reflect")
            return reflect.reflect(cfg, qs, gold_cots, exposed, out), io.read_rows(io.join(out, "errors.parquet"))
        case "rectify":
            out = io.join(run_dir, "rectify")
            return rectify.rectify(cfg, qs, exposed, out), io.read_rows(io.join(out, "errors.parquet"))
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["cep", "ahp_ccp", "reflect", "rectify"])
def test_prompt_too_long_fails_at_once_for_every_caller(ray_local, http_cfg, monkeypatch, kind):
    qs = _questions(1)
    calls = EngineCalls(monkeypatch)
    counts, errors = _run_caller(kind, http_cfg, qs)
    assert len(calls.passes) == 1, "a prompt_too_long row was retried"
    assert len(errors) == len(calls.passes[0]) > 0 and counts["ok"] == 0
    assert {e["reason"] for e in errors} == {"prompt_too_long"}
    assert all(e["attempts"] == 1 and "max_model_len" in e["detail"] for e in errors)
