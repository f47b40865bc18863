"""The pipeline's two training steps: stage 1 (SFT, plain CoT distillation) and stage 2 (KRSL).

KRSL (Key Reasoning Steps Learning) is defined in ``losses.py``. In EDIT it trains once on the teacher's
dual-CoT pairs (``dual.source: teacher``); in the EDIT x ORION modes (``dual.source: student | both``, or
``orion.rounds > 1``) it trains in rounds on the student's own mistakes (``orion.rounds.run_rounds``), and
the last round's student is published as ``krsl/model`` so that evaluation and the report find it.
"""

from __future__ import annotations

from edit_ray import io
from edit_ray.config import RunConfig
from edit_ray.orion.rounds import run_rounds
from edit_ray.steps import Step
from edit_ray.train.run import train_stage
from edit_ray.train.stage1 import write_stage1_table


def in_rounds(cfg: RunConfig) -> bool:
    """KRSL on the student's own mistakes, in ORION rounds, instead of once on the teacher's pairs."""
    return cfg.dual.source in ("student", "both") or cfg.orion.rounds > 1


def run_sft(cfg: RunConfig, run_dir: str) -> dict:
    """Stage 1 on the table of ``sft.data`` (``stage1.py``), from the base student."""
    data_path = write_stage1_table(cfg, run_dir)
    return train_stage(cfg, "sft", data_path=data_path, init_model=cfg.student.model, out_dir=io.join(run_dir, "sft"))


def run_krsl(cfg: RunConfig, run_dir: str) -> dict:
    # Stage 2 starts from the merged stage-1 student (edit-method.md §3.2), or the base one without stage 1.
    if in_rounds(cfg):
        summary = run_rounds(cfg, run_dir, publish_to=io.join(run_dir, "krsl", "model"))
        return {"rounds": len(summary["rounds"]), "accuracy": summary["accuracy"],
                "final_model": summary["final_model"]}
    init_model = io.join(run_dir, "sft", "model") if cfg.sft.data != "none" else cfg.student.model
    return train_stage(cfg, "krsl", data_path=io.join(run_dir, "masks", "masks.parquet"), init_model=init_model,
                       out_dir=io.join(run_dir, "krsl"))


def krsl_reads(cfg: RunConfig) -> tuple[str, ...]:
    """KRSL reads its own settings; in rounds it also exposes, rectifies, masks and (maybe) evaluates."""
    reads = ("student", "krsl", "run.seed", "dual.source")
    if in_rounds(cfg):
        reads += ("orion", "teacher", "eval.engine", "masking", "data")
        if cfg.orion.eval_each_round:
            reads += ("eval",)
    return reads


def _no_stage1(cfg: RunConfig) -> str | None:
    return f"method {cfg.method} has no stage 1 (sft.data=none)" if cfg.sft.data == "none" else None


def _no_krsl(cfg: RunConfig) -> str | None:
    return f"method {cfg.method} has no KRSL stage (dual.source=none)" if cfg.dual.source == "none" else None


SFT = Step("sft", run_sft, reads=("student", "sft", "run.seed", "teacher.samples_per_question",
                                  "teacher.extra_samples"),
           after=("data", "teacher", "dual", "reflect"), outputs=("sft",), done="sft/model", skip=_no_stage1,
           shareable=True)
KRSL = Step("krsl", run_krsl, reads=krsl_reads, after=("data", "dual", "sft", "masks"),
            outputs=("krsl", "round_[0-9]*", "orion/rounds.json"), done="krsl/model", skip=_no_krsl, shareable=True)
