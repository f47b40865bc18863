"""Per-task deterministic train/test split (edit-method.md §4.1: each task split 4:1).

Reads and writes the ``split`` column of question rows. For each task the qids are shuffled by a
generator seeded with ``"<seed>:<task>"`` (so adding or removing another task never moves this one),
optionally capped at ``max_per_task``, and the first ``round(n * train_fraction)`` go to "train", the
rest to "test". A task with at least two questions keeps at least one on each side. Rows that already
carry a split ("train"/"test") keep it. No qid can land on both sides: each row is assigned once.
"""

from __future__ import annotations

import random
from collections import defaultdict

SPLITS = ("train", "test")


def split_sizes(n: int, train_fraction: float) -> tuple[int, int]:
    """(train, test) sizes for a task of n questions."""
    if n <= 1:
        return n, 0
    n_train = min(n - 1, max(1, round(n * train_fraction)))
    return n_train, n - n_train


def assign_splits(questions: list[dict], *, seed: int = 42, train_fraction: float = 0.8,
                  max_per_task: int | None = None) -> list[dict]:
    """Return the rows (in their input order) with ``split`` set; rows over ``max_per_task`` are left out."""
    by_task: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        by_task[q["task"]].append(i)
    keep: dict[int, str] = {}
    for task, idx in by_task.items():
        preset = [i for i in idx if questions[i].get("split") in SPLITS]
        free = [i for i in idx if i not in set(preset)]
        random.Random(f"{seed}:{task}").shuffle(free)
        if max_per_task is not None:
            free = free[: max(0, max_per_task - len(preset))]
            preset = preset[:max_per_task]
        n_train, _ = split_sizes(len(free), train_fraction)
        for rank, i in enumerate(free):
            keep[i] = "train" if rank < n_train else "test"
        for i in preset:
            keep[i] = questions[i]["split"]
    return [{**q, "split": keep[i]} for i, q in enumerate(questions) if i in keep]
