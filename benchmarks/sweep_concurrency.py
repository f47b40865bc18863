"""The same sweep with one trial at a time and with several at once, on this machine.

Runs ``edit-ray sweep`` as its own process (own local Ray cluster) once per concurrency, each in a fresh run
directory that links the finished run's questions, masks and stage-1 student (so both sweeps train the same
trials from the same start), and prints each sweep's wall time, its trials' status and training time, and
the wall-time ratio against the serial sweep. By default: the demo's edit cell (after ``make demo``) and the
sweep of issue #21, three β values of KRSL for 8 steps each:

    .venv/bin/python benchmarks/sweep_concurrency.py configs/demo.yaml runs/demo/seed-42/edit --concurrent 3

``edit-ray sweep`` alone derives the concurrency from the cores and memory (1 on a 2-core machine); here
``tune.max_concurrent_trials`` sets it.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

LINKED = ("data", "masks", "sft")  # what a sweep reads of its run directory
DEFAULT_SWEEP = ["tune.lr=[1.0e-4]", "tune.beta=[0.0, 0.025, 0.05]", "tune.epochs=[1]", "krsl.max_steps=8"]


def linked_run(run_dir: str, parent: str) -> str:
    """A fresh run directory whose data, masks and sft link to ``run_dir``'s (nothing of a sweep is shared)."""
    out = tempfile.mkdtemp(prefix="sweep-", dir=parent)
    for name in LINKED:
        src = os.path.realpath(os.path.join(run_dir, name))
        if not os.path.exists(src):
            raise SystemExit(f"{run_dir} has no {name}/: run its pipeline first (make demo)")
        os.symlink(src, os.path.join(out, name))
    return out


def sweep_once(config: str, run_dir: str, concurrent: int, overrides: list[str], parent: str) -> dict:
    """Run one sweep; returns its wall time, trial rows (results.csv) and exit code."""
    out = linked_run(run_dir, parent)
    log = os.path.join(out, "sweep.log")
    cmd = [sys.executable, "-m", "edit_ray.cli", "sweep", config, f"run.dir={out}", f"run.name=c{concurrent}",
           f"tune.max_concurrent_trials={concurrent}", *overrides]
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    print(f"[sweep x{concurrent}] {' '.join(cmd[2:])} (log: {log})", flush=True)
    start = time.perf_counter()
    with open(log, "w") as f:
        rc = subprocess.run(cmd, check=False, stdout=f, stderr=subprocess.STDOUT, env=env).returncode
    wall = time.perf_counter() - start
    results = os.path.join(out, "tune", "results.csv")
    rows = []
    if os.path.exists(results):
        with open(results) as f:
            rows = list(csv.DictReader(f))
    with open(log) as f:
        ooms = sum("exceeded threshold" in line or "OutOfMemoryError" in line for line in f)
    return {"concurrent": concurrent, "wall_s": wall, "rc": rc, "rows": rows, "oom_lines": ooms, "dir": out}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", nargs="?", default="configs/demo.yaml")
    p.add_argument("run_dir", nargs="?", default="runs/demo/seed-42/edit")
    p.add_argument("--concurrent", type=int, default=3, help="trials at once in the second sweep")
    p.add_argument("--dir", default=None, help="where the sweeps' run directories go (default: a temp dir)")
    p.add_argument("overrides", nargs="*", default=None, help="the sweep's settings (default: issue #21's)")
    args = p.parse_args()
    parent = args.dir or tempfile.mkdtemp(prefix="sweep-concurrency-")
    os.makedirs(parent, exist_ok=True)
    overrides = args.overrides or DEFAULT_SWEEP

    runs = [sweep_once(args.config, args.run_dir, n, overrides, parent) for n in (1, args.concurrent)]
    serial = runs[0]["wall_s"]
    # "stopped": ASHA stopped the trial at a rung (here its one validation, at its last step): it trained
    print("\n| trials at once | sweep wall | vs serial | trials finished / errors | mean trial time | OOM lines |")
    print("|---|---|---|---|---|---|")
    for r in runs:
        finished = [row for row in r["rows"] if row["status"] in ("completed", "stopped")]
        done, errors = len(finished), sum(row["status"] == "error" for row in r["rows"])
        times = [float(row["time_s"]) for row in finished]
        mean = f"{sum(times) / len(times):.0f} s" if times else "-"
        print(f"| {r['concurrent']} | {r['wall_s']:.0f} s | {r['wall_s'] / serial:.2f}x | {done} / {errors} | {mean} "
              f"| {r['oom_lines']} |")
    for r in runs:
        if r["rc"] != 0:
            print(f"sweep x{r['concurrent']} exited {r['rc']}: see {r['dir']}/sweep.log", file=sys.stderr)


if __name__ == "__main__":
    main()
