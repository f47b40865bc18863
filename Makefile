# Two commands do all set-up: `make demo` and `make test` (both run `make setup` first, idempotently).
PY := .venv/bin/python
export VLLM_CPU_KVCACHE_SPACE ?= 1
export TOKENIZERS_PARALLELISM ?= false
export RAY_ENABLE_UV_RUN_RUNTIME_ENV ?= 0

.PHONY: setup test demo lint bench clean

setup:
	@bash scripts/setup.sh

test: setup
	@bash scripts/test.sh

demo: setup
	@$(PY) -m edit_ray.cli bench configs/demo.yaml

lint: setup
	@$(PY) -m ruff check edit_ray tests jobs benchmarks

bench: setup
	@$(PY) benchmarks/masking.py && $(PY) benchmarks/training.py && $(PY) benchmarks/generation.py && $(PY) benchmarks/memory.py

clean:
	rm -rf .venv runs .pytest_cache
