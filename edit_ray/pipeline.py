"""The whole EDIT pipeline as one resumable job: the steps below, in order, through one runner (``steps.py``).

Paper steps, in order (edit-method.md):
  data      questions from task files or the synthetic generators              -> data/questions.parquet
  teacher   CoT Extraction Prompt (CEP): the teacher answers every question    -> teacher/cots.parquet
  dual      dual CoTs: wrong CoTs rectified with an Answer Hint Prompt (AHP),
            right CoTs corrupted with a Contrastive CoTs Prompt (CCP)          -> dual/sft.parquet, dual/pairs.parquet
  masks     key tokens of each (right, wrong) pair by minimum edit distance    -> masks/masks.parquet
  exposure  ORION only: the untrained student's errors on the training set     -> orion/exposure/
  reflect   ORION only: the teacher's CoTs rewritten to avoid those errors     -> orion/reflect/
  sft       stage 1: supervised fine-tuning on the CoTs of ``sft.data``         -> sft/model/
  krsl      stage 2: Key Reasoning Steps Learning, a loss weighted on the key
            tokens of the right CoT minus beta times those of the wrong one
            (in ORION rounds on the student's own mistakes: round_<i>/)        -> krsl/model/
  eval      students (and teacher) on the benchmarks                           -> eval/eval.parquet
  report    tables and plots                                                   -> report.md, report.html

Each step is declared next to its code (``Step``: what it reads, after which steps, what it writes). A
finished step whose inputs are unchanged is skipped, an interrupted one resumes, a changed one re-runs
with everything downstream (the rules: ``steps.py``, docs/data-flow.md). ``from_stage`` re-runs a step and
every later one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace

from edit_ray import io
from edit_ray.config import STAGES, RunConfig, dump_config
from edit_ray.data.stage import DATA
from edit_ray.evaluate import EVAL
from edit_ray.masking.stage import MASKS
from edit_ray.orion.rounds import EXPOSURE, REFLECT
from edit_ray.report import REPORT
from edit_ray.steps import Step, StepFn, clear_outputs, condense_skips, identity, prepare_step, run_step
from edit_ray.steps import read_manifest as read_step_manifest
from edit_ray.teacher.stage import DUAL, TEACHER
from edit_ray.train.steps import KRSL, SFT

STEPS: tuple[Step, ...] = (DATA, TEACHER, DUAL, MASKS, EXPOSURE, REFLECT, SFT, KRSL, EVAL, REPORT)
STEP = {s.name: s for s in STEPS}
assert tuple(STEP) == STAGES, "config.STAGES (the CLI's --from choices) must list the pipeline's steps"


def read_manifest(run_dir: str, name: str) -> dict | None:
    """The manifest of the pipeline step ``name`` in ``run_dir``, or None."""
    return read_step_manifest(io.join(run_dir, STEP[name].dir))


def run_pipeline(cfg: RunConfig, from_stage: str | None = None, stages: Mapping[str, StepFn] | None = None,
                 until: str | None = None, brief: bool = False) -> str:
    """Run every step in order, skipping finished ones; return the path of the run's report.md.

    Args:
        cfg: the validated run config; ``cfg.run.dir`` is a local path or a pyarrow URI.
        from_stage: force this step and every later one to re-run (their outputs are deleted first).
        stages: replacements for some steps' functions ``(cfg, run_dir) -> counts`` (tests inject fakes here).
        until: stop before this step (``edit-ray bench`` trains its cells, then evaluates them together).
        brief: the steps kept from earlier, and those the method does not run, in one line each, and no
            closing line (``edit-ray bench``: its cells share their upstream steps and say their own time).

    Raises:
        ValueError: unknown ``from_stage`` or ``until``.
    """
    for name in (from_stage, until):
        if name is not None and name not in STEP:
            raise ValueError(f"unknown stage '{name}'; valid: {', '.join(STEP)}")
    steps = [replace(s, run=stages[s.name]) if stages and s.name in stages else s for s in STEPS]
    if until is not None:
        steps = steps[:STAGES.index(until)]
    run_dir = cfg.run.dir
    io.write_text(dump_config(cfg), io.join(run_dir, "config.yaml"))
    if from_stage is not None:
        for step in steps[STAGES.index(from_stage):]:
            clear_outputs(run_dir, step)

    log, flush = condense_skips("pipeline") if brief else (None, lambda: None)
    t_run = time.perf_counter()
    for step in steps:
        run_step(cfg, run_dir, step, _upstream(run_dir, step), store=cfg.run.store, log=log)
    flush()
    if not brief:  # a bench cell's own line says its time
        print(f"[pipeline] {'all stages' if until is None else f'stages before {until}'} done in "
              f"{time.perf_counter() - t_run:.1f}s", flush=True)
    return io.join(run_dir, "report.md")


def prepare_stage(cfg: RunConfig, name: str) -> str:
    """The directory of step ``name`` of ``cfg``'s run, ready for the step's current inputs (linked into the
    store, outputs of other inputs cleared: ``steps.prepare_step``); the steps before it must be done."""
    step = STEP[name]
    prepare_step(cfg, cfg.run.dir, step, _upstream(cfg.run.dir, step), store=cfg.run.store)
    return io.join(cfg.run.dir, step.dir)


def _upstream(run_dir: str, step: Step) -> dict[str, str | None]:
    return {name: identity(read_manifest(run_dir, name)) for name in step.after}
