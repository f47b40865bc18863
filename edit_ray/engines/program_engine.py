"""The program teacher: an oracle for the synthetic tasks, so the whole pipeline runs without an LLM.

It IGNORES the prompt text. It reads the question columns that teacher rows carry (``qid``, ``task``,
``input``, ``choices``, ``target``, ``meta`` with the generator's gold steps) and the row's ``kind``:

- ``cep`` (CoT Extraction Prompt, the teacher's first try): the generator's gold CoT, except for a seeded
  share ``engine.program_error_rate`` of samples, which get one injected mistake (``corrupt_cot``), so that
  D- (the teacher's wrong CoTs) is not empty; ``engine.program_mistake_types`` limits the mistakes to some
  types (logical, calculation, knowledge), for the paper's mistake-pattern analysis;
- ``ccp`` (Contrastive CoT Prompt, "corrupt this correct CoT"): ``corrupt_cot``, the gold CoT with one
  injected mistake that changes the answer;
- any other kind (``ahp`` answer-hint rectification, ORION ``reflect``, ...): the gold CoT.

A seeded share ``engine.program_format_error_rate`` of outputs lose their final answer sentence, which
exercises the CEP retry loop. Decisions depend only on (row_id, seed), so re-runs are reproducible and a
retry with a new seed may decide differently (for an attempt of the retry loop, the row_id of its row:
``retry_of``). No tokenizer is involved: ``token_ids`` and
``prompt_token_ids`` are empty and ``n_tokens`` is 0 (later stages tokenize the text themselves).

Reads: ``row_id``, ``prompt`` (only checked to be non-empty), ``kind``, ``seed``, the question columns.
Writes: the engine contract columns (``text``, ``token_ids``, ``prompt_token_ids``, ``n_tokens``,
``truncated``, ``error``).
"""

from __future__ import annotations

import random
import time
from typing import Any

import pyarrow as pa
import ray

from edit_ray.answers import ANSWER_PHRASE
from edit_ray.config import ProgramEngineConfig
from edit_ray.engines.guard import RETRY_OF, error_text, failed_outputs, to_table


def _coin(row: dict[str, Any], salt: str, rate: float) -> bool:
    """A seeded biased coin for this row and seed (str seeds hash stably, unlike hash())."""
    row_id = row.get(RETRY_OF) or row["row_id"]  # an attempt decides as its row would with that seed
    return rate > 0 and random.Random(f"{salt}:{row_id}:{row.get('seed')}").random() < rate


def program_text(row: dict[str, Any], cfg: ProgramEngineConfig) -> str:
    """The oracle's CoT for one row (see the module docstring). Raises ValueError for a non-synthetic row."""
    from edit_ray.data.synthetic import corrupt_cot, gold_cot

    kind = row.get("kind")
    seed = int(row.get("seed") or 0)
    if kind == "ccp" or (kind == "cep" and _coin(row, "mistake", cfg.program_error_rate)):
        text = corrupt_cot(row, seed, cfg.program_mistake_types)["cot"]
    else:
        text = gold_cot(row)
    if _coin(row, "format", cfg.program_format_error_rate) and ANSWER_PHRASE in text:
        text = text[: text.rindex(ANSWER_PHRASE)].rstrip()
    return text


def program_row(row: dict[str, Any], cfg: ProgramEngineConfig) -> dict[str, Any]:
    row = {"temperature": cfg.temperature, "max_tokens": cfg.max_tokens, "seed": 0, **row}
    if not str(row.get("prompt") or "").strip():
        return failed_outputs(row, error_text("empty_prompt", "the prompt is empty"))
    try:
        text = program_text(row, cfg)
    except (ValueError, KeyError) as e:  # not a synthetic question, or no mistake changes its answer
        return failed_outputs(row, error_text(type(e).__name__, str(e)))
    return {**row, "text": text, "token_ids": [], "prompt_token_ids": [], "n_tokens": 0, "truncated": False,
            "error": None}


def _program_batch(batch: pa.Table, cfg: ProgramEngineConfig) -> pa.Table:
    if cfg.program_delay_s:
        time.sleep(cfg.program_delay_s)  # stands in for engine latency (resume tests, demos)
    return to_table([program_row(r, cfg) for r in batch.to_pylist()])


def generate(rows: ray.data.Dataset, cfg: ProgramEngineConfig) -> ray.data.Dataset:
    """The oracle's CoT for every row, as a Ray Data map (see the module docstring)."""
    return rows.map_batches(_program_batch, fn_kwargs={"cfg": cfg}, batch_size=cfg.batch_size,
                            batch_format="pyarrow", num_cpus=0.25)
