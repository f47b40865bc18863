"""Text generation behind one interface, used by the teacher (CEP, AHP, CCP), evaluation and ORION.

    generate(rows: ray.data.Dataset, engine: EngineConfig) -> ray.data.Dataset
    generate_rows(rows: list[dict], engine: EngineConfig) -> list[dict]

Input rows: ``row_id`` (unique), ``prompt``, ``temperature``, ``max_tokens``, ``seed`` (the last three fall
back to the engine config when missing), plus any other columns, which are passed through unchanged.
Output rows add:

    text              generated text ('' on error)
    token_ids         generated token ids (empty for the program engine, and for http without a local tokenizer)
    prompt_token_ids  prompt token ids as the engine saw them
    n_tokens          generated tokens
    truncated         n_tokens >= max_tokens: the generation was cut at its cap
    error             null, or "{Type}: {message}": a reason code (empty_prompt, prompt_too_long) or the
                      exception type of a failed request; the row is kept, never dropped

Kinds (``engine.kind``):

- ``vllm``: vLLM engine replicas through ``ray.data.llm`` (``vllm_engine``);
- ``http``: an OpenAI-compatible endpoint, with bounded concurrency, retries and timeouts (``http_engine``);
- ``program``: the synthetic-task oracle, which ignores the prompt text (``program_engine``).

K samples of one prompt are K rows with distinct seeds (row expansion), never vLLM's ``n``.
"""

from __future__ import annotations

import zlib

import ray

from edit_ray.config import EngineConfig
from edit_ray.engines.guard import OUTPUT_COLUMNS, error_reason, error_text

__all__ = ["OUTPUT_COLUMNS", "error_reason", "error_text", "generate", "generate_rows", "sample_seed"]


def sample_seed(run_seed: int, row_id: str, attempt: int = 0) -> int:
    """A stable seed per (run seed, row, attempt): distinct samples per question, identical on a re-run."""
    return zlib.crc32(f"{run_seed}:{row_id}:{attempt}".encode()) & 0x7FFFFFFF


def generate(rows: ray.data.Dataset, engine: EngineConfig) -> ray.data.Dataset:
    """Generate one completion per row (lazy: nothing runs until the dataset is consumed).

    Args:
        rows: dataset with ``row_id, prompt`` (+ ``temperature, max_tokens, seed``, + any columns).
        engine: which engine and its settings.
    Returns:
        The rows with ``text, token_ids, prompt_token_ids, n_tokens, truncated, error`` added; the order of
        rows is not kept (join on ``row_id``).
    Raises:
        ValueError: unknown ``engine.kind``.
    """
    match engine.kind:
        case "vllm":
            from edit_ray.engines import vllm_engine

            return vllm_engine.generate(rows, engine)
        case "http":
            from edit_ray.engines import http_engine

            return http_engine.generate(rows, engine)
        case "program":
            from edit_ray.engines import program_engine

            return program_engine.generate(rows, engine)
        case other:
            raise ValueError(f"unknown engine.kind {other!r}; valid: vllm, http, program")


def generate_rows(rows: list[dict], engine: EngineConfig) -> list[dict]:
    """``generate`` for a list of row dicts; results come back in input order.

    Raises:
        ValueError: duplicate ``row_id`` values in ``rows``.
        RuntimeError: the engine lost a row (a bug: failed rows come back with ``error`` set).
    """
    if not rows:
        return []
    ids = [r["row_id"] for r in rows]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ValueError(f"generate_rows: duplicate row_id values {dup}")
    out = {r["row_id"]: r for r in generate(ray.data.from_items(rows), engine).take_all()}
    missing = [i for i in ids if i not in out]
    if missing:
        raise RuntimeError(f"engine {engine.kind} returned no row for {missing[:5]} ({len(missing)} of {len(ids)})")
    return [out[i] for i in ids]
