"""Peak memory of generation and masking as their input grows: the driver and each Ray worker process.

    .venv/bin/python benchmarks/memory.py [--factor 10] [--pairs 10000] [--questions 50] [--stages mask]

Each case runs a CLI in a fresh process that starts its own local Ray cluster (so nothing is shared between
cases): `edit-ray generate` with the program teacher on ``--questions`` questions per synthetic task, and
`edit-ray mask` on ``--pairs`` arithmetic CoT pairs (text, tokenized in the actors, ``--chunk-rows`` at a
time), each at 1x and ``--factor``x. A sampler reads, every 0.2 s, the RSS of the CLI process (the driver) and of every process
below it: Ray's workers and actors (process titles ``ray::...``) and Ray's own services (GCS, raylet,
dashboard). Prints per stage the peak RSS of the driver, of the largest worker and of the services at both
sizes, and their ratio (large / small): flat is ~1.0, linear in the input is ~factor. Last, one pathological
pair (100k tokens a side) goes through `edit-ray mask` and its outcome is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "Task Description:\nCompute.\nQ: What is the value?\n\nA:"


def arithmetic_pair(i: int) -> dict:
    a, b = i % 17 + 2, i % 13 + 3
    steps = [f"({k + 1}) {a + k} * {b} = {(a + k) * b}." for k in range(6)]
    wrong = [s.replace(f"= {(a + 2) * b}.", f"= {(a + 2) * b + 1}.") for s in steps]
    return {"pair_id": f"p{i:07d}", "prompt": PROMPT, "chosen": "\n".join(steps) + f"\nThe answer is {i}.",
            "rejected": "\n".join(wrong) + f"\nThe answer is {i + 1}."}


def run_sampled(cmd: list[str], env: dict) -> dict:
    """Run ``cmd``; return its exit code, wall time and peak RSS (MiB) of driver / largest worker / services."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak = {"driver": 0, "worker": 0, "services": 0}
    t0 = time.monotonic()

    def sample() -> None:
        while proc.poll() is None:
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for p in procs:
                try:
                    rss, name = p.memory_info().rss, " ".join(p.cmdline()[:1])
                except psutil.Error:
                    continue
                kind = "driver" if p.pid == root.pid else "worker" if name.startswith("ray::") else "services"
                peak[kind] = max(peak[kind], rss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    return {"rc": proc.returncode, "wall_s": round(time.monotonic() - t0, 1), "stdout": out, "stderr": err,
            **{k: round(v / 2**20) for k, v in peak.items()}}


def generate_case(n_per_task: int, work: Path, env: dict) -> dict:
    return run_sampled([sys.executable, "-m", "edit_ray.cli", "generate", "configs/demo.yaml",
                        f"run.dir={work / f'gen-{n_per_task}'}", "teacher.engine.kind=program",
                        f"data.synthetic.n_per_task={n_per_task}"], env)


def mask_case(pairs: list[dict], name: str, work: Path, env: dict, tokenizer: str, chunk_rows: int) -> dict:
    path = work / f"{name}.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pairs))
    return run_sampled([sys.executable, "-m", "edit_ray.cli", "mask", "--pairs", str(path), "--tokenizer", tokenizer,
                        "--out", str(work / f"{name}.parquet"), "--workers", "2", "--json",
                        "--chunk-rows", str(chunk_rows)], env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=10_000, help="masking pairs at 1x")
    parser.add_argument("--questions", type=int, default=50, help="questions per synthetic task at 1x")
    parser.add_argument("--tokenizer", default="smollm2-135m-instruct")
    parser.add_argument("--chunk-rows", type=int, default=None,
                        help="edit-ray mask's --chunk-rows (default: --pairs, so 1x is one chunk, the large case several)")
    parser.add_argument("--stages", default="generate,mask", help="which of generate, mask to measure")
    args = parser.parse_args()
    chunk = args.chunk_rows or args.pairs
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOKENIZERS_PARALLELISM": "false"}
    env.pop("RAY_ADDRESS", None)
    work = Path(tempfile.mkdtemp(prefix="er-mem-"))
    rows = []
    for stage, small, large in (
        ("generate (program teacher)", lambda: generate_case(args.questions, work, env),
         lambda: generate_case(args.questions * args.factor, work, env)),
        ("mask", lambda: mask_case([arithmetic_pair(i) for i in range(args.pairs)], "small", work, env, args.tokenizer,
                                   chunk),
         lambda: mask_case([arithmetic_pair(i) for i in range(args.pairs * args.factor)], "large", work, env,
                           args.tokenizer, chunk)),
    ):
        if stage.split()[0] not in args.stages.split(","):
            continue
        a, b = small(), large()
        for r in (a, b):
            if r["rc"] != 0:
                print(f"{stage}: exit {r['rc']}\n{r['stderr'][-3000:]}", file=sys.stderr)
                return 1
        rows.append((stage, a, b))
        print(f"{stage}: 1x {a['wall_s']}s, {args.factor}x {b['wall_s']}s", flush=True)

    print(f"\npeak RSS in MiB, 1x -> {args.factor}x (ratio; 1.0 = flat, {args.factor} = linear in the input)")
    print("| stage | driver | largest worker | Ray services |\n|---|---|---|---|")
    for stage, a, b in rows:
        cells = [f"{a[k]} -> {b[k]} ({b[k] / max(a[k], 1):.2f}x)" for k in ("driver", "worker", "services")]
        print(f"| {stage} | " + " | ".join(cells) + " |")

    words = " ".join(f"w{i % 997}" for i in range(50_000))  # ~100k tokens with the SmolLM2 tokenizer
    long_pair = {"pair_id": "huge", "prompt": PROMPT, "chosen": words + " The answer is 1.",
                 "rejected": words.replace("w5 ", "w6 ", 1) + " The answer is 2."}
    r = mask_case([long_pair, arithmetic_pair(0)], "huge", work, env, args.tokenizer, chunk)
    import pyarrow.parquet as pq

    errors = work / "huge.errors.parquet"
    err_rows = pq.read_table(errors).to_pylist() if errors.exists() else []
    masks = pq.read_table(work / "huge.parquet").to_pylist() if (work / "huge.parquet").exists() else []
    print(f"\npathological pair (~100k tokens a side): exit {r['rc']}, {r['wall_s']}s, driver {r['driver']} MiB, "
          f"largest worker {r['worker']} MiB; masked rows {[(m['pair_id'], len(m['chosen_ids'])) for m in masks]}; "
          f"error rows {[(e.get('row_id'), e.get('reason')) for e in err_rows]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
