"""Train one stage under plain torchrun, without Ray: the loop of ``edit-ray train`` (``loop.run_loop``).

    torchrun --nproc-per-node 2 -m edit_ray.train configs/demo.yaml --stage sft \\
        --data runs/demo/sft/data.parquet --out /tmp/sft
    python -m edit_ray.train configs/demo.yaml --stage krsl --data runs/demo/masks/masks.parquet \\
        --init-model runs/demo/sft/model --out /tmp/krsl krsl.strategy=fsdp2

For stepping through the loop with a debugger or a profiler, and for a GPU machine that has torch but no
Ray (``benchmarks/gpu_check.sh``). ``--data`` is the stage's own table (SFT: row_id, prompt, response, as
``<run>/sft/data.parquet``; KRSL: ``<run>/masks/masks.parquet``). Every rank tokenizes it with the functions
Ray Data runs (``train/data.py``) and takes its share of the same seeded order as a Ray Train worker, so the
steps are the same. Writes ``<out>/metrics.jsonl``, ``<out>/errors.parquet``, ``<out>/checkpoints/step-<n>``
(a re-run of the same command resumes from the newest) and ``<out>/model`` (the merged student).
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m edit_ray.train", description=__doc__.split("\n")[0])
    p.add_argument("config", help="run config YAML (the stage's section, student.lora and run.seed are read)")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. sft.strategy=fsdp2")
    p.add_argument("--stage", choices=("sft", "krsl"), required=True)
    p.add_argument("--data", required=True, help="the stage's Parquet table")
    p.add_argument("--val", help="a validation table in the same format (val_loss at each epoch end)")
    p.add_argument("--init-model", help="alias or HF directory to start from (default: student.model)")
    p.add_argument("--out", required=True, help="directory for metrics, checkpoints and the model")
    args = p.parse_intermixed_args(argv)  # overrides may follow the options

    from edit_ray import io
    from edit_ray.config import ConfigError, load_config
    from edit_ray.models import resolve
    from edit_ray.train.loop import run_loop
    from edit_ray.train.run import examples_in_process, loop_config
    from edit_ray.train.worker import torchrun_worker

    try:
        cfg = load_config(args.config, args.overrides)
    except ConfigError as e:
        print(f"python -m edit_ray.train: config error:\n{e}", file=sys.stderr)
        return 2
    init_dir = resolve(args.init_model or cfg.student.model)
    rows, errors = examples_in_process(args.stage, args.data, cfg, init_dir)
    val_rows = examples_in_process(args.stage, args.val, cfg, init_dir)[0] if args.val else []
    worker = torchrun_worker(rows, val_rows, args.out)
    if worker.rank == 0:
        io.write_errors(errors, os.path.join(args.out, "errors.parquet"))
        io.report_counts(args.stage, len(rows) + len(errors), len(rows), len(errors))
    config = loop_config(cfg, args.stage, init_dir, args.out, f"{cfg.run.name}-{args.stage}", has_val=bool(args.val))
    run_loop(config, worker)
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()
    if worker.rank == 0:
        print(f"[{args.stage}] model: {os.path.join(args.out, 'model')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
