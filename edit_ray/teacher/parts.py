"""Resumable outputs: finished rows are appended as small Parquet parts, each written atomically.

A stage that generates for hours must survive ``kill -9``. It writes every finished row (ok or error) into
``<parts_dir>/ok/part-*.parquet`` or ``<parts_dir>/errors/part-*.parquet`` as soon as a batch of them is
done (``io.write_table`` writes ``*.tmp`` and renames, so a part is either whole or absent). A re-run
reads the ``row_id`` of every part and generates only the rows that are missing. The final artifact is
then the parts concatenated, with ``row_id`` unique.

A ``fingerprint.json`` records what the parts were generated from (config values and input row ids):
parts from a different configuration are never mixed in silently.
"""

from __future__ import annotations

import hashlib
import json
import time

import pyarrow as pa

from edit_ray import io


def fingerprint(*parts: object) -> str:
    """A short stable hash of JSON-able values."""
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def claim(parts_dir: str, print_: str, restart_on_change: bool = False) -> None:
    """Bind ``parts_dir`` to one fingerprint (write it on first use, compare it on a resume).

    Args:
        restart_on_change: parts of another fingerprint are deleted (to be generated again) instead of raising:
            for a step whose changed inputs clear its outputs anyway.
    Raises:
        RuntimeError: the parts were written with another configuration or input (without ``restart_on_change``).
    """
    path = io.join(parts_dir, "fingerprint.json")
    if io.exists(path):
        old = io.read_json(path).get("fingerprint")
        if old == print_:
            return
        if not restart_on_change:
            raise RuntimeError(
                f"{parts_dir} holds rows generated with another config or input (fingerprint {old}, now {print_}); "
                "delete that directory to regenerate, or use a new run directory")
        print(f"[parts] {parts_dir} holds rows of another config or input: deleted, regenerating", flush=True)
        fs, p = io.filesystem(parts_dir)
        fs.delete_dir(p)
    io.write_json({"fingerprint": print_}, path)


def _read_dir(path: str) -> pa.Table | None:
    """All parts under ``path``; a part that cannot be read is set aside as ``*.corrupt`` (named in a message)
    so that its rows count as not done and are generated again."""
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq

    fs, p = io.filesystem(path)
    if fs.get_file_info(p).type != pafs.FileType.Directory:
        return None
    tables = []
    for f in sorted(i.path for i in fs.get_file_info(pafs.FileSelector(p)) if i.path.endswith(".parquet")):
        try:
            tables.append(pq.read_table(f, filesystem=fs))
        except (OSError, pa.ArrowException) as e:
            fs.move(f, f + ".corrupt")
            print(f"[parts] {f} is unreadable ({type(e).__name__}: {e}); set aside as {f}.corrupt, its rows "
                  "will be generated again", flush=True)
    return pa.concat_tables(tables, promote_options="permissive") if tables else None


def done_row_ids(parts_dir: str) -> set[str]:
    """Row ids already finished (ok or error) in earlier runs."""
    done: set[str] = set()
    for sub in ("ok", "errors"):
        t = _read_dir(io.join(parts_dir, sub))
        if t is not None:
            done.update(t.column("row_id").to_pylist())
    return done


def write_part(parts_dir: str, ok: list[dict], errors: list[dict]) -> None:
    """Append one batch of finished rows (either list may be empty)."""
    name = f"part-{time.time_ns()}.parquet"  # sortable: parts read back in the order they were written
    if ok:
        io.write_table(ok, io.join(parts_dir, "ok", name))
    if errors:
        io.write_errors(errors, io.join(parts_dir, "errors", name))


def read_parts(parts_dir: str) -> tuple[list[dict], list[dict]]:
    """(ok rows, error rows) of all parts, first occurrence of a ``row_id`` kept."""

    def unique(table: pa.Table | None) -> list[dict]:
        seen: set[str] = set()
        rows = []
        for r in [] if table is None else table.to_pylist():
            if r["row_id"] not in seen:
                seen.add(r["row_id"])
                rows.append(r)
        return rows

    ok = unique(_read_dir(io.join(parts_dir, "ok")))
    ok_ids = {r["row_id"] for r in ok}
    errors = [e for e in unique(_read_dir(io.join(parts_dir, "errors"))) if e["row_id"] not in ok_ids]
    return ok, errors
