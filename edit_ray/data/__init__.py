"""Questions for a run: loaders (BIG-bench, BBH, JSONL, Parquet, HF), synthetic tasks, split.

``load_questions(paths)`` and ``build_questions(cfg, seed)`` return a ``LoadResult`` whose ``questions``
follow the questions schema (docs/CONTRACTS.md) with ``split`` set, and whose ``errors`` are error rows
(stage "data") for every input row that could not be used, so that ``in = ok + errors`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from edit_ray.data.loaders import REASONS, load_path
from edit_ray.data.splits import assign_splits, sample_train
from edit_ray.io import error_row

__all__ = ["QUESTION_COLUMNS", "REASONS", "LoadResult", "build_questions", "load_questions", "question_columns"]

QUESTION_COLUMNS = {
    "qid": "'<task>/<index>', stable across runs",
    "task": "task name (file stem, task.json directory, 'task' column, or synthetic family)",
    "split": "'train' or 'test' (per-task, seeded)",
    "input": "question text; multiple choice ends with 'Options:\\n(A) ...'",
    "choices": "list of option texts, or null for free-form",
    "target": "gold answer as the scorer expects it: '(B)' or the free-form answer",
    "source": "file path, 'hf:<id>' or 'synthetic'",
    "description": "task description (may be empty)",
    "meta": "JSON string: aliases, all correct letters, synthetic gold steps, ...",
}



def question_columns(q: dict) -> dict:
    """The question's columns that travel with an engine row (all but its split): the program engine answers
    from them, and a result row can be scored without a join. Missing optional ones become null."""
    return {c: q.get(c) for c in QUESTION_COLUMNS if c != "split"}


# Explicit types so that a batch whose choices are all null still writes list<string> (io.write_table).
QUESTIONS_SCHEMA = pa.schema([
    ("qid", pa.string()), ("task", pa.string()), ("split", pa.string()), ("input", pa.string()),
    ("choices", pa.list_(pa.string())), ("target", pa.string()), ("source", pa.string()),
    ("description", pa.string()), ("meta", pa.string()),
])


@dataclass
class LoadResult:
    questions: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    capped: int = 0  # valid rows left out by max_per_task (a choice, not an error)

    @property
    def n_in(self) -> int:
        """Rows read that count for ``in = ok + errors`` (capped rows excluded)."""
        return len(self.questions) + len(self.errors)


def _dedupe(questions: list[dict], errors: list[dict]) -> list[dict]:
    """The first row with a qid wins; later ones become duplicate_qid errors (never silently merged)."""
    seen: dict[str, str] = {}
    out = []
    for q in questions:
        if q["qid"] in seen:
            errors.append(error_row(f"{q['source']}:{q['qid'].rsplit('/', 1)[-1]}", "data", "duplicate_qid",
                                    f"{q['source']}: qid {q['qid']} already comes from {seen[q['qid']]}"))
            continue
        seen[q["qid"]] = q["source"]
        out.append(q)
    return out


def _unique_inputs(questions: list[dict], errors: list[dict]) -> list[dict]:
    """Generated questions with an input seen before become duplicate_question errors: a small task space
    (boolean expressions) repeats questions, which would put the same question in training and test."""
    seen: dict[str, str] = {}
    out = []
    for q in questions:
        if q["input"] in seen:
            errors.append(error_row(q["qid"], "data", "duplicate_question", f"same input as {seen[q['input']]}"))
            continue
        seen[q["input"]] = q["qid"]
        out.append(q)
    return out


def load_questions(paths: list[str], *, seed: int = 42, train_fraction: float = 0.8,
                   max_per_task: int | None = None) -> LoadResult:
    """Load every path, drop bad rows into ``errors``, and split each task train/test."""
    questions: list[dict] = []
    errors: list[dict] = []
    for path in paths:
        qs, errs = load_path(str(path))
        questions.extend(qs)
        errors.extend(errs)
    questions = _dedupe(questions, errors)
    kept = assign_splits(questions, seed=seed, train_fraction=train_fraction, max_per_task=max_per_task)
    return LoadResult(kept, errors, capped=len(questions) - len(kept))


def build_questions(cfg, seed: int) -> LoadResult:
    """Questions of a run from a ``DataConfig``: its paths plus its synthetic tasks (source 'synthetic').

    ``cfg.seed`` (default ``seed``, the run seed) makes the pool and its train/val/test split;
    ``cfg.train_per_task`` then draws the run's training sample from the train split with ``seed``.
    """
    from edit_ray.data.synthetic import generate

    run_seed, seed = seed, (cfg.seed if cfg.seed is not None else seed)
    questions: list[dict] = []
    errors: list[dict] = []
    for path in cfg.paths:
        qs, errs = load_path(str(path))
        questions.extend(qs)
        errors.extend(errs)
    if cfg.synthetic is not None:
        for task in cfg.synthetic.tasks:
            questions.extend(_unique_inputs(generate(task, cfg.synthetic.n_per_task, cfg.synthetic.difficulty, seed),
                                            errors))
    questions = _dedupe(questions, errors)
    kept = assign_splits(questions, seed=seed, train_fraction=cfg.train_fraction, max_per_task=cfg.max_per_task,
                         val_fraction=cfg.val_fraction)
    if cfg.train_per_task is not None:
        kept = sample_train(kept, cfg.train_per_task, run_seed)
    return LoadResult(kept, errors, capped=len(questions) - len(kept))
