"""The run report: report.md and report.html in the run directory, with PNG plots under plots/.

Answers at a glance what a reader of the EDIT paper (edit-method.md §5) would ask of a run: how its
method's student (e.g. ``edit``: stage 1 on D+ ∪ D-+, then KRSL) did against the students before it (its
stage-1 model, the base model), on which benchmarks and tasks, how training went, and what the key tokens
(tokens where the correct and the wrong CoT of a pair differ, by minimum edit distance) looked like. Methods
are named as in ``edit_ray.methods``; the comparison with the paper's Std-CoT baseline over seeds is
``edit-ray bench``'s (bench/summary.md).

Reads (each optional: a missing input makes its section say "not run", never an exception):
  eval/summary.json (edit_ray.evaluate.summarize), sft/metrics.jsonl and krsl/metrics.jsonl (rows with
  step, loss; KRSL also chosen_key_nll, rejected_key_nll), masks/masks.parquet (chosen_ids, rejected_ids,
  chosen_key, rejected_key, n_key_chosen, n_key_rejected), dual/pairs.parquet (origin, for the examples),
  config.yaml (student.model, whose tokenizer decodes the examples), <stage>/manifest.json or
  <stage>/stats.json and <stage>/errors.parquet (stage counts), round_*/eval/summary.json (ORION rounds).
Writes: report.md, report.html (self-contained apart from the PNGs it references), plots/*.png.
"""

from __future__ import annotations

import html
import io as _bytes_io
import posixpath
import re
from dataclasses import dataclass, field

from edit_ray import io
from edit_ray.methods import METHODS
from edit_ray.steps import Step
from edit_ray.train.run import read_metrics

NOT_RUN = "not run"
METHOD_LABELS = {"teacher": "teacher (CEP)"}
METHOD_ORDER = (*METHODS, "teacher")
STAGES = ("data", "teacher", "dual", "masks", "sft", "krsl", "eval")
N_EXAMPLES = 3
PAPER_KEY_FRACTION = 0.047  # "≈4.7% key reasoning steps" (edit-method.md §2)


# --------------------------------------------------------------------------------------- building
@dataclass
class Link:
    """A table cell that links to a file of the run (a path relative to the run directory)."""

    text: str
    href: str

    def __str__(self) -> str:
        return f"[{self.text}]({self.href})"


def _html_cell(c) -> str:
    if isinstance(c, Link):
        return f'<a href="{html.escape(c.href)}">{html.escape(c.text)}</a>'
    return html.escape(str(c))


@dataclass
class Section:
    """One report section, kept in both formats side by side so they cannot drift apart."""

    title: str
    md: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)

    def text(self, md: str, html_text: str | None = None) -> None:
        self.md.append(md)
        self.html.append(f"<p>{html_text if html_text is not None else html.escape(md)}</p>")

    def table(self, headers: list[str], rows: list[list]) -> None:
        self.md.append("| " + " | ".join(headers) + " |\n|" + "---|" * len(headers) + "\n"
                       + "\n".join("| " + " | ".join(str(c) for c in r) + " |" for r in rows))
        self.html.append("<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers)
                         + "</tr></thead><tbody>"
                         + "".join("<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in r) + "</tr>"
                                   for r in rows) + "</tbody></table>")

    def image(self, rel_path: str, alt: str) -> None:
        self.md.append(f"![{alt}]({rel_path})")
        self.html.append(f'<img src="{html.escape(rel_path)}" alt="{html.escape(alt)}">')


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def _label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def _methods_in_order(methods) -> list[str]:
    return [m for m in METHOD_ORDER if m in methods] + [m for m in methods if m not in METHOD_ORDER]


# ------------------------------------------------------------------------------------------ inputs
def _read_json(path: str):
    """JSON at path, or None when absent or unreadable (the section then says so)."""
    try:
        return io.read_json(path) if io.exists(path) else None
    except (OSError, ValueError):
        return None


def _save_figure(fig, run_dir: str, name: str) -> str:
    """Save a matplotlib figure as run_dir/plots/<name> (PNG); returns the path relative to run_dir."""
    import matplotlib.pyplot as plt

    buf = _bytes_io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    io.write_bytes(buf.getvalue(), io.join(run_dir, "plots", name))
    return f"plots/{name}"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and Ray workers
    import matplotlib.pyplot as plt

    return plt


# ---------------------------------------------------------------------------------------- sections
def headline_sentence(summary: dict | None) -> str:
    """One sentence: the run's method against Std-CoT when both were scored, else against its stage-1 model."""
    summary = summary or {}
    methods = summary.get("methods", {})
    final = (summary.get("settings") or {}).get("final_method")
    if final not in methods:
        return f"The run's method was {NOT_RUN} through evaluation (eval/summary.json has no {final or 'method'})."
    students = [m for m in _methods_in_order(methods) if m not in ("teacher", final)]
    ref = "std-cot" if "std-cot" in students else (students[-1] if students else None)
    if ref is None:
        return f"{final}: average accuracy {_pct(methods[final]['average'])}% (no other student scored)."
    k, s = methods[final], methods[ref]
    diff = k["average"] - s["average"]
    verdict = "beat" if diff > 0 else "tied with" if diff == 0 else "did not beat"
    per_bench = ", ".join(f"{b} {_pct(v['accuracy'])}% vs {_pct(s['benchmarks'][b]['accuracy'])}%"
                          for b, v in k["benchmarks"].items() if b in s["benchmarks"])
    tail = "" if ref == "std-cot" else " (the Std-CoT baseline over seeds, with CIs: `edit-ray bench`)"
    return (f"{final} {verdict} {ref}: average accuracy {_pct(k['average'])}% vs {_pct(s['average'])}% "
            f"({100 * diff:+.1f} points over {len(k['benchmarks'])} benchmark(s): {per_bench}){tail}.")


def accuracy_section(run_dir: str, summary: dict | None) -> Section:
    sec = Section("Accuracy per benchmark and method")
    if not summary or not summary.get("methods"):
        sec.text(f"Evaluation {NOT_RUN} (no eval/summary.json).")
        return sec
    methods = _methods_in_order(summary["methods"])
    benches = list(dict.fromkeys(b for m in methods for b in summary["methods"][m]["benchmarks"]))
    rows = []
    partial = [m for m in methods if set(summary["methods"][m]["benchmarks"]) != set(benches)]
    for m in methods:
        bm = summary["methods"][m]["benchmarks"]
        rows.append([_label(m)] + [f"{_pct(bm[b]['accuracy'])} (n={bm[b]['n']})" if b in bm else "-" for b in benches]
                    + [_pct(summary["methods"][m]["average"]) + ("*" if m in partial else "")])
    sec.text("Accuracy in %, micro over the questions of each benchmark; average = mean over benchmarks.")
    sec.table(["method"] + benches + ["average"], rows)
    if partial:
        sec.text("* averaged over fewer benchmarks (the teacher is scored only where its CEP CoTs exist): "
                 "not comparable with the other averages.")

    plt = _pyplot()
    groups = benches + ["average"]
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(groups)), 3.6))
    for i, m in enumerate(methods):
        s = summary["methods"][m]
        vals = [100 * s["benchmarks"][b]["accuracy"] if b in s["benchmarks"] else None for b in benches]
        vals.append(100 * s["average"])
        xs = [g + (i - (len(methods) - 1) / 2) * width for g in range(len(groups))]
        present = [(x, v) for x, v in zip(xs, vals) if v is not None]  # no bar where a method was not scored
        bars = ax.bar([x for x, _ in present], [v for _, v in present], width, label=_label(m))
        ax.bar_label(bars, fmt="%.1f", fontsize=7)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 105)
    ax.legend(fontsize=8)
    ax.set_title("Accuracy per benchmark")
    sec.image(_save_figure(fig, run_dir, "accuracy_by_benchmark.png"), "accuracy per benchmark and method")

    for note in summary.get("notes", []):
        sec.text(f"Note: {note}")
    if summary.get("engines"):
        sec.text("Answered by: " + "; ".join(_engine_line(e) for e in summary["engines"]) + ".")
    errors = {m: sum(v.get("errors", 0) for v in summary["methods"][m]["benchmarks"].values()) for m in methods}
    if any(errors.values()):
        sec.text("Generation errors (counted as wrong, listed in eval/errors.parquet): "
                 + ", ".join(f"{_label(m)} {e}" for m, e in errors.items() if e) + ".")
    return sec


def _engine_line(engine: dict) -> str:
    """One engine of eval/summary.json's ``engines`` in words."""
    model = posixpath.basename(str(engine["model"]).rstrip("/")) or engine["model"]
    who = ", ".join(_label(m) for m in engine["methods"])
    shared = " (each student a LoRA adapter of that model, loaded per request)" if len(engine["methods"]) > 1 else ""
    return f"a {engine['kind']} engine of {model} for {who}{shared}"


def task_section(run_dir: str, summary: dict | None) -> Section:
    sec = Section("Accuracy per task")
    if not summary or not summary.get("methods"):
        sec.text(f"Evaluation {NOT_RUN}.")
        return sec
    methods = _methods_in_order(summary["methods"])
    keys = list(dict.fromkeys((b, t) for m in methods for b, ts in summary["methods"][m].get("tasks", {}).items()
                              for t in ts))
    if not keys:
        sec.text("No per-task results in eval/summary.json.")
        return sec

    def cell(m, b, t):
        return summary["methods"][m].get("tasks", {}).get(b, {}).get(t)

    rows = []
    for b, t in keys:
        n = next(c["n"] for m in methods if (c := cell(m, b, t)))
        rows.append([b, t, n] + [_pct(c["accuracy"]) if (c := cell(m, b, t)) else "-" for m in methods])
    sec.table(["benchmark", "task", "n"] + [_label(m) for m in methods], rows)

    plt = _pyplot()
    height = 0.8 / len(methods)
    # Tall enough to read each task, capped so 80 tasks (BBH + BB-sub) stay a viewable image.
    fig, ax = plt.subplots(figsize=(7, min(40, max(2.5, 0.35 * len(keys) * max(1, len(methods) / 2)))))
    for i, m in enumerate(methods):
        vals = [100 * c["accuracy"] if (c := cell(m, b, t)) else 0 for b, t in keys]
        ys = [k + (i - (len(methods) - 1) / 2) * height for k in range(len(keys))]
        ax.barh(ys, vals, height, label=_label(m))
    ax.set_yticks(range(len(keys)), [f"{b}/{t}" for b, t in keys], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("accuracy (%)")
    ax.set_xlim(0, 100)
    ax.legend(fontsize=7)
    ax.set_title("Accuracy per task")
    sec.image(_save_figure(fig, run_dir, "accuracy_by_task.png"), "accuracy per task")
    return sec


def loss_section(run_dir: str) -> Section:
    sec = Section("Training loss")
    sft, krsl = ([r for r in read_metrics(io.join(run_dir, stage, "metrics.jsonl"))
                  if isinstance(r.get("loss"), (int, float))] for stage in ("sft", "krsl"))
    if not sft and not krsl:
        sec.text(f"Training {NOT_RUN} (no sft/metrics.jsonl or krsl/metrics.jsonl).")
        return sec
    rows = []
    for name, ms in (("SFT (stage 1)", sft), ("KRSL (stage 2)", krsl)):
        if ms:
            rows.append([name, len(ms), int(ms[-1]["step"]), f"{ms[0]['loss']:.4f}", f"{ms[-1]['loss']:.4f}"])
        else:
            rows.append([name, 0, "-", NOT_RUN, NOT_RUN])
    sec.table(["stage", "logged steps", "last step", "first loss", "last loss"], rows)
    has_nll = any("chosen_key_nll" in r or "rejected_key_nll" in r for r in krsl)
    if has_nll:
        last = krsl[-1]
        sec.text("KRSL raises the likelihood of the correct CoT's key tokens and lowers that of the wrong CoT's: "
                 f"last chosen key NLL {last.get('chosen_key_nll', float('nan')):.4f}, "
                 f"rejected key NLL {last.get('rejected_key_nll', float('nan')):.4f}.")

    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    panels = [("SFT loss", sft, ["loss", "val_loss"]), ("KRSL loss", krsl, ["loss", "val_loss"])]
    if has_nll:
        panels.append(("KRSL key-token NLL", krsl, ["chosen_key_nll", "rejected_key_nll"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3), squeeze=False)
    for ax, (title, ms, keys) in zip(axes[0], panels):
        if not ms:
            ax.text(0.5, 0.5, NOT_RUN, ha="center", va="center", transform=ax.transAxes)
        for k in keys:
            pts = [(r["step"], r[k]) for r in ms if isinstance(r.get(k), (int, float))]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", label=k)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(ax.get_lines()) > 1:
            ax.legend(fontsize=7)
    sec.image(_save_figure(fig, run_dir, "loss_curves.png"), "training loss curves")
    return sec


def _read_masks(run_dir: str):
    path = io.join(run_dir, "masks", "masks.parquet")
    if not io.exists(path):
        return None
    return io.read_table(path)


def key_fraction_section(run_dir: str, masks) -> Section:
    sec = Section("Key-token fraction")
    if masks is None or masks.num_rows == 0:
        sec.text(f"Key-step masking {NOT_RUN} (no masks/masks.parquet).")
        return sec
    cols = masks.column_names
    fractions = {}
    for side in ("chosen", "rejected"):
        if f"{side}_ids" not in cols:
            continue
        lens = [len(x) for x in masks.column(f"{side}_ids").to_pylist()]
        if f"n_key_{side}" in cols:
            keys = masks.column(f"n_key_{side}").to_pylist()
        elif f"{side}_key" in cols:
            keys = [sum(k) for k in masks.column(f"{side}_key").to_pylist()]
        else:
            continue
        fractions[side] = [k / n if n else 0.0 for k, n in zip(keys, lens)]
    if not fractions:
        sec.text("masks/masks.parquet has no token or key-count columns.")
        return sec
    rows = [[side, len(v), f"{100 * sum(v) / len(v):.2f}", f"{100 * sorted(v)[len(v) // 2]:.2f}"]
            for side, v in fractions.items()]
    sec.text(f"Share of each CoT's response tokens marked key by minimum edit distance, over {masks.num_rows} pairs "
             f"(the paper reports about {100 * PAPER_KEY_FRACTION:.1f}% on its dual CoTs).")
    sec.table(["CoT", "pairs", "mean key fraction (%)", "median (%)"], rows)

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3))
    for side, v in fractions.items():
        ax.hist([100 * x for x in v], bins=20, alpha=0.6, label=f"{side} ({'correct' if side == 'chosen' else 'wrong'} CoT)")
    ax.set_xlabel("key tokens (% of response tokens)")
    ax.set_ylabel("pairs")
    ax.legend(fontsize=8)
    ax.set_title("Key-token fraction per pair")
    sec.image(_save_figure(fig, run_dir, "key_fraction.png"), "key-token fraction histogram")
    return sec


def _student_model(run_dir: str) -> str | None:
    import yaml

    path = io.join(run_dir, "config.yaml")
    if not io.exists(path):
        return None
    fs, p = io.filesystem(path)
    with fs.open_input_stream(p) as f:
        tree = yaml.safe_load(f.read().decode()) or {}
    return ((tree.get("student") or {}).get("model")) if isinstance(tree, dict) else None


def token_decoder(model: str):
    """ids -> text with the model's tokenizer. A local tokenizer.json is read with the `tokenizers` library
    alone (seconds faster than importing transformers); other models go through edit_ray.models."""
    import os

    from edit_ray.models import load_tokenizer, resolve

    path = os.path.join(resolve(model), "tokenizer.json")
    if os.path.isfile(path):
        from tokenizers import Tokenizer

        fast = Tokenizer.from_file(path)
        return lambda ids: fast.decode(list(ids), skip_special_tokens=False)
    tok = load_tokenizer(model)
    return lambda ids: tok.decode(list(ids), skip_special_tokens=False)


def key_runs(ids: list[int], key: list[int]) -> list[tuple[bool, list[int]]]:
    """Consecutive runs of (is_key, token ids), so each run is decoded in one piece."""
    runs: list[tuple[bool, list[int]]] = []
    for tok, k in zip(ids, key):
        if runs and runs[-1][0] == bool(k):
            runs[-1][1].append(tok)
        else:
            runs.append((bool(k), [tok]))
    return runs


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md_escape(s: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", s)


def render_key_text(runs: list[tuple[bool, str]], css_class: str) -> tuple[str, str]:
    """(markdown, html) of decoded runs: key runs in **bold** / <span class=...>."""
    md_parts, html_parts = [], []
    for is_key, text in runs:
        if is_key:
            # Bold markers must hug non-space text in markdown, line by line.
            pieces = []
            for line in text.split("\n"):
                core = line.strip()
                lead = line[: len(line) - len(line.lstrip())]
                trail = line[len(line.rstrip()):]
                pieces.append(f"{lead}**{_md_escape(core)}**{trail}" if core else line)
            md_parts.append("\n".join(pieces))
            html_parts.append(f'<span class="{css_class}">{html.escape(text)}</span>')
        else:
            md_parts.append(_md_escape(text))
            html_parts.append(html.escape(text))
    return "".join(md_parts), "".join(html_parts)


def examples_section(run_dir: str, masks) -> Section:
    sec = Section("Key tokens in a few pairs")
    needed = {"pair_id", "chosen_ids", "rejected_ids", "chosen_key", "rejected_key"}
    if masks is None or masks.num_rows == 0 or not needed <= set(masks.column_names):
        sec.text(f"Key-step masking {NOT_RUN} (no masks/masks.parquet with chosen_key/rejected_key).")
        return sec
    # Pick by pair_id and key counts first: the token lists of thousands of pairs need not become Python.
    ids = [str(p) for p in masks.column("pair_id").to_pylist()]
    if {"n_key_chosen", "n_key_rejected"} <= set(masks.column_names):
        has_key = [a + b > 0 for a, b in zip(masks.column("n_key_chosen").to_pylist(),
                                             masks.column("n_key_rejected").to_pylist())]
    else:
        has_key = [any(a) or any(b) for a, b in zip(masks.column("chosen_key").to_pylist(),
                                                    masks.column("rejected_key").to_pylist())]
    picked = sorted((i for i in range(len(ids)) if has_key[i]), key=lambda i: ids[i])[:N_EXAMPLES]
    rows = masks.select(sorted(needed)).take(picked).to_pylist()
    if not rows:
        sec.text("No pair has key tokens (all pairs identical?).")
        return sec

    decode, how = None, ""
    model = _student_model(run_dir)
    if model:
        try:
            decode = token_decoder(model)
            how = f"decoded with the tokenizer of {model}"
        except Exception as e:  # noqa: BLE001 - a report must render even when the tokenizer cannot be loaded here
            how = f"tokenizer of {model} unavailable ({type(e).__name__}: {e}); showing token ids"
    else:
        how = "no config.yaml with student.model; showing token ids"
    if decode is None:
        decode = lambda ids: " ".join(f"[{i}]" for i in ids) + " "

    origins = {}
    pairs_path = io.join(run_dir, "dual", "pairs.parquet")
    if io.exists(pairs_path):
        try:
            origins = {r["pair_id"]: r.get("origin") for r in io.read_rows(pairs_path, columns=["pair_id", "origin"])}
        except Exception:  # noqa: BLE001 - the origin is a nicety; the tokens are the point
            origins = {}

    sec.text(f"Key tokens ({how}) are **bold** in the correct (chosen) and wrong (rejected) CoT.",
             f"Key tokens ({html.escape(how)}) are highlighted: "
             '<span class="key-pos">green</span> in the correct (chosen) CoT, '
             '<span class="key-neg">red</span> in the wrong (rejected) CoT.')
    for r in rows:
        origin = origins.get(r["pair_id"])
        title = f"pair {r['pair_id']}" + (f" ({origin})" if origin else "")
        sec.md.append(f"#### {_md_escape(title)}")
        sec.html.append(f"<h4>{html.escape(title)}</h4>")
        for side, css in (("chosen", "key-pos"), ("rejected", "key-neg")):
            runs = [(k, decode(ids)) for k, ids in key_runs(r[f"{side}_ids"], r[f"{side}_key"])]
            md, h = render_key_text(runs, css)
            n_key = sum(1 for k in r[f"{side}_key"] if k)
            label = f"{side} ({n_key} key of {len(r[f'{side}_ids'])} tokens)"
            sec.md.append(f"*{label}:*\n\n" + "\n".join("> " + line + "  " for line in md.split("\n")))
            sec.html.append(f'<div class="cot"><div class="cot-label">{html.escape(label)}</div>'
                            f'<pre class="cot-text">{h}</pre></div>')
    return sec


def _find_counts(obj) -> dict | None:
    """The first {in, ok, errors}-like dict inside a manifest/stats JSON."""
    if isinstance(obj, dict):
        if "in" in obj and ("ok" in obj or "errors" in obj):
            return obj
        for k in ("counts", "count", "stats"):
            if k in obj and (found := _find_counts(obj[k])):
                return found
        for v in obj.values():
            if isinstance(v, dict) and (found := _find_counts(v)):
                return found
    return None


def stages_section(run_dir: str) -> Section:
    sec = Section("Stage counts")
    rows = []
    for stage in STAGES:
        counts, source, seconds = None, "", "-"
        for name in ("manifest.json", "stats.json"):
            data = _read_json(io.join(run_dir, stage, name))
            if isinstance(data, dict) and isinstance(data.get("seconds"), (int, float)) and seconds == "-":
                seconds = f"{data['seconds']:.1f}"
            if data is not None and (counts := _find_counts(data)):
                source = f"{stage}/{name}"
                break
        reasons = ""
        err_path = io.join(run_dir, stage, "errors.parquet")
        if io.exists(err_path):
            try:
                errs = io.read_rows(err_path, columns=["reason"])
                by = {}
                for e in errs:
                    by[e["reason"]] = by.get(e["reason"], 0) + 1
                reasons = ", ".join(f"{k}: {v}" for k, v in sorted(by.items())) or "none"
            except Exception as e:  # noqa: BLE001 - an unreadable errors file is itself worth showing, not fatal
                reasons = f"unreadable ({type(e).__name__})"
        if counts is None and not reasons:
            rows.append([stage, "-", "-", "-", "-", "-", NOT_RUN])
            continue
        c = counts or {}
        rows.append([Link(stage, f"{stage}/"), c.get("in", "-"), c.get("ok", "-"), c.get("errors", "-"),
                     Link(reasons, f"{stage}/errors.parquet") if reasons else "-", seconds,
                     Link(source, source) if source else "errors.parquet only"])
    sec.text("Rows in, rows out and errors per stage (in = ok + errors); seconds from the pipeline manifest. "
             "Each stage links to its directory, its errors table and the file its counts come from.")
    sec.table(["stage", "in", "ok", "errors", "error reasons", "seconds", "source"], rows)
    return sec


def _round_dirs(run_dir: str) -> list[tuple[int, str]]:
    import pyarrow.fs as pafs

    fs, p = io.filesystem(run_dir)
    try:
        infos = fs.get_file_info(pafs.FileSelector(p, recursive=False))
    except (FileNotFoundError, OSError):
        return []
    out = []
    for info in infos:
        m = re.fullmatch(r"round_(\d+)", info.base_name)
        if m and info.type == pafs.FileType.Directory:
            out.append((int(m.group(1)), io.join(run_dir, info.base_name)))
    return sorted(out)


def _types(t: dict | None) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted((t or {}).items()) if v) or "-"


def orion_section(run_dir: str) -> Section:
    sec = Section("ORION rounds")
    dirs = _round_dirs(run_dir)
    rounds = [(i, s) for i, d in dirs if (s := _read_json(io.join(d, "eval", "summary.json")))]
    mistakes = [(i, m) for i, d in dirs if isinstance(m := _read_json(io.join(d, "mistakes.json")), dict)]
    if mistakes:
        rows = []
        for i, m in mistakes:
            before, after = m.get("before") or {}, m.get("after") or {}
            rows.append([i, before.get("wrong_samples", "-"), _types(before.get("types")),
                         f"{after['wrong']}/{after['n']}" if "wrong" in after and "n" in after else "-",
                         _types(after.get("types"))])
        sec.text("Mistakes per round: the student's wrong exposure samples on training questions (before) and its "
                 "wrong answers at evaluation (after), by type.")
        sec.table(["round", "wrong samples before", "types before", "wrong after", "types after"], rows)
    if not rounds:
        sec.text(f"ORION rounds {NOT_RUN} (no round_*/eval/summary.json).")
        return sec
    benches = list(dict.fromkeys(b for _, s in rounds for m in s.get("methods", {}).values() for b in m["benchmarks"]))
    rows = []
    series: dict[str, list[tuple[int, float]]] = {}
    for i, s in rounds:
        for m in _methods_in_order(s.get("methods", {})):
            v = s["methods"][m]
            rows.append([i, _label(m)] + [_pct(v["benchmarks"][b]["accuracy"]) if b in v["benchmarks"] else "-"
                                          for b in benches] + [_pct(v["average"])])
            series.setdefault(m, []).append((i, 100 * v["average"]))
    sec.text("Accuracy (%) of each round's student after error-aware reflection and KRSL.")
    sec.table(["round", "method"] + benches + ["average"], rows)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3))
    for m, pts in series.items():
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=_label(m))
    ax.set_xlabel("round")
    ax.set_ylabel("average accuracy (%)")
    ax.legend(fontsize=8)
    ax.set_title("ORION rounds")
    sec.image(_save_figure(fig, run_dir, "orion_rounds.png"), "accuracy per ORION round")
    return sec


def _safe(build, title: str, *args) -> Section:
    """Run one section builder; a failure becomes a visible line in the report, not a crash."""
    try:
        return build(*args)
    except Exception as e:  # noqa: BLE001 - the report is the last stage: show what broke and keep the other sections
        sec = Section(title)
        sec.text(f"Could not render this section: {type(e).__name__}: {e}")
        return sec


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
h1{border-bottom:2px solid #444}h2{border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
img{max-width:100%;margin:.5em 0}.headline{font-size:1.15em;background:#f6f8fa;padding:.8em;border-left:4px solid #0969da}
.cot{margin:.5em 0}.cot-label{font-style:italic;color:#555}
.cot-text{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:.6em;font-size:.85em}
.key-pos{background:#c8f7c5;font-weight:bold}.key-neg{background:#ffc9c9;font-weight:bold}
"""


def write_report(run_dir: str) -> str:
    """Write run_dir/report.md, run_dir/report.html and run_dir/plots/*.png.

    Args:
        run_dir: a run directory (local path or URI). Every input is optional.
    Returns:
        The path of report.md.
    """
    summary = _read_json(io.join(run_dir, "eval", "summary.json"))
    try:
        masks = _read_masks(run_dir)
    except Exception:  # noqa: BLE001 - an unreadable masks file: the two mask sections then say "not run"
        masks = None
    try:
        sentence = headline_sentence(summary)
    except Exception as e:  # noqa: BLE001 - a summary.json of another shape: say so at the top, render the rest
        sentence = f"Headline not determined (eval/summary.json unreadable: {type(e).__name__}: {e})."
    sections = [
        _safe(accuracy_section, "Accuracy per benchmark and method", run_dir, summary),
        _safe(task_section, "Accuracy per task", run_dir, summary),
        _safe(loss_section, "Training loss", run_dir),
        _safe(key_fraction_section, "Key-token fraction", run_dir, masks),
        _safe(examples_section, "Key tokens in a few pairs", run_dir, masks),
        _safe(stages_section, "Stage counts", run_dir),
        _safe(orion_section, "ORION rounds", run_dir),
    ]
    name = posixpath.basename(run_dir.rstrip("/")) or run_dir
    md = [f"# edit-ray report: {name}", "", f"**{sentence}**", ""]
    for s in sections:
        md += [f"## {s.title}", ""] + [block + "\n" for block in s.md]
    body = [f"<h1>edit-ray report: {html.escape(name)}</h1>", f'<p class="headline">{html.escape(sentence)}</p>']
    for s in sections:
        body += [f"<h2>{html.escape(s.title)}</h2>"] + s.html
    page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>edit-ray report: "
            f"{html.escape(name)}</title><style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
    md_path = io.join(run_dir, "report.md")
    io.write_text("\n".join(md), md_path)
    io.write_text(page, io.join(run_dir, "report.html"))
    return md_path


def run_report(cfg, run_dir: str) -> dict:
    """The pipeline's report step."""
    return {"report": str(write_report(run_dir))}


REPORT = Step("report", run_report, after=("data", "teacher", "dual", "masks", "exposure", "reflect", "sft", "krsl",
                                           "eval"),
              outputs=("report", "report.md", "report.html", "plots"), done="report.md")
