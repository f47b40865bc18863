"""Stage 1 (SFT) and stage 2 (KRSL) of EDIT on Ray Train: build the trainer, fit, export.

Reads ``<run.dir>/dual/sft.parquet`` (SFT: row_id, qid, task, prompt, response) or
``<run.dir>/masks/masks.parquet`` (KRSL: pair_id, prompt_ids, chosen_ids, rejected_ids, chosen_key,
rejected_key). Writes ``<out_dir>/model/`` (merged HF directory), ``<out_dir>/metrics.jsonl`` (one line
per optimizer step), ``<out_dir>/errors.parquet`` (rows that cannot be trained on, with a reason) and
``<out_dir>/ray/<name>/`` (Ray Train checkpoints; a restarted driver with the same name resumes there).
"""

from __future__ import annotations

import json
import os
from typing import Literal

from edit_ray import io
from edit_ray.config import RunConfig

Stage = Literal["sft", "krsl"]
REQUIRED = {
    "sft": ("row_id", "prompt", "response"),
    "krsl": ("pair_id", "prompt_ids", "chosen_ids", "rejected_ids", "chosen_key", "rejected_key"),
}


def check_columns(stage: Stage, path: str, names: list[str]) -> None:
    """Raises ValueError naming the file and the columns ``stage`` needs that it lacks."""
    missing = [c for c in REQUIRED[stage] if c not in names]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing} needed for {stage} (has {names})")


def example_errors(stage: Stage, failed: list[dict]) -> list[dict]:
    """Error-table rows of examples that could not be built (their ``error`` is ``"reason: detail"``)."""
    return [io.error_row(r["row_id"], stage, r["error"].split(":")[0], r["error"]) for r in failed]


def prepare_examples(stage: Stage, path: str, cfg: RunConfig, tokenizer_dir: str, errors_path: str | None = None,
                     label: str | None = None):
    """Stage table -> Ray Dataset of training examples (``data.py``); failed rows to ``errors_path``.

    Returns:
        ``(dataset, n_in, n_ok, n_errors)``; prints ``[label] in = ok + errors`` (label: the stage).
    Raises:
        ValueError: the file lacks a required column (named), or no row is usable.
    """
    import pyarrow.parquet as pq
    import ray.data

    from edit_ray.train.data import SFTExamples, krsl_examples

    fs, inner = io.filesystem(path)
    names = pq.read_schema(inner, filesystem=fs).names if fs.get_file_info(inner).type.name == "File" else None
    ds = ray.data.read_parquet(io.local_path(path))
    check_columns(stage, path, names or ds.schema().names)
    tcfg = getattr(cfg, stage)
    match stage:
        case "sft":
            out = ds.map_batches(SFTExamples, fn_constructor_kwargs={"tokenizer_dir": tokenizer_dir,
                                                                     "max_length": tcfg.max_length},
                                 batch_size=256, compute=ray.data.ActorPoolStrategy(size=1), num_cpus=1)
        case "krsl":
            out = ds.map_batches(krsl_examples, batch_size=256, num_cpus=1, fn_kwargs={
                "alpha": tcfg.alpha, "beta": tcfg.beta, "gamma": tcfg.gamma, "max_length": tcfg.max_length})
        case other:
            raise ValueError(f"stage={other!r}; valid: 'sft', 'krsl'")
    out = out.materialize()  # one pass over the table; the split below reads the materialized blocks
    failed = [r for r in out.select_columns(["row_id", "error"]).take_all() if r["error"] is not None]
    ok = out.filter(lambda r: r["error"] is None).drop_columns(["error"])  # lazy: runs in the train workers
    n_in = out.count()
    n_ok = n_in - len(failed)
    if errors_path is not None:
        io.write_errors(example_errors(stage, failed), errors_path)
    io.report_counts(label or stage, n_in, n_ok, len(failed))
    if n_ok == 0:
        raise ValueError(f"{path}: no usable {stage} row out of {n_in} (see {errors_path})")
    return ok, n_in, n_ok, len(failed)


def examples_in_process(stage: Stage, path: str, cfg: RunConfig, tokenizer_dir: str) -> tuple[list[dict], list[dict]]:
    """``prepare_examples`` without Ray (``python -m edit_ray.train`` under torchrun): the same functions of
    ``data.py`` on the whole table in this process. Returns ``(example rows, error rows)``."""
    import numpy as np

    from edit_ray.train.data import SFTExamples, krsl_examples

    table = io.read_table(path)
    check_columns(stage, path, table.column_names)
    batch = {}
    for name in table.column_names:  # one object per row (np.array would make equal-length lists one 2-D array)
        column = batch[name] = np.empty(table.num_rows, dtype=object)
        for i, value in enumerate(table.column(name).to_pylist()):
            column[i] = np.asarray(value) if isinstance(value, list) else value  # as Ray Data hands lists over
    tcfg = getattr(cfg, stage)
    if stage == "sft":
        out = SFTExamples(tokenizer_dir, tcfg.max_length)(batch)
    else:
        out = krsl_examples(batch, tcfg.alpha, tcfg.beta, tcfg.gamma, tcfg.max_length)
    rows = [dict(zip(out, values)) for values in zip(*out.values())]
    ok = [{k: v for k, v in r.items() if k != "error"} for r in rows if r["error"] is None]
    return ok, example_errors(stage, [r for r in rows if r["error"] is not None])


def loop_config(cfg: RunConfig, stage: Stage, init_dir: str, out_dir: str, name: str, has_val: bool) -> dict:
    """The config ``loop.run_loop`` reads (its docstring lists the keys), under Ray Train or torchrun."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(init_dir)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    return {
        "stage": stage, "train": getattr(cfg, stage).model_dump(mode="json"),
        "lora": cfg.student.lora.model_dump(mode="json") if cfg.student.lora else None,
        "init_model": init_dir, "tokenizer_dir": init_dir, "pad_id": int(pad_id), "seed": cfg.run.seed,
        "out_dir": io.local_path(out_dir) if "://" not in out_dir else os.path.abspath(os.path.join("logs", name)),
        "export_dir": io.local_path(io.join(out_dir, "model")), "has_val": has_val, "run_name": name,
    }


def build_trainer(cfg: RunConfig, stage: Stage, *, data_path: str, init_model: str, out_dir: str, name: str,
                  val_path: str | None = None, callbacks: list | None = None, loop_overrides: dict | None = None,
                  worker_memory_mb: float | None = None):
    """A ``TorchTrainer`` for one stage; the caller ``fit()``s it (``train_stage``, or a Tune trial).

    Args:
        cfg: the run config; ``cfg.<stage>`` (SFTConfig / KRSLConfig) and ``cfg.student.lora`` are used.
        stage: "sft" or "krsl".
        data_path: the stage's Parquet table (see module docstring).
        init_model: alias or HF directory to start from (krsl: the merged stage-1 model).
        out_dir: stage directory: metrics.jsonl, errors.parquet, model/, ray/ (checkpoints).
        name: Ray Train run name; the same name and out_dir resume a stopped run.
        val_path: table in the same format; then every report carries ``val_loss`` (computed before
            training and at each epoch end) for Tune's ASHA.
        callbacks: Ray Train callbacks (e.g. Tune's ``TuneReportCallback``).
        loop_overrides: extra keys for the worker config (tests: ``after_step``, a fault injector).
        worker_memory_mb: Ray ``memory`` each worker reserves (a sweep's trials, so the scheduler does not start
            more of them than the nodes' memory holds); None reserves none.
    """
    import ray.train
    from ray.train import CheckpointConfig, FailureConfig, ScalingConfig
    from ray.train.torch import TorchTrainer

    from edit_ray.models import resolve
    from edit_ray.train.loop import train_loop_per_worker

    tcfg = getattr(cfg, stage)
    init_dir = resolve(init_model)
    io.makedirs(out_dir)
    train_ds, *_ = prepare_examples(stage, data_path, cfg, init_dir, io.join(out_dir, "errors.parquet"))
    datasets = {"train": train_ds}
    if val_path is not None:
        datasets["val"], *_ = prepare_examples(stage, val_path, cfg, init_dir, io.join(out_dir, "val_errors.parquet"),
                                               label=f"{stage}.val")
    for ds in datasets.values():  # workers read their shard once at start; a bar would stay open all training
        ds.context.enable_progress_bars = False
    return TorchTrainer(
        train_loop_per_worker,
        train_loop_config={**loop_config(cfg, stage, init_dir, out_dir, name, has_val=val_path is not None),
                           **(loop_overrides or {})},
        scaling_config=ScalingConfig(num_workers=tcfg.num_workers, use_gpu=tcfg.use_gpu,
                                     resources_per_worker={"CPU": tcfg.cpus_per_worker, "GPU": int(tcfg.use_gpu),
                                                           **({"memory": int(worker_memory_mb * 2**20)}
                                                              if worker_memory_mb else {})}),
        run_config=ray.train.RunConfig(
            name=name, storage_path=io.local_path(io.join(out_dir, "ray")), callbacks=callbacks,
            failure_config=FailureConfig(max_failures=tcfg.max_failures),
            checkpoint_config=CheckpointConfig(num_to_keep=2)),
        datasets=datasets,
        # every worker reads the whole table and takes its share of a seeded order (exact resume; loop.py)
        dataset_config=ray.train.DataConfig(datasets_to_split=[]),
    )


def drop_checkpoints(cfg: RunConfig, stage: Stage, out_dir: str) -> None:
    """Delete a finished run's Ray Train checkpoints (``<out_dir>/ray``) unless ``<stage>.keep_checkpoints``:
    the model is exported by then, and two checkpoints per trained model fill a disk over a sweep or a grid."""
    if not getattr(cfg, stage).keep_checkpoints:
        io.remove(io.join(out_dir, "ray"))


def read_metrics(path: str) -> list[dict]:
    """The rows of a metrics.jsonl (local path or URI), one per optimizer step in step order: a resumed run
    appends, so the last row of a step wins. A line that is not a JSON object with a numeric ``step`` (a kill
    mid-write) is skipped."""
    if not io.exists(path):
        return []
    fs, p = io.filesystem(path)
    with fs.open_input_stream(p) as f:
        lines = f.read().decode(errors="replace").splitlines()
    by_step: dict[float, dict] = {}
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("step"), (int, float)):
            by_step[row["step"]] = row
    return [by_step[s] for s in sorted(by_step)]


def train_stage(cfg: RunConfig, stage: Stage, *, data_path: str, init_model: str, out_dir: str,
                val_path: str | None = None) -> dict:
    """Fit one stage and export the merged model to ``<out_dir>/model``.

    Returns:
        ``{"in", "ok", "errors", "model_dir", "metrics_path", "final_loss", "steps"}``: rows of the stage table,
        those that became examples and those in ``<out_dir>/errors.parquet``.
    Raises:
        RuntimeError: the Ray Train run failed (after ``max_failures`` recoveries).
    """
    import pyarrow.parquet as pq

    name = f"{cfg.run.name}-{stage}"
    trainer = build_trainer(cfg, stage, data_path=data_path, init_model=init_model, out_dir=out_dir, name=name,
                            val_path=val_path)
    result = trainer.fit()
    if result.error is not None:
        raise RuntimeError(f"{stage} training failed: {result.error}") from result.error
    drop_checkpoints(cfg, stage, out_dir)
    metrics_path = io.join(out_dir, "metrics.jsonl")
    rows = read_metrics(metrics_path)
    fs, inner = io.filesystem(data_path)
    n_in = pq.ParquetDataset(inner, filesystem=fs).read(columns=[]).num_rows
    n_errors = len(io.read_rows(io.join(out_dir, "errors.parquet"), columns=["row_id"]))
    return {"in": n_in, "ok": n_in - n_errors, "errors": n_errors, "model_dir": io.join(out_dir, "model"),
            "metrics_path": metrics_path,
            "final_loss": rows[-1]["loss"] if rows else None, "steps": rows[-1]["step"] if rows else 0}


def stage_inputs(cfg: RunConfig, stage: Stage) -> tuple[str, str]:
    """What ``edit-ray train --stage STAGE`` starts from in ``cfg.run.dir``: ``(init_model, input_path)``.

    sft starts from the student and needs the teacher's CoTs; krsl starts from the stage-1 model (the student
    when ``sft.data`` is none) and trains on the masks table.

    Raises:
        ValueError: an unknown stage.
        FileNotFoundError: the input is missing (the stages before ``stage`` have not run).
    """
    run_dir = cfg.run.dir
    match stage:
        case "sft":
            init_model = cfg.student.model
            needs = io.join(run_dir, "teacher", "cots.parquet")
        case "krsl":
            init_model = io.join(run_dir, "sft", "model") if cfg.sft.data != "none" else cfg.student.model
            needs = io.join(run_dir, "masks", "masks.parquet")
        case other:
            raise ValueError(f"--stage {other!r}; valid: sft, krsl")
    if not io.exists(needs):
        raise FileNotFoundError(f"{needs} not found: run the stages before {stage} first")
    return init_model, needs


def train_in_run_dir(cfg: RunConfig, stage: Stage, init_model: str, input_path: str) -> dict:
    """Fit ``stage`` from ``init_model`` (``stage_inputs``) into ``<run.dir>/<stage>``; Ray must be initialised.

    sft trains on the stage-1 rows of ``sft.data`` (``stage1.write_stage1_table``), krsl on ``input_path``.

    Returns:
        ``train_stage``'s dict.
    """
    run_dir = cfg.run.dir
    if stage == "sft":
        from edit_ray.train.stage1 import write_stage1_table

        data_path = write_stage1_table(cfg, run_dir)  # the stage-1 rows of sft.data
    else:
        data_path = input_path
    return train_stage(cfg, stage, data_path=data_path, init_model=init_model, out_dir=io.join(run_dir, stage))
