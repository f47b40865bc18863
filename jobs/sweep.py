"""Entry point for `ray job submit`: a Ray Tune sweep over KRSL's α, β, lr, epochs and students.

    RAY_API_SERVER_ADDRESS=http://HEAD:8265 RAY_AUTH_MODE=token \
      ray job submit --working-dir . -- python jobs/sweep.py --config configs/demo.yaml 'tune.beta=[0, 0.025, 0.05]'

Same code path as `edit-ray sweep`: parse -> load_config -> edit_ray.cli.sweep_command. The run directory
must hold the masks table and the stage-1 model (`edit-ray run` first). Submitting again with the same
run.name resumes the sweep (Tuner.restore). The last line printed is the path of best.yaml.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The uploaded working dir is the repo root; put it first so the job runs the submitted edit_ray, not an
# older copy installed on the cluster's image.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edit_ray.cli import sweep_command
from edit_ray.config import ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run an edit-ray KRSL sweep as a Ray job.")
    parser.add_argument("--config", default=None, help="YAML run config (omit for the embedded defaults)")
    parser.add_argument("--restore", action="store_true", help="resume an interrupted sweep (error if none)")
    parser.add_argument("overrides", nargs="*", help="dotted overrides, e.g. 'tune.beta=[0, 0.025]' run.dir=s3://b/r")
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.config, args.overrides)
        return sweep_command(cfg, restore=args.restore)
    except ConfigError as e:
        print(f"sweep: config error:\n{e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
