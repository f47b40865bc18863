"""Steps: the unit of resumable work, and the one runner every entry point uses.

A step is a declaration (``Step``) next to the code it runs: its name, the function that does the work,
the config values it reads, the steps whose outputs it reads, what it writes and the file whose presence
says it is done. The pipeline (``pipeline.py``), each ORION round (``orion/rounds.py``) and every cell of
``edit-ray bench`` run steps through ``run_step``, so they share one manifest format and one input hash:

- ``<dir>/manifest.json`` holds ``step``, ``status`` (running | done), ``hash``, ``inputs`` (the config
  values and upstream identities the hash covers), ``counts``, ``artifact`` (a fingerprint of the output),
  ``seconds``, ``started`` and ``finished``;
- ``hash`` = digest of the step's name, the config values it reads (``config.result_values``: execution-only
  settings such as batch sizes and replicas never count) and the identities of its upstream steps (their
  hash and artifact, so a step that resumes and ends with the same output leaves its downstream finished).

Rules: a done step with the same hash and an unchanged output is skipped; a step with the same hash that
did not finish (or has no manifest but has output) is called again and resumes from the rows or
checkpoints it already wrote; a step whose hash changed has its outputs deleted and runs afresh.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from edit_ray import io
from edit_ray.config import RunConfig, is_execution_only, result_values

StepFn = Callable[[RunConfig, str], dict]

# The artifact of a step the method does not train (zero-shot's stage 1, std-cot's KRSL).
SKIPPED = "skipped"

# How run_step says what it did: (step name, what, message), ``what`` being "kept" (finished earlier),
# "not_run" (the method has no such stage) or "ran" (starting, resuming, finished).
StepLog = Callable[[str, str, str], None]


def print_each(label: str) -> StepLog:
    """A line per step and event, ``[label] step: message`` (what run_step does by default)."""
    return lambda name, what, message: print(f"[{label}] {name}: {message}", flush=True)


def condense_skips(label: str) -> tuple[StepLog, Callable[[], None]]:
    """A StepLog that says the steps kept from earlier, and those not run for the method, in one line each,
    printed before the next step that runs (and by the returned ``flush``): ``edit-ray bench`` runs every
    cell's pipeline, whose shared upstream steps would otherwise repeat their lines in each cell."""
    pending: dict[str, list[str]] = {"kept": [], "not_run": []}
    heading = {"kept": "finished earlier, kept", "not_run": "not run for this method"}
    say = print_each(label)

    def flush() -> None:
        for what, names in pending.items():
            if names:
                print(f"[{label}] {heading[what]}: {', '.join(names)}", flush=True)
                names.clear()

    def log(name: str, what: str, message: str) -> None:
        if what in pending:
            pending[what].append(name)
        else:
            flush()
            say(name, what, message)

    return log, flush


@dataclass(frozen=True)
class Step:
    """One resumable unit of work in a base directory (a run dir, or an ORION round's dir).

    Attributes:
        name: what logs, manifests and ``--from`` call it.
        run: ``(cfg, base_dir) -> counts``; writes under ``outputs`` and resumes from what is there.
        reads: the dotted config values its output depends on, or a function of the config giving them.
        after: the steps whose outputs it reads (their identities enter its hash).
        outputs: paths relative to the base dir it writes (``*`` globs allowed); the first is its directory,
            which holds the manifest. Deleted when the step must start afresh.
        done: the path (relative to the base dir) whose presence next to a matching manifest means done.
        skip: why the configured method has no such step (``None``: it runs).
        shareable: its outputs are its directory alone, so runs with equal inputs can share them (run.store).
    """

    name: str
    run: StepFn
    reads: tuple[str, ...] | Callable[[RunConfig], tuple[str, ...]] = ()
    after: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    done: str = ""
    skip: Callable[[RunConfig], str | None] | None = None
    shareable: bool = False

    @property
    def dir(self) -> str:
        return self.outputs[0] if self.outputs else self.name

    def config_reads(self, cfg: RunConfig) -> tuple[str, ...]:
        return self.reads(cfg) if callable(self.reads) else self.reads


# ------------------------------------------------------------------------------------------ hashing
def digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def config_values(tree: dict, paths: tuple[str, ...]) -> dict[str, Any]:
    """``{dotted path: value}`` of ``paths`` in a config tree (a KeyError names a path that is not there)."""
    values = {}
    for dotted in paths:
        node: Any = tree
        for part in dotted.split("."):
            node = node[part]
        values[dotted] = node
    return values


def step_inputs(cfg: RunConfig, step: Step, upstream: Mapping[str, str | None]) -> dict:
    """What a step's result depends on: the config values it reads (execution-only ones never count) and
    the identities of its inputs."""
    reads = tuple(p for p in step.config_reads(cfg) if not is_execution_only(p))
    return {"config": config_values(result_values(cfg), reads), "upstream": dict(upstream)}


def identity(manifest: dict | None) -> str | None:
    """What a downstream step depends on: an upstream's inputs and output, not its timing or counts."""
    if manifest is None:
        return None
    return digest({k: manifest.get(k) for k in ("hash", "artifact")})


def artifact_signature(path: str) -> str | None:
    """A fingerprint of a step's output: file bytes for a table, names/sizes/mtimes for a model directory;
    None when nothing is there."""
    fs, p = io.filesystem(path)
    info = fs.get_file_info(p)
    h = hashlib.sha256()
    if info.type == io.pafs.FileType.File:
        with fs.open_input_stream(p) as f:
            while chunk := f.read(1 << 22):
                h.update(chunk)
    elif info.type == io.pafs.FileType.Directory:
        # a model is GBs: its files' sizes and modification times stand in for their bytes
        for f in sorted(fs.get_file_info(io.pafs.FileSelector(p, recursive=True)), key=lambda f: f.path):
            h.update(f"{f.path[len(p):]}:{f.size}:{f.mtime_ns}".encode())
    else:
        return None
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------- manifests
def read_manifest(step_dir: str) -> dict | None:
    """A step's manifest, or None when there is none or it is unreadable (a kill mid-write)."""
    path = io.join(step_dir, "manifest.json")
    if not io.exists(path):
        return None
    try:
        return io.read_json(path)
    except (OSError, ValueError):
        return None


def _is_done(base_dir: str, step: Step, manifest: dict | None, hash_: str) -> bool:
    """Finished with these inputs, and its output is still what it was (not deleted or rewritten since)."""
    if manifest is None or manifest.get("status") != "done" or manifest.get("hash") != hash_:
        return False
    artifact = manifest.get("artifact")
    return artifact is not None and (artifact == SKIPPED
                                     or artifact == artifact_signature(io.join(base_dir, step.done)))


def _has_output(path: str) -> bool:
    """Something is there: a file, or a directory with entries (a store link starts out empty)."""
    fs, p = io.filesystem(path)
    info = fs.get_file_info(p)
    if info.type == io.pafs.FileType.Directory:
        return bool(fs.get_file_info(io.pafs.FileSelector(p, recursive=False)))
    return info.type == io.pafs.FileType.File


def _output_paths(base_dir: str, rel: str) -> list[str]:
    """The paths an output names: itself, or for a glob (``round_[0-9]*``) the entries of its directory
    whose names match."""
    if "*" not in rel:
        return [io.join(base_dir, rel)]
    parent, _, pattern = rel.rpartition("/")
    directory = io.join(base_dir, parent) if parent else base_dir
    fs, p = io.filesystem(directory)
    if fs.get_file_info(p).type != io.pafs.FileType.Directory:
        return []
    return sorted(io.join(directory, i.base_name) for i in fs.get_file_info(io.pafs.FileSelector(p))
                  if fnmatch.fnmatchcase(i.base_name, pattern))


def clear_outputs(base_dir: str, step: Step) -> list[str]:
    """Delete what a step wrote (its manifest included), so it starts afresh; returns the deleted paths."""
    deleted = []
    for rel in step.outputs or (step.dir,):
        for path in _output_paths(base_dir, rel):
            if os.path.islink(path) or io.exists(path):
                io.remove(path)
                deleted.append(path)
    return deleted


def link_shared(base_dir: str, step: Step, store: str, hash_: str) -> None:
    """Make ``base_dir/<step dir>`` a link to ``store/<step dir>/<hash_>``, where every run with the same step
    inputs finds (or leaves) the step's output. A run's own copy from before is moved there when the store
    has none yet, else deleted."""
    if "://" in base_dir:
        raise ValueError(f"run.store needs a local run.dir, not {base_dir!r}")
    target = os.path.join(store, step.dir, hash_)
    link = os.path.join(base_dir, step.dir)
    os.makedirs(base_dir, exist_ok=True)
    if os.path.islink(link):
        if os.readlink(link) == target:
            return
        os.unlink(link)
    elif os.path.isdir(link):
        if os.path.isdir(target) and os.listdir(target):
            shutil.rmtree(link)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.isdir(target):
                os.rmdir(target)
            os.replace(link, target)
    os.makedirs(target, exist_ok=True)
    os.symlink(target, link)


def summary_line(counts: dict) -> str:
    """A step's counts for its log line: in, ok and errors first, then up to five more; no paths."""
    counts = counts.get("counts", counts) if isinstance(counts.get("counts"), dict) else counts
    first = [k for k in ("in", "ok", "errors") if k in counts]
    rest = [k for k, v in counts.items() if k not in first and k != "stage" and isinstance(v, (int, float, str))
            and not (isinstance(v, str) and ("/" in v or "://" in v))]
    return ", ".join(f"{k}={round(counts[k], 4) if isinstance(counts[k], float) else counts[k]}"
                     for k in first + rest[:5])


# ------------------------------------------------------------------------------------------ runner
def prepare_step(cfg: RunConfig, base_dir: str, step: Step, upstream: Mapping[str, str | None], *,
                 store: str | None = None, label: str = "pipeline", log: StepLog | None = None,
                 ) -> tuple[dict, str, dict | None, bool]:
    """Get ``step``'s directory ready for its current inputs: linked into ``store`` (a shareable step), its
    outputs cleared when they were made from other inputs. Returns ``(inputs, hash, manifest, resumed)``:
    the manifest there (None when there is none or it was cleared) and whether earlier outputs are kept to
    resume from. Work written into the directory after this (``edit-ray bench`` answering several cells'
    questions on one engine) is what the step resumes from."""
    inputs = step_inputs(cfg, step, upstream)
    hash_ = digest({"step": step.name, **inputs})
    if store is not None and step.shareable:
        link_shared(base_dir, step, store, hash_)
    step_dir = io.join(base_dir, step.dir)
    manifest = read_manifest(step_dir)
    if manifest is not None and manifest.get("hash") != hash_:
        # Config or upstream changed: rows already written were made from other inputs.
        (log or print_each(label))(step.name, "ran", "inputs changed, clearing its outputs")
        clear_outputs(base_dir, step)
        return inputs, hash_, None, False
    return inputs, hash_, manifest, manifest is not None or _has_output(step_dir)


def run_step(cfg: RunConfig, base_dir: str, step: Step, upstream: Mapping[str, str | None], *,
             store: str | None = None, label: str = "pipeline", log: StepLog | None = None) -> dict:
    """Run ``step`` in ``base_dir`` unless it is finished with the same inputs; return its manifest.

    Args:
        cfg: the run config (the step reads ``step.reads`` of it).
        base_dir: the directory the step's ``outputs`` are relative to.
        upstream: identities (``identity(manifest)``, or any stable string such as a model path) of what the
            step reads besides the config, by name.
        store: a shared store directory (``run.store``) for a shareable step's outputs.
        label: the log prefix (``[pipeline]``, ``[orion.round_2]``).
        log: how to say what happened (default: ``print_each(label)``, a line per event).
    """
    inputs, hash_, manifest, resumed = prepare_step(cfg, base_dir, step, upstream, store=store, label=label, log=log)
    step_dir = io.join(base_dir, step.dir)
    say = log or print_each(label)
    if _is_done(base_dir, step, manifest, hash_):
        say(step.name, "kept", f"skipped, finished earlier ({summary_line(manifest.get('counts', {}))})")
        return manifest
    started = time.time()
    record = {"step": step.name, "hash": hash_, "inputs": inputs, "started": started}
    if step.skip is not None and (reason := step.skip(cfg)) is not None:
        say(step.name, "not_run", f"not run: {reason}")
        manifest = {**record, "status": "done", "counts": {"skipped": reason}, "artifact": SKIPPED,
                    "seconds": 0.0, "finished": started}
        io.write_json(manifest, io.join(step_dir, "manifest.json"))
        return manifest
    say(step.name, "ran", "resuming" if resumed else "starting")
    io.write_json({**record, "status": "running"}, io.join(step_dir, "manifest.json"))
    t0 = time.perf_counter()
    counts = step.run(cfg, base_dir) or {}
    seconds = round(time.perf_counter() - t0, 3)
    artifact = artifact_signature(io.join(base_dir, step.done))
    if artifact is None:
        raise RuntimeError(f"step '{step.name}' finished but wrote no {io.join(base_dir, step.done)}")
    manifest = {**record, "status": "done", "counts": counts, "artifact": artifact, "seconds": seconds,
                "finished": time.time()}
    io.write_json(manifest, io.join(step_dir, "manifest.json"))
    say(step.name, "ran", f"finished in {seconds:.1f}s ({summary_line(counts)})")
    return manifest
