"""jobs/edit_pipeline.py through `ray job submit`, exactly as a user runs it against a local cluster.

A fresh head node is started with `ray start --head` in its own temp dir and on free ports (so it never
meets another test's Ray), with token authentication (Ray 2.60 turns it on: the token comes from
RAY_AUTH_TOKEN here, so ~/.ray/auth_token is left alone). The job runs a tiny pipeline (program teacher,
tiny model, 1-2 training steps, 2 eval questions) and must succeed, print its report.md path last, and
upload neither .venv, runs/ nor .git. The cluster is stopped by the ids of the processes it started.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import pytest
from tests_support import free_ports, stop_cluster

from edit_ray import io

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# A guard, not the budget (about 3 minutes on an idle 2-core machine): a hung job must not hang CI.
JOB_TIMEOUT_S = int(os.environ.get("EDIT_RAY_JOB_TIMEOUT_S", "600"))

JOB_OVERRIDES = [
    "data.synthetic.tasks=[boolean_expressions,multistep_arithmetic]",
    "data.synthetic.n_per_task=5",
    "teacher.engine.kind=program",
    "student.model=tiny-llama-test",
    "student.lora.r=4",
    "sft.max_steps=1", "sft.batch_size=2", "sft.max_length=256",
    "krsl.max_steps=1", "krsl.batch_size=2", "krsl.max_length=256",
    "eval.methods=[krsl]",
    "eval.engine.max_tokens=16",
    "eval.engine.max_model_len=512",
    "eval.engine.enforce_eager=true",
    "eval.benchmarks=[{name: ind, n_per_task: 1}]",
]


@pytest.fixture(scope="module")
def ray_head(tiny_model_dir):
    """A head node of our own: clean temp dir, free ports, a token of our own; stopped by its process ids."""
    temp_dir = tempfile.mkdtemp(prefix="er-job-", dir="/tmp")  # short: Ray's socket paths must fit 107 chars
    gcs, dash, agent, agent_grpc, metrics, client, rt_env, node_mgr, obj_mgr = free_ports(9)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # the job's `python` is this venv's
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": uuid.uuid4().hex,
        "RAY_API_SERVER_ADDRESS": f"http://127.0.0.1:{dash}",
    }
    env.pop("RAY_ADDRESS", None)
    before = {p.pid for p in psutil.process_iter()}
    try:
        start = subprocess.run(
            [str(BIN / "ray"), "start", "--head", "--dashboard-host=127.0.0.1", "--num-cpus=8",
             f"--temp-dir={temp_dir}", f"--port={gcs}", f"--dashboard-port={dash}",
             f"--dashboard-agent-listen-port={agent}", f"--dashboard-agent-grpc-port={agent_grpc}",
             f"--metrics-export-port={metrics}", f"--ray-client-server-port={client}",
             f"--runtime-env-agent-port={rt_env}", f"--node-manager-port={node_mgr}",
             f"--object-manager-port={obj_mgr}", "--disable-usage-stats"],
            env=env, capture_output=True, text=True, timeout=180, check=False,
        )
        assert start.returncode == 0, f"ray start failed:\n{start.stdout[-2000:]}\n{start.stderr[-3000:]}"
        yield env, temp_dir
    finally:
        stop_cluster(before, temp_dir)


@pytest.mark.slow
def test_ray_job_submit_runs_the_pipeline_and_writes_the_report(ray_head, tmp_path):
    env, temp_dir = ray_head
    # a relative run.dir, as in the README: inside the job it lands in the results root, not in Ray's
    # unpacked copy of the working dir (deleted when Ray garbage-collects job packages)
    results = tmp_path / "results"
    run_dir = str(results / "runs" / "job-run")
    t0 = time.perf_counter()
    job = subprocess.run(
        [str(BIN / "ray"), "job", "submit", "--working-dir", ".",
         "--runtime-env-json", json.dumps({"env_vars": {"EDIT_RAY_RESULTS": str(results)}}), "--",
         "python", "jobs/edit_pipeline.py", "--config", "configs/demo.yaml", "run.dir=runs/job-run", *JOB_OVERRIDES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=JOB_TIMEOUT_S, check=False,
    )
    print(f"job took {time.perf_counter() - t0:.1f}s")
    out = job.stdout + job.stderr
    assert job.returncode == 0 and "succeeded" in out, out[-4000:]
    report = io.join(run_dir, "report.md")
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
        assert io.read_json(io.join(run_dir, stage, "manifest.json"))["status"] == "done"
    # what was uploaded: the project, without the venv, run outputs or git history
    uploads = [p for p in Path(temp_dir).glob("session_*/runtime_resources/working_dir_files/*") if p.is_dir()]
    assert uploads, "the working dir was not uploaded"
    names = {p.name for p in uploads[0].iterdir()}
    assert {"edit_ray", "jobs", "configs"} <= names
    assert not names & {".venv", "runs", ".git"}
    for p in uploads:  # what Ray's package garbage collection does (it may already be doing it: hence ignore_errors)
        shutil.rmtree(p, ignore_errors=True)
    assert not any(p.exists() for p in uploads)
    assert Path(report).is_file() and not str(report).startswith(temp_dir)


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
