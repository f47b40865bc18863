"""The resumable pipeline (edit_ray/pipeline.py and the step runner, edit_ray/steps.py): manifests, skip,
resume, --from, execution-only settings, and one real tiny run.

The first group replaces the step functions with small recorders (the one injection point of
run_pipeline) to pin the manifest logic in milliseconds. The last group runs the real stages end to end
on a tiny model: program teacher, 2 synthetic tasks, 1-2 training steps per stage, a few eval questions.
"""

from __future__ import annotations

import glob
import json
import os

import pyarrow as pa
import pytest

from edit_ray import io, pipeline
from edit_ray.config import STAGES, load_config
from edit_ray.data.stage import run_data
from edit_ray.models import resolve

# The steps a non-ORION method runs (exposure and reflect are ORION's, recorded as not run).
RUN = [s for s in STAGES if s not in ("exposure", "reflect")]


# ------------------------------------------------------------------------------ recorder stages
def recorder_stages(calls: list[str], fail_in: set[str] | None = None) -> dict:
    """Stage functions that write their done-artifact (resuming from rows already there) and log calls."""

    def make(stage: str):
        def fn(cfg, run_dir):
            calls.append(stage)
            path = io.join(run_dir, pipeline.STEP[stage].done)
            if stage in ("sft", "krsl"):  # a model directory
                io.write_json({"stage": stage}, io.join(path, "config.json"))
                return {"steps": 2}
            if stage == "report":
                fs, p = io.filesystem(path)
                with fs.open_output_stream(p) as f:
                    f.write(b"# report\n")
                return {}
            done = io.read_rows(path) if io.exists(path) else []
            have = {r["row_id"] for r in done}
            rows = done + [{"row_id": f"{stage}:{i}"} for i in range(4) if f"{stage}:{i}" not in have]
            if fail_in and stage in fail_in:
                io.write_table(rows[:2], path)  # half the rows, then the "kill"
                raise KeyboardInterrupt(f"killed in {stage}")
            io.write_table(rows, path)
            return {"in": 4, "ok": 4, "errors": 0, "resumed_rows": len(done)}

        return fn

    return {s: make(s) for s in STAGES}


def manifests(run_dir: str) -> dict[str, dict]:
    return {s: pipeline.read_manifest(run_dir, s) for s in STAGES}


@pytest.fixture
def cfg(tmp_path):
    return load_config(None, [f"run.dir={tmp_path / 'run'}"])


def test_fresh_run_writes_config_and_a_done_manifest_per_stage(cfg):
    calls: list[str] = []
    report = pipeline.run_pipeline(cfg, stages=recorder_stages(calls))
    run_dir = cfg.run.dir
    assert calls == RUN
    assert report == io.join(run_dir, "report.md") and io.exists(report)
    assert load_config(io.join(run_dir, "config.yaml")) == cfg
    m = manifests(run_dir)
    assert all(m[s]["status"] == "done" for s in STAGES)
    assert m["teacher"]["counts"] == {"in": 4, "ok": 4, "errors": 0, "resumed_rows": 0}
    assert m["krsl"]["counts"] == {"steps": 2}
    # krsl reads the sft model and the masks, and in ORION modes the questions and dual CoTs too
    assert set(m["krsl"]["inputs"]["upstream"]) == {"data", "dual", "sft", "masks"}
    assert m["krsl"]["inputs"]["config"]["krsl"]["beta"] == 0.025
    assert "krsl.beta" not in m["masks"]["inputs"]["config"]  # KRSL's weights are applied at training
    assert m["exposure"]["counts"] == {"skipped": "sft.data=rwc trains on no reflected CoTs"}


def test_second_run_skips_every_stage_and_keeps_manifests(cfg):
    pipeline.run_pipeline(cfg, stages=recorder_stages([]))
    before = manifests(cfg.run.dir)
    calls: list[str] = []
    pipeline.run_pipeline(cfg, stages=recorder_stages(calls))
    assert calls == []
    assert manifests(cfg.run.dir) == before


def test_from_krsl_reruns_krsl_eval_report_only(cfg):
    pipeline.run_pipeline(cfg, stages=recorder_stages([]))
    before = manifests(cfg.run.dir)
    calls: list[str] = []
    pipeline.run_pipeline(cfg, from_stage="krsl", stages=recorder_stages(calls))
    assert calls == ["krsl", "eval", "report"]
    after = manifests(cfg.run.dir)
    assert all(after[s] == before[s] for s in ("data", "teacher", "dual", "masks", "sft"))
    assert after["eval"]["counts"]["resumed_rows"] == 0  # --from deleted eval's rows: a fresh run


@pytest.mark.parametrize(
    "override, rerun",
    [
        ("krsl.lr=1e-5", ["krsl", "eval", "report"]),  # training only: teacher CoTs and masks are kept
        ("krsl.beta=0.05", ["krsl", "eval", "report"]),  # weights are applied at training: no re-masking
        ("teacher.engine.temperature=0.5", ["teacher", "dual", "masks", "sft", "krsl", "eval", "report"]),
        # execution-only settings (how fast, not what): nothing re-runs
        ("teacher.engine.batch_size=3", []),
        ("eval.engine.concurrency=2", []),
        ("masking.num_workers=2", []),
        ("sft.cpus_per_worker=1", []),
        ("resources.num_cpus=4", []),
    ],
)
def test_changed_config_reruns_the_stages_that_read_it_and_their_downstream(tmp_path, override, rerun):
    run = f"run.dir={tmp_path / 'run'}"
    pipeline.run_pipeline(load_config(None, [run]), stages=recorder_stages([]))
    calls: list[str] = []
    pipeline.run_pipeline(load_config(None, [run, override]), stages=recorder_stages(calls))
    assert calls == rerun


def test_interrupted_stage_resumes_its_rows_and_then_runs_downstream(cfg):
    with pytest.raises(KeyboardInterrupt):
        pipeline.run_pipeline(cfg, stages=recorder_stages([], fail_in={"dual"}))
    m = manifests(cfg.run.dir)
    assert m["teacher"]["status"] == "done" and m["dual"]["status"] == "running" and m["masks"] is None
    assert io.read_table(io.join(cfg.run.dir, "dual", "pairs.parquet")).num_rows == 2

    calls: list[str] = []
    pipeline.run_pipeline(cfg, stages=recorder_stages(calls))
    assert calls == ["dual", "masks", "sft", "krsl", "eval", "report"]
    m2 = manifests(cfg.run.dir)
    assert m2["dual"]["counts"]["resumed_rows"] == 2  # the 2 rows written before the kill were kept
    assert io.read_table(io.join(cfg.run.dir, "dual", "pairs.parquet")).num_rows == 4
    assert m2["teacher"] == m["teacher"]


def test_a_garbled_manifest_reruns_only_its_stage(cfg):
    pipeline.run_pipeline(cfg, stages=recorder_stages([]))
    before = manifests(cfg.run.dir)
    fs, p = io.filesystem(io.join(cfg.run.dir, "dual", "manifest.json"))
    with fs.open_output_stream(p) as f:
        f.write(b'{"step": "dual", "status": "do')  # cut off mid-write
    calls: list[str] = []
    pipeline.run_pipeline(cfg, stages=recorder_stages(calls))
    assert calls == ["dual"]  # it resumed from its rows and ended with the same output: downstream kept
    after = manifests(cfg.run.dir)
    assert after["dual"]["artifact"] == before["dual"]["artifact"]
    assert all(after[s] == before[s] for s in ("masks", "sft", "krsl", "eval", "report"))


def test_deleted_manifest_resumes_that_stage_and_keeps_downstream_when_its_output_is_the_same(cfg):
    pipeline.run_pipeline(cfg, stages=recorder_stages([]))
    before = manifests(cfg.run.dir)
    # remove the eval manifest and half of its rows, as a crash between rows would leave them
    eval_path = io.join(cfg.run.dir, "eval", "eval.parquet")
    io.write_table(io.read_table(eval_path).slice(0, 1), eval_path)
    fs, p = io.filesystem(io.join(cfg.run.dir, "eval", "manifest.json"))
    fs.delete_file(p)
    calls: list[str] = []
    pipeline.run_pipeline(cfg, stages=recorder_stages(calls))
    assert calls == ["eval"]  # the resumed eval wrote the same table, so the report still holds
    after = manifests(cfg.run.dir)
    assert after["eval"]["counts"]["resumed_rows"] == 1
    assert after["eval"]["artifact"] == before["eval"]["artifact"]
    assert after["report"] == before["report"]


def test_changed_output_of_a_finished_stage_reruns_it_and_its_downstream(cfg):
    pipeline.run_pipeline(cfg, stages=recorder_stages([]))
    io.write_table([{"row_id": "teacher:9"}], io.join(cfg.run.dir, "teacher", "cots.parquet"))
    calls: list[str] = []
    pipeline.run_pipeline(cfg, stages=recorder_stages(calls))
    assert calls == ["teacher", "dual", "masks", "sft", "krsl", "eval", "report"]
    assert io.read_table(io.join(cfg.run.dir, "teacher", "cots.parquet")).num_rows == 5


def test_changed_inputs_clear_stale_rows_before_the_stage_runs(tmp_path):
    run = f"run.dir={tmp_path / 'run'}"
    pipeline.run_pipeline(load_config(None, [run]), stages=recorder_stages([]))
    calls: list[str] = []
    pipeline.run_pipeline(load_config(None, [run, "masking.widen=word"]), stages=recorder_stages(calls))
    # rows made under the old config are not resumed from
    assert pipeline.read_manifest(str(tmp_path / "run"), "masks")["counts"]["resumed_rows"] == 0


def test_run_dir_may_be_a_uri(tmp_path):
    cfg = load_config(None, [f"run.dir=file://{tmp_path}/uri-run"])
    report = pipeline.run_pipeline(cfg, stages=recorder_stages([]))
    assert report == f"file://{tmp_path}/uri-run/report.md"
    assert (tmp_path / "uri-run" / "report.md").read_text() == "# report\n"
    assert json.loads((tmp_path / "uri-run" / "krsl" / "manifest.json").read_text())["status"] == "done"


def test_orion_reflection_runs_as_its_own_steps_before_stage_1(tmp_path):
    """sft.data=reflected: exposure and reflect run between masks and sft; --from reflect keeps exposure."""
    cfg = load_config(None, [f"run.dir={tmp_path / 'run'}", "sft.data=reflected", "dual.source=none"])
    calls: list[str] = []
    pipeline.run_pipeline(cfg, stages=recorder_stages(calls))
    assert calls == ["data", "teacher", "dual", "masks", "exposure", "reflect", "sft", "eval", "report"]
    m = manifests(cfg.run.dir)
    assert m["sft"]["inputs"]["upstream"]["reflect"] is not None
    assert m["exposure"]["inputs"]["config"]["orion.exposure_samples"] == cfg.orion.exposure_samples
    before = m
    calls = []
    pipeline.run_pipeline(cfg, from_stage="reflect", stages=recorder_stages(calls))
    assert calls == ["reflect", "sft", "eval", "report"]
    assert manifests(cfg.run.dir)["exposure"] == before["exposure"]


def test_from_krsl_also_clears_orion_rounds(tmp_path):
    """KRSL's outputs include every round_<i>/ directory and orion/rounds.json (ORION rounds run inside it)."""
    cfg = load_config(None, [f"run.dir={tmp_path / 'run'}"])
    pipeline.run_pipeline(cfg, stages=recorder_stages([]))
    for rel in ("round_1/krsl/m.json", "round_12/eval/summary.json", "round_x/keep.json", "orion/rounds.json",
                "orion/exposure/keep.json"):
        io.write_json({}, io.join(cfg.run.dir, rel))
    pipeline.run_pipeline(cfg, from_stage="krsl", stages=recorder_stages([]))
    assert [io.exists(io.join(cfg.run.dir, p)) for p in
            ("round_1", "round_12", "orion/rounds.json", "round_x", "orion/exposure/keep.json")] == \
        [False, False, False, True, True]


def test_unknown_from_stage_is_rejected(cfg):
    with pytest.raises(ValueError, match="unknown stage 'train'"):
        pipeline.run_pipeline(cfg, from_stage="train", stages=recorder_stages([]))


def test_data_stage_writes_questions_and_errors_and_counts(tmp_path, capsys):
    """The data step on real synthetic tasks and a file with one unreadable row."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"input": "2+2?", "target": "4"}\nnot json\n')
    cfg = load_config(None, [f"run.dir={tmp_path / 'run'}", f"data.paths=[{bad}]",
                             "data.synthetic.tasks=[boolean_expressions]", "data.synthetic.n_per_task=5"])
    counts = run_data(cfg, cfg.run.dir)
    questions = io.read_table(io.join(cfg.run.dir, "data", "questions.parquet"))
    errors = io.read_table(io.join(cfg.run.dir, "data", "errors.parquet"))
    assert questions.num_rows == 6 and errors.num_rows == 1
    assert counts == {"stage": "data", "in": 7, "ok": 6, "errors": 1}
    assert "[data] in = ok + errors: 7 = 6 + 1" in capsys.readouterr().out
    assert set(questions.column("split").to_pylist()) <= {"train", "test"}
    assert errors.schema.equals(io.ERROR_SCHEMA)


# ---------------------------------------------------------------------------- the real tiny run
@pytest.fixture(scope="module")
def tiny_run(tiny_pipeline_job, ray_local):
    """The session's tiny pipeline run (conftest.py: submitted as a Ray job; tests/test_jobs.py checks the
    job itself): its config, report path and manifests. The tests below re-run it in this process."""
    cfg, job = tiny_pipeline_job["cfg"], tiny_pipeline_job["job"]
    assert job.returncode == 0, (job.stdout + job.stderr)[-4000:]
    return cfg, io.join(cfg.run.dir, "report.md"), manifests(cfg.run.dir)


@pytest.mark.slow
def test_tiny_pipeline_writes_every_artifact_with_counts(tiny_run):
    cfg, report, m = tiny_run
    run_dir = cfg.run.dir
    assert io.exists(report) and report.endswith("report.md")
    assert all(m[s]["status"] == "done" for s in STAGES)
    assert m["reflect"]["artifact"] == "skipped"
    questions = io.read_table(io.join(run_dir, "data", "questions.parquet"))
    assert questions.num_rows == m["data"]["counts"]["ok"] == 10
    assert m["teacher"]["counts"]["in"] == questions.filter(
        pa.compute.equal(questions.column("split"), "train")).num_rows
    pairs = io.read_table(io.join(run_dir, "dual", "pairs.parquet"))
    masks = io.read_table(io.join(run_dir, "masks", "masks.parquet"))
    # run_masking counts: pairs in, errors out (masks.parquet holds the rest)
    assert pairs.num_rows > 0 and m["masks"]["counts"]["pairs"] == pairs.num_rows
    assert masks.num_rows == pairs.num_rows - m["masks"]["counts"]["errors"]
    for stage in ("sft", "krsl"):
        assert io.exists(io.join(run_dir, stage, "model", "config.json"))
    assert io.read_table(io.join(run_dir, "eval", "eval.parquet")).num_rows > 0
    engines = io.read_json(io.join(run_dir, "eval", "summary.json"))["engines"]
    assert [(e["model"], e["methods"]) for e in engines] == [(resolve(cfg.student.model),
                                                             ["zero-shot", "edit-stage1", "edit"])]


@pytest.mark.slow
def test_tiny_pipeline_second_run_skips_everything(tiny_run, capsys):
    cfg, _, before = tiny_run
    pipeline.run_pipeline(cfg)
    assert manifests(cfg.run.dir) == before  # every manifest, its finish time included: nothing ran again
    out = capsys.readouterr().out
    assert out.count("skipped, finished earlier") == len(STAGES) and "starting" not in out


@pytest.mark.slow
def test_tiny_pipeline_resumes_an_interrupted_teacher_stage(tiny_run):
    """Half of the teacher's finished rows survive a "crash" (manifest and final table gone): the re-run
    generates only the missing half, ends with the same table, and so leaves every later stage finished."""
    cfg, _, _ = tiny_run
    run_dir = cfg.run.dir
    before = manifests(run_dir)
    cots_before = io.read_table(io.join(run_dir, "teacher", "cots.parquet"))
    ok_dir = io.join(run_dir, "teacher", "parts", "ok")
    kept = io.read_table(ok_dir).slice(0, cots_before.num_rows // 2)
    fs, p = io.filesystem(ok_dir)
    fs.delete_dir_contents(p)
    io.write_table(kept, io.join(ok_dir, "part-0.parquet"))
    for rel in ("teacher/manifest.json", "teacher/cots.parquet"):
        fs.delete_file(io.filesystem(io.join(run_dir, rel))[1])

    pipeline.run_pipeline(cfg)
    after = manifests(run_dir)
    assert after["teacher"]["finished"] > before["teacher"]["finished"]
    assert after["teacher"]["counts"] == before["teacher"]["counts"]
    assert io.read_table(io.join(run_dir, "teacher", "cots.parquet")).equals(cots_before)
    assert after["teacher"]["artifact"] == before["teacher"]["artifact"]
    assert all(after[s] == before[s] for s in STAGES if s != "teacher")


@pytest.mark.slow
def test_tiny_pipeline_from_eval_reruns_eval_and_report_only(tiny_run):
    """Re-run from eval of the KRSL student alone on an engine of its merged model: the same answers as the
    first run's one engine gave it as a LoRA adapter of its base (two stages' adapters stacked). It changes
    eval's settings, so it comes last of the tests on this run."""
    cfg, _, _ = tiny_run
    before = manifests(cfg.run.dir)  # the teacher test above re-ran the teacher
    shared = [r for r in io.read_rows(io.join(cfg.run.dir, "eval", "eval.parquet")) if r["method"] == "edit"]
    cfg = cfg.model_copy(update={"eval": cfg.eval.model_copy(update={"share_base_engine": False, "methods": ["krsl"]})})
    pipeline.run_pipeline(cfg, from_stage="eval")
    after = manifests(cfg.run.dir)
    engines = io.read_json(io.join(cfg.run.dir, "eval", "summary.json"))["engines"]
    assert [e["methods"] for e in engines] == [["edit"]] and engines[0]["model"] != resolve(cfg.student.model)
    assert io.read_rows(io.join(cfg.run.dir, "eval", "eval.parquet")) == shared
    assert all(after[s] == before[s] for s in ("data", "teacher", "dual", "masks", "sft", "krsl"))
    assert all(after[s]["finished"] > before[s]["finished"] for s in ("eval", "report"))
    # --from deleted the evaluation's answers too: every part was written again, none kept from before
    written = [os.path.getmtime(p) for p in glob.glob(io.join(cfg.run.dir, "eval", "parts", "*", "ok", "*.parquet"))]
    assert written and min(written) > before["eval"]["finished"]
    assert after["eval"]["counts"]["ok"] == len(shared)
    assert io.exists(io.join(cfg.run.dir, "krsl", "model", "config.json"))


def test_runs_sharing_a_store_reuse_each_others_finished_stages(tmp_path):
    """Two runs whose configs differ only in krsl.lr: the second finds data..sft finished in the store (the
    same input hashes) and runs only krsl, eval and report; its stage dirs are links into the store."""

    store = tmp_path / "store"
    a = load_config(None, [f"run.dir={tmp_path / 'a'}", f"run.store={store}"])
    b = load_config(None, [f"run.dir={tmp_path / 'b'}", f"run.store={store}", "krsl.lr=1e-5"])
    calls_a: list[str] = []
    calls_b: list[str] = []
    pipeline.run_pipeline(a, stages=recorder_stages(calls_a))
    pipeline.run_pipeline(b, stages=recorder_stages(calls_b))
    assert calls_a == RUN
    assert calls_b == ["krsl", "eval", "report"]
    for stage in ("data", "teacher", "dual", "masks", "sft"):
        assert os.path.realpath(tmp_path / "a" / stage) == os.path.realpath(tmp_path / "b" / stage)
        assert os.path.islink(tmp_path / "b" / stage)
    assert os.path.realpath(tmp_path / "a" / "krsl") != os.path.realpath(tmp_path / "b" / "krsl")
    # a method without KRSL records the stage as skipped, and its run reuses the rest
    c = load_config(None, [f"run.dir={tmp_path / 'c'}", f"run.store={store}", "method=edit-stage1"])
    calls_c: list[str] = []
    pipeline.run_pipeline(c, stages=recorder_stages(calls_c))
    assert calls_c == ["eval", "report"]
    assert pipeline.read_manifest(c.run.dir, "krsl")["artifact"] == "skipped"
    assert not (tmp_path / "c" / "krsl" / "model").exists()
