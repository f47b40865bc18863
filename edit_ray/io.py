"""Reading and writing stage artifacts (Parquet under the run directory) and stage error tables.

Every stage reads and writes Parquet keyed by stable row ids (data contract: ../shared/docs/design.md).
The run directory may be a local path or a URI that pyarrow understands (s3://, gs://, file://).

A row that a stage cannot process is never dropped: it becomes a row of that stage's errors table,
``{row_id, stage, reason, detail, attempts}``, and each stage prints ``in = ok + errors``.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

ERROR_SCHEMA = pa.schema(
    [
        ("row_id", pa.string()),
        ("stage", pa.string()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("attempts", pa.int32()),
    ]
)


def join(base: str, *parts: str) -> str:
    """Join path parts for a local path or a URI (posix separators, scheme kept)."""
    return posixpath.join(base, *parts)


def local_path(path: str) -> str:
    """An absolute path for a local one (Ray workers and Tune trials run in other working directories); a URI
    as it is."""
    return path if "://" in path else os.path.abspath(path)


def filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    """(filesystem, path inside it) for a local path or URI."""
    if "://" in path:
        return pafs.FileSystem.from_uri(path)
    return pafs.LocalFileSystem(), str(path)


def exists(path: str) -> bool:
    fs, p = filesystem(path)
    return fs.get_file_info(p).type != pafs.FileType.NotFound


def makedirs(path: str) -> None:
    fs, p = filesystem(path)
    fs.create_dir(p, recursive=True)


def write_table(table: pa.Table | list[dict], path: str, schema: pa.Schema | None = None) -> str:
    """Write a table (or a list of row dicts) to one Parquet file, atomically for local paths.

    Rows are written to ``path + '.tmp'`` and renamed, so a kill mid-write never leaves a half file
    that a resume would trust.
    """
    if not isinstance(table, pa.Table):
        table = pa.Table.from_pylist(list(table), schema=schema)
    fs, p = filesystem(path)
    fs.create_dir(posixpath.dirname(p), recursive=True)
    tmp = p + ".tmp"
    with fs.open_output_stream(tmp) as f:
        pq.write_table(table, f)
    fs.move(tmp, p)
    return path


def read_table(path: str, columns: list[str] | None = None) -> pa.Table:
    """Read a Parquet file or a directory of Parquet files (``*.tmp`` leftovers are ignored)."""
    fs, p = filesystem(path)
    info = fs.get_file_info(p)
    if info.type == pafs.FileType.NotFound:
        raise FileNotFoundError(f"no artifact at {path}")
    if info.type == pafs.FileType.Directory:
        files = sorted(
            f.path
            for f in fs.get_file_info(pafs.FileSelector(p, recursive=True))
            if f.type == pafs.FileType.File and f.path.endswith(".parquet")
        )
        if not files:
            raise FileNotFoundError(f"no Parquet files under {path}")
        return pa.concat_tables([pq.read_table(f, columns=columns, filesystem=fs) for f in files],
                                promote_options="permissive")
    return pq.read_table(p, columns=columns, filesystem=fs)


def read_rows(path: str, columns: list[str] | None = None) -> list[dict]:
    return read_table(path, columns).to_pylist()


def error_row(row_id: str, stage: str, reason: str, detail: str = "", attempts: int = 1) -> dict[str, Any]:
    """One errors-table row. ``detail`` is cut to 500 characters: it is for humans, not for replay."""
    return {"row_id": str(row_id), "stage": stage, "reason": reason, "detail": str(detail)[:500],
            "attempts": int(attempts)}


def write_errors(rows: Iterable[dict], path: str) -> str:
    return write_table(pa.Table.from_pylist(list(rows), schema=ERROR_SCHEMA), path)


def report_counts(stage: str, n_in: int, n_ok: int, n_errors: int, extra: dict | None = None,
                  quiet: bool = False) -> dict:
    """Print the stage's ``in = ok + errors`` line and fail loudly if rows went missing."""
    line = f"[{stage}] in = ok + errors: {n_in} = {n_ok} + {n_errors}"
    if extra:
        line += "  (" + ", ".join(f"{k}={v}" for k, v in extra.items()) + ")"
    if not quiet:
        print(line, flush=True)
    if n_in != n_ok + n_errors:
        raise RuntimeError(f"[{stage}] rows lost: {n_in} in, but {n_ok} ok + {n_errors} errors")
    return {"stage": stage, "in": n_in, "ok": n_ok, "errors": n_errors, **(extra or {})}


def remove(path: str) -> None:
    """Delete a file or directory (local path or URI) if it is there. A symlinked directory (a shared store's
    entry) is emptied, its link kept."""
    if os.path.islink(path):
        for entry in os.scandir(path):
            shutil.rmtree(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)
        return
    fs, p = filesystem(path)
    info = fs.get_file_info(p)
    if info.type == pafs.FileType.Directory:
        fs.delete_dir(p)
    elif info.type == pafs.FileType.File:
        fs.delete_file(p)


def write_bytes(data: bytes, path: str) -> None:
    """Write a whole file (local path or URI), creating its directory."""
    fs, p = filesystem(path)
    fs.create_dir(posixpath.dirname(p), recursive=True)
    with fs.open_output_stream(p) as f:
        f.write(data)


def write_text(text: str, path: str) -> None:
    write_bytes(text.encode(), path)


def write_json(obj: Any, path: str) -> None:
    write_bytes(json.dumps(obj, indent=2, sort_keys=True, default=str).encode(), path)


def read_json(path: str) -> Any:
    fs, p = filesystem(path)
    with fs.open_input_stream(p) as f:
        return json.loads(f.read().decode())


def jsonl_objects(path: str) -> Iterator[tuple[int, dict | str]]:
    """``(line number from 1, object)`` for each non-blank line of a JSONL file, or ``(n, why)`` for a line
    that is not UTF-8, not JSON or not an object: one bad line is one bad row, the others still load. The file
    is read as a stream (a block at a time), so memory holds a line, not the file."""
    fs, p = filesystem(path)
    with fs.open_input_stream(p) as f:
        n, rest = 0, b""
        while True:
            block = f.read(1 << 20)
            lines = (rest + block).split(b"\n")
            rest = lines.pop() if block else b""
            for raw in lines:
                n += 1
                if raw.strip():
                    yield n, _json_object(raw)
            if not block:
                return


def _json_object(raw: bytes) -> dict | str:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        return f"not UTF-8 (byte {e.start}: {raw[e.start:e.start + 1]!r})"
    except ValueError as e:
        return f"not valid JSON: {getattr(e, 'msg', e)}"
    return obj if isinstance(obj, dict) else f"a JSON {type(obj).__name__}, not an object"
