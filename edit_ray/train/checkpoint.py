"""Training state in Ray Train checkpoints: model (or LoRA adapter), optimizer, scheduler, RNG, data position.

Every rank writes into its own temporary directory and passes it to ``ray.train.report``; Ray merges the
directories of all ranks into one checkpoint in storage. What each rank writes:

- DDP / FSDP2: rank 0 writes ``model.pt`` (full state dict; trainable parameters only under LoRA),
  ``optimizer.pt`` (full optimizer state), ``scheduler.pt`` and ``progress.json``; every rank writes
  ``rng_<rank>.pt`` (dropout masks differ per rank). Loading sets the full state on every rank, so FSDP2
  re-shards it.
- DeepSpeed: ``engine.save_checkpoint`` on every rank (ZeRO partitions, optimizer and scheduler) under
  ``ds/``, plus ``progress.json`` and ``rng_<rank>.pt``.

``progress.json`` is the data position: ``step`` (optimizer steps done), ``epoch`` and ``step_in_epoch``
(where to continue in the deterministic epoch order of ``data.epoch_order``), ``samples`` consumed.
A recovered worker group (``FailureConfig``) and a restarted driver with the same run name both get the
latest checkpoint from ``ray.train.get_checkpoint()`` and continue at that step.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.distributed as dist

from edit_ray.config import TrainConfig


@dataclass
class Progress:
    """Where training stands; what a resumed run continues from."""

    step: int = 0  # optimizer steps done in this stage
    epoch: int = 0
    step_in_epoch: int = 0
    samples: int = 0  # sequences (SFT) or pairs (KRSL) consumed over all ranks
    tokens: int = 0  # tokens (prompt + response; KRSL: both sides) consumed over all ranks


def _rank() -> int:
    return dist.get_rank() if dist.is_initialized() else 0


def _dcp_options(cpu_offload: bool = True, frozen: bool = False):
    from torch.distributed.checkpoint.state_dict import StateDictOptions

    # full (unsharded) state: readable without the same world size; under LoRA only the adapter
    return StateDictOptions(full_state_dict=True, cpu_offload=cpu_offload, ignore_frozen_params=frozen,
                            strict=not frozen)


def save_state(d: str, model, optimizer, scheduler, engine, cfg: TrainConfig, progress: Progress, lora: bool) -> None:
    """Write this rank's part of the training state into ``d``. Collective: call on every rank."""
    rank = _rank()
    rng = {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state()}
    if torch.cuda.is_available():
        rng["cuda"] = torch.cuda.get_rng_state()
    torch.save(rng, os.path.join(d, f"rng_{rank}.pt"))
    if engine is not None:
        engine.save_checkpoint(os.path.join(d, "ds"), tag="state", exclude_frozen_parameters=lora)
    else:
        from torch.distributed.checkpoint.state_dict import get_model_state_dict, get_optimizer_state_dict

        msd = get_model_state_dict(model, options=_dcp_options(frozen=lora))
        osd = get_optimizer_state_dict(model, optimizer, options=_dcp_options())
        if rank == 0:
            torch.save(msd, os.path.join(d, "model.pt"))
            torch.save(osd, os.path.join(d, "optimizer.pt"))
            torch.save(scheduler.state_dict(), os.path.join(d, "scheduler.pt"))
    if rank == 0:
        with open(os.path.join(d, "progress.json"), "w") as f:
            json.dump(asdict(progress), f)


class CorruptCheckpoint(RuntimeError):
    """A checkpoint file that is missing or cannot be read; the message names the file."""


def _read(path: str, load):
    try:
        return load(path)
    except Exception as e:
        raise CorruptCheckpoint(f"{path}: {type(e).__name__}: {e}") from e


def _json(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def load_state(d: str, model, optimizer, scheduler, engine, lora: bool) -> Progress:
    """Restore the training state written by ``save_state`` (every rank reads the merged directory).

    Every file is read before anything is set, so a corrupt checkpoint raises ``CorruptCheckpoint`` (naming
    the file) and leaves the model, optimizer and scheduler as they were.
    """
    rank = _rank()
    torch_load = lambda p: torch.load(p, weights_only=False)
    progress = Progress(**_read(os.path.join(d, "progress.json"), _json))
    rng_path = os.path.join(d, f"rng_{rank}.pt")
    rng = _read(rng_path, torch_load) if os.path.exists(rng_path) else None  # absent: resumed on more workers
    if engine is not None:
        _read(os.path.join(d, "ds"), lambda p: engine.load_checkpoint(p, tag="state", load_module_strict=not lora))
    else:
        from torch.distributed.checkpoint.state_dict import set_model_state_dict, set_optimizer_state_dict

        msd, osd, ssd = (_read(os.path.join(d, f), torch_load) for f in ("model.pt", "optimizer.pt", "scheduler.pt"))
        set_model_state_dict(model, msd, options=_dcp_options(cpu_offload=False, frozen=lora))
        set_optimizer_state_dict(model, optimizer, osd, options=_dcp_options(cpu_offload=False))
        scheduler.load_state_dict(ssd)
    if rng is not None:
        torch.set_rng_state(rng["torch"])
        random.setstate(rng["python"])
        np.random.set_state(rng["numpy"])
        if "cuda" in rng and torch.cuda.is_available():
            torch.cuda.set_rng_state(rng["cuda"])
    return progress


def resume_candidates(latest: str) -> list[str]:
    """The latest checkpoint directory first, then the older ones Ray Train kept beside it, newest first."""
    parent, name = os.path.split(latest.rstrip("/"))
    older = sorted((d for d in os.listdir(parent) if d.startswith("checkpoint_") and d < name), reverse=True)
    return [latest] + [os.path.join(parent, d) for d in older]


def load_newest_valid(candidates: list[str], model, optimizer, scheduler, engine, lora: bool,
                      log=print) -> Progress:
    """Load the first readable checkpoint of ``candidates``; each unreadable one is skipped with a message
    naming its bad file. None readable: a fresh start (Progress at step 0), said so."""
    for d in candidates:
        try:
            return load_state(d, model, optimizer, scheduler, engine, lora)
        except CorruptCheckpoint as e:
            log(f"[train] checkpoint {d} is unusable ({e}); trying the one before it")
    log("[train] no usable checkpoint: training starts from step 0")
    return Progress()
