"""Ray Tune sweeps over KRSL's α/β, lr, epochs and students (edit_ray/tune.py).

The pure parts (grid, per-trial config, concurrency, ranking) are checked by hand. One real sweep runs on
local Ray with the tiny Llama: 4 trials (β ∈ {0, 0.05} × lr ∈ {3e-3, 1e-7}), 3 epochs of 4 steps each,
ASHA with grace_period=1 on the epoch-end val_loss. At lr=1e-7 the model barely moves, so ASHA has a
clearly worse half to stop.
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import os
import time
from pathlib import Path

import pytest

from edit_ray import io
from edit_ray.config import ConfigError, load_config

N_PAIRS = 20  # 18 train (4 steps of 4 pairs per epoch) + 2 validation with val_fraction=0.1
EPOCHS = 3


def _sweep_config(run_dir: str, model_dir: str, **extra):
    overrides = [
        f"run.dir={run_dir}", "run.name=sweep-test", f"student.model={model_dir}", "student.lora=null",
        "krsl.batch_size=4", "krsl.max_length=64", "krsl.max_failures=0",
        "tune.alpha=[1.0]", "tune.beta=[0.0, 0.05]", "tune.lr=[3e-3, 1e-7]", f"tune.epochs=[{EPOCHS}]",
        "tune.grace_period=1", "tune.reduction_factor=2", "tune.metric=val_loss", "tune.max_concurrent_trials=2",
    ] + [f"{k}={v}" for k, v in extra.items()]
    return load_config(None, overrides)


# --------------------------------------------------------------------------------- pure parts
def test_param_space_is_the_full_grid():
    from ray import tune
    from ray.tune.search.variant_generator import generate_variants

    from edit_ray.tune import GRID_KEYS, build_param_space

    cfg = load_config(None, ["tune.beta=[0, 0.025, 0.05]", "tune.lr=[1e-5, 5e-6]", "tune.num_samples=2"])
    space = build_param_space(cfg.tune, default_student="s")
    assert list(space) == list(GRID_KEYS)
    assert space["beta"] == tune.grid_search([0.0, 0.025, 0.05])
    assert space["student"] == tune.grid_search(["s"])
    combos = [(c["beta"], c["lr"]) for _, c in generate_variants(space)]
    # every combination exactly once (num_samples repeats the grid in the Tuner, not here)
    assert sorted(combos) == sorted((b, lr) for b in (0.0, 0.025, 0.05) for lr in (1e-5, 5e-6))


def test_apply_trial_overrides_krsl_and_student_and_validates():
    from edit_ray.tune import apply_trial

    base = load_config(None, ["krsl.gamma=0.5"])
    cfg = apply_trial(base, {"student": "other", "alpha": 0.0, "beta": 0.05, "lr": 1e-5, "epochs": 2})
    assert (cfg.krsl.alpha, cfg.krsl.beta, cfg.krsl.lr, cfg.krsl.epochs, cfg.student.model) == \
        (0.0, 0.05, 1e-5, 2, "other")
    assert cfg.krsl.gamma == 0.5 and base.krsl.beta == 0.025  # the rest kept, the base untouched
    with pytest.raises(ConfigError, match="beta"):
        apply_trial(base, {"student": "s", "alpha": 1.0, "beta": -0.1, "lr": 1e-5, "epochs": 1})


def test_max_concurrent_trials_follows_resources(monkeypatch):
    from edit_ray.tune import max_concurrent_trials

    grid = ["tune.beta=[0, 0.01, 0.02, 0.03, 0.04, 0.05]"]  # 6 trials
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert max_concurrent_trials(load_config(None, grid + ["resources.num_cpus=8", "krsl.num_workers=2"])) == 4
    assert max_concurrent_trials(load_config(None, grid + ["resources.num_cpus=8", "krsl.num_workers=1"])) == 6
    # a local cluster counts this machine's cores, not its (oversubscribed) logical CPUs: on 2 cores, trials whose
    # worker takes both run one at a time
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert max_concurrent_trials(load_config(None, grid + ["resources.num_cpus=8", "krsl.cpus_per_worker=2"])) == 1
    assert max_concurrent_trials(load_config(None, grid + ["resources.num_cpus=8"])) == 2
    gpu = ["resources.num_gpus=4", "krsl.use_gpu=true", "krsl.num_workers=2"]
    assert max_concurrent_trials(load_config(None, grid + gpu)) == 2
    assert max_concurrent_trials(load_config(None, grid + ["tune.max_concurrent_trials=3"])) == 3
    assert max_concurrent_trials(load_config(None, ["resources.address=auto", "tune.beta=[0, 1]"]),
                                 cluster_cpus=16) == 2


def test_concurrent_trials_fit_the_memory_a_training_worker_was_measured_to_take(tmp_path, monkeypatch):
    from edit_ray.tune import max_concurrent_trials, measured_peak_mb

    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    cfg = load_config(None, [f"run.dir={tmp_path}", "tune.beta=[0, 0.01, 0.02, 0.03, 0.04, 0.05]",
                             "resources.num_cpus=8", "krsl.num_workers=2"])
    assert measured_peak_mb(str(tmp_path)) is None
    assert max_concurrent_trials(cfg, available_mb=100) == 4  # nothing measured: cores alone (8 // 2)
    for stage, peaks in (("sft", [900, 1500]), ("krsl", [1000, 2000])):
        (tmp_path / stage).mkdir()
        (tmp_path / stage / "metrics.jsonl").write_text(
            "".join(json.dumps({"step": i + 1, "loss": 1.0, "peak_rss_mb": p}) + "\n" for i, p in enumerate(peaks)))
    assert measured_peak_mb(str(tmp_path)) == 2000  # KRSL's: what a trial runs
    # 2 workers x 2000 MiB x 1.25 = 5000 MiB per trial
    assert max_concurrent_trials(cfg, available_mb=12_000) == 2
    assert max_concurrent_trials(cfg, available_mb=4_000) == 1  # not even one fits: still one at a time
    assert max_concurrent_trials(cfg, available_mb=64_000) == 4  # then the cores decide
    on_cluster = cfg.model_copy(update={"resources": cfg.resources.model_copy(update={"address": "auto"})})
    assert max_concurrent_trials(on_cluster, cluster_cpus=12, available_mb=4_000) == 6  # the cluster's memory is Ray's


def test_best_row_prefers_completed_trials_and_the_metric_direction():
    from edit_ray.tune import best_row, sort_rows

    def row(tid, status, v):
        return {"trial_id": tid, "status": status, "val_loss": v}

    rows = [row("a", "completed", 2.0), row("b", "stopped", 1.0), row("c", "completed", 1.5),
            row("d", "error", math.nan)]
    assert [r["trial_id"] for r in sort_rows(rows, "val_loss")] == ["b", "c", "a", "d"]
    assert best_row(rows, "val_loss")["trial_id"] == "c"  # b was stopped early: never trained to the end


def test_empty_grid_is_a_config_error():
    with pytest.raises(ConfigError, match="tune.beta"):
        load_config(None, ["tune.beta=[]"])


# ------------------------------------------------------------------------------- real sweep
def _write_masks(path: str, tokenizer) -> None:
    """Tiny masks table in the contract's format; key tokens from a plain diff of the token ids."""
    from edit_ray.tokens import tokenize_pair

    rows = []
    for i in range(N_PAIRS):
        a, b = i % 7 + 2, i % 5 + 3
        prompt = f"Q: what is {a} + {b}?\nA:"
        p_ids, chosen = tokenize_pair(tokenizer, prompt, f" {a} + {b} = {a + b}. So the answer is {a + b}.")
        _, rejected = tokenize_pair(tokenizer, prompt, f" {a} + {b} = {a + b + 1}. So the answer is {a + b + 1}.")
        ck, rk = [1] * len(chosen), [1] * len(rejected)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=chosen, b=rejected, autojunk=False).get_opcodes():
            if tag == "equal":
                ck[i1:i2], rk[j1:j2] = [0] * (i2 - i1), [0] * (j2 - j1)
        rows.append({"pair_id": f"p{i}", "prompt_ids": p_ids, "chosen_ids": chosen, "rejected_ids": rejected,
                     "chosen_key": ck, "rejected_key": rk, "n_key_chosen": sum(ck), "n_key_rejected": sum(rk)})
    import pyarrow as pa

    schema = pa.schema([("pair_id", pa.string()), ("prompt_ids", pa.list_(pa.int32())),
                        ("chosen_ids", pa.list_(pa.int32())), ("rejected_ids", pa.list_(pa.int32())),
                        ("chosen_key", pa.list_(pa.int8())), ("rejected_key", pa.list_(pa.int8())),
                        ("n_key_chosen", pa.int32()), ("n_key_rejected", pa.int32())])
    io.write_table(pa.Table.from_pylist(rows, schema=schema), path)


@pytest.fixture(scope="module")
def cpus_free_before_sweep(ray_local):
    """Free CPUs of the shared session cluster before the sweep (other tests' actors may hold some)."""
    return ray_local.available_resources().get("CPU", 0)


@pytest.fixture(scope="module")
def sweep(ray_local, tiny_model_dir, tmp_path_factory, cpus_free_before_sweep):
    """One finished 4-trial sweep: (config, run_sweep's result)."""
    from transformers import AutoTokenizer

    from edit_ray.tune import run_sweep

    run_dir = str(tmp_path_factory.mktemp("sweep-run"))
    _write_masks(io.join(run_dir, "masks", "masks.parquet"), AutoTokenizer.from_pretrained(tiny_model_dir))
    os.makedirs(io.join(run_dir, "sft"))
    os.symlink(tiny_model_dir, io.join(run_dir, "sft", "model"))  # stand-in for the stage-1 student
    cfg = _sweep_config(run_dir, tiny_model_dir)
    return cfg, run_sweep(cfg)


def _read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_sweep_runs_every_trial_and_asha_stops_the_worse_half_early(sweep, ray_local, cpus_free_before_sweep):
    cfg, out = sweep
    rows = _read_csv(out["results_csv"])
    assert len(rows) == 4
    assert sorted((float(r["beta"]), float(r["lr"])) for r in rows) == [(0.0, 1e-7), (0.0, 3e-3),
                                                                          (0.05, 1e-7), (0.05, 3e-3)]
    assert all(r["error"] == "" for r in rows)
    iterations = [int(r["iterations"]) for r in rows]
    assert max(iterations) == EPOCHS  # one Tune iteration per epoch-end validation
    stopped = [r for r in rows if r["status"] == "stopped"]
    assert stopped and all(int(r["iterations"]) < EPOCHS for r in stopped)
    assert all(r["status"] == "completed" and int(r["iterations"]) == EPOCHS
               for r in rows if r not in stopped)
    # results are sorted by val_loss, and the best (completed) trial trained at the high learning rate
    losses = [float(r["val_loss"]) for r in rows]
    assert losses == sorted(losses)
    assert out["best"]["status"] == "completed" and out["best"]["lr"] == 3e-3
    # each completed trial's training log has EPOCHS x 4 optimizer steps
    for r in rows:
        if r["status"] == "completed":
            metrics = io.join(io.join(cfg.run.dir, "tune", "trials", f"trial-{r['trial_id']}"), "metrics.jsonl")
            with open(metrics) as f:
                assert max(json.loads(line)["step"] for line in f) == EPOCHS * 4


def test_trials_stopped_by_asha_release_their_train_workers(sweep, ray_local, cpus_free_before_sweep):
    """A trial that ASHA stops aborts its Train run (edit_ray.tune._AbortTrainOnStop), so its worker group's
    CPUs come back. Without that, with Ray 2.60 and no dashboard, 2-3 of 8 CPUs stayed held until the job ended."""
    # the CPUs free before the sweep are free again (Ray frees them asynchronously)
    deadline = time.time() + 60
    while ray_local.available_resources().get("CPU", 0) < cpus_free_before_sweep and time.time() < deadline:
        time.sleep(1)
    assert ray_local.available_resources().get("CPU", 0) >= cpus_free_before_sweep, _holders()


def _holders() -> str:
    """What still holds resources: live actors by class and placement groups by state (for the message)."""
    from collections import Counter

    from ray.util import placement_group_table
    from ray.util.state import list_actors

    actors = Counter(a.class_name for a in list_actors(filters=[("state", "=", "ALIVE")], limit=1000))
    groups = Counter(g["state"] for g in placement_group_table().values())
    return f"alive actors {dict(actors)}, placement groups {dict(groups)}"


def test_sweep_writes_markdown_plot_and_a_loadable_best_yaml(sweep):
    cfg, out = sweep
    md = Path(out["results_md"]).read_text()
    assert md.count("\n| ") == 5 and "sorted by val_loss" in md  # header + 4 trials
    with open(out["plot"], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    best = load_config(out["best_yaml"])
    assert best.krsl.beta == out["best"]["beta"] and best.krsl.lr == out["best"]["lr"] == 3e-3
    assert best.krsl.epochs == EPOCHS and best.student.model == cfg.student.model
    assert best.run.dir == cfg.run.dir and best.krsl.batch_size == 4  # the rest of the run config kept


def test_restore_of_a_finished_sweep_returns_the_same_results_without_training(sweep):
    from edit_ray.tune import run_sweep

    cfg, first = sweep
    trials = io.join(cfg.run.dir, "tune", "trials")
    logs = sorted(io.join(trials, d, "metrics.jsonl") for d in os.listdir(trials))
    before = [Path(p).read_text() for p in logs]
    again = run_sweep(cfg, restore=True)
    key = lambda rows: [(r["trial_id"], r["status"], r["iterations"], r["val_loss"]) for r in rows]
    assert key(again["rows"]) == key(first["rows"])
    assert len(logs) == 4 and [Path(p).read_text() for p in logs] == before  # no trial trained again


def test_restore_refuses_a_changed_grid(sweep):
    from edit_ray.tune import run_sweep

    cfg, _ = sweep
    changed = cfg.model_copy(update={"tune": cfg.tune.model_copy(update={"beta": [0.0, 0.1]})})
    with pytest.raises(ConfigError, match="different grid"):
        run_sweep(changed, restore=True)


def test_sweep_job_entry_point_resumes_the_finished_sweep_and_prints_best_yaml_last(sweep, capsys, tmp_path):
    import importlib.util

    from edit_ray.config import dump_config

    cfg, first = sweep
    config_path = tmp_path / "sweep.yaml"
    config_path.write_text(dump_config(cfg))
    spec = importlib.util.spec_from_file_location("sweep_job", os.path.join(os.path.dirname(__file__), "..",
                                                                            "jobs", "sweep.py"))
    job = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(job)
    capsys.readouterr()
    # no --restore: an existing sweep of the same run.name is resumed anyway (Ray is up: ray_local)
    assert job.main(["--config", str(config_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == first["best_yaml"]
    assert "[tune] in = ok + errors: 4 = 4 + 0" in "\n".join(lines)
    assert job.main(["--config", str(config_path), "tune.beta=[0.3]"]) == 2  # a changed grid: config error


def _broken_student(model_dir: str, tmp_path) -> Path:
    """A student directory with the tokenizer of ``model_dir`` but no model weights: its trials fail."""
    import shutil

    broken = tmp_path / "broken-student"
    broken.mkdir()
    for f in os.listdir(model_dir):
        if f.startswith(("tokenizer", "special_tokens")):
            shutil.copy(os.path.join(model_dir, f), broken / f)
    return broken


def test_restore_resumes_a_sweep_whose_driver_and_cluster_were_killed(ray_local, tiny_model_dir, tmp_path):
    """A real interruption: the sweep runs as its own job (jobs/sweep.py, its own local Ray cluster) and the
    whole process group (driver, raylet, trial and Train workers) gets SIGKILL while the second of two
    sequential trials trains. Restoring in this process finishes the sweep: the trial that had finished is
    kept as it was (its training log untouched), the interrupted one trains again to its end (max_steps,
    mid-epoch), and the grid's two trials of a student that cannot load fail alone, with their reason."""
    import signal
    import subprocess
    import sys

    from transformers import AutoTokenizer

    from edit_ray.config import dump_config
    from edit_ray.tune import run_sweep

    run_dir = str(tmp_path / "run")
    _write_masks(io.join(run_dir, "masks", "masks.parquet"), AutoTokenizer.from_pretrained(tiny_model_dir))
    os.makedirs(io.join(run_dir, "sft"))
    os.symlink(tiny_model_dir, io.join(run_dir, "sft", "model"))
    broken = _broken_student(tiny_model_dir, tmp_path)  # the slowest grid key: its trials run last
    cfg = _sweep_config(run_dir, tiny_model_dir, **{"tune.beta": "[0.0]", "tune.epochs": "[2]", "krsl.max_steps": 6,
                                                    "tune.students": f"[{tiny_model_dir}, {broken}]",
                                                    "tune.max_concurrent_trials": 1, "resources.num_cpus": 4})
    config_path = tmp_path / "sweep.yaml"
    config_path.write_text(dump_config(cfg))
    trials = Path(run_dir, "tune", "trials")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}  # its own cluster, not the test session's
    finished_before: dict[str, str] = {}
    with open(tmp_path / "job.log", "w") as log:
        job = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "..", "jobs", "sweep.py"),
                                "--config", str(config_path)], stdout=log, stderr=subprocess.STDOUT, env=env,
                               start_new_session=True)
        try:
            deadline = time.time() + 480
            while time.time() < deadline and job.poll() is None:
                done = sorted(trials.glob("trial-*/trial.json")) if trials.exists() else []
                running = [d for d in (trials.glob("trial-*") if trials.exists() else [])
                           if (d / "metrics.jsonl").exists() and not (d / "trial.json").exists()]
                if done and running and (running[0] / "metrics.jsonl").read_text().strip():
                    finished_before = {d.parent.name: (d.parent / "metrics.jsonl").read_text() for d in done}
                    break
                time.sleep(0.5)
        finally:
            os.killpg(job.pid, signal.SIGKILL)  # the driver and every process of its Ray cluster
            job.wait()
    assert finished_before, f"the job never reached its second trial: {(tmp_path / 'job.log').read_text()[-3000:]}"
    assert len(finished_before) == 1

    out = run_sweep(cfg)  # an existing sweep of the same run.name is resumed
    rows = [r for r in out["rows"] if r["student"] == tiny_model_dir]
    failed = [r for r in out["rows"] if r["student"] == str(broken)]
    assert len(rows) == 2 and all(r["error"] == "" for r in rows), out["rows"]
    assert len(failed) == 2 and all(r["status"] == "error" and r["error"] for r in failed), failed
    assert sorted(r["lr"] for r in rows) == [1e-7, 3e-3]
    for r in rows:
        d = trials / f"trial-{r['trial_id']}"
        if d.name in finished_before:  # kept: not trained again
            assert r["status"] == "completed" and (d / "metrics.jsonl").read_text() == finished_before[d.name]
        if r["status"] == "completed":  # trained to max_steps (mid-epoch 2), in one go or resumed
            with open(d / "metrics.jsonl") as f:
                assert max(json.loads(line)["step"] for line in f) == 6
    assert out["best"]["student"] == tiny_model_dir


def test_val_accuracy_sweep_of_smollm2_with_max_steps_survives_a_failing_trial(ray_local, smollm2_dir, tmp_path):
    """tune.metric=val_accuracy: each trial's student answers the run's validation questions after training,
    also when max_steps ends training mid-epoch; a trial whose student cannot load fails alone, with its reason,
    and the sweep ends with the best of the others. On SmolLM2-135M-Instruct, the real student (the bug this
    guards against showed only on it, not on the tiny model). (The program engine answers for the students
    here, so the test pays for training, not for engine starts.)"""

    from transformers import AutoTokenizer

    from edit_ray.data import build_questions
    from edit_ray.tune import run_sweep

    run_dir = str(tmp_path / "run")
    _write_masks(io.join(run_dir, "masks", "masks.parquet"), AutoTokenizer.from_pretrained(smollm2_dir))
    os.makedirs(io.join(run_dir, "sft"))
    os.symlink(smollm2_dir, io.join(run_dir, "sft", "model"))
    broken = _broken_student(smollm2_dir, tmp_path)
    cfg = _sweep_config(run_dir, smollm2_dir, **{
        "tune.metric": "val_accuracy", "tune.beta": "[0.025]", "tune.lr": "[1e-3]", "tune.epochs": "[1]",
        "tune.students": f"[{smollm2_dir}, {broken}]", "krsl.max_steps": 2, "tune.max_concurrent_trials": 1,
        "data.val_fraction": 0.3, "data.synthetic.tasks": "[web_of_lies]", "data.synthetic.n_per_task": 10,
        "eval.engine.kind": "program"})
    io.write_table(build_questions(cfg.data, cfg.run.seed).questions, io.join(run_dir, "data", "questions.parquet"))
    out = run_sweep(cfg)
    rows = {r["student"]: r for r in out["rows"]}
    assert rows[str(broken)]["status"] == "error" and rows[str(broken)]["error"]
    good = rows[smollm2_dir]
    assert good["status"] == "completed" and good["iterations"] == 1
    trial_dir = io.join(run_dir, "tune", "trials", f"trial-{good['trial_id']}")
    scored = io.read_rows(io.join(trial_dir, "eval", "eval.parquet"))
    val = [q for q in io.read_rows(io.join(run_dir, "data", "questions.parquet")) if q["split"] == "val"]
    assert sorted(r["qid"] for r in scored) == sorted(q["qid"] for q in val)
    assert good["val_accuracy"] == sum(r["correct"] for r in scored) / len(scored)
    from edit_ray.train.run import read_metrics

    assert read_metrics(io.join(trial_dir, "metrics.jsonl"))[-1]["step"] == 2  # max_steps, not an epoch end
    assert out["best"]["trial_id"] == good["trial_id"] and io.exists(out["best_yaml"])
