"""The data step: load or generate the run's questions (``data/questions.parquet``), unusable rows to errors."""

from __future__ import annotations

from edit_ray import io
from edit_ray.config import RunConfig
from edit_ray.data import build_questions
from edit_ray.steps import Step


def run_data(cfg: RunConfig, run_dir: str) -> dict:
    """Load or generate the questions; rows that cannot be read go to data/errors.parquet."""
    result = build_questions(cfg.data, cfg.run.seed)
    io.write_table(result.questions, io.join(run_dir, "data", "questions.parquet"))
    io.write_errors(list(result.errors), io.join(run_dir, "data", "errors.parquet"))
    n_ok = len(result.questions)
    return io.report_counts("data", n_ok + len(result.errors), n_ok, len(result.errors))


DATA = Step("data", run_data, reads=("data", "run.seed"), outputs=("data",), done="data/questions.parquet",
            shareable=True)
