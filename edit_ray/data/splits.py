"""Per-task deterministic train/test split (edit-method.md §4.1: each task split 4:1).

Reads and writes the ``split`` column of question rows. For each task the qids are shuffled by a
generator seeded with ``"<seed>:<task>"`` (so adding or removing another task never moves this one),
optionally capped at ``max_per_task``, and the first ``round(n * train_fraction)`` go to "train", the
rest to "test"; ``val_fraction`` of the train part becomes "val". A task with at least two questions keeps at
least one on each side. ``sample_train`` then draws a per-seed sample of the train rows. Rows that already
carry a split ("train"/"test") keep it. No qid can land on both sides: each row is assigned once.
"""

from __future__ import annotations

import random
from collections import defaultdict

SPLITS = ("train", "val", "test")


def split_sizes(n: int, train_fraction: float) -> tuple[int, int]:
    """(train, test) sizes for a task of n questions."""
    if n <= 1:
        return n, 0
    n_train = min(n - 1, max(1, round(n * train_fraction)))
    return n_train, n - n_train


def assign_splits(questions: list[dict], *, seed: int = 42, train_fraction: float = 0.8,
                  max_per_task: int | None = None, val_fraction: float = 0.0) -> list[dict]:
    """Return the rows (in their input order) with ``split`` set; rows over ``max_per_task`` are left out.

    ``val_fraction`` of each task's train part (rounded, at least one when > 0 and the part has two rows)
    becomes "val": questions held out of training on which hyperparameters are chosen.
    """
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
        n_val = min(n_train - 1, max(1, round(n_train * val_fraction))) if val_fraction > 0 and n_train > 1 else 0
        for rank, i in enumerate(free):
            keep[i] = "train" if rank < n_train - n_val else "val" if rank < n_train else "test"
        for i in preset:
            keep[i] = questions[i]["split"]
    return [{**q, "split": keep[i]} for i, q in enumerate(questions) if i in keep]


def sample_train(questions: list[dict], per_task: int, seed: int) -> list[dict]:
    """Keep at most ``per_task`` "train" rows of each task, drawn with ``seed``; other splits stay whole.

    The draw is seeded by ``"<seed>:<task>"`` only, so with a fixed question pool each seed trains on
    another sample of it while the validation and test questions stay the same.
    """
    by_task: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        if q["split"] == "train":
            by_task[q["task"]].append(i)
    drop: set[int] = set()
    for task, idx in by_task.items():
        idx = sorted(idx, key=lambda i: questions[i]["qid"])
        random.Random(f"{seed}:{task}").shuffle(idx)
        drop.update(idx[per_task:])
    return [q for i, q in enumerate(questions) if i not in drop]
