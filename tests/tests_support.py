"""Helpers for tests that start a Ray cluster of their own (the session's tiny pipeline job in conftest.py,
tests/test_multinode.py), and for the kill -9 tests of resumable stages."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import pyarrow.parquet as pq

# A driver process that runs one stage function ``(cfg, run_dir)`` on an existing cluster.
_STAGE_DRIVER = """
import importlib, sys, ray
from edit_ray.config import load_config
ray.init(address=sys.argv[1])
module, name = sys.argv[2].split(":")
cfg = load_config(None, sys.argv[3:])
getattr(importlib.import_module(module), name)(cfg, cfg.run.dir)
"""


def kill_stage_when_parts_appear(stage: str, gcs_address: str, overrides: list[str], ok_dir: Path,
                                 timeout_s: float = 300, id_column: str = "row_id") -> dict[str, list[str]]:
    """Run ``stage`` ("module:function") in a driver of its own, SIGKILL it as soon as its first resumable part
    is in ``ok_dir``, and return the row ids (``id_column``) of each part file written by then."""
    driver = subprocess.Popen([sys.executable, "-c", _STAGE_DRIVER, gcs_address, stage, *overrides],
                              env={**os.environ, "PYTHONPATH": os.getcwd()},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout_s
    while time.time() < deadline and not (ok_dir.is_dir() and any(ok_dir.glob("*.parquet"))):
        assert driver.poll() is None, f"{stage} ended before it could be killed"
        time.sleep(0.05)
    driver.send_signal(signal.SIGKILL)
    driver.wait(timeout=30)
    assert ok_dir.is_dir() and any(ok_dir.glob("*.parquet")), f"{stage} wrote no part within {timeout_s} s"
    return part_rows(ok_dir, id_column)


# A driver process that fits one Ray Train trainer: (cfg, stage, build_trainer kwargs) pickled in a file.
_TRAIN_DRIVER = """
import sys, cloudpickle, ray
ray.init(address=sys.argv[1])
from edit_ray.train.run import build_trainer
with open(sys.argv[2], "rb") as f:
    cfg, stage, kwargs = cloudpickle.load(f)
build_trainer(cfg, stage, **kwargs).fit()
"""


def checkpointed_step(snapshot: Path) -> int | None:
    """The step of the newest checkpoint Ray Train has registered (its checkpoint manager's snapshot), if any."""
    import json

    try:
        return json.loads(snapshot.read_text())["latest_checkpoint_result"]["metrics"]["step"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def kill_worker_then_hang(worker_step: int, hang_step: int, marker_dir: Path, snapshot: Path):
    """A training loop's ``after_step`` hook for rank 0, each once: after ``worker_step`` is checkpointed (Ray
    Train has registered it), the worker SIGKILLs its own process; after ``hang_step`` it marks the step and
    sleeps, so that the test can SIGKILL the driver with nothing after that step done."""
    def after_step(step: int, rank: int) -> None:
        marker = marker_dir / f"at-step-{step}"
        if rank != 0 or step not in (worker_step, hang_step) or marker.exists():
            return
        marker.touch()
        if step == worker_step:
            deadline = time.time() + 120
            while checkpointed_step(snapshot) != step and time.time() < deadline:
                time.sleep(0.1)
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(600)

    return after_step


def kill_training_driver_at(cfg, stage: str, kwargs: dict, gcs_address: str, step: int, marker_dir: Path) -> None:
    """Fit ``build_trainer(cfg, stage, **kwargs)`` in a driver of its own and SIGKILL that driver's process group
    once rank 0 waits after ``step`` (``kill_worker_then_hang``'s marker) and Ray Train holds its checkpoint."""
    import cloudpickle
    import tests_support

    cloudpickle.register_pickle_by_value(tests_support)  # the hook travels as code, not as a module name
    payload = marker_dir / "trainer.pkl"
    payload.write_bytes(cloudpickle.dumps((cfg, stage, kwargs)))
    driver = subprocess.Popen([sys.executable, "-c", _TRAIN_DRIVER, gcs_address, str(payload)],
                              env={**os.environ, "PYTHONPATH": os.getcwd()}, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    snapshot = training_snapshot(kwargs["out_dir"], kwargs["name"])
    deadline = time.time() + 300
    while time.time() < deadline and not ((marker_dir / f"at-step-{step}").exists()
                                           and checkpointed_step(snapshot) == step):
        assert driver.poll() is None, "the training driver ended before it could be killed"
        time.sleep(0.1)
    os.killpg(driver.pid, signal.SIGKILL)
    driver.wait(timeout=30)
    assert checkpointed_step(snapshot) == step, f"no checkpoint of step {step} within 300 s"


def training_snapshot(out_dir: str, name: str) -> Path:
    """Where Ray Train keeps the checkpoint manager's snapshot of a stage's run (``train.run``'s layout)."""
    return Path(out_dir) / "ray" / name / "checkpoint_manager_snapshot.json"


def part_rows(ok_dir: Path, id_column: str = "row_id") -> dict[str, list[str]]:
    """Row ids of each part file in a parts directory."""
    return {p.name: pq.read_table(p, columns=[id_column]).column(id_column).to_pylist()
            for p in sorted(ok_dir.glob("*.parquet"))}


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports



def stop_cluster(before: set[int], temp_dir: str) -> None:
    """Stop only the processes of our cluster (their command lines name its temp dir) and their children."""
    procs = [p for p in psutil.process_iter(["pid", "cmdline"])
             if p.pid not in before and temp_dir in " ".join(p.info["cmdline"] or [])]
    for p in list(procs):  # and what they spawned (vLLM engine cores, Train workers)
        try:
            procs.extend(c for c in p.children(recursive=True) if c.pid not in before)
        except psutil.NoSuchProcess:
            pass
    procs = list({p.pid: p for p in procs}.values())
    for p in procs:
        try:
            p.send_signal(signal.SIGTERM)
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=3)  # some Ray workers ignore SIGTERM: no point waiting longer
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    shutil.rmtree(temp_dir, ignore_errors=True)


BIN = Path(sys.executable).parent  # this venv's `ray` and `python`


@contextlib.contextmanager
def ray_head_node(num_cpus: int = 8):
    """A head node of our own (``ray start --head``): clean temp dir, free ports, token authentication with a
    token of our own (Ray 2.60 turns it on; ~/.ray/auth_token is left alone), so it never meets another
    test's Ray. Yields (env for ``ray job submit``, temp dir); stopped by the ids of its processes, its temp
    dir (and the job packages uploaded into it) deleted."""
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
            [str(BIN / "ray"), "start", "--head", "--dashboard-host=127.0.0.1", f"--num-cpus={num_cpus}",
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
