"""Engine passes of an LLM teacher: the retry loop with one attempt per engine pass against several.

Runs the data, teacher (CEP with answer-phrase retries) and dual (AHP/CCP with verification) stages of a run
config twice in fresh directories, with ``teacher.attempts_per_pass`` 1 (the baseline: every retry round
starts the engine again) and N, and prints per setting the engine passes (each one starts the vLLM engine
replicas), the wall time of the two stages, the rows and whether they equal the baseline's (same row ids,
attempts and text; vLLM's seeded sampling should make them equal whichever pass an attempt ran in).

    .venv/bin/python benchmarks/teacher_passes.py configs/smollm2-teacher.yaml --per-pass 3 --dir /tmp/tp
"""

from __future__ import annotations

import argparse
import os
import shutil
import time

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def run_stages(config: str, run_dir: str, per_pass: int) -> dict:
    from edit_ray import io
    from edit_ray.config import load_config
    from edit_ray.data.stage import run_data
    from edit_ray.session import ray_session
    from edit_ray.teacher import retry
    from edit_ray.teacher.stage import run_dual, run_teacher

    cfg = load_config(config, [f"run.dir={run_dir}", f"teacher.attempts_per_pass={per_pass}"])
    passes = {"teacher": 0, "dual": 0}
    real = retry.generate_batches
    stage = "teacher"

    def counted(rows, engine, batch_rows):  # one call = one engine pass (its replicas start for it)
        passes[stage] += 1
        return real(rows, engine, batch_rows)

    retry.generate_batches = counted
    out = {}
    try:
        with ray_session(cfg):
            run_data(cfg, run_dir)
            for stage, fn in (("teacher", run_teacher), ("dual", run_dual)):
                t = time.perf_counter()
                fn(cfg, run_dir)
                out[stage] = {"wall_s": time.perf_counter() - t, "passes": passes[stage],
                              "ok": len(io.read_rows(io.join(run_dir, stage, "cots.parquet"))),
                              "errors": len(io.read_rows(io.join(run_dir, stage, "errors.parquet")))}
    finally:
        retry.generate_batches = real
    rows = {stage: {r["row_id"]: (r["attempts"], r["text"]) for r in io.read_rows(io.join(run_dir, stage, "cots.parquet"))}
            for stage in ("teacher", "dual")}
    return {"stages": out, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("config")
    ap.add_argument("--per-pass", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/teacher-passes")
    args = ap.parse_args()
    results = {}
    for per_pass in (1, args.per_pass):
        run_dir = os.path.join(args.dir, f"per-pass-{per_pass}")
        shutil.rmtree(run_dir, ignore_errors=True)
        results[per_pass] = run_stages(args.config, run_dir, per_pass)
    base = results[1]
    print(f"\n{args.config}: teacher + dual stages, attempts_per_pass 1 (baseline) vs {args.per_pass}")
    print("| attempts_per_pass | stage | engine passes | wall (s) | ok | errors | rows equal to baseline |")
    print("|---|---|---|---|---|---|---|")
    for per_pass, res in results.items():
        for stage, s in res["stages"].items():
            same = sum(res["rows"][stage].get(k) == v for k, v in base["rows"][stage].items())
            print(f"| {per_pass} | {stage} | {s['passes']} | {s['wall_s']:.0f} | {s['ok']} | {s['errors']} | "
                  f"{same}/{len(base['rows'][stage])} |")
    wall = {p: sum(s["wall_s"] for s in r["stages"].values()) for p, r in results.items()}
    print(f"wall time ratio (per-pass {args.per_pass} / 1): {wall[args.per_pass] / wall[1]:.2f}x "
          f"({wall[args.per_pass]:.0f} s vs {wall[1]:.0f} s)")


if __name__ == "__main__":
    main()
