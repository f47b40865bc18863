"""jobs/edit_pipeline.py through `ray job submit`, exactly as a user runs it against a local cluster.

The job is the session's tiny pipeline run (conftest.py ``tiny_pipeline_job``: a head node of its own, started
with `ray start --head` in its own temp dir, on free ports, with a token of its own): it must succeed, print
its report.md path last, upload neither .venv, runs/ nor .git, and leave its results where they outlive the
job's package. tests/test_pipeline.py checks what the same run wrote.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from edit_ray import io

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_ray_job_submit_runs_the_pipeline_and_writes_the_report(tiny_pipeline_job):
    job, cfg = tiny_pipeline_job["job"], tiny_pipeline_job["cfg"]
    out = job.stdout + job.stderr
    assert job.returncode == 0 and "succeeded" in out, out[-4000:]
    # the relative run.dir landed in the results root (EDIT_RAY_RESULTS), not in Ray's unpacked copy of the
    # working dir (deleted when Ray garbage-collects job packages)
    report = io.join(cfg.run.dir, "report.md")
    assert Path(report).is_file()
    # the pipeline's last line is the report path (Ray's own status lines follow it in the submit output)
    # Worker log lines ("(pid=...) ...", "(MapWorker ...) ...") stream in asynchronously and may arrive after
    # the driver's last print, and the submit CLI frames the result with its own "cli.py" lines: the
    # driver's own last line is the last one that is neither.
    ansi = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
    lines = [ansi.sub("", ln).strip() for ln in job.stdout.splitlines()]
    lines = lines[:next(i for i, ln in enumerate(lines) if "Job 'raysubmit_" in ln and "succeeded" in ln)]
    driver_lines = [ln for ln in lines if ln and not ln.startswith("(") and "cli.py:" not in ln]
    assert driver_lines[-1] == report, driver_lines[-5:]
    for stage in ("data", "teacher", "dual", "masks", "sft", "krsl", "eval", "report"):
        assert io.read_json(io.join(cfg.run.dir, stage, "manifest.json"))["status"] == "done"
    # what was uploaded: the project, without the venv, run outputs or git history
    names = set(tiny_pipeline_job["uploaded"])
    assert {"edit_ray", "jobs", "configs"} <= names, "the working dir was not uploaded"
    assert not names & {".venv", "runs", ".git"}
    # the head is stopped and its temp dir, the job's package in it, deleted: the results are still there
    assert not Path(tiny_pipeline_job["temp_dir"]).exists()
    assert Path(report).is_file() and not report.startswith(tiny_pipeline_job["temp_dir"])


def test_job_entrypoint_rejects_a_bad_override_before_touching_ray():
    r = subprocess.run([sys.executable, "jobs/edit_pipeline.py", "--config", "configs/demo.yaml", "krsl.betta=0.1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2
    assert "unknown key 'krsl.betta'" in r.stderr and "did you mean 'krsl.beta'?" in r.stderr


def test_worker_env_skips_keys_the_submitted_job_already_sets(monkeypatch):
    """Ray refuses to merge a second value for an env var the job's runtime_env sets; the job's value wins."""

    from edit_ray import session

    monkeypatch.setenv("RAY_JOB_CONFIG_JSON_ENV_VAR",
                       json.dumps({"runtime_env": {"env_vars": {"TOKENIZERS_PARALLELISM": "true"}}}))
    assert session.job_env_keys() == {"TOKENIZERS_PARALLELISM"}
    monkeypatch.delenv("RAY_JOB_CONFIG_JSON_ENV_VAR")
    assert session.job_env_keys() == set()
