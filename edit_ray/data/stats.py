"""What `edit-ray data stats PATH... [--json]` reports: how many rows of each task load, and how many fail.

Reads paths with the loaders (no split, no synthetic data) and reports
``{"ok": N, "errors": M, "tasks": {"<task>": {"ok": n, "errors": m}}}``; an error row counts for the
task named by its file (the file stem, or the task.json directory). The command
(``edit_ray.cli.data_stats_command``) exits non-zero only when a path cannot be read at all (reason
``unreadable_file``); bad rows are reported, not fatal.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from edit_ray.data.loaders import load_path


def _error_task(err: dict) -> str:
    source = err["row_id"].rsplit(":", 1)[0]
    p = Path(source)
    return p.parent.name if p.name == "task.json" else (p.stem or source)


def collect_stats(paths: list[str]) -> tuple[dict, list[dict]]:
    """``(data_stats(paths), error rows)``: the counts and every row that failed to load."""
    tasks: dict[str, dict[str, int]] = defaultdict(lambda: {"ok": 0, "errors": 0})
    errors: list[dict] = []
    for path in paths:
        questions, errs = load_path(str(path))
        for q in questions:
            tasks[q["task"]]["ok"] += 1
        for e in errs:
            tasks[_error_task(e)]["errors"] += 1
        errors.extend(errs)
    ok = sum(t["ok"] for t in tasks.values())
    stats = {"ok": ok, "errors": len(errors), "tasks": {k: tasks[k] for k in sorted(tasks)}}
    return stats, errors


def data_stats(paths: list[str]) -> dict:
    """Exactly {"ok": N, "errors": M, "tasks": {task: {"ok": n, "errors": m}}}."""
    return collect_stats(paths)[0]

