"""Evaluation of several LoRA students of one base: one engine per student against one shared engine.

Takes the students of finished runs (by default the demo's bench cells: zero-shot, std-cot and edit of
``runs/demo/seed-42``), and evaluates them on the run's benchmarks twice in fresh directories, alternating
the order over ``--repeats``: with ``eval.share_base_engine=false`` (the baseline: one vLLM engine per
student, each on its merged model) and ``true`` (one engine of the base, each student's adapter loaded per
request). Prints the wall time of each, the ratio, and how many answers are equal.

    .venv/bin/python benchmarks/shared_engine.py runs/demo/seed-42 --repeats 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def students(cells_dir: str) -> tuple[str, dict[str, str]]:
    """(a cell directory, {method: model}) of every finished cell under ``cells_dir``: each cell's final model."""
    from edit_ray.config import load_config
    from edit_ray.evaluate import run_models

    found: dict[str, str] = {}
    first = None
    for name in sorted(os.listdir(cells_dir)):
        cell = os.path.join(cells_dir, name)
        if not os.path.exists(os.path.join(cell, "eval", "eval.parquet")):
            continue
        cfg = load_config(os.path.join(cell, "config.yaml"), [])
        method, model = run_models(cfg, cell)["final"]
        found[method] = model
        first = first or cell
    if first is None:
        raise SystemExit(f"no finished cell under {cells_dir}")
    return first, found


def evaluate_once(cell: str, methods: dict[str, str], share: bool) -> tuple[float, dict]:
    from edit_ray import io
    from edit_ray.config import load_config
    from edit_ray.evaluate import evaluate

    cfg = load_config(os.path.join(cell, "config.yaml"), [f"eval.share_base_engine={str(share).lower()}",
                                                           "eval.methods=[final]"])
    out = tempfile.mkdtemp(prefix="shared-engine-")
    try:
        shutil.copytree(os.path.join(cell, "data"), os.path.join(out, "data"))
        t = time.perf_counter()
        evaluate(cfg, out, methods=methods)
        wall = time.perf_counter() - t
        answers = {(r["method"], r["benchmark"], r["qid"]): r["text"]
                   for r in io.read_rows(os.path.join(out, "eval", "eval.parquet"))}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return wall, answers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cells_dir", nargs="?", default="runs/demo/seed-42")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()

    import ray

    from edit_ray.models import adapter_of

    cell, methods = students(args.cells_dir)
    kinds = {m: "adapter" if adapter_of(p) else "no adapter" for m, p in methods.items()}
    print("students: " + ", ".join(f"{m} ({k})" for m, k in kinds.items()))
    ray.init(num_cpus=8, include_dashboard=False, log_to_driver=False)
    walls: dict[bool, list[float]] = {False: [], True: []}
    answers: dict[bool, dict] = {}
    for i in range(args.repeats):
        for share in ((False, True) if i % 2 == 0 else (True, False)):
            wall, answers[share] = evaluate_once(cell, methods, share)
            walls[share].append(wall)
            print(f"repeat {i + 1}: {'one shared engine' if share else 'one engine per student'}: {wall:.1f}s", flush=True)
    separate, shared = statistics.median(walls[False]), statistics.median(walls[True])
    equal = sum(answers[True].get(k) == v for k, v in answers[False].items())
    print(f"\n| evaluation of {len(methods)} students | wall (median of {args.repeats}) |\n|---|---|\n"
          f"| one engine per student (baseline) | {separate:.1f} s |\n| one shared engine | {shared:.1f} s |\n"
          f"ratio shared / per student: {shared / separate:.2f}x; answers equal: {equal} of {len(answers[False])}")


if __name__ == "__main__":
    main()
