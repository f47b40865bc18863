"""`edit-ray` command line. Thin on purpose: parse -> validate config -> call one library function.

    edit-ray config show CONFIG [a.b=c ...]
    edit-ray data stats PATH... [--json]
    edit-ray generate CONFIG [a.b=c ...] [--json]
    edit-ray mask --pairs PAIRS --tokenizer MODEL --out OUT.parquet [--json]
    edit-ray mask show OUT.parquet --pair ID [--html FILE]
    edit-ray train CONFIG --stage sft|krsl [a.b=c ...]
    edit-ray eval CONFIG [a.b=c ...] [--json]
    edit-ray report RUN_DIR
    edit-ray run CONFIG [a.b=c ...] [--from STAGE]
    edit-ray sweep CONFIG [a.b=c ...] [--restore]
    edit-ray bench CONFIG [a.b=c ...] [--json] [--summary] [--export DIR]

Every command's handler lives here, in the order of this list: ``cmd_<command>(args)`` turns the parsed
arguments into plain values for ``<command>_command(...)``, which opens the Ray session where one is
needed, calls the library and prints, and returns the exit code (tests and jobs/*.py call it directly).
The work itself is done by library functions; a handler only handles arguments, the session and output.

Library modules are imported inside each command so `edit-ray config show` stays fast and a missing
optional package only affects the command that needs it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import TYPE_CHECKING

from edit_ray.config import STAGES, ConfigError, RunConfig, dump_config, load_config

if TYPE_CHECKING:
    from edit_ray.train.run import Stage


def _config(args) -> RunConfig:
    return load_config(args.config, [*args.overrides, *(["run.verbose=true"] if args.verbose else [])])


def _add_config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", nargs="?", default=None, help="YAML run config (omit for the embedded defaults)")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. krsl.beta=0.05 run.dir=runs/x")
    p.add_argument("--verbose", action="store_true",
                   help="print Ray's, vLLM's and the workers' log lines too (default: in <run.dir>/logs/)")


# -------------------------------------------------------------------------------------- config show
def cmd_config_show(args) -> int:
    print(dump_config(_config(args)), end="")
    return 0


# --------------------------------------------------------------------------------------- data stats
def cmd_data_stats(args) -> int:
    return data_stats_command(args.paths, as_json=args.json)


def data_stats_command(paths: list[str], as_json: bool = False) -> int:
    """Rows that load and rows that fail, per task; exit code 1 only when a path cannot be read at all."""
    from edit_ray.data.stats import collect_stats

    stats, errors = collect_stats(paths)
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


# ----------------------------------------------------------------------------------------- generate
def cmd_generate(args) -> int:
    return generate_command(_config(args), as_json=args.json)


def generate_command(cfg: RunConfig, as_json: bool = False) -> int:
    """Questions (if absent), CEP, dual CoTs; counts and yield."""
    from edit_ray.session import ray_session
    from edit_ray.teacher.stage import run_generate

    # With --json, stdout carries only the JSON document; the per-step count lines go to stderr.
    with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext(), ray_session(cfg):
        summary = run_generate(cfg)
    if as_json:
        print(json.dumps(summary, sort_keys=True))
    else:
        width = max(len(k) for k in summary)
        for k, v in summary.items():
            print(f"{k:<{width}}  {v}")
    return 0


# ---------------------------------------------------------------------------------- mask, mask show
def cmd_mask(args) -> int:
    if args.mask_action == "show":
        return mask_show_command(args.masks, pair_id=args.pair, html=args.html, tokenizer=args.tokenizer)
    if not (args.pairs and args.tokenizer and args.out):
        print("edit-ray mask: --pairs, --tokenizer and --out are required", file=sys.stderr)
        return 2
    return mask_command(args.pairs, tokenizer=args.tokenizer, out=args.out, as_json=args.json,
                        num_workers=args.workers, chunk_rows=args.chunk_rows)


def mask_command(pairs: str, *, tokenizer: str, out: str, as_json: bool = False, num_workers: int = 1,
                 chunk_rows: int | None = None) -> int:
    """Writes OUT and, beside it, ``<stem>.errors.parquet``. With ``as_json`` prints exactly
    ``{"pairs": N, "errors": M, "key_fraction_chosen": x, "key_fraction_rejected": y}``.
    """
    from pathlib import Path

    from edit_ray.masking.stage import iter_pairs, mask_to_file
    from edit_ray.session import ray_session

    if not Path(pairs).exists():
        print(f"edit-ray mask: no pairs file at {pairs}", file=sys.stderr)
        return 2
    try:
        next(iter_pairs(pairs, 1))  # an unreadable file or one without pair columns: said before Ray starts
    except (ValueError, OSError) as e:
        print(f"edit-ray mask: {e}", file=sys.stderr)
        return 2
    # with --json, stdout carries only the JSON line; Ray's and the stage's lines go to stderr
    quiet = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    cfg = load_config(None, [f"resources.num_cpus={max(8, num_workers + 2)}", f"masking.num_workers={num_workers}",
                             *([f"masking.chunk_rows={chunk_rows}"] if chunk_rows else [])])
    with quiet, ray_session(cfg):
        result = mask_to_file(pairs, tokenizer, cfg.masking, out, quiet=as_json)
    if as_json:
        print(json.dumps(result))
    return 0


def mask_show_command(masks_path: str, *, pair_id: str, html: str | None = None, tokenizer: str | None = None) -> int:
    """Print one pair with highlighted key tokens; with ``html`` also write it as an HTML page.

    Returns:
        0, or 2 when the file, the pair or a tokenizer is missing (the message says which).
    """
    from rich.console import Console
    from rich.text import Text

    from edit_ray.masking.show import ShowError, read_pair, render_html

    err = Console(stderr=True)
    if masks_path is None or pair_id is None:
        err.print("edit-ray mask show: give the masks Parquet and --pair ID")
        return 2
    try:
        prompt, sides = read_pair(masks_path, pair_id, tokenizer)
    except ShowError as e:
        err.print(f"edit-ray mask show: {e}")
        return 2

    out = Console()
    out.rule(f"pair {pair_id}")
    out.print(Text(prompt, style="dim"))
    for side, style in (("chosen", "bold black on green"), ("rejected", "bold white on red")):
        pieces, key = sides[side]
        out.rule(f"{side}: {sum(key)} key tokens of {len(key)}")
        text = Text()
        for p, k in zip(pieces, key):
            text.append(p, style=style if k else None)
        out.print(text)
    if html:
        with open(html, "w", encoding="utf-8") as f:
            f.write(render_html(str(pair_id), prompt, sides))
        out.print(f"wrote {html}")
    return 0


# -------------------------------------------------------------------------------------------- train
def cmd_train(args) -> int:
    return train_command(_config(args), stage=args.stage)


def train_command(cfg: RunConfig, stage: Stage) -> int:
    """The stage (sft or krsl) on the run directory's artifacts."""
    from edit_ray.session import ray_session
    from edit_ray.train.run import stage_inputs, train_in_run_dir

    init_model, input_path = stage_inputs(cfg, stage)
    with ray_session(cfg):
        out = train_in_run_dir(cfg, stage, init_model, input_path)
    print(f"{stage}: {out['steps']} steps, final loss {out['final_loss']}, model -> {out['model_dir']}")
    return 0


# --------------------------------------------------------------------------------------------- eval
def cmd_eval(args) -> int:
    return eval_command(_config(args), as_json=args.json)


def eval_command(cfg: RunConfig, as_json: bool = False) -> int:
    """Evaluate the run in ``cfg.run.dir``.

    With ``--json`` stdout carries exactly one line, ``{"benchmarks": {name: {"n", "accuracy"}},
    "average": a}`` for the most-trained method (krsl > sft > base); everything else goes to stderr.
    """
    from edit_ray import io
    from edit_ray.evaluate import evaluate, format_table, headline
    from edit_ray.session import ray_session

    # In --json mode every progress line (ours, Ray's, vLLM's) goes to stderr so stdout stays parseable.
    redirect = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    with redirect, ray_session(cfg):
        summary = evaluate(cfg, cfg.run.dir)
    if as_json:
        top = headline(summary)
        if top is None:
            print("edit-ray eval: no student method was evaluated", file=sys.stderr)
            return 1
        print(json.dumps(top[1]))
        return 0
    print(format_table(summary))
    print(f"wrote {io.join(cfg.run.dir, 'eval', 'summary.json')}")
    return 0


# ------------------------------------------------------------------------------------------- report
def cmd_report(args) -> int:
    return report_command(args.run_dir)


def report_command(run_dir: str) -> int:
    """Write the report; the last stdout line is the report.md path."""
    from edit_ray import io
    from edit_ray.report import write_report

    if not io.exists(run_dir):
        print(f"edit-ray report: run directory not found: {run_dir}", file=sys.stderr)
        return 2
    path = write_report(run_dir)
    print(path)
    return 0


# ---------------------------------------------------------------------------------------------- run
def cmd_run(args) -> int:
    return run_command(_config(args), from_stage=args.from_stage)


def run_command(cfg: RunConfig, from_stage: str | None = None) -> int:
    """Also jobs/edit_pipeline.py: run the pipeline in a Ray session, print report.md's path last."""
    from edit_ray.pipeline import run_pipeline
    from edit_ray.session import ray_session

    with ray_session(cfg):
        report = run_pipeline(cfg, from_stage=from_stage)
    print(report, flush=True)
    return 0


# -------------------------------------------------------------------------------------------- sweep
def cmd_sweep(args) -> int:
    return sweep_command(_config(args), restore=args.restore)


def sweep_command(cfg: RunConfig, restore: bool = False) -> int:
    """Also jobs/sweep.py; prints best.yaml's path last.

    Returns 0 when every trial produced a result, 1 when any failed (best.yaml is then the best of the rest,
    if there is one).
    """
    from edit_ray.session import ray_session
    from edit_ray.tune import run_sweep

    with ray_session(cfg):
        out = run_sweep(cfg, restore=restore)
    print(f"results: {out['results_md']}")
    if out["best_yaml"] is None:
        print("no trial reported a validation value; see the errors above", flush=True)
        return 1
    print(out["best_yaml"])
    failed = sum(r["status"] == "error" for r in out["rows"])
    if failed:
        print(f"{failed} trial(s) failed (results.md lists why); best.yaml is the best of the others", file=sys.stderr)
    return 1 if failed else 0


# -------------------------------------------------------------------------------------------- bench
def cmd_bench(args) -> int:
    return bench_command(_config(args), as_json=args.json, summary_only=args.summary, export=args.export)


def bench_command(cfg: RunConfig, as_json: bool = False, summary_only: bool = False, export: str | None = None) -> int:
    """Run or resume the grid, only summarise it, or copy its results (without models) to ``export``."""
    from edit_ray import io
    from edit_ray.bench import export_results, run_bench, summary_markdown, write_summary

    if export:
        cells = export_results(cfg, export)
        print(f"exported {len(cells)} finished cell(s) to {export}: "
              f"edit-ray bench CONFIG run.dir={export} --summary recomputes the summary")
        return 0
    if summary_only:
        summary = write_summary(cfg)
    else:
        from edit_ray.session import ray_session

        with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext(), ray_session(cfg):
            summary = run_bench(cfg)
    if as_json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(summary_markdown(summary, run_dir=cfg.run.dir, brief=True), end="")
        print("Per task, per cell, plots and each cell's report:")
        print(io.join(cfg.run.dir, "summary.md"))
    return 0


# ------------------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edit-ray", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("config", help="inspect a run config")
    csub = p.add_subparsers(dest="config_action", required=True)
    show = csub.add_parser("show", help="print the resolved config tree")
    _add_config_args(show)
    show.set_defaults(func=cmd_config_show)

    p = sub.add_parser("data", help="inspect datasets")
    dsub = p.add_subparsers(dest="data_action", required=True)
    stats = dsub.add_parser("stats", help="load task files and count ok/error rows per task")
    stats.add_argument("paths", nargs="+")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_data_stats)

    p = sub.add_parser("generate", help="teacher CoTs (CEP) and dual CoTs (AHP, CCP)")
    _add_config_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("mask", help="key-token masks from minimum edit distance")
    p.add_argument("mask_action", nargs="?", choices=["show"], help="'show' renders one pair")
    p.add_argument("masks", nargs="?", help="masks Parquet (with 'show')")
    p.add_argument("--pairs", help="JSONL or Parquet with pair_id, prompt, chosen, rejected")
    p.add_argument("--tokenizer", help="model alias or dir whose tokenizer training uses")
    p.add_argument("--out", help="output Parquet")
    p.add_argument("--pair", help="pair_id to show")
    p.add_argument("--html", help="also write the rendering to this HTML file")
    p.add_argument("--workers", type=int, default=1, help="Ray Data actors")
    p.add_argument("--chunk-rows", type=int, default=None,
                   help="pairs read, masked and written at a time (masking.chunk_rows; memory holds one chunk)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_mask)

    p = sub.add_parser("train", help="stage 1 (sft) or stage 2 (krsl) on Ray Train")
    _add_config_args(p)
    p.add_argument("--stage", choices=["sft", "krsl"], required=True)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("eval", help="evaluate students (and teacher) on the configured benchmarks")
    _add_config_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("report", help="write report.md and report.html for a run directory")
    p.add_argument("run_dir")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("run", help="the whole pipeline, resumable")
    _add_config_args(p)
    p.add_argument("--from", dest="from_stage", choices=STAGES, help="force a re-run from this stage")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sweep", help="Ray Tune sweep over KRSL weights, learning rates and students")
    _add_config_args(p)
    p.add_argument("--restore", action="store_true", help="resume an interrupted sweep")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("bench", help="the quality benchmark: bench.methods x bench.seeds, resumable, with CIs")
    _add_config_args(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON (last line)")
    p.add_argument("--summary", action="store_true", help="only summarise the finished cells; run nothing")
    p.add_argument("--export", metavar="DIR", help="copy the finished cells' answers, metrics and the summary "
                   "(no models) to DIR, where --summary with run.dir=DIR recomputes the tables; runs nothing")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as e:
        print(f"edit-ray: config error:\n{e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
