#!/usr/bin/env bash
# The quality grid of configs/quality-cpu.yaml in resumable pieces: seed by seed, the central comparison first,
# exporting the finished cells' answers to benchmarks/quality-cpu/ (commit them) after every piece.
#
#   CODE=/work/bench-code RUN_DIR=/work/runs/quality-cpu bash benchmarks/quality_grid.sh
#
# CODE: a worktree of the commit the grid runs on (every cell of the grid on one code version; see
# benchmarks/RESULTS.md for the commit); RUN_DIR: where the cells, the shared store and the models live.
# Finished cells are kept by key, so re-running this script resumes where it stopped (a cell cut mid-stage
# restarts that stage). std-cot-long runs after edit in its seed (it trains for edit's token count).
set -uo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
CODE=${CODE:-$HERE}
RUN_DIR=${RUN_DIR:-/work/runs/quality-cpu}
PY=${PYTHON:-$HERE/.venv/bin/python}
export PYTHONPATH=$CODE VLLM_CPU_KVCACHE_SPACE=1 TOKENIZERS_PARALLELISM=false RAY_ENABLE_UV_RUN_RUNTIME_ENV=0
cd "$CODE"
for seed in ${SEEDS:-0 1 2}; do
    for methods in "[std-cot, edit]" "[edit-stage1, edit, std-cot-long]" "[zero-shot]" "[edit-student]"; do
        [ "$methods" = "[zero-shot]" ] && [ "$seed" != 0 ] && continue  # greedy zero-shot: one cell for every seed
        $PY -m edit_ray.cli bench configs/quality-cpu.yaml run.dir="$RUN_DIR" "bench.seeds=[$seed]" "bench.methods=$methods"
        (cd "$HERE" && PYTHONPATH=$HERE $PY -m edit_ray.cli bench configs/quality-cpu.yaml run.dir="$RUN_DIR" \
            --export benchmarks/quality-cpu)
    done
done
