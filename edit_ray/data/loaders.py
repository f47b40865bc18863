"""Dataset readers: files in their published formats -> rows of the questions schema (no split yet).

Step "questions" of the pipeline (design.md data contract). Formats:
  (a) BIG-bench ``task.json`` files and directories (subtask directories included): multiple choice via
      ``target_scores``, free-form via ``target``; ``task_prefix`` and ``example_input_prefix`` are
      prepended to the input, a question-like ``example_output_prefix`` ("...?") is appended;
  (b) BBH JSON files as published, ``{"examples": [{"input", "target"}]}``, one file per task; options
      already written in the input ("Options:\\n(A) ...") become ``choices``;
  (c) JSONL and Parquet with columns ``question``/``answer`` (or ``input``/``target``) and optional
      ``choices``, ``task``, ``description``;
  (d) ``hf:<id>[:<split>]``: a Hugging Face dataset with the columns of (c), through ``datasets``.

Columns written: qid ("<task>/<row index>", stable), task, split ("" here; see splits.py), input,
choices, target, source, description, meta (JSON). Multiple choice is always shown to the model as
"Options:\\n(A) ...", and its target is the letter "(A)": the CoT prompts and the scorer work on
generated text, so the options must be visible even where BIG-bench scored log-likelihoods
(``append_choices_to_input: false``). BIG-bench lists the correct option first in many tasks, so the
options are shuffled with a generator seeded by the qid alone: stable across runs and split seeds.

A malformed row never stops loading: it becomes an error row (``edit_ray.io.error_row``) with row_id
"<file>:<row index>", stage "data" and a reason from ``REASONS``.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from edit_ray.io import error_row

REASONS = {
    "missing_input": "no input/question text",
    "no_correct_choice": "multiple choice without a positive score / an answer matching no option",
    "empty_target": "no gold answer",
    "wrong_type": "a field has the wrong type",
    "duplicate_qid": "two rows map to the same qid (same task name and index)",
    "duplicate_question": "a generated question whose input an earlier one of its task already has",
    "unreadable_file": "the path is missing, not parseable, or not a supported format",
}
# More options than letters: shown as free-form instead (BBH does this for Dyck languages).
MAX_OPTIONS = len(string.ascii_uppercase)
_OPTIONS_RE = re.compile(r"\n\s*Options:\s*\n((?:\s*\([A-Z]\)[^\n]*\n?)+)\s*$")
_OPTION_LINE_RE = re.compile(r"^\s*\(([A-Z])\)\s?(.*)$")


class RowError(ValueError):
    """A row that cannot become a question; ``reason`` is one of REASONS."""

    def __init__(self, reason: str, field: str, message: str):
        super().__init__(f"field '{field}': {message}")
        self.reason, self.field = reason, field


# -------------------------------------------------------------------------------------- row shaping
def letter(i: int) -> str:
    return f"({string.ascii_uppercase[i]})"


def format_options(input_text: str, choices: list[str]) -> str:
    """The BBH way of showing options: the question, then 'Options:' and one '(A) text' per line."""
    return input_text.rstrip() + "\nOptions:\n" + "\n".join(f"{letter(i)} {c}" for i, c in enumerate(choices))


def parse_options(input_text: str) -> tuple[str, list[str]] | None:
    """Inverse of format_options for inputs that already carry their options (BBH JSON)."""
    m = _OPTIONS_RE.search(input_text)
    if not m:
        return None
    choices = []
    for i, line in enumerate(ln for ln in m.group(1).splitlines() if ln.strip()):
        om = _OPTION_LINE_RE.match(line)
        if not om or om.group(1) != string.ascii_uppercase[i]:
            return None
        choices.append(om.group(2).strip())
    return input_text[: m.start()], choices


def _text(value: Any, field: str, missing_reason: str) -> str:
    if value is None:
        raise RowError(missing_reason, field, "missing")
    if not isinstance(value, str):
        raise RowError("wrong_type", field, f"expected a string, got {type(value).__name__}")
    if not value.strip():
        raise RowError(missing_reason, field, "empty")
    return value


def _aliases(value: Any, field: str) -> list[str]:
    """A free-form target: a string or a non-empty list of strings (alternatives)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise RowError("wrong_type", field, f"expected a string or a list of strings, got {type(value).__name__}")
    if not all(isinstance(v, str) for v in value):
        raise RowError("wrong_type", field, "every alternative must be a string")
    value = [v.strip() for v in value if v.strip()]
    if not value:
        raise RowError("empty_target", field, "empty")
    # Prefer a numeric alternative as the canonical target ("3" over "three"): numbers compare robustly.
    value.sort(key=lambda v: not re.fullmatch(r"-?\d+(\.\d+)?", v))
    return value


def _shuffled(choices: list[str], correct: list[int], qid: str) -> tuple[list[str], list[int]]:
    order = list(range(len(choices)))
    random.Random(qid).shuffle(order)
    return [choices[i] for i in order], sorted(order.index(i) for i in correct)


def _question(qid: str, task: str, input_text: str, choices: list[str] | None, target: str, source: str,
              description: str, meta: dict) -> dict:
    return {"qid": qid, "task": task, "split": "", "input": input_text.strip(), "choices": choices,
            "target": target, "source": source, "description": description, "meta": json.dumps(meta)}


def multiple_choice(qid: str, task: str, input_text: str, choices: list[str], correct: list[int], source: str,
                    description: str, meta: dict, shuffle: bool) -> dict:
    """A multiple-choice question row; more than MAX_OPTIONS options become free-form."""
    if len(choices) > MAX_OPTIONS:
        golds = [choices[i] for i in correct]
        return _question(qid, task, input_text, None, golds[0], source, description,
                         {**meta, "aliases": golds[1:], "options_dropped": len(choices)})
    if shuffle:
        choices, correct = _shuffled(choices, correct, qid)
    return _question(qid, task, format_options(input_text, choices), choices, letter(correct[0]), source,
                     description, {**meta, "correct": [letter(i) for i in correct]} if len(correct) > 1 else meta)


def _falsy(v: Any) -> bool:
    return v is False or (isinstance(v, str) and v.strip().lower() == "false")


# ---------------------------------------------------------------------------------- BIG-bench / BBH
def bigbench_example(ex: Any, i: int, task: str, header: dict, source: str) -> dict:
    """One BIG-bench or BBH example -> question row. Raises RowError."""
    if not isinstance(ex, dict):
        raise RowError("wrong_type", "examples[]", f"expected an object, got {type(ex).__name__}")
    qid = f"{task}/{i}"
    raw = _text(ex.get("input"), "input", "missing_input")
    prefix = header["prefix"]
    # "...starting point?" + "Always face forward." needs a space between them
    sep = " " if prefix and not prefix[-1].isspace() and not raw[:1].isspace() else ""
    text = prefix + sep + raw + header["suffix"]
    description = header["description"]
    scores = ex.get("target_scores")
    if scores is not None:
        if not isinstance(scores, dict) or not scores:
            raise RowError("wrong_type", "target_scores", "expected a non-empty object {choice: score}")
        values = list(scores.values())
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            raise RowError("wrong_type", "target_scores", "scores must be numbers")
        best = max(values)
        if best <= 0:
            raise RowError("no_correct_choice", "target_scores", "no choice has a positive score")
        # An empty wrong option cannot be shown as "(C) "; it is dropped (a few parsinlu_qa rows have one).
        blank = [c for c, v in scores.items() if not c.strip()]
        if any(scores[c] == best for c in blank):
            raise RowError("no_correct_choice", "target_scores", "the correct choice is an empty string")
        scores = {c: v for c, v in scores.items() if c.strip()}
        choices, values = list(scores), list(scores.values())
        correct = [j for j, v in enumerate(values) if v == best]
        return multiple_choice(qid, task, text, choices, correct, source, description,
                               {"format": "bigbench", "append_choices_to_input": not _falsy(header["append"]),
                                **({"blank_options_dropped": len(blank)} if blank else {})}, shuffle=True)
    if "target" not in ex:
        raise RowError("empty_target", "target", "missing (and no target_scores)")
    golds = _aliases(ex["target"], "target")
    parsed = parse_options(text)
    if parsed is not None and len(golds) == 1 and re.fullmatch(r"\([A-Z]\)", golds[0]):
        stem, choices = parsed
        idx = string.ascii_uppercase.index(golds[0][1])
        if idx >= len(choices):
            raise RowError("no_correct_choice", "target", f"{golds[0]} is not one of the {len(choices)} options")
        return multiple_choice(qid, task, stem, choices, [idx], source, description, {"format": "bbh"},
                               shuffle=False)
    return _question(qid, task, text, None, golds[0], source, description,
                     {"format": "bigbench", "aliases": golds[1:]} if len(golds) > 1 else {"format": "bigbench"})


def _header(doc: dict) -> dict:
    """Per-task formatting options of a BIG-bench task.json (BBH files have none)."""
    def s(key: str) -> str:
        v = doc.get(key)
        return v if isinstance(v, str) else ""

    # Only a question-like output prefix carries the question ("Does the sentence ...?"); an answer
    # marker after it ("...?\nA: ") belongs to the student prompt format, not to the question.
    lines = [line.strip() for line in s("example_output_prefix").splitlines() if line.strip()]
    while lines and re.fullmatch(r"(A|Answer|Output|Label)\s*:", lines[-1]):
        lines.pop()
    question = "\n".join(lines)
    return {
        "prefix": s("task_prefix") + s("example_input_prefix"),
        "suffix": ("\n" + question) if question.endswith("?") else "",
        "description": s("description").strip(),
        "append": doc.get("append_choices_to_input", True),
    }


def read_json_task(path: Path, task: str) -> Iterator[tuple[int, dict | RowError]]:
    """Yield (row index, question row or RowError) for one BIG-bench/BBH JSON file. Raises OSError /
    ValueError when the file as a whole cannot be used."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("examples"), list):
        raise ValueError(  # noqa: TRY004 (caught with parse errors: the whole file is unreadable)
            "expected a JSON object with an 'examples' list (BIG-bench task.json or BBH JSON)")
    header = _header(doc)
    for i, ex in enumerate(doc["examples"]):
        try:
            yield i, bigbench_example(ex, i, task, header, str(path))
        except RowError as e:
            yield i, e


# --------------------------------------------------------------------------------- tabular formats
def table_row(row: dict, i: int, default_task: str, source: str) -> dict:
    """One JSONL/Parquet/HF row with question/answer (+ choices, task, description) -> question row."""
    task = row.get("task") or default_task
    if not isinstance(task, str):
        raise RowError("wrong_type", "task", f"expected a string, got {type(task).__name__}")
    qfield = "question" if "question" in row else "input"
    text = _text(row.get(qfield), qfield, "missing_input")
    afield = "answer" if "answer" in row else "target"
    answer = row.get(afield)
    description = row.get("description") or ""
    if not isinstance(description, str):
        raise RowError("wrong_type", "description", "expected a string")
    qid = f"{task}/{i}"
    choices = row.get("choices")
    if hasattr(choices, "tolist"):  # numpy arrays from Parquet
        choices = choices.tolist()
    if choices is None or (isinstance(choices, list) and not choices):
        if answer is None or (isinstance(answer, str) and not answer.strip()):
            raise RowError("empty_target", afield, "missing or empty")
        golds = _aliases(answer, afield)
        parsed = parse_options(text)
        if parsed and re.fullmatch(r"\([A-Z]\)", golds[0]):
            stem, opts = parsed
            idx = string.ascii_uppercase.index(golds[0][1])
            if idx < len(opts):
                return multiple_choice(qid, task, stem, opts, [idx], source, description, {"format": "table"},
                                       shuffle=False)
        return _question(qid, task, text, None, golds[0], source, description,
                         {"format": "table", "aliases": golds[1:]} if len(golds) > 1 else {"format": "table"})
    if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
        raise RowError("wrong_type", "choices", "expected a list of non-empty strings")
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        raise RowError("empty_target", afield, "missing or empty")
    idx = _choice_index(answer, choices)
    if idx is None:
        raise RowError("no_correct_choice", afield, f"{str(answer)[:60]!r} is neither an option letter, "
                                                    f"an index nor the text of one of {len(choices)} options")
    return multiple_choice(qid, task, text, choices, [idx], source, description, {"format": "table"},
                           shuffle=False)


def _choice_index(answer: Any, choices: list[str]) -> int | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer if 0 <= answer < len(choices) else None
    if not isinstance(answer, str):
        return None
    a = answer.strip()
    m = re.fullmatch(r"\(?([A-Z])\)?", a)
    if m and string.ascii_uppercase.index(m.group(1)) < len(choices):
        return string.ascii_uppercase.index(m.group(1))
    norm = [c.strip().lower() for c in choices]
    return norm.index(a.lower()) if a.lower() in norm else None


def read_jsonl(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    from edit_ray.io import jsonl_objects

    for n, row in jsonl_objects(str(path)):
        i = n - 1  # row ids count lines from 0
        if isinstance(row, str):  # not UTF-8, not JSON, or not an object: this line only
            yield i, RowError("wrong_type", "<line>", row)
            continue
        yield i, _safe(table_row, row, i, path.stem, str(path))


def read_parquet(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    import pyarrow.parquet as pq

    for i, row in enumerate(pq.read_table(path).to_pylist()):
        yield i, _safe(table_row, row, i, path.stem, str(path))


def read_hf(spec: str) -> Iterator[tuple[int, dict | RowError]]:
    """'hf:<id>[:<split>]' (default split 'test'). Needs `datasets` and network or a local HF cache."""
    try:
        import datasets
    except ImportError:
        raise ValueError(f"{spec}: the `datasets` package is not installed (pip install datasets)") from None
    ident = spec[3:]
    name, _, split = ident.partition(":")
    try:
        ds = datasets.load_dataset(name, split=split or "test")
    except Exception as e:  # noqa: BLE001 (network, unknown id, missing split: the path cannot be read at all)
        raise ValueError(f"{spec}: cannot load the Hugging Face dataset: {type(e).__name__}: {e}") from None
    task = name.split("/")[-1]
    for i, row in enumerate(ds):
        yield i, _safe(table_row, dict(row), i, task, spec)


def _safe(fn, *args) -> dict | RowError:
    try:
        return fn(*args)
    except RowError as e:
        return e


# ------------------------------------------------------------------------------------------ entry
def _files(path: Path) -> list[tuple[Path, Path]]:
    """(file, root) pairs under a path; a directory is searched recursively for supported files."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl", ".parquet"))
        return [(p, path) for p in found]
    return [(path, path.parent)]


def _task_for(file: Path, root: Path) -> str:
    """'X.json' -> 'X'; a task.json -> its directory path, dot-joined ('task/sub/task.json' -> 'task.sub')."""
    if file.name != "task.json":
        return file.stem
    rel = file.parent.relative_to(root).parts
    if not rel or (root / "task.json").is_file():  # the root is itself a BIG-bench task directory
        rel = (root.name, *rel)
    return ".".join(rel)


def load_path(path: str) -> tuple[list[dict], list[dict]]:
    """All questions of one path (file, directory or 'hf:<id>'), and the error rows of the bad ones."""
    questions: list[dict] = []
    errors: list[dict] = []

    def collect(source: str, rows: Iterator[tuple[int, dict | RowError]]) -> None:
        try:
            for i, row in rows:
                if isinstance(row, RowError):
                    errors.append(error_row(f"{source}:{i}", "data", row.reason,
                                            f"{source}: row {i}: {row}"))
                else:
                    questions.append(row)
        except (OSError, ValueError, UnicodeDecodeError) as e:
            errors.append(error_row(f"{source}:-", "data", "unreadable_file",
                                    f"{source}: {type(e).__name__}: {e}"))

    if path.startswith("hf:"):
        collect(path, read_hf(path))
        return questions, errors
    p = Path(path)
    if not p.exists():
        errors.append(error_row(f"{path}:-", "data", "unreadable_file", f"{path}: no such file or directory"))
        return questions, errors
    files = _files(p)
    if p.is_dir() and not files:
        errors.append(error_row(f"{path}:-", "data", "unreadable_file",
                                f"{path}: no .json, .jsonl or .parquet files in this directory"))
    for file, root in files:
        if file.suffix == ".json":
            collect(str(file), read_json_task(file, _task_for(file, root)))
        elif file.suffix == ".jsonl":
            collect(str(file), read_jsonl(file))
        elif file.suffix == ".parquet":
            collect(str(file), read_parquet(file))
        else:
            errors.append(error_row(f"{file}:-", "data", "unreadable_file",
                                    f"{file}: unsupported format '{file.suffix}' (use .json, .jsonl, .parquet "
                                    "or hf:<id>)"))
    return questions, errors
