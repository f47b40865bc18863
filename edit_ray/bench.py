"""`edit-ray bench`: does a student distilled with EDIT reason better than one distilled with Std-CoT?

The paper's comparison (edit-method.md §5, quality-benchmark.md) as a grid: every method of
``bench.methods`` (``edit_ray.methods``) for every seed of ``bench.seeds``. Each cell is an ordinary
pipeline run of that method; a seed changes the training-question sample (``data.train_per_task``), the
teacher's sampling and the training seed, while ``data.seed`` keeps the test questions fixed. Within a
seed the cells share every upstream step through the run store (``run.store``): one set of teacher CoTs,
dual CoTs and masks, one stage-1 model for ``edit``, ``edit-student``, ``edit-no-wrong``..., because a
stage with the same inputs has the same hash.

Layout under ``run.dir``:

    store/<stage>/<hash>/     stage outputs, shared by every cell whose stage has those inputs
    seed-<s>/<method>/        one pipeline run (its stage directories link into store/), cell.json
    summary.json, summary.md  accuracy per method and benchmark over seeds, paired differences
    plots/accuracy.png, plots/paired.png

Resuming: a cell whose ``cell.json`` holds the hash of its current config is finished and is not run
again; any other cell is run through the pipeline, which skips its finished stages (so a changed
``eval.benchmarks`` re-runs only evaluation) and resumes an interrupted one. ``std-cot-long`` trains
std-cot for as many tokens as ``edit``'s two stages took in the same seed, so it runs after ``edit``.
The zero-shot student is trained by nobody: with a fixed ``data.seed`` and greedy decoding its answers are
the same for every seed, so it is evaluated once (in the first seed) and that cell stands for all seeds.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from typing import Any

from edit_ray import io
from edit_ray.config import RunConfig, apply_method, result_values
from edit_ray.stats import mean_ci, paired_bootstrap
from edit_ray.steps import digest

# The reference row of the teacher's own accuracy (bench.teacher): not a method, never paired.
TEACHER = "teacher"


def cell_dir(cfg: RunConfig, seed: int, method: str) -> str:
    return io.join(cfg.run.dir, f"seed-{seed}", method)


def _deterministic_zero_shot(cfg: RunConfig) -> bool:
    """Whether the untrained student answers the same for every seed (fixed questions, greedy decoding)."""
    return cfg.data.seed is not None and cfg.eval.self_consistency == 1 and cfg.eval.engine.temperature == 0


def cell_config(cfg: RunConfig, method: str, seed: int, token_budget: int | None = None) -> RunConfig:
    """The run config of one cell: ``cfg`` with the method's settings, the seed, its own directory, the
    bench's store, and only the method's own student evaluated."""
    tree = cfg.model_dump(mode="json")
    tree["method"] = method
    apply_method(tree)
    tree["sft"]["token_budget"] = token_budget
    tree["run"].update(seed=seed, dir=cell_dir(cfg, seed, method), store=io.join(cfg.run.dir, "store"))
    # the teacher answers the test questions once per seed, beside the baseline (bench.teacher)
    tree["eval"]["methods"] = ["final", "teacher"] if cfg.bench.teacher and method == cfg.bench.baseline else ["final"]
    tree["orion"]["eval_each_round"] = False  # the cell's own evaluation is the result
    return RunConfig.model_validate(tree)


def grid(cfg: RunConfig) -> list[tuple[int, str]]:
    """(seed, method) cells in run order: per seed, std-cot-long after edit (it needs edit's token count)."""
    methods = sorted(cfg.bench.methods, key=lambda m: m == "std-cot-long")
    if "std-cot-long" in methods and "edit" not in methods:
        unfinished = [s for s in cfg.bench.seeds if not io.exists(io.join(cell_dir(cfg, s, "edit"), "cell.json"))]
        if unfinished:
            raise ValueError(f"bench: std-cot-long trains for edit's token count, and seed(s) {unfinished} have no "
                             "finished edit cell: add edit to bench.methods")
    cells = []
    for i, seed in enumerate(cfg.bench.seeds):
        for m in methods:
            if m == "zero-shot" and i > 0 and _deterministic_zero_shot(cfg):
                continue
            cells.append((seed, m))
    return cells


def trained_tokens(run_dir: str) -> dict[str, dict[str, int]]:
    """Tokens and optimizer steps of each training stage of a run (last row of its metrics.jsonl). KRSL run
    as ORION rounds (edit-student, edit-both) trains once per round (``round_<i>/krsl``): the rounds add up."""
    from edit_ray.train.run import read_metrics

    out = {}
    for stage in ("sft", "krsl"):
        paths = [os.path.join(run_dir, stage, "metrics.jsonl")]
        if stage == "krsl" and not os.path.exists(paths[0]):
            paths = _round_metrics(run_dir)
        lasts = [rows[-1] for rows in map(read_metrics, paths) if rows]
        if lasts:
            out[stage] = {"tokens": sum(int(r.get("tokens", 0)) for r in lasts),
                          "steps": sum(int(r["step"]) for r in lasts)}
    return out


def _round_metrics(run_dir: str) -> list[str]:
    """The ``round_<i>/krsl/metrics.jsonl`` files of a run's ORION rounds, in round order."""
    import glob

    found = glob.glob(os.path.join(run_dir, "round_*", "krsl", "metrics.jsonl"))
    return sorted(found, key=lambda p: int(p.split("round_")[-1].split(os.sep)[0]))


def _edit_budget(cfg: RunConfig, seed: int) -> int:
    used = trained_tokens(cell_dir(cfg, seed, "edit"))
    if "sft" not in used or "krsl" not in used:
        raise RuntimeError(f"std-cot-long (seed {seed}): edit's cell has no token counts for both stages "
                           f"({cell_dir(cfg, seed, 'edit')}/{{sft,krsl}}/metrics.jsonl)")
    return used["sft"]["tokens"] + used["krsl"]["tokens"]


def _log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def cell_key(ccfg: RunConfig) -> str:
    """Hash of everything a cell's result depends on: its config without execution-only settings
    (``config.result_values``) and without the grid it is part of (``bench``: adding a method or a seed keeps
    the finished cells)."""
    values = result_values(ccfg)
    values.pop("bench")
    return digest(values)


def _cell_config(cfg: RunConfig, seed: int, method: str) -> RunConfig:
    """``cell_config`` with std-cot-long's token budget (edit's, so edit's cell must have trained)."""
    return cell_config(cfg, method, seed, _edit_budget(cfg, seed) if method == "std-cot-long" else None)


def _done_record(ccfg: RunConfig) -> dict | None:
    """The cell's cell.json when it finished with its current config, else None."""
    path = io.join(ccfg.run.dir, "cell.json")
    record = io.read_json(path) if io.exists(path) else None
    return record if record and record.get("config_hash") == cell_key(ccfg) and record.get("status") == "done" else None


def run_cell(cfg: RunConfig, seed: int, method: str) -> dict:
    """Run one cell unless finished with its current config; returns its cell.json record."""
    from edit_ray.pipeline import read_manifest, run_pipeline

    ccfg = _cell_config(cfg, seed, method)
    record = _done_record(ccfg)
    if record:
        return {**record, "ran": False}
    t0 = time.perf_counter()
    run_pipeline(ccfg, brief=True)
    stages = {s: (read_manifest(ccfg.run.dir, s) or {}).get("seconds") for s in ("teacher", "dual", "masks",
                                                                                 "sft", "krsl", "eval")}
    record = {"config_hash": cell_key(ccfg), "status": "done", "seed": seed, "method": method,
              "wall_s": round(time.perf_counter() - t0, 1), "stage_s": stages,
              "train": trained_tokens(ccfg.run.dir), "token_budget": ccfg.sft.token_budget, "finished": time.time()}
    io.write_json(record, io.join(ccfg.run.dir, "cell.json"))
    return {**record, "ran": True}


def _may_share_engines(cfg: RunConfig) -> bool:
    """Whether the cells' students can share an evaluation engine: LoRA students on vLLM."""
    return cfg.eval.share_base_engine and cfg.eval.engine.kind == "vllm" and cfg.student.lora is not None


def answer_together(cfg: RunConfig, seed: int, methods: list[str]) -> None:
    """Train the seed's unfinished cells (every step before eval), then answer their students' questions on
    shared engines (students that are LoRA adapters of one base: ``evaluate.shared_engines``) into each cell's
    eval directory. Each cell's own eval step then finds its answers there and starts no engine: one engine
    for zero-shot, std-cot and edit instead of three."""
    from edit_ray.evaluate import answer_resumable, benchmark_sets, default_methods, eval_asks, shared_engines
    from edit_ray.pipeline import prepare_stage, run_pipeline

    asks = []
    for method in methods:
        ccfg = _cell_config(cfg, seed, method)
        if _done_record(ccfg):
            continue
        run_pipeline(ccfg, until="eval", brief=True)
        run_dir = ccfg.run.dir
        prepare_stage(ccfg, "eval")
        asks.extend(eval_asks(ccfg, run_dir, default_methods(ccfg, run_dir), benchmark_sets(ccfg, run_dir)))
    for group, engine in shared_engines(asks):
        if len(group) > 1:
            t0 = time.perf_counter()
            answered = answer_resumable(group, engine)
            _log(f"seed {seed}: {', '.join(a.method for a in group)} answered on one engine "
                 f"({sum(len(a) for a, _ in answered)} answers in {time.perf_counter() - t0:.0f}s)")


def run_bench(cfg: RunConfig) -> dict:
    """Run (or resume) every cell, writing the summary after each; Ray must be initialised. Returns the summary."""
    cells = grid(cfg)
    ran = 0
    for i, (seed, method) in enumerate(cells, 1):
        if _may_share_engines(cfg) and (i == 1 or cells[i - 2][0] != seed):  # a seed's first cell
            answer_together(cfg, seed, [m for s, m in cells if s == seed])
        _log(f"cell {i}/{len(cells)}: seed {seed}, {method}")
        record = run_cell(cfg, seed, method)
        ran += record["ran"]
        _log(f"cell {i}/{len(cells)}: seed {seed}, {method}: "
             + (f"done in {record['wall_s']:.0f}s" if record["ran"] else "finished earlier, kept"))
        write_summary(cfg)
    summary = write_summary(cfg)
    summary["cells_run"] = ran
    _log(f"{ran} cell(s) run, {len(cells) - ran} kept from before; summary: {io.join(cfg.run.dir, 'summary.md')}")
    return summary


# ------------------------------------------------------------------------------------------- export
# What the summary reads of a cell (and its resolved config): every table and CI again, without the models.
RESULT_FILES = ("cell.json", "config.yaml", "eval/eval.parquet", "sft/metrics.jsonl", "krsl/metrics.jsonl")


def export_results(cfg: RunConfig, dest: str) -> list[str]:
    """Copy the small files of every finished cell (``RESULT_FILES``, store links followed) to ``dest`` in the
    grid's layout and write its summary there, so that ``edit-ray bench CONFIG run.dir=DEST --summary``
    recomputes the same summary anywhere: a benchmark's results can be committed and outlive the machine that
    ran it. Returns the cells copied."""
    import shutil

    def copy(rel: str) -> None:  # run.dir/rel -> dest/rel, when it exists
        if os.path.exists(os.path.join(cfg.run.dir, rel)):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copyfile(os.path.join(cfg.run.dir, rel), os.path.join(dest, rel))

    copied = []
    for seed in cfg.bench.seeds:
        for method in cfg.bench.methods:
            cell = f"seed-{seed}/{method}"
            if os.path.exists(os.path.join(cfg.run.dir, cell, "cell.json")):
                for name in RESULT_FILES:
                    copy(f"{cell}/{name}")
                for path in _round_metrics(os.path.join(cfg.run.dir, cell)):  # KRSL of ORION rounds
                    copy(os.path.relpath(path, cfg.run.dir))
                copied.append(cell)
    tree = cfg.model_dump(mode="json")
    tree["run"]["dir"] = dest
    write_summary(RunConfig.model_validate(tree))  # the summary of the copy, computed from the copy
    return copied


# ------------------------------------------------------------------------------------------ summary
def _cell_record(cfg: RunConfig, seed: int, method: str) -> tuple[dict | None, str]:
    """(cell.json, run dir) of the cell that stands for (seed, method), or (None, dir) when unfinished."""
    if method == "zero-shot" and _deterministic_zero_shot(cfg):
        seed = cfg.bench.seeds[0]
    d = cell_dir(cfg, seed, method)
    path = io.join(d, "cell.json")
    if not io.exists(path):
        return None, d
    record = io.read_json(path)
    budget = _edit_budget(cfg, seed) if method == "std-cot-long" else None
    current = cell_key(cell_config(cfg, method, seed, budget))
    return (record if record.get("config_hash") == current and record.get("status") == "done" else None), d


def collect(cfg: RunConfig) -> tuple[dict[tuple[int, str], list[dict]], dict[str, dict]]:
    """Scored answers of every finished cell, ``{(seed, method): rows}``, and every cell's status."""
    answers, cells = {}, {}
    for seed in cfg.bench.seeds:
        for method in cfg.bench.methods:
            try:
                record, d = _cell_record(cfg, seed, method)
            except RuntimeError:  # std-cot-long before edit finished
                record, d = None, cell_dir(cfg, seed, method)
            name = f"seed-{seed}/{method}"
            if record is None:
                cells[name] = {"status": "missing"}
                continue
            rows = io.read_rows(io.join(d, "eval", "eval.parquet"),
                                ["qid", "benchmark", "task", "method", "correct"])
            answers[(seed, method)] = [r for r in rows if r["method"] == method]
            if method == cfg.bench.baseline and any(r["method"] == "teacher" for r in rows):
                answers[(seed, TEACHER)] = [r for r in rows if r["method"] == "teacher"]
            cells[name] = {k: record.get(k) for k in ("status", "wall_s", "stage_s", "train", "token_budget")}
            if d != cell_dir(cfg, seed, method):
                cells[name]["shared_with"] = os.path.relpath(d, cfg.run.dir)
    return answers, cells


def _accuracy(rows: list[dict], by_task: bool = False) -> dict:
    """Accuracy per benchmark, or per (benchmark, task) with ``by_task``."""
    by: dict = defaultdict(list)
    for r in rows:
        by[(r["benchmark"], r["task"]) if by_task else r["benchmark"]].append(bool(r["correct"]))
    return {b: sum(v) / len(v) for b, v in by.items()}


def _task_accuracy(rows_per_seed: list[list[dict]]) -> dict[str, dict[str, float]]:
    """Accuracy per benchmark and task, mean over the seeds: where a difference between methods comes from."""
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for rows in rows_per_seed:
        for key, acc in _accuracy(rows, by_task=True).items():
            values[key].append(acc)
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (benchmark, task), v in values.items():
        out[benchmark][task] = sum(v) / len(v)
    return dict(out)


def summarize_bench(cfg: RunConfig) -> dict:
    """The summary of every finished cell (see ``write_summary``); methods with no finished seed are left out."""
    answers, cells = collect(cfg)
    methods: dict[str, Any] = {}
    for method in [*cfg.bench.methods, TEACHER]:
        seeds = [s for s in cfg.bench.seeds if (s, method) in answers]
        if not seeds:
            continue
        per_seed = {s: _accuracy(answers[(s, method)]) for s in seeds}
        benches = list(dict.fromkeys(b for s in seeds for b in per_seed[s]))
        # One cell standing for every seed (greedy zero-shot): its answers repeat, so there is no seed spread
        once = len(seeds) > 1 and all(cells.get(f"seed-{s}/{method}", {}).get("shared_with") for s in seeds[1:])
        out: dict[str, Any] = {"seeds": seeds, "evaluated_once": once, "benchmarks": {}}
        for b in benches:
            values = [per_seed[s][b] for s in seeds if b in per_seed[s]]
            acc, ci = mean_ci(values[:1] if once else values)
            n = sum(r["benchmark"] == b for r in answers[(seeds[0], method)])
            out["benchmarks"][b] = {"accuracy": acc, "ci95": ci, "per_seed": values, "n": n}
        out["tasks"] = _task_accuracy([answers[(s, method)] for s in (seeds[:1] if once else seeds)])
        averages = [sum(per_seed[s].values()) / len(per_seed[s]) for s in seeds]
        acc, ci = mean_ci(averages[:1] if once else averages)
        out["average"] = {"accuracy": acc, "ci95": ci, "per_seed": averages}
        train = [cells.get(f"seed-{s}/{method}", {}).get("train") or {} for s in seeds]  # the teacher: none
        out["train_tokens"] = sum(sum(v["tokens"] for v in t.values()) for t in train) / len(train)
        out["train_steps"] = sum(sum(v["steps"] for v in t.values()) for t in train) / len(train)
        methods[method] = out

    pairs = [(m, cfg.bench.baseline) for m in cfg.bench.methods if m != cfg.bench.baseline]
    pairs += [tuple(p) for p in cfg.bench.extra_pairs if tuple(p) not in pairs]
    paired = {}
    for a, b in pairs:
        items = []
        seeds = [s for s in cfg.bench.seeds if (s, a) in answers and (s, b) in answers]
        for s in seeds:
            ref = {(r["benchmark"], r["qid"]): r for r in answers[(s, b)]}
            for r in answers[(s, a)]:
                other = ref.get((r["benchmark"], r["qid"]))
                if other is not None:
                    items.append((r["benchmark"], f"{s}:{r['task']}", int(bool(r["correct"])) - int(bool(other["correct"]))))
        if items:
            paired[f"{a}-vs-{b}"] = {**paired_bootstrap(items, cfg.bench.resamples, seed=0), "seeds": seeds}
    return {"seeds": list(cfg.bench.seeds), "baseline": cfg.bench.baseline, "methods": methods, "paired": paired,
            "cells": cells}


def write_summary(cfg: RunConfig) -> dict:
    """Write summary.json, summary.md and the plots for what has finished so far; return the summary."""
    summary = summarize_bench(cfg)
    io.write_json(summary, io.join(cfg.run.dir, "summary.json"))
    plots = write_plots(summary, cfg.run.dir)
    md = summary_markdown(summary, plots, run_dir=cfg.run.dir)
    fs, p = io.filesystem(io.join(cfg.run.dir, "summary.md"))
    with fs.open_output_stream(p) as f:
        f.write(md.encode())
    return summary


def _pct(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:+.1f}" if signed else f"{100 * x:.1f}"


def summary_markdown(summary: dict, plots: list[str] | None = None, run_dir: str | None = None,
                     brief: bool = False) -> str:
    """The summary as markdown: accuracy ± 95% t-CI per method and benchmark, then the paired differences,
    accuracy per task, the cells' wall times and links to their reports. With ``run_dir``, only the cell
    reports that exist there are linked (an exported grid has none). ``brief``: the first two tables only
    (what the terminal shows; summary.md has everything)."""
    methods = summary["methods"]
    benches = list(dict.fromkeys(b for m in methods.values() for b in m["benchmarks"]))
    base = methods.get(summary["baseline"])
    lines = [f"# Quality benchmark: {len(summary['seeds'])} seed(s) {summary['seeds']}", "",
             ("Accuracy in %, mean over seeds ± half-width of the 95% t-interval (per-seed values in summary.json); "
             "average = mean over benchmarks. Training tokens: mean per seed, both stages."), "",
             "| method | seeds | " + " | ".join(benches) + " | average | train tokens | steps |",
             "|---|---|" + "---|" * (len(benches) + 3)]
    for name, m in methods.items():
        def cell(v):
            return f"{_pct(v['accuracy'])} ± {_pct(v['ci95'])}" if v["ci95"] is not None else _pct(v["accuracy"])

        more = (" (more than " + summary["baseline"] + ")"
                if base and m["train_tokens"] > 1.05 * base["train_tokens"] else "")
        seeds = "1 (deterministic: stands for every seed)" if m.get("evaluated_once") else len(m["seeds"])
        if name == TEACHER:
            name, more = "teacher (reference)", ""
        lines.append(f"| {name} | {seeds} | " + " | ".join(
            cell(m["benchmarks"][b]) if b in m["benchmarks"] else "-" for b in benches)
            + f" | {cell(m['average'])} | {m['train_tokens']:,.0f}{more} | {m['train_steps']:.0f} |")
    if summary["paired"]:
        lines += ["", ("Paired differences (method − reference) in points, over the same (seed, question) pairs; "
                  "95% CI from 10,000-resample bootstrap of questions within each seed and task."), "",
                  "| comparison | seeds | " + " | ".join(benches) + " | average |",
                  "|---|---|" + "---|" * (len(benches) + 1)]
        for name, p in summary["paired"].items():
            def cell(v):
                return f"{_pct(v['diff'], True)} [{_pct(v['ci95'][0], True)}, {_pct(v['ci95'][1], True)}]"

            lines.append(f"| {name} | {len(p['seeds'])} | " + " | ".join(
                cell(p["benchmarks"][b]) if b in p["benchmarks"] else "-" for b in benches) + f" | {cell(p)} |")
    if brief:
        return "\n".join(lines) + "\n\n"
    tasks = [(b, t) for b in benches
             for t in sorted({t for m in methods.values() for t in m.get("tasks", {}).get(b, {})})]
    if tasks:
        names = list(methods)
        lines += ["", "Accuracy per task in %, mean over seeds: where the differences come from.", "",
                  "| benchmark | task | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
        for b, t in tasks:
            accs = [methods[m].get("tasks", {}).get(b, {}).get(t) for m in names]
            lines.append(f"| {b} | {t} | " + " | ".join(_pct(a) for a in accs) + " |")
    missing = [c for c, v in summary["cells"].items() if v["status"] != "done"]
    lines += ["", f"Cells: {len(summary['cells']) - len(missing)} finished"
              + (f", missing: {', '.join(missing)}" if missing else "") + "."]
    walls = [(c, v["wall_s"]) for c, v in summary["cells"].items() if v.get("wall_s") is not None]
    if walls:
        lines += ["", "| cell | wall (s) | stages run for it (s) |", "|---|---|---|"]
        for c, w in walls:
            stage_s = summary["cells"][c].get("stage_s") or {}
            lines.append(f"| {c} | {w:.0f} | " + ", ".join(f"{k} {v:.0f}" for k, v in stage_s.items() if v) + " |")
    reports = [c for c, v in summary["cells"].items() if v["status"] == "done" and not v.get("shared_with")
               and (run_dir is None or io.exists(io.join(run_dir, c, "report.html")))]
    if reports:
        lines += ["", "Each cell's report (stages, losses, key tokens of its pairs): "
                  + ", ".join(f"[{c}]({c}/report.html)" for c in reports) + "."]
    for p in plots or []:
        lines += ["", f"![{p}]({p})"]
    return "\n".join(lines) + "\n"


def write_plots(summary: dict, out_dir: str) -> list[str]:
    """plots/accuracy.png (methods x benchmarks with 95% CIs) and plots/paired.png (differences with CIs)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    methods = summary["methods"]
    if methods:
        groups = list(dict.fromkeys(b for m in methods.values() for b in m["benchmarks"])) + ["average"]
        width = 0.8 / len(methods)
        fig, ax = plt.subplots(figsize=(max(6, 1.8 * len(groups)), 4))
        for i, (name, m) in enumerate(methods.items()):
            vals = [m["benchmarks"].get(g) if g != "average" else m["average"] for g in groups]
            xs = [g + (i - (len(methods) - 1) / 2) * width for g in range(len(groups))]
            present = [(x, v) for x, v in zip(xs, vals) if v is not None]
            ax.bar([x for x, _ in present], [100 * v["accuracy"] for _, v in present], width, label=name,
                   yerr=[100 * (v["ci95"] or 0) for _, v in present], capsize=2)
        ax.set_xticks(range(len(groups)), groups)
        ax.set_ylabel("accuracy (%), mean over seeds ± 95% CI")
        ax.legend(fontsize=7, ncol=2)
        ax.set_title("Quality benchmark")
        paths.append(_save(fig, out_dir, "accuracy.png"))
    if summary["paired"]:
        names = list(summary["paired"])
        fig, ax = plt.subplots(figsize=(6, 0.5 * len(names) + 1.5))
        for y, name in enumerate(names):
            p = summary["paired"][name]
            lo, hi = p["ci95"]
            ax.errorbar([100 * p["diff"]], [y], xerr=[[100 * (p["diff"] - lo)], [100 * (hi - p["diff"])]],
                        fmt="o", capsize=3)
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("average accuracy difference (points), paired bootstrap 95% CI")
        ax.set_title("Against the baseline")
        paths.append(_save(fig, out_dir, "paired.png"))
    return paths


def _save(fig, out_dir: str, name: str) -> str:
    import io as bytes_io

    import matplotlib.pyplot as plt

    buf = bytes_io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    path = io.join(out_dir, "plots", name)
    io.makedirs(io.join(out_dir, "plots"))
    fs, p = io.filesystem(path)
    with fs.open_output_stream(p) as f:
        f.write(buf.getvalue())
    return f"plots/{name}"
