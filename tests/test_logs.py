"""Concise terminal output (edit_ray.logs): edit-ray's lines on the terminal, the rest in <run.dir>/logs/."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from edit_ray import logs

ROOT = Path(__file__).resolve().parents[1]

# Lines Ray workers printed in a real `make demo` (session 7), as Ray streamed them (prefix removed).
SHOWN = [
    "[krsl] in = ok + errors: 20 = 20 + 0",
    "[eval] in = ok + errors: 79 = 79 + 0  (methods=trial, benchmarks=1)",
    "sft:  15%|█▌        | 3/20 [01:48<09:16, 32.75s/it, loss=0.9248, lr=2.00e-04]",
    "krsl:   8%|▊         | 1/12 [00:27<04:57, 27.09s/it]",
]
HIDDEN = [
    "INFO 12-02 01:40:11 [core.py:93] Initializing a V1 LLM engine (v0.11.0) with config: model='/x', ...",
    "Loading weights:  19%|█▉        | 51/272 [00:00<00:01, 193.60it/s]",
    "Setting up process group for: env:// [rank=0, world_size=1]",
    "Starting execution of Dataset train_0357RdUMKGDS8yGAMG9Hyj_0. Full logs are in /tmp/ray/session_x/logs/ray-data",
    "- (ip=192.0.2.2, pid=4156) world_rank=0, local_rank=0, node_rank=0",
    "  self.exclude_resources = exclude_resources",
    "/x/ray/data/_internal/execution/interfaces/execution_options.py:436: RayDeprecationWarning: `Execution...",
    "[2026-12-02 01:40:10,579 E 4059 4100] core_worker.cc:2465: Actor with class name: 'PreemptionWatcher'",
    "KeyError: '/mp-d7ylr3cf'",
    "Traceback (most recent call last):",
    "[vLLM] Elapsed time for batch 7f294e8af7ac4c5d80565dcaa5ae806a with size 4: 23.868295046999265",
    "(MainProcess pid=13624) ERROR 12-02 01:57:40 [async_llm.py:906] AsyncLLM output_handler failed.",
]


def test_worker_lines_shown_are_edit_rays_own():
    assert [ln for ln in SHOWN + HIDDEN if logs.shown(ln)] == SHOWN


def test_a_command_prints_its_lines_and_logs_the_rest(tmp_path):
    """A real local Ray cluster started by ray_session: a worker's chatter goes to workers.log, not the terminal."""
    script = textwrap.dedent(f"""
        import warnings, ray
        from edit_ray.config import load_config
        from edit_ray.session import ray_session

        @ray.remote
        def stage():
            print("INFO 12-02 [core.py:93] Initializing a V1 LLM engine with config: model='x'")
            print("[krsl] in = ok + errors: 3 = 3 + 0")
            warnings.warn("a library's deprecation", DeprecationWarning)
            return 1

        for verbose in ("false", "true"):
            cfg = load_config(None, ["run.dir={tmp_path}/" + verbose, "resources.num_cpus=1", "run.verbose=" + verbose])
            with ray_session(cfg):
                assert ray.get(stage.remote()) == 1
                warnings.warn("the driver's library warning " + verbose, FutureWarning)
                if verbose == "false":  # what Ray's error listener does with the raylet's messages
                    from ray._private import worker
                    worker.print_to_stdstream({{"lines": ["WARNING: 8 PYTHON worker processes have been started on "
                                                          "node: x", "a worker killed for memory"], "pid": "raylet",
                                                "is_err": False}}, ignore_prefix=False)
            print("END", verbose, flush=True)
    """)
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       check=False)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout + r.stderr
    quiet, verbose = out.split("END false")
    assert "[krsl] in = ok + errors: 3 = 3 + 0" in quiet and "[edit-ray] Ray, vLLM and worker logs" in quiet
    assert "Initializing a V1 LLM engine" not in quiet and "deprecation" not in quiet
    assert "the driver's library warning" not in quiet
    assert "a worker killed for memory" in quiet and "PYTHON worker processes" not in quiet  # benign: logged only
    workers = (tmp_path / "false" / "logs" / "workers.log").read_text()
    assert "Initializing a V1 LLM engine" in workers and "[krsl] in = ok + errors: 3 = 3 + 0" in workers
    assert "a library's deprecation" in workers and "(raylet) WARNING: 8 PYTHON worker processes" in workers
    assert "the driver's library warning" + " false" in (tmp_path / "false" / "logs" / "driver.log").read_text()
    # --verbose: everything on the terminal, as Ray prints it; no log files
    assert "Initializing a V1 LLM engine" in verbose and "the driver's library warning true" in verbose
    assert not (tmp_path / "true" / "logs").exists()
