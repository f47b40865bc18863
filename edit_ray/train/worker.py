"""Where a training worker's rank, rows, checkpoints and reports come from: Ray Train or plain torchrun.

The loop (``loop.run_loop``) never imports Ray. It gets a ``Worker``:

- ``ray_worker(config)``: inside a Ray Train ``TorchTrainer`` (the product). Rows come from the trainer's
  datasets, checkpoints are handed to ``ray.train.report`` (Ray keeps two and restores the newest on a
  worker-group restart or a restarted driver), reports feed Tune and the driver.
- ``torchrun_worker(...)``: under ``torchrun`` (``python -m edit_ray.train``), for debugging and for a
  GPU machine with torch but no Ray. Rows are passed in, checkpoints are directories
  ``<out_dir>/checkpoints/step-<n>`` (two kept), reports are dropped (metrics.jsonl has every step).

Both resume the same way: the newest readable checkpoint, falling back to the one before it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.distributed as dist

# save(directory) writes this rank's part of the training state (checkpoint.save_state); collective
SaveFn = Callable[[str], None]


@dataclass
class Worker:
    rank: int
    world: int
    local_rank: int
    device: torch.device
    rows: list[dict]  # every training example (each rank takes its share of a seeded order)
    val_rows: list[dict]
    resume_from: list[str]  # checkpoint directories to try, newest first; empty: a fresh start
    report: Callable[[dict, SaveFn | None], None]  # (metrics, save or None): Tune/driver report, checkpoint


# --------------------------------------------------------------------------------------- Ray Train
def ray_worker(config: dict) -> Worker:
    """This Ray Train worker's view (call inside ``train_loop_per_worker``)."""
    import ray.train
    import ray.train.torch
    from ray.train import Checkpoint

    from edit_ray.train.checkpoint import resume_candidates

    ctx = ray.train.get_context()
    # sorted by id: Ray Data may hand blocks over in any order, and every rank must index the same list
    rows = sorted(ray.train.get_dataset_shard(config.get("dataset", "train")).iter_rows(), key=lambda r: r["row_id"])
    val_rows = list(ray.train.get_dataset_shard("val").iter_rows()) if config["has_val"] else []
    resume_from = []
    if ckpt := ray.train.get_checkpoint():  # worker-group recovery or a restarted driver
        with ckpt.as_directory() as d:
            # local storage: the older checkpoints Ray kept are the fallback when the newest is corrupt
            resume_from = resume_candidates(d) if os.path.isdir(os.path.dirname(d.rstrip("/"))) else [d]

    def report(metrics: dict, save: SaveFn | None) -> None:
        if save is None:
            ray.train.report(metrics)
            return
        with tempfile.TemporaryDirectory() as d:
            save(d)
            ray.train.report(metrics, checkpoint=Checkpoint.from_directory(d))

    return Worker(rank=ctx.get_world_rank(), world=ctx.get_world_size(), local_rank=ctx.get_local_rank(),
                  device=ray.train.torch.get_device(), rows=rows, val_rows=val_rows, resume_from=resume_from,
                  report=report)


# ----------------------------------------------------------------------------------------- torchrun
def init_torchrun() -> tuple[int, int, int, torch.device]:
    """Join torchrun's process group (gloo on CPU, nccl on GPU): ``(rank, world, local_rank, device)``."""
    rank, world = int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return rank, world, local_rank, device


def checkpoint_dirs(out_dir: str) -> list[str]:
    """``<out_dir>/checkpoints/step-<n>`` directories, newest first."""
    root = os.path.join(out_dir, "checkpoints")
    if not os.path.isdir(root):
        return []
    steps = sorted((int(n.split("-")[1]) for n in os.listdir(root) if n.startswith("step-")), reverse=True)
    return [os.path.join(root, f"step-{s}") for s in steps]


def torchrun_worker(rows: list[dict], val_rows: list[dict], out_dir: str, keep: int = 2) -> Worker:
    """This torchrun process's view; checkpoints under ``<out_dir>/checkpoints`` (``keep`` newest kept)."""
    rank, world, local_rank, device = init_torchrun()

    def report(metrics: dict, save: SaveFn | None) -> None:
        if save is None:
            return
        d = os.path.join(out_dir, "checkpoints", f"step-{int(metrics['step'])}")
        partial = d + ".partial"  # renamed once every rank has written: a kill leaves no half checkpoint
        if rank == 0:
            shutil.rmtree(partial, ignore_errors=True)
            os.makedirs(partial)
        if dist.is_initialized():
            dist.barrier()
        save(partial)
        if dist.is_initialized():
            dist.barrier()
        if rank == 0:
            os.replace(partial, d)
            for old in checkpoint_dirs(out_dir)[keep:]:
                shutil.rmtree(old, ignore_errors=True)

    return Worker(rank=rank, world=world, local_rank=local_rank, device=device, rows=rows, val_rows=val_rows,
                  resume_from=checkpoint_dirs(out_dir), report=report)
