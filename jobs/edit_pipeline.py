"""Entry point for `ray job submit`: the whole EDIT pipeline on an existing Ray cluster.

    RAY_API_SERVER_ADDRESS=http://HEAD:8265 RAY_AUTH_MODE=token \
      ray job submit --working-dir . -- python jobs/edit_pipeline.py --config configs/demo.yaml krsl.beta=0.05

Same code path as `edit-ray run`: parse -> load_config -> edit_ray.cli.run_command. Inside a job Ray
sets RAY_ADDRESS, so run_command connects to the job's cluster (address "auto") instead of starting one.
The last line printed is the path of the run's report.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The uploaded working dir is the repo root; put it first so the job runs the submitted edit_ray, not an
# older copy installed on the cluster's image.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edit_ray.cli import run_command
from edit_ray.config import STAGES, ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the edit-ray pipeline as a Ray job.")
    parser.add_argument("--config", default=None, help="YAML run config (omit for the embedded defaults)")
    parser.add_argument("--from", dest="from_stage", choices=STAGES, help="force a re-run from this stage")
    parser.add_argument("overrides", nargs="*", help="dotted overrides, e.g. krsl.beta=0.05 run.dir=s3://b/run")
    parser.add_argument("--verbose", action="store_true", help="print Ray's, vLLM's and the workers' log lines too")
    args = parser.parse_args(argv)
    try:  # a request the job's cluster cannot meet is a config error too (edit_ray.cluster)
        cfg = load_config(args.config, [*args.overrides, *(["run.verbose=true"] if args.verbose else [])])
        return run_command(cfg, from_stage=args.from_stage)
    except ConfigError as e:
        print(f"edit_pipeline: config error:\n{e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
