"""Row checks that run before any engine sees a prompt, and the shared output columns of every engine.

One over-long prompt used to abort a whole Ray Data LLM job (ray #59194); here such a row never reaches
the engine: it becomes an error row (``prompt_too_long``), as does an empty prompt (``empty_prompt``).
Lengths are counted with the model's own tokenizer, on the exact text the engine will see (after the chat
template when ``use_chat_template`` is on).

Reads: ``row_id``, ``prompt``, and optionally ``temperature``, ``max_tokens``, ``seed`` (filled from the
engine config when absent). Writes: ``prompt_token_ids`` (list<int64>, empty when no tokenizer), the
text sent to the engine ``engine_prompt``, the effective ``max_tokens`` (never more than the room left in
``max_model_len``) and ``error`` (null, or ``"{reason}: {message}"``).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from edit_ray.config import HttpEngineConfig, VllmEngineConfig

# Columns every engine adds to its input rows (the engine contract, docs/CONTRACTS.md).
OUTPUT_COLUMNS = {
    "text": "generated text ('' on error)",
    "token_ids": "generated token ids (list<int64>; empty when the engine cannot report them)",
    "prompt_token_ids": "prompt token ids as the engine saw them (list<int64>)",
    "n_tokens": "number of generated tokens",
    "truncated": "n_tokens >= max_tokens: the generation hit its cap",
    "error": "null, or '{Type}: {message}' (a reason code such as prompt_too_long, or the exception type)",
}
OUTPUT_TYPES = {
    "text": pa.string(),
    "token_ids": pa.list_(pa.int64()),
    "prompt_token_ids": pa.list_(pa.int64()),
    "n_tokens": pa.int64(),
    "truncated": pa.bool_(),
    "error": pa.string(),
    "temperature": pa.float64(),
    "max_tokens": pa.int64(),
    "seed": pa.int64(),
}
# Internal column: the exact text handed to the engine (the prompt after the chat template).
ENGINE_PROMPT = "engine_prompt"
# Optional input column: the row id a row is a retry attempt of, when the retry loop sends several attempts of
# one row in one pass (each needs a row_id of its own). Engines pass it through; the program engine decides
# with it, so an attempt gives the text it would give under its row's own id.
RETRY_OF = "retry_of"


def error_text(reason: str, message: str) -> str:
    """The ``error`` column value: ``"{reason}: {message}"`` (reason is a code or an exception type)."""
    return f"{reason}: {message}"


def error_reason(error: str | None) -> str | None:
    """The reason code of an ``error`` value (the part before the first ':')."""
    return None if error is None else error.split(":", 1)[0]


def to_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows -> an Arrow table whose engine columns have fixed types, so that blocks of ok rows and blocks
    of error rows (all-null columns) unify."""
    table = pa.Table.from_pylist(rows)
    for name, typ in OUTPUT_TYPES.items():
        if name in table.column_names and table.schema.field(name).type != typ:
            table = table.set_column(table.column_names.index(name), name, table[name].cast(typ))
    return table


def failed_outputs(row: dict[str, Any], error: str) -> dict[str, Any]:
    """A row with the engine columns of a failed generation."""
    return {**row, "text": "", "token_ids": [], "n_tokens": 0, "truncated": False, "error": error,
            "prompt_token_ids": row.get("prompt_token_ids") or []}


def load_tokenizer(source: str | None):
    """The tokenizer of a local model directory (cached per process), or None (an http endpoint with no
    local copy)."""
    if source is None:
        return None
    from edit_ray.models import load_tokenizer as load

    return load(source)


def engine_prompt(tokenizer, prompt: str, use_chat_template: bool) -> tuple[str, list[int]]:
    """(text the engine sees, its token ids). With the chat template the prompt is one user message."""
    if tokenizer is None:
        return prompt, []
    if use_chat_template:
        text = tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                             add_generation_prompt=True)
        # The template already holds BOS where the model wants one.
        return text, list(tokenizer(text, add_special_tokens=False).input_ids)
    return prompt, list(tokenizer(prompt, add_special_tokens=True).input_ids)


def check_row(row: dict[str, Any], cfg: VllmEngineConfig | HttpEngineConfig, tokenizer) -> dict[str, Any]:
    """Fill sampling defaults, tokenize, and mark rows the engine must not see."""
    row = dict(row)
    if row.get("temperature") is None:
        row["temperature"] = cfg.temperature
    if row.get("max_tokens") is None:
        row["max_tokens"] = cfg.max_tokens
    if row.get("seed") is None:
        row["seed"] = 0
    row["error"] = None
    prompt = row.get("prompt")
    if prompt is None or not str(prompt).strip():
        row[ENGINE_PROMPT], row["prompt_token_ids"] = "", []
        row["error"] = error_text("empty_prompt", "the prompt is empty")
        return row
    row[ENGINE_PROMPT], row["prompt_token_ids"] = engine_prompt(tokenizer, str(prompt), cfg.use_chat_template)
    n_prompt = len(row["prompt_token_ids"])
    if tokenizer is not None:
        room = cfg.max_model_len - n_prompt
        if room < 1:
            row["error"] = error_text(
                "prompt_too_long",
                f"the prompt has {n_prompt} tokens, max_model_len is {cfg.max_model_len} "
                "(no room for one generated token)")
            return row
        # The engine would reject prompt + max_tokens > max_model_len; generate what fits instead.
        row["max_tokens"] = min(int(row["max_tokens"]), room)
    return row


def check_batch(batch: pa.Table, cfg: VllmEngineConfig | HttpEngineConfig, tokenizer_source: str | None) -> pa.Table:
    """Ray Data task: ``check_row`` over a batch.

    A task, not an actor: the tokenizer is cached per Ray worker process (``models.load_tokenizer``), so
    a warm worker checks a batch in milliseconds, where a fresh actor spent ~10 s importing transformers on
    every engine run. Callers run it on a pool of one task (``TaskPoolStrategy(size=1)``): one worker imports
    transformers, not one per input block. Blocks are left as they come: merging them would let one vLLM stage task take several
    engine batches, and Ray 2.60 fails to concatenate an all-error batch with an ok one (ray #61656).
    """
    tokenizer = load_tokenizer(tokenizer_source)
    return to_table([check_row(r, cfg, tokenizer) for r in batch.to_pylist()])
