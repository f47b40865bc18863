"""The whole EDIT pipeline as one resumable job: data -> teacher -> dual -> masks -> sft -> krsl -> eval -> report.

Paper steps, in order (edit-method.md):
  data     questions from task files or the synthetic generators            -> data/questions.parquet
  teacher  CoT Extraction Prompt (CEP): the teacher answers every question  -> teacher/cots.parquet
  dual     dual CoTs: wrong CoTs rectified with an Answer Hint Prompt (AHP),
           right CoTs corrupted with a Contrastive CoTs Prompt (CCP)        -> dual/sft.parquet, dual/pairs.parquet
  masks    key tokens of each (right, wrong) pair by minimum edit distance  -> masks/masks.parquet
  sft      stage 1: supervised fine-tuning on the correct CoTs              -> sft/model/
  krsl     stage 2: Key Reasoning Steps Learning, a loss weighted on the key
           tokens of the right CoT minus beta times those of the wrong one  -> krsl/model/
  eval     students (and teacher) on the benchmarks                         -> eval/eval.parquet
  report   tables and plots                                                 -> report.md

Resumability. Each stage writes ``<stage>/manifest.json`` (run-dir layout: docs/CONTRACTS.md). Its
``hash`` covers the config values the stage reads and the manifests (input hash and output fingerprint)
of the stages it reads from, so:

- a finished stage whose hash still matches is skipped;
- a stage that was interrupted (manifest ``status: running`` with the same hash, or no manifest at all) is
  called again and resumes: the stage functions skip the rows they already wrote;
- a stage whose hash changed (config edited, upstream re-run) has its outputs deleted and runs afresh;
- ``from_stage`` deletes that stage's outputs and those of every later stage, forcing them to re-run.

A manifest also fingerprints the stage's output (``artifact``): downstream hashes include it, so a stage
that resumes and ends with the same output leaves its downstream finished, and any change of content (or a
deleted output) re-runs what depends on it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping
from typing import Any

from edit_ray import io
from edit_ray.config import STAGES, RunConfig, dump_config

StageFn = Callable[[RunConfig, str], dict]

# Which stages' outputs each stage reads (a DAG; they still run in STAGES order).
UPSTREAM: dict[str, tuple[str, ...]] = {
    "data": (),
    "teacher": ("data",),
    "dual": ("data", "teacher"),
    "masks": ("dual",),
    "sft": ("data", "teacher", "dual"),
    "krsl": ("data", "dual", "sft", "masks"),
    "eval": ("data", "teacher", "sft", "krsl"),  # the teacher is scored from its CEP rows
    "report": ("data", "teacher", "dual", "masks", "sft", "krsl", "eval"),
}

# Which config values each stage reads (dotted paths into the config tree). Only these enter its hash, so
# changing krsl.lr re-runs krsl, eval and report but keeps the teacher's CoTs. ORION modes read more
# (``stage_reads``): exposure and reflection run the student through the eval engine.
READS: dict[str, tuple[str, ...]] = {
    "data": ("data", "run.seed"),
    "teacher": ("teacher", "run.seed"),
    "dual": ("teacher", "dual.max_verify_attempts", "dual.max_distance", "run.seed"),
    "masks": ("masking", "student.model", "krsl.alpha", "krsl.beta", "krsl.gamma"),
    "sft": ("student", "sft", "run.seed", "teacher.samples_per_question", "teacher.extra_samples"),
    "krsl": ("student", "krsl", "run.seed", "dual.source"),
    "eval": ("eval", "student.model", "teacher.engine", "data", "run.seed", "method", "sft.data",
             "sft.token_budget", "dual.source"),
    "report": (),
}
ORION_READS: dict[str, tuple[str, ...]] = {
    "sft": ("orion", "teacher", "eval.engine"),
    "krsl": ("orion", "teacher", "eval.engine", "masking", "data"),
}


def stage_reads(cfg: RunConfig, stage: str) -> tuple[str, ...]:
    """The config values a stage reads under this config (ORION modes read the ORION settings too)."""
    orion = ((stage == "sft" and cfg.sft.data in ("reflected", "both"))
             or (stage == "krsl" and (cfg.dual.source in ("student", "both") or cfg.orion.rounds > 1)))
    if not orion:
        return READS[stage]
    extra = ORION_READS[stage] + (("eval",) if stage == "krsl" and cfg.orion.eval_each_round else ())
    return READS[stage] + extra


def skip_reason(cfg: RunConfig, stage: str) -> str | None:
    """Why the method trains no such stage (zero-shot has no stage 1, std-cot no KRSL), or None."""
    if stage == "sft" and cfg.sft.data == "none":
        return f"method {cfg.method} has no stage 1 (sft.data=none)"
    if stage == "krsl" and cfg.dual.source == "none":
        return f"method {cfg.method} has no KRSL stage (dual.source=none)"
    return None


# What each stage writes, relative to the run dir; deleted when the stage must start afresh.
OUTPUTS: dict[str, tuple[str, ...]] = {
    "data": ("data",),
    "teacher": ("teacher",),
    "dual": ("dual",),
    "masks": ("masks",),
    "sft": ("sft",),
    "krsl": ("krsl",),
    "eval": ("eval",),
    "report": ("report", "report.md", "report.html", "plots"),
}

# The artifact whose presence (next to a matching manifest) means the stage's work is on disk.
DONE_ARTIFACT: dict[str, str] = {
    "data": "data/questions.parquet",
    "teacher": "teacher/cots.parquet",
    "dual": "dual/pairs.parquet",
    "masks": "masks/masks.parquet",
    "sft": "sft/model",
    "krsl": "krsl/model",
    "eval": "eval/eval.parquet",
    "report": "report.md",
}


# ------------------------------------------------------------------------------------- the stages
# Where each stage's library entry point lives (the pipeline only wires paths between them).
ENTRY_POINTS: dict[str, tuple[str, str]] = {
    "data": ("edit_ray.data", "build_questions"),
    "teacher": ("edit_ray.teacher.stage", "run_teacher"),
    "dual": ("edit_ray.teacher.stage", "run_dual"),
    "masks": ("edit_ray.masking.stage", "run_masking"),
    "sft": ("edit_ray.train.run", "train_stage"),
    "krsl": ("edit_ray.train.run", "train_stage"),
    "eval": ("edit_ray.evaluate", "evaluate"),
    "report": ("edit_ray.report", "write_report"),
}


def _entry(stage: str) -> Callable:
    """Import a stage's entry point; a missing one fails the run naming the module that is not there."""
    module, name = ENTRY_POINTS[stage]
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as e:
        raise RuntimeError(f"stage '{stage}' needs {module}.{name}, but module '{e.name}' is missing ({e})") from e
    except AttributeError as e:
        raise RuntimeError(f"stage '{stage}' needs {module}.{name}, which {module} does not define") from e


def check_entry_points(stages: list[str]) -> None:
    """Fail in seconds, before any stage runs, if a stage's module is not installed (not after hours of work)."""
    missing = []
    for stage in stages:
        module, name = ENTRY_POINTS[stage]
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(f"stage '{stage}' needs {module}.{name}, but module '{module}' is missing")
    if missing:
        raise RuntimeError("cannot run the pipeline:\n  " + "\n  ".join(missing))


def run_data(cfg: RunConfig, run_dir: str) -> dict:
    """Load or generate the questions; rows that cannot be read go to data/errors.parquet."""
    build_questions = _entry("data")
    result = build_questions(cfg.data, cfg.run.seed)
    questions = result.questions
    errors = list(result.errors)
    io.write_table(questions, io.join(run_dir, "data", "questions.parquet"))
    io.write_errors(errors, io.join(run_dir, "data", "errors.parquet"))
    n_ok = questions.num_rows if hasattr(questions, "num_rows") else len(questions)
    return io.report_counts("data", n_ok + len(errors), n_ok, len(errors))


def run_teacher(cfg: RunConfig, run_dir: str) -> dict:
    return _entry("teacher")(cfg, run_dir)


def run_dual(cfg: RunConfig, run_dir: str) -> dict:
    return _entry("dual")(cfg, run_dir)


def run_masks(cfg: RunConfig, run_dir: str) -> dict:
    run_masking = _entry("masks")
    return run_masking(io.join(run_dir, "dual", "pairs.parquet"), io.join(run_dir, "masks"), cfg.student.model,
                       cfg.masking, cfg.krsl.alpha, cfg.krsl.beta, cfg.krsl.gamma)


def run_sft(cfg: RunConfig, run_dir: str) -> dict:
    """Stage 1 on the table of ``sft.data`` (``train.stage1``); ORION modes first expose and reflect."""
    from edit_ray.train.stage1 import write_stage1_table

    train_stage = _entry("sft")
    if cfg.sft.data in ("reflected", "both"):
        # ORION mode: the untrained student exposes its errors and the teacher's CoTs are rewritten to
        # avoid them; stage 1 trains on those (alone or mixed with the teacher's, per sft.data).
        from edit_ray.orion import run_reflection

        run_reflection(cfg, run_dir)
    data_path = write_stage1_table(cfg, run_dir)
    return train_stage(cfg, "sft", data_path=data_path, init_model=cfg.student.model,
                       out_dir=io.join(run_dir, "sft"))


def run_krsl(cfg: RunConfig, run_dir: str) -> dict:
    # Stage 2 starts from the merged stage-1 student (edit-method.md §3.2), or the base one without stage 1.
    init_model = io.join(run_dir, "sft", "model") if cfg.sft.data != "none" else cfg.student.model
    if cfg.dual.source != "teacher" or cfg.orion.rounds > 1:
        # EDIT x ORION: pairs from the student's own mistakes, in rounds (each in run_dir/round_<i>/);
        # the last round's student is published as krsl/model so evaluation and the report find it.
        from edit_ray.orion import run_rounds

        summary = run_rounds(cfg, run_dir, publish_to=io.join(run_dir, "krsl", "model"))
        return {"rounds": len(summary["rounds"]), "accuracy": summary["accuracy"],
                "final_model": summary["final_model"]}
    train_stage = _entry("krsl")
    return train_stage(cfg, "krsl", data_path=io.join(run_dir, "masks", "masks.parquet"),
                       init_model=init_model, out_dir=io.join(run_dir, "krsl"))


def run_eval(cfg: RunConfig, run_dir: str) -> dict:
    return _entry("eval")(cfg, run_dir)


def run_report(cfg: RunConfig, run_dir: str) -> dict:
    path = _entry("report")(run_dir)
    return {"report": str(path)}


DEFAULT_STAGES: dict[str, StageFn] = {
    "data": run_data,
    "teacher": run_teacher,
    "dual": run_dual,
    "masks": run_masks,
    "sft": run_sft,
    "krsl": run_krsl,
    "eval": run_eval,
    "report": run_report,
}


# ---------------------------------------------------------------------------------------- manifests
def manifest_path(run_dir: str, stage: str) -> str:
    return io.join(run_dir, stage, "manifest.json")


def read_manifest(run_dir: str, stage: str) -> dict | None:
    """The stage's manifest, or None when there is none or it is unreadable (a kill mid-write)."""
    path = manifest_path(run_dir, stage)
    if not io.exists(path):
        return None
    try:
        return io.read_json(path)
    except (OSError, ValueError):
        return None


def digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def config_values(tree: dict, paths: tuple[str, ...]) -> dict[str, Any]:
    values = {}
    for dotted in paths:
        node: Any = tree
        for part in dotted.split("."):
            node = node[part]
        values[dotted] = node
    return values


def artifact_signature(run_dir: str, stage: str) -> str | None:
    """A fingerprint of what a stage produced: file bytes for a table, names/sizes/mtimes for a model dir.

    Downstream stages hash this (not the upstream's timing), so a stage that resumes and ends with the
    same output leaves its downstream finished, while any change of content re-runs it.
    """
    path = io.join(run_dir, DONE_ARTIFACT[stage])
    fs, p = io.filesystem(path)
    info = fs.get_file_info(p)
    h = hashlib.sha256()
    if info.type == io.pafs.FileType.File:
        with fs.open_input_stream(p) as f:
            while chunk := f.read(1 << 22):
                h.update(chunk)
    elif info.type == io.pafs.FileType.Directory:
        # a model is GBs: its files' sizes and modification times stand in for their bytes
        for f in sorted(fs.get_file_info(io.pafs.FileSelector(p, recursive=True)), key=lambda f: f.path):
            h.update(f"{f.path[len(p):]}:{f.size}:{f.mtime_ns}".encode())
    else:
        return None
    return h.hexdigest()[:16]


def _identity(manifest: dict | None) -> str | None:
    """What a downstream stage depends on: the upstream's inputs and output, not its timing or counts."""
    if manifest is None:
        return None
    return digest({k: manifest.get(k) for k in ("hash", "artifact")})


def stage_inputs(cfg: RunConfig, run_dir: str, stage: str) -> dict:
    """What a stage's result depends on: the config values it reads and its upstream stages' outputs."""
    tree = cfg.model_dump(mode="json")
    upstream = {up: _identity(read_manifest(run_dir, up)) for up in UPSTREAM[stage]}
    return {"config": config_values(tree, stage_reads(cfg, stage)), "upstream": upstream}


def _is_done(run_dir: str, stage: str, manifest: dict | None, hash_: str) -> bool:
    """Finished with these inputs, and its output is still what it was (not deleted or rewritten since)."""
    if manifest is None or manifest.get("status") != "done" or manifest.get("hash") != hash_:
        return False
    artifact = manifest.get("artifact")
    return artifact is not None and (artifact == SKIPPED or artifact == artifact_signature(run_dir, stage))


# A stage the method does not train (zero-shot's stage 1, std-cot's KRSL) is done with this artifact.
SKIPPED = "skipped"
# Stages whose outputs are one directory named after the stage: these can live in a shared store.
SHAREABLE = ("data", "teacher", "dual", "masks", "sft", "krsl", "eval")


def _has_output(path: str) -> bool:
    """Something is there: a file, or a directory with entries (a store link starts out empty)."""
    fs, p = io.filesystem(path)
    info = fs.get_file_info(p)
    if info.type == io.pafs.FileType.Directory:
        return bool(fs.get_file_info(io.pafs.FileSelector(p, recursive=False)))
    return info.type == io.pafs.FileType.File


def link_shared(run_dir: str, stage: str, store: str, hash_: str) -> None:
    """Make ``run_dir/<stage>`` a link to ``store/<stage>/<hash_>``, where every run with the same stage
    inputs finds (or leaves) the stage's output. A run's own copy from before is moved there when the store
    has none yet, else deleted."""
    if "://" in run_dir:
        raise ValueError(f"run.store needs a local run.dir, not {run_dir!r}")
    target = os.path.join(store, stage, hash_)
    link = os.path.join(run_dir, stage)
    os.makedirs(run_dir, exist_ok=True)
    if os.path.islink(link):
        if os.readlink(link) == target:
            return
        os.unlink(link)
    elif os.path.isdir(link):
        if os.path.isdir(target) and os.listdir(target):
            shutil.rmtree(link)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.isdir(target):
                os.rmdir(target)
            os.replace(link, target)
    os.makedirs(target, exist_ok=True)
    os.symlink(target, link)


def clear_stage(run_dir: str, stage: str) -> None:
    """Delete what a stage wrote (its manifest included), so it starts afresh."""
    if stage == "krsl":  # ORION rounds keep their own manifests; --from krsl must redo them too
        from edit_ray.orion.rounds import clear_rounds

        clear_rounds(run_dir)
    for rel in OUTPUTS[stage]:
        path = io.join(run_dir, rel)
        if os.path.islink(path):  # a shared store's directory: empty it for this run (same inputs hash)
            for entry in os.scandir(path):
                shutil.rmtree(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)
            continue
        fs, p = io.filesystem(path)
        info = fs.get_file_info(p)
        if info.type == io.pafs.FileType.Directory:
            fs.delete_dir(p)
        elif info.type == io.pafs.FileType.File:
            fs.delete_file(p)


def _write_text(text: str, path: str) -> None:
    fs, p = io.filesystem(path)
    fs.create_dir(os.path.dirname(p), recursive=True)
    with fs.open_output_stream(p) as f:
        f.write(text.encode())


def _summary(counts: dict) -> str:
    """A stage's counts for its log line: in, ok and errors first, then up to five more; no paths."""
    counts = counts.get("counts", counts) if isinstance(counts.get("counts"), dict) else counts
    first = [k for k in ("in", "ok", "errors") if k in counts]
    rest = [k for k, v in counts.items() if k not in first and k != "stage" and isinstance(v, (int, float, str))
            and not (isinstance(v, str) and ("/" in v or "://" in v))]
    return ", ".join(f"{k}={round(counts[k], 4) if isinstance(counts[k], float) else counts[k]}"
                     for k in first + rest[:5])


def _log(message: str) -> None:
    print(f"[pipeline] {message}", flush=True)


# ----------------------------------------------------------------------------------------- pipeline
def run_pipeline(cfg: RunConfig, from_stage: str | None = None,
                 stages: Mapping[str, StageFn] | None = None) -> str:
    """Run every stage in order, skipping finished ones; return the path of the run's report.md.

    Args:
        cfg: the validated run config; ``cfg.run.dir`` is a local path or a pyarrow URI.
        from_stage: force this stage and every later one to re-run (their outputs are deleted first).
        stages: replacements for some stage functions ``(cfg, run_dir) -> counts`` (tests inject fakes here);
            the others are the real ones.

    Raises:
        ValueError: unknown ``from_stage``.
        RuntimeError: a stage whose module is missing, or a stage failure (re-raised as it came).
    """
    if from_stage is not None and from_stage not in STAGES:
        raise ValueError(f"unknown stage '{from_stage}'; valid: {', '.join(STAGES)}")
    fns = {**DEFAULT_STAGES, **(stages or {})}
    check_entry_points([s for s in STAGES if fns[s] is DEFAULT_STAGES[s]])
    run_dir = cfg.run.dir
    _write_text(dump_config(cfg), io.join(run_dir, "config.yaml"))
    if from_stage is not None:
        for stage in STAGES[STAGES.index(from_stage):]:
            clear_stage(run_dir, stage)

    t_run = time.perf_counter()
    for stage in STAGES:
        inputs = stage_inputs(cfg, run_dir, stage)
        hash_ = digest({"stage": stage, **inputs})
        if cfg.run.store is not None and stage in SHAREABLE:
            link_shared(run_dir, stage, cfg.run.store, hash_)
        manifest = read_manifest(run_dir, stage)
        if _is_done(run_dir, stage, manifest, hash_):
            _log(f"{stage}: skipped, finished earlier ({_summary(manifest.get('counts', {}))})")
            continue
        if manifest is not None and manifest.get("hash") != hash_:
            # Config or upstream changed: rows already written were made from other inputs.
            _log(f"{stage}: inputs changed, clearing its outputs")
            clear_stage(run_dir, stage)
            resumed = False
        else:
            resumed = manifest is not None or _has_output(io.join(run_dir, OUTPUTS[stage][0]))
        started = time.time()
        if (reason := skip_reason(cfg, stage)) is not None:
            _log(f"{stage}: not run: {reason}")
            io.write_json({"stage": stage, "status": "done", "hash": hash_, "inputs": inputs,
                           "counts": {"skipped": reason}, "artifact": SKIPPED, "seconds": 0.0,
                           "started": started, "finished": started}, manifest_path(run_dir, stage))
            continue
        _log(f"{stage}: {'resuming' if resumed else 'starting'}")
        io.write_json({"stage": stage, "status": "running", "hash": hash_, "inputs": inputs,
                       "started": started}, manifest_path(run_dir, stage))
        t0 = time.perf_counter()
        counts = fns[stage](cfg, run_dir) or {}
        seconds = round(time.perf_counter() - t0, 3)
        artifact = artifact_signature(run_dir, stage)
        if artifact is None:
            raise RuntimeError(f"stage '{stage}' finished but wrote no {io.join(run_dir, DONE_ARTIFACT[stage])}")
        io.write_json({"stage": stage, "status": "done", "hash": hash_, "inputs": inputs, "counts": counts,
                       "artifact": artifact, "seconds": seconds, "started": started, "finished": time.time()},
                      manifest_path(run_dir, stage))
        _log(f"{stage}: finished in {seconds:.1f}s ({_summary(counts)})")
    _log(f"all stages done in {time.perf_counter() - t_run:.1f}s")
    return io.join(run_dir, "report.md")


# ------------------------------------------------------------------------------------ entry point
def run_command(cfg: RunConfig, from_stage: str | None = None) -> int:
    """`edit-ray run` and jobs/edit_pipeline.py: run the pipeline in a Ray session, print report.md's path last."""
    from edit_ray.session import ray_session

    with ray_session(cfg):
        report = run_pipeline(cfg, from_stage=from_stage)
    print(report, flush=True)
    return 0
