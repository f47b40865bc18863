"""Text generation behind one interface, used by the teacher (CEP, AHP, CCP), evaluation and ORION.

    generate(rows: ray.data.Dataset, engine: EngineConfig) -> ray.data.Dataset
    generate_batches(rows: list[dict], engine: EngineConfig, batch_rows: int) -> Iterator[list[dict]]
    generate_rows(rows: list[dict], engine: EngineConfig) -> list[dict]

Input rows: ``row_id`` (unique), ``prompt``, ``temperature``, ``max_tokens``, ``seed`` (the last three fall
back to the engine config when missing), plus any other columns, which are passed through unchanged.
Output rows add:

    text              generated text ('' on error)
    token_ids         generated token ids (empty for the program engine, and for http without a local tokenizer)
    prompt_token_ids  prompt token ids as the engine saw them
    n_tokens          generated tokens
    truncated         n_tokens >= max_tokens: the generation was cut at its cap
    error             null, or "{Type}: {message}": a reason code (empty_prompt, prompt_too_long, engine_died)
                      or the exception type of a failed request; the row is kept, never dropped

Kinds (``engine.kind``):

- ``vllm``: vLLM engine replicas through ``ray.data.llm`` (``vllm_engine``);
- ``http``: an OpenAI-compatible endpoint, with bounded concurrency, retries and timeouts (``http_engine``);
- ``program``: the synthetic-task oracle, which ignores the prompt text (``program_engine``).

K samples of one prompt are K rows with distinct seeds (row expansion), never vLLM's ``n``.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator

import ray

from edit_ray.config import EngineConfig
from edit_ray.engines.guard import OUTPUT_COLUMNS, error_reason, error_text, failed_outputs

__all__ = ["OUTPUT_COLUMNS", "error_reason", "error_text", "generate", "generate_batches", "generate_rows",
           "sample_seed"]


def sample_seed(run_seed: int, row_id: str, attempt: int = 0) -> int:
    """A stable seed per (run seed, row, attempt): distinct samples per question, identical on a re-run."""
    return zlib.crc32(f"{run_seed}:{row_id}:{attempt}".encode()) & 0x7FFFFFFF


def generate(rows: ray.data.Dataset, engine: EngineConfig,
             one_batch_at_a_time: bool = False) -> ray.data.Dataset:
    """Generate one completion per row (lazy: nothing runs until the dataset is consumed).

    Args:
        rows: dataset with ``row_id, prompt`` (+ ``temperature, max_tokens, seed``, + any columns).
        engine: which engine and its settings.
        one_batch_at_a_time: vllm: each engine works on one batch at a time (slower), so that a batch that
            kills its engine takes no other batch with it.
    Returns:
        The rows with ``text, token_ids, prompt_token_ids, n_tokens, truncated, error`` added; the order of
        rows is not kept (join on ``row_id``).
    Raises:
        ValueError: unknown ``engine.kind``.
    """
    match engine.kind:
        case "vllm":
            from edit_ray.engines import vllm_engine

            return vllm_engine.generate(rows, engine, one_batch_at_a_time=one_batch_at_a_time)
        case "http":
            from edit_ray.engines import http_engine

            return http_engine.generate(rows, engine)
        case "program":
            from edit_ray.engines import program_engine

            return program_engine.generate(rows, engine)
        case other:
            raise ValueError(f"unknown engine.kind {other!r}; valid: vllm, http, program")


class _SkippedBatches(logging.Handler):
    """Collects the errors of the batches Ray Data skipped (``max_errored_blocks``), as its executor logs them."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None and "Ignoring this exception" in record.getMessage():
            e = record.exc_info[1]
            self.errors.append(f"{type(e).__name__}: {(str(e).strip().splitlines() or [''])[0]}")


def generate_batches(rows: list[dict], engine: EngineConfig, batch_rows: int) -> Iterator[list[dict]]:
    """``generate`` over a list of row dicts, yielding finished rows in batches of about ``batch_rows`` as they
    stream out of the engine; every input row comes back exactly once.

    A vLLM engine that dies on a batch (a fatal engine error, its process killed) takes every batch in flight
    on it down too. Ray restarts it and retries those batches ``engine.max_batch_retries`` times, then skips
    them. Their rows get a second pass with one batch at a time on each engine, so that a batch only fails
    for itself; the rows of a batch that still kills its engine come last, as error rows
    ``engine_died: <error>``. An engine that fails the same way every time thus costs a bounded number of
    restarts (at most (1 + max_batch_retries) per batch in each pass), never a loop.

    Raises:
        ValueError: duplicate ``row_id`` values in ``rows``.
        RuntimeError: the engine died on every batch (nothing was generated), or it lost rows without an error.
    """
    ids = [r["row_id"] for r in rows]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ValueError(f"duplicate row_id values {dup}")
    if not rows:
        return
    seen: set[str] = set()
    lost, errors = rows, []
    for one_batch_at_a_time in (False, True):
        skipped = _SkippedBatches()
        executor_log = logging.getLogger("ray.data._internal.execution.streaming_executor_state")
        executor_log.addHandler(skipped)
        try:
            results = generate(ray.data.from_items(lost), engine, one_batch_at_a_time=one_batch_at_a_time)
            for batch in results.iter_batches(batch_size=batch_rows, batch_format="pyarrow"):
                out = batch.to_pylist()
                seen.update(r["row_id"] for r in out)
                yield out
        finally:
            executor_log.removeHandler(skipped)
        lost = [r for r in lost if r["row_id"] not in seen]
        errors += skipped.errors
        if not lost:
            return
        if not skipped.errors:
            raise RuntimeError(f"engine {engine.kind} returned no row for {[r['row_id'] for r in lost][:5]} "
                               f"({len(lost)} of {len(rows)}) and reported no error")
        if not one_batch_at_a_time:
            print(f"[engine] the {engine.kind} engine died on {len(skipped.errors)} batch(es) ({skipped.errors[-1]}); "
                  f"their {len(lost)} rows again, one batch at a time per engine", flush=True)
    if not seen:
        raise RuntimeError(f"the {engine.kind} engine died on every batch, also one batch at a time "
                           f"({len(errors)} batches skipped); last error: {errors[-1]}")
    retries = engine.max_batch_retries if engine.kind == "vllm" else 0
    message = (f"the engine died on this row's batch {retries + 1} time(s) among others and as "
               f"many alone (the engine's own error is in <run.dir>/logs/workers.log); last: {errors[-1]}")
    print(f"[engine] {len(lost)} of {len(rows)} rows are error rows (engine_died): {message}", flush=True)
    yield [failed_outputs(r, error_text("engine_died", message)) for r in lost]


def generate_rows(rows: list[dict], engine: EngineConfig) -> list[dict]:
    """``generate`` for a list of row dicts; results come back in input order (see ``generate_batches``)."""
    out = {r["row_id"]: r for batch in generate_batches(rows, engine, batch_rows=4096) for r in batch}
    return [out[r["row_id"]] for r in rows]
