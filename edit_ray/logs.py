"""What a command prints: edit-ray's own lines on the terminal, everything else in ``<run.dir>/logs/``.

A run's terminal shows edit-ray's stage lines (``[stage] ...``, ``in = ok + errors``), its training progress
bars, library warnings of the command itself, warnings raised by edit-ray, the raylet's messages (a worker
killed for memory) and the command's own errors. The rest (vLLM's engine config dumps and per-layer load
warnings, Ray Data's progress blocks, Ray Train's worker-group lines, library deprecation warnings, the
tracebacks engine sub-processes log when they shut down) is written, unfiltered, to

    <run.dir>/logs/workers.log    every line any Ray worker printed, with Ray's "(name pid=...)" prefix
    <run.dir>/logs/driver.log     the command's own Ray Data / Ray / library log records and Python warnings

``--verbose`` (or ``run.verbose: true``) prints everything on the terminal as Ray does by default.

Worker output reaches the driver through Ray's log streaming (``log_to_driver``); the filter replaces the
handler Ray registers for it (``ray._private.worker.print_to_stdstream``), so it holds only for a cluster
this command started or joined, and only for lines Ray streams (a worker's own log files stay complete).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
from collections.abc import Iterator

# A worker line is shown when it is one of edit-ray's: a stage line "[krsl] in = ok + errors: ..." (stage
# names are lower case; vLLM's "[vLLM] Elapsed time ..." is not one), or a progress bar "sft:  40%|## | 8/20"
# (tqdm, described by its stage). Library errors are not shown: a failure that matters reaches the driver
# as an exception or as a stage's error row, while vLLM logs engine tracebacks at ERROR on every shutdown.
_STAGE_LINE = re.compile(r"^\[[a-z][a-z0-9_.-]*\] ")
_PROGRESS_BAR = re.compile(r"^[a-z][a-z0-9_.-]*:\s+\d+%\|")

# The raylet's notice that a node started many worker processes: each stage's actors and each training run
# start their own on a small machine; nothing to act on (a worker killed for memory still shows).
_BENIGN_RAYLET = re.compile(r"PYTHON worker processes have been started on node")
_raylet_log: dict[str, str] = {}  # where that notice goes: the workers.log of the latest filtered session

# Library loggers of the driver whose INFO records are chatter on a terminal (kept in driver.log).
LIBRARY_LOGGERS = ("ray", "ray.data", "ray.llm", "ray.train", "ray.tune", "vllm", "transformers", "py.warnings")


def shown(line: str) -> bool:
    """Whether a line a Ray worker printed belongs on the terminal (the rest goes to workers.log)."""
    line = line.strip()
    return bool(_STAGE_LINE.match(line) or _PROGRESS_BAR.match(line))


def log_dir(run_dir: str) -> str | None:
    """``<run.dir>/logs`` for a local run directory; None for a URI (logs stay in Ray's session dir)."""
    return None if "://" in run_dir else os.path.join(run_dir, "logs")


@contextlib.contextmanager
def quiet_driver(directory: str) -> Iterator[None]:
    """Library log records and Python warnings of this process: WARNING and up on the terminal, all in
    driver.log, until the block ends. Python warnings raised by edit-ray's own code still reach the terminal."""
    import ray.data  # noqa: F401  (configures Ray's and Ray Data's loggers, adjusted here)

    os.makedirs(directory, exist_ok=True)
    to_file = logging.FileHandler(os.path.join(directory, "driver.log"))
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.captureWarnings(True)
    py_warnings = logging.getLogger("py.warnings")
    py_warnings.propagate = False
    own = logging.StreamHandler()  # a warning raised in edit-ray's own code is for the user
    own.addFilter(lambda record: "edit_ray" in record.getMessage().split(":", 1)[0])
    py_warnings.addHandler(own)
    # ray.data.llm's loggers each get their own INFO console handler, unless "ray.llm" has a handler: give it one.
    llm = logging.getLogger("ray.llm")
    llm_console = logging.StreamHandler() if not llm.handlers else None
    if llm_console is not None:
        llm.addHandler(llm_console)
        llm.propagate = False  # else its warnings print twice, here and through "ray"
    levels, added = {}, []
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if not isinstance(handler, logging.FileHandler) and handler is not own:
                levels[handler] = handler.level
                handler.setLevel(logging.WARNING)
        if not _reaches(logger, to_file):
            logger.addHandler(to_file)
            added.append(logger)
    try:
        yield
    finally:
        for handler, level in levels.items():
            handler.setLevel(level)
        for logger in added:
            logger.removeHandler(to_file)
        py_warnings.removeHandler(own)
        if llm_console is not None:
            llm.removeHandler(llm_console)
            llm.propagate = True
        py_warnings.propagate = True
        logging.captureWarnings(False)
        to_file.close()


def _reaches(logger: logging.Logger, handler: logging.Handler) -> bool:
    """Whether a record of ``logger`` already reaches ``handler`` (on it or on an ancestor it propagates to)."""
    node: logging.Logger | None = logger
    while node is not None:
        if handler in node.handlers:
            return True
        if not node.propagate:
            return False
        node = node.parent  # type: ignore[assignment]
    return False


def filter_worker_lines(directory: str) -> None:
    """Route the worker lines Ray streams to this driver: all to workers.log, the shown ones to the terminal.

    Call after ``ray.init``; replaces Ray's own printing handler (it registers one per driver)."""
    from ray._private import worker as ray_worker

    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "workers.log")
    dispatcher = ray_worker.global_worker_stdstream_dispatcher
    print_lines = functools.partial(ray_worker.print_to_stdstream,
                                    ignore_prefix=ray_worker._should_ignore_worker_log_prefix(ray_worker.global_worker))

    def route(data: dict) -> None:
        name = data.get("actor_name") or data.get("task_name") or ""
        prefix = f"({name} pid={data.get('pid')}) ".replace("( ", "(")
        with open(path, "a", encoding="utf-8") as f:
            f.writelines(prefix + ln + "\n" for ln in data["lines"])
        keep = [ln for ln in data["lines"]
                if (data.get("pid") in ("raylet", "autoscaler") and not _BENIGN_RAYLET.search(ln)) or shown(ln)]
        if keep:
            print_lines({**data, "lines": keep})

    dispatcher.remove_handler("ray_print_logs")
    dispatcher.add_handler("ray_print_logs", route)

    # The raylet's messages reach the driver through Ray's error listener, which prints with this module
    # function itself: the benign notice goes to the current workers.log only. Wrapped once per process.
    _raylet_log["path"] = path
    if not getattr(ray_worker.print_to_stdstream, "edit_ray_filter", False):
        print_raw = ray_worker.print_to_stdstream

        def print_raylet_message(data: dict, ignore_prefix: bool) -> None:
            benign = [ln for ln in data["lines"] if data.get("pid") == "raylet" and _BENIGN_RAYLET.search(ln)]
            if benign:
                with open(_raylet_log["path"], "a", encoding="utf-8") as f:
                    f.writelines(f"(raylet) {ln}\n" for ln in benign)
            rest = [ln for ln in data["lines"] if ln not in benign]
            if rest:
                print_raw({**data, "lines": rest}, ignore_prefix=ignore_prefix)

        print_raylet_message.edit_ray_filter = True
        ray_worker.print_to_stdstream = print_raylet_message
