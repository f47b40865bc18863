"""`edit-ray data stats PATH... [--json]`: how many rows of each task load, and how many fail.

Reads paths with the loaders (no split, no synthetic data) and reports
``{"ok": N, "errors": M, "tasks": {"<task>": {"ok": n, "errors": m}}}``; an error row counts for the
task named by its file (the file stem, or the task.json directory). The exit code is non-zero only when
a path cannot be read at all (reason ``unreadable_file``); bad rows are reported, not fatal.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from edit_ray.data.loaders import load_path


def _error_task(err: dict) -> str:
    source = err["row_id"].rsplit(":", 1)[0]
    p = Path(source)
    return p.parent.name if p.name == "task.json" else (p.stem or source)


def _collect(paths: list[str]) -> tuple[dict, list[dict]]:
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
    return _collect(paths)[0]


def data_stats_command(paths: list[str], as_json: bool = False) -> int:
    stats, errors = _collect(paths)
    if as_json:
        print(json.dumps(stats, indent=2))
    else:
        width = max([len(t) for t in stats["tasks"]] + [4])
        print(f"{'task':<{width}}  {'ok':>7}  {'errors':>7}")
        for task, c in stats["tasks"].items():
            print(f"{task:<{width}}  {c['ok']:>7}  {c['errors']:>7}")
        print(f"{'total':<{width}}  {stats['ok']:>7}  {stats['errors']:>7}")
    for e in errors[:20]:
        print(f"error: {e['reason']}: {e['detail']}", file=sys.stderr)
    if len(errors) > 20:
        print(f"... and {len(errors) - 20} more errors", file=sys.stderr)
    return 1 if any(e["reason"] == "unreadable_file" for e in errors) else 0
