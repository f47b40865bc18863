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
    edit-ray bench CONFIG [a.b=c ...] [--json] [--summary]

Library modules are imported inside each command so `edit-ray config show` stays fast and a missing
optional package only affects the command that needs it.
"""

from __future__ import annotations

import argparse
import sys

from edit_ray.config import STAGES, ConfigError, RunConfig, dump_config, load_config


def _config(args) -> RunConfig:
    return load_config(args.config, [*args.overrides, *(["run.verbose=true"] if args.verbose else [])])


def _add_config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", nargs="?", default=None, help="YAML run config (omit for the embedded defaults)")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. krsl.beta=0.05 run.dir=runs/x")
    p.add_argument("--verbose", action="store_true",
                   help="print Ray's, vLLM's and the workers' log lines too (default: in <run.dir>/logs/)")


def cmd_config_show(args) -> int:
    print(dump_config(_config(args)), end="")
    return 0


def cmd_data_stats(args) -> int:
    from edit_ray.data.stats import data_stats_command

    return data_stats_command(args.paths, as_json=args.json)


def cmd_generate(args) -> int:
    from edit_ray.teacher.stage import generate_command

    return generate_command(_config(args), as_json=args.json)


def cmd_mask(args) -> int:
    from edit_ray.masking.stage import mask_command, mask_show_command

    if args.mask_action == "show":
        return mask_show_command(args.masks, pair_id=args.pair, html=args.html, tokenizer=args.tokenizer)
    if not (args.pairs and args.tokenizer and args.out):
        print("edit-ray mask: --pairs, --tokenizer and --out are required", file=sys.stderr)
        return 2
    return mask_command(args.pairs, tokenizer=args.tokenizer, out=args.out, as_json=args.json,
                        num_workers=args.workers)


def cmd_train(args) -> int:
    from edit_ray.train.run import train_command

    return train_command(_config(args), stage=args.stage)


def cmd_eval(args) -> int:
    from edit_ray.evaluate import eval_command

    return eval_command(_config(args), as_json=args.json)


def cmd_report(args) -> int:
    from edit_ray.report import report_command

    return report_command(args.run_dir)


def cmd_run(args) -> int:
    from edit_ray.pipeline import run_command

    return run_command(_config(args), from_stage=args.from_stage)


def cmd_sweep(args) -> int:
    from edit_ray.tune import sweep_command

    return sweep_command(_config(args), restore=args.restore)


def cmd_bench(args) -> int:
    from edit_ray.bench import bench_command

    return bench_command(_config(args), as_json=args.json, summary_only=args.summary)


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
