#!/usr/bin/env bash
# Runs the whole test suite. pytest's exit code 5 ("no tests collected") is a failure here, never a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
export VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-1} TOKENIZERS_PARALLELISM=false
# Serially by default: on 2 cores, two pytest-xdist workers took as long (every test ran 1.6-2x slower).
# EDIT_RAY_TEST_WORKERS=N runs N workers, a test file each at a time, for machines with more cores.
args=()
if [ "${EDIT_RAY_TEST_WORKERS:-0}" -gt 0 ]; then
    args=(-n "$EDIT_RAY_TEST_WORKERS" --dist loadfile)
fi
.venv/bin/python -m pytest ${args[@]+"${args[@]}"} "$@"
rc=$?
if [ $rc -eq 5 ]; then
    echo "test: pytest collected no tests: failing on purpose" >&2
    exit 1
fi
exit $rc
