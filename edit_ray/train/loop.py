"""The training loop of both EDIT stages, run by every worker: under Ray Train (``TorchTrainer``, the product)
or under plain torchrun (``python -m edit_ray.train``); ``worker.py`` gives it rank, rows, checkpoints and
reports either way, so the loop itself never imports Ray.

Stage 1 (SFT, paper eq. 4) trains on SFT example rows {input_ids, labels}; stage 2 (KRSL, eqs. 5-7) on
pair rows {chosen_*, rejected_*} with per-token weights (``data.py``). What differs between them (batches,
the loss and its divisor, metrics) is the stage's ``Objective`` (``objectives.py``), chosen once. Setup lives
in named helpers (``strategies.build_model``, ``strategies.wrap_for_strategy``, ``checkpoint.load_state``);
the loop itself is inline.

Normalisation: each loss returns a sum and its divisor (label tokens for SFT, pairs for KRSL). Before an
optimizer step, the divisors of all micro-batches of the accumulation window are summed and all-reduced
over ranks (``total``); each micro-batch then back-propagates ``loss_sum * world / total``. DDP, FSDP2
and DeepSpeed average gradients over ranks, so the step sees Σ_ranks Σ_micro ∇loss_sum / total: the
paper's mean, whatever the accumulation and the number of workers.

Data order: every worker reads the full (small) example table from ``get_dataset_shard("train")`` and
takes its own share of a seeded per-epoch permutation (``data.epoch_order``). Ray Data's streaming split
does not promise the same order after a restart; this does, so a resumed run repeats the steps of an
uninterrupted one.

Metrics per optimizer step: loss, lr, grad_norm, tokens_per_s (all ranks), step_s, samples, tokens (cumulative,
all ranks: what ``token_budget`` counts), epoch, peak_rss_mb (rank 0's peak memory so far), and for KRSL
chosen_key_nll, rejected_key_nll; ``val_loss`` when a validation set is given (computed at each epoch end and
at the last step; ``val_step`` says at which step). Every step's metrics go to
``<out_dir>/metrics.jsonl`` (rank 0), to a tqdm bar (rank 0) and to MLflow or TensorBoard when ``log_to``
says. The worker's report (``ray.train.report`` under Ray Train: what Tune and the driver read) gets them
only at checkpoints, epoch ends and the last step (``report_kind``): Ray Train V2 keeps one unconsumed
report per worker and its controller collects it every 2 s (``RAY_TRAIN_HEALTH_CHECK_INTERVAL_S``), so a
report per step would hold every step to at least 2 s, whatever the hardware.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist

from edit_ray.config import KRSLConfig, LoraConfig, SFTConfig
from edit_ray.train.checkpoint import Progress, load_newest_valid, save_state
from edit_ray.train.data import epoch_order, example_tokens, first_label_position, steps_for_token_budget
from edit_ray.train.objectives import Objective, objective_for
from edit_ray.train.strategies import (
    build_model,
    clip_grad_norm,
    full_state_dict,
    no_grad_sync,
    wrap_for_strategy,
)
from edit_ray.train.worker import Worker

# Seconds between two progress lines when the bar is not drawn on a terminal.
PROGRESS_EVERY_S = 30.0


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports ru_maxrss in KiB): what a sweep
    needs to know to fit trials into a machine's memory (``edit_ray.tune.max_concurrent_trials``)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report_kind(step: int, step_in_epoch: int, total_steps: int, checkpoint_every: int) -> str | None:
    """What the loop hands ``ray.train.report`` after optimizer step ``step`` (1-based).

    ``"checkpoint"``: metrics and a checkpoint (the last step; every ``checkpoint_every`` steps, or each
    epoch end when it is 0). ``"metrics"``: metrics only (an epoch end between checkpoints: Tune's ASHA
    reads validation there). None: nothing (metrics.jsonl and the other sinks still get the step).
    ``step_in_epoch`` is the position after the step, 0 at an epoch end.
    """
    epoch_end = step_in_epoch == 0
    if step >= total_steps or (checkpoint_every and step % checkpoint_every == 0) or (
            not checkpoint_every and epoch_end):
        return "checkpoint"
    return "metrics" if epoch_end else None


def all_reduce_sum(x: torch.Tensor) -> torch.Tensor:
    if dist.is_initialized() and dist.get_world_size() > 1:
        dist.all_reduce(x, op=dist.ReduceOp.SUM)
    return x


def loss_on_batch(model, batch: dict[str, torch.Tensor], objective: Objective, cfg, device) -> tuple:
    """One forward pass and the objective's loss: ``(loss_sum, denom, metrics)``.

    Positions before the first label token of the batch are never scored, so the LM head runs only from
    there (``logits_to_keep``): the vocabulary projection is a large share of a small model's compute.
    For KRSL, chosen and rejected sequences go through the model together (2B rows, one pass).
    """
    batch = {k: v.to(device) for k, v in batch.items()}
    start = max(first_label_position(batch["labels"]) - 1, 0)
    keep = batch["input_ids"].shape[1] - start
    autocast = torch.autocast(device.type, dtype=torch.bfloat16) if cfg.bf16 else contextlib.nullcontext()
    inputs = {k: batch[k] for k in ("input_ids", "attention_mask", "position_ids") if k in batch}
    with autocast:
        logits = model(**inputs, logits_to_keep=keep).logits
    return objective.loss(logits, batch["labels"][:, start:], batch, cfg, start)


@torch.no_grad()
def evaluate(model, rows: list[dict], objective: Objective, cfg, pad_id: int, device) -> dict[str, float]:
    """Validation metrics: ``val_loss`` in the objective's unit and ``val_<m>`` for its ``val_metrics`` (KRSL:
    ``val_chosen_key_nll``, averaged over batches). Every rank evaluates all rows (a validation set is small,
    and identical work keeps FSDP/ZeRO-3 collectives in step), so no reduction is needed."""
    model.eval()
    loss, denom, n_batches = 0.0, 0.0, 0
    extra = dict.fromkeys(objective.val_metrics, 0.0)
    for i in range(0, len(rows), cfg.batch_size):
        batch = objective.collate(rows[i : i + cfg.batch_size], cfg, pad_id)
        s, d, parts = loss_on_batch(model, batch, objective, cfg, device)
        loss, denom, n_batches = loss + float(s), denom + float(d), n_batches + 1
        for k in extra:
            extra[k] += float(parts[k])
    model.train()
    return {"val_loss": loss / max(denom, 1.0), **{f"val_{k}": v / max(n_batches, 1) for k, v in extra.items()}}


def open_loggers(cfg, out_dir: str, rank: int, run_name: str):
    """(jsonl file, log function) on rank 0; no-ops elsewhere. MLflow/TensorBoard only when asked."""
    if rank != 0:
        return None, lambda metrics, step: None
    os.makedirs(out_dir, exist_ok=True)
    sinks = []
    match cfg.log_to:
        case "none":
            pass
        case "mlflow":
            import mlflow

            if not os.environ.get("MLFLOW_TRACKING_URI"):
                # mlflow-skinny has no SQL store for MLflow's sqlite default: keep the runs beside metrics.jsonl
                os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
                mlflow.set_tracking_uri(Path(out_dir, "mlruns").absolute().as_uri())
            mlflow.set_experiment(run_name)
            mlflow.start_run(run_name=run_name)
            sinks.append(lambda m, s: mlflow.log_metrics({k: float(v) for k, v in m.items()}, step=s))
        case "tensorboard":
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as e:
                raise ImportError("log_to=tensorboard needs `pip install tensorboard`") from e
            writer = SummaryWriter(os.path.join(out_dir, "tensorboard"))

            def to_tensorboard(m: dict, s: int) -> None:
                for k, v in m.items():
                    writer.add_scalar(k, float(v), s)
                writer.flush()  # the writer is never closed explicitly: a killed worker keeps what it logged

            sinks.append(to_tensorboard)

    # Opened last (a failing sink leaves nothing open) and kept open for the whole run, one line appended
    # per step; the caller closes it (train_loop_per_worker in a finally).
    jsonl = open(os.path.join(out_dir, "metrics.jsonl"), "a")  # noqa: SIM115

    def log(metrics: dict, step: int) -> None:
        jsonl.write(json.dumps({"step": step, **metrics}) + "\n")
        jsonl.flush()
        for sink in sinks:
            sink(metrics, step)

    return jsonl, log


def train_loop_per_worker(config: dict) -> None:
    """Ray Train entry point (one call per worker): ``run_loop`` with the Ray Train worker's view."""
    from edit_ray.train.worker import ray_worker

    run_loop(config, ray_worker(config))


def run_loop(config: dict, worker: Worker) -> None:
    """Train one stage on this worker (rank) and, on rank 0, export the merged model.

    Args:
        config: ``{"stage": "sft"|"krsl", "train": <SFTConfig|KRSLConfig dump>, "lora": <LoraConfig dump or
            None>, "init_model": dir, "tokenizer_dir": dir, "pad_id": int, "seed": int, "out_dir": dir for
            metrics.jsonl, "export_dir": dir for the merged model or None, "has_val": bool, "run_name": str}``
            ``"dataset"``: the name of the train dataset (default "train"); ``"after_step"``: a callable
            ``(step, rank)`` run after each optimizer step (tests inject worker failures with it).
        worker: rank, device, rows, checkpoints and reports (``worker.py``: Ray Train or torchrun).
    """
    from tqdm import tqdm

    stage = config["stage"]
    objective = objective_for(stage)  # SFT or KRSL: batches, divisor, loss and metrics (objectives.py)
    cfg = {"sft": SFTConfig, "krsl": KRSLConfig}[stage].model_validate(config["train"])
    lora = LoraConfig.model_validate(config["lora"]) if config["lora"] else None
    rank, world, device = worker.rank, worker.world, worker.device
    pad_id, seed = config["pad_id"], config["seed"]
    after_step = config.get("after_step")  # (step, rank) -> None, called after each optimizer step
    if device.type == "cpu":  # one thread per CPU the worker holds (torch's default may differ inside an actor)
        torch.set_num_threads(cfg.cpus_per_worker)

    rows, val_rows = worker.rows, worker.val_rows
    micro_per_epoch = len(epoch_order(len(rows), 0, seed, rank, world, cfg.batch_size))
    steps_per_epoch = micro_per_epoch // cfg.grad_accum
    if steps_per_epoch == 0:
        raise ValueError(f"{stage}: {len(rows)} rows cannot fill one step of {world} workers x batch_size "
                         f"{cfg.batch_size} x grad_accum {cfg.grad_accum}; lower them or add data")
    lengths = [example_tokens(r) for r in rows]
    by_length = lengths if cfg.group_by_length else None
    if cfg.token_budget is not None:  # compute parity: as many tokens as another method trained on
        total_steps = steps_for_token_budget(lengths, cfg.token_budget, seed, world, cfg.batch_size, cfg.grad_accum,
                                             cfg.group_by_length)
    else:
        total_steps = min(steps_per_epoch * cfg.epochs, cfg.max_steps or 10**12)

    torch.manual_seed(seed)  # same initial LoRA on every rank (FSDP2 shards without broadcasting)
    model = build_model(config["init_model"], lora)
    model, optimizer, scheduler, engine = wrap_for_strategy(model, cfg, steps_per_epoch, total_steps, device,
                                                            worker.local_rank)
    progress = Progress()
    if worker.resume_from:  # worker-group recovery, a restarted driver or a re-run torchrun: continue
        progress = load_newest_valid(worker.resume_from, model, optimizer, scheduler, engine, lora is not None)
    else:
        torch.manual_seed(seed + rank)  # dropout differs per rank
    model.train()

    jsonl, log = open_loggers(cfg, config["out_dir"], rank, config["run_name"])
    try:
        # Off a terminal (a Ray worker's output reaches the driver line by line) every redraw is a new line:
        # at most one every PROGRESS_EVERY_S there.
        bar = tqdm(total=total_steps, initial=progress.step, desc=stage, disable=rank != 0,
                   mininterval=0.1 if sys.stderr.isatty() else PROGRESS_EVERY_S)
        val_metrics = (evaluate(model, val_rows, objective, cfg, pad_id, device) | {"val_step": progress.step}
                       if val_rows else {})

        last_step_end = time.perf_counter()
        while progress.step < total_steps:
            order = epoch_order(len(rows), progress.epoch, seed, rank, world, cfg.batch_size, by_length)
            for step_in_epoch in range(progress.step_in_epoch, steps_per_epoch):
                t0 = time.perf_counter()
                lr = scheduler.get_last_lr()[0]  # the rate this step uses (the scheduler moves at its end)
                window = [objective.collate([rows[i] for i in order[m]], cfg, pad_id)
                          for m in range(step_in_epoch * cfg.grad_accum, (step_in_epoch + 1) * cfg.grad_accum)]
                total = all_reduce_sum(torch.tensor(sum(objective.denominator(b) for b in window), device=device))
                sums = torch.zeros(2, device=device)  # loss sum, input tokens
                parts: dict[str, float] = {}
                for micro, batch in enumerate(window):
                    last = micro == len(window) - 1
                    with no_grad_sync(model, cfg, last):
                        loss_sum, _, metrics = loss_on_batch(model, batch, objective, cfg, device)
                        scaled = loss_sum * world / total
                        if engine is not None:
                            engine.backward(scaled, scale_wrt_gas=False)  # our scale already covers accumulation
                            engine.step()  # DeepSpeed steps only at the accumulation boundary
                        else:
                            scaled.backward()
                    sums += torch.stack([loss_sum.detach().float(), batch["tokens"].float().to(device)])
                    for k, v in metrics.items():
                        parts[k] = parts.get(k, 0.0) + float(v) / len(window)
                if engine is not None:
                    grad_norm = float(engine.get_global_grad_norm() or 0.0)
                else:
                    grad_norm = clip_grad_norm(model, cfg)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad(set_to_none=True)
                progress.step += 1
                progress.step_in_epoch = step_in_epoch + 1
                progress.samples += cfg.batch_size * cfg.grad_accum * world
                if progress.step_in_epoch == steps_per_epoch:
                    progress.epoch, progress.step_in_epoch = progress.epoch + 1, 0
                # validation at every epoch end and at the last step, however the run stops (epochs,
                # max_steps, token_budget): a sweep's scheduler always gets its metric from the last report
                if val_rows and (progress.step_in_epoch == 0 or progress.step >= total_steps):
                    val_metrics = evaluate(model, val_rows, objective, cfg, pad_id, device) | {"val_step": progress.step}

                stats = all_reduce_sum(torch.cat([sums, torch.tensor([parts.get(k, 0.0) for k in objective.step_metrics],
                                                                     device=device, dtype=sums.dtype)]))
                now = time.perf_counter()
                # tokens_per_s: this step's compute; step_s: wall time since the previous step ended, with
                # everything between steps (reports, checkpoints, validation, logging)
                progress.tokens += int(stats[1])
                metrics = {"loss": float(stats[0] / total), "lr": lr, "grad_norm": grad_norm,
                           "tokens_per_s": float(stats[1]) / (now - t0), "step_s": now - last_step_end,
                           "samples": progress.samples, "tokens": progress.tokens,
                           "epoch": progress.step / steps_per_epoch, "peak_rss_mb": peak_rss_mb()}
                metrics |= {k: float(v) / world for k, v in zip(objective.step_metrics, stats[2:])}
                metrics |= val_metrics
                log(metrics, progress.step)
                last_step_end = now
                bar.set_postfix(loss=f"{metrics['loss']:.4f}", lr=f"{metrics['lr']:.2e}", refresh=False)
                bar.update(1)

                done = progress.step >= total_steps
                kind = report_kind(progress.step, progress.step_in_epoch, total_steps, cfg.checkpoint_every)
                if kind is not None:
                    save = (lambda d: save_state(d, model, optimizer, scheduler, engine, cfg, progress,
                                                 lora is not None)) if kind == "checkpoint" else None
                    worker.report({**metrics, "step": progress.step}, save)
                if after_step is not None:  # tests inject faults here (a failed worker after a given step)
                    after_step(progress.step, rank)
                if done:
                    break
            else:
                continue
            break

        bar.close()
        state = full_state_dict(model, cfg)  # collective
        if rank == 0 and config.get("export_dir"):
            from edit_ray.train.export import export_merged

            export_merged(state, config["init_model"], lora, config["tokenizer_dir"], config["export_dir"])
    finally:
        if jsonl is not None:
            jsonl.close()
    if dist.is_initialized():
        dist.barrier()  # the export is complete before any worker returns
