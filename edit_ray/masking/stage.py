"""Ray Data stage: key-token masks for (correct, wrong) CoT pairs (EDIT step 3, edit-method.md §2).

Reads pairs ``{pair_id, prompt, chosen, rejected}`` (``dual/pairs.parquet``, or JSONL / Parquet given to
``edit-ray mask``), tokenizes each with the student's tokenizer exactly as training does
(``edit_ray.tokens.tokenize_pair``; or takes the ids from Parquet columns ``ID_COLUMNS`` made that way with
the same tokenizer), aligns the two responses with the minimum edit distance kernel and
writes the masks table of docs/CONTRACTS.md (columns in ``OUTPUT_COLUMNS``): 0/1 key masks, no loss
weights. KRSL training (key reasoning steps learning, stage 2 of EDIT) turns the masks into the paper's
weights (eqs. 5–7: α on the correct CoT's key tokens and γ elsewhere, β on the wrong CoT's key tokens and 0
elsewhere) with ``kernel.key_weights`` in ``edit_ray.train.data``, so α, β and γ change without re-masking.

Three layers (style.md §6): ``mask_pair`` is a pure function of one pair; ``KeyTokenMasker`` holds the
tokenizer, built once per Ray Data actor, and masks a batch; ``mask_pairs`` wires ``map_batches`` over an
actor pool (``masks_dataset``) and puts the batches back together in input order as they arrive
(``collect_masks``: failed rows split off, ids that arrived tokenized attached without a copy). A failed row
goes to the errors table with a reason from ``REASONS``.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from edit_ray import io
from edit_ray.config import MaskingConfig
from edit_ray.masking.kernel import key_masks, key_positions, pack_ids, unpack_ids
from edit_ray.masking.widen import widen
from edit_ray.steps import Step
from edit_ray.tokens import tokenize_pair, tokenize_pairs

if TYPE_CHECKING:
    import ray.data

STAGE = "masks"
INPUT_COLUMNS = {
    "pair_id": "stable id of the pair",
    "prompt": "student prompt, shared by both CoTs",
    "chosen": "correct CoT (response text)",
    "rejected": "wrong CoT (response text)",
}
OUTPUT_COLUMNS = {
    "pair_id": "stable id of the pair (string)",
    "prompt_ids": "list<int32>: prompt token ids with the tokenizer's special tokens",
    "chosen_ids": "list<int32>: correct CoT's response token ids + EOS",
    "rejected_ids": "list<int32>: wrong CoT's response token ids + EOS",
    "chosen_key": "list<int8>: 1 where the correct CoT's token is deleted or replaced in the wrong one",
    "rejected_key": "list<int8>: 1 where the wrong CoT's token is absent from or replaced in the correct one",
    "n_key_chosen": "int32: key tokens of the correct CoT",
    "n_key_rejected": "int32: key tokens of the wrong CoT",
}
# Optional input: token ids made upstream by ``edit_ray.tokens.tokenize_pair`` with the stage's own tokenizer
# (named in the Parquet metadata key ``edit_ray.tokenizer``). Tokenizing costs ~50x the alignment, so pairs
# that arrive tokenized skip it; ids from another or an unnamed tokenizer are dropped and the texts re-tokenized.
ID_COLUMNS = ("prompt_ids", "chosen_ids", "rejected_ids")
REASONS = {
    "identical_pair": "the two responses are the same tokens: no key token to learn from",
    "unrelated_pair": "the responses share no token but EOS: every token is key, the mask says nothing",
    "bad_input": "a field is missing, not a string, or empty",
    "too_long": "a response longer than masking.max_tokens tokens",
}
OUTPUT_SCHEMA = pa.schema([
    ("pair_id", pa.string()),
    ("prompt_ids", pa.list_(pa.int32())),
    ("chosen_ids", pa.list_(pa.int32())),
    ("rejected_ids", pa.list_(pa.int32())),
    ("chosen_key", pa.list_(pa.int8())),
    ("rejected_key", pa.list_(pa.int8())),
    ("n_key_chosen", pa.int32()),
    ("n_key_rejected", pa.int32()),
])
# What the actors return (``KeyTokenMasker``): per pair, its row number in the input, its masks and counts
# or why it failed, and the ids when the actor tokenized the texts.
_ROW = "_row"
_WORK_SCHEMA = pa.schema([pa.field(_ROW, pa.int64()), *(f for f in OUTPUT_SCHEMA if f.name not in ("pair_id", *ID_COLUMNS)),
                          pa.field("error", pa.string()), pa.field("detail", pa.string())])
_WORK_SCHEMA_WITH_IDS = pa.schema([*_WORK_SCHEMA, *(OUTPUT_SCHEMA.field(c) for c in ID_COLUMNS)])
_MASKS_SCHEMA = OUTPUT_SCHEMA.append(pa.field(_ROW, pa.int64()))  # kept until every batch is in input order
_TOKENIZER_KEY = b"edit_ray.tokenizer"
ACTOR_START_TIMEOUT_S = 600  # an autoscaling cluster may need minutes to add the nodes for the pool


# ------------------------------------------------------------------------------------ pure layer
def check_fields(prompt: Any, chosen: Any, rejected: Any) -> str | None:
    """None if the three texts are usable, else the ``bad_input`` detail naming the field."""
    for name, value in (("prompt", prompt), ("chosen", chosen), ("rejected", rejected)):
        if not isinstance(value, str) or not value.strip():
            what = "missing" if value is None else ("empty" if isinstance(value, str) else type(value).__name__)
            return f"field '{name}' is {what}"
    return None


def check_id_columns(ids: dict[str, pa.ListArray], eos: int) -> list[str | None]:
    """Per row, None if its pre-tokenized ids are usable (as ``tokenize_pair`` makes them), else the
    ``bad_input`` detail naming the first bad field. Vectorised over the batch's columns."""
    n = len(ids["prompt_ids"])
    bad: list[str | None] = [None] * n
    for name in ID_COLUMNS:
        col = ids[name]
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        lengths = pc.list_value_length(col).fill_null(0).to_numpy(zero_copy_only=False)
        ends_with_eos = np.ones(n, dtype=bool)
        if name != "prompt_ids":  # responses end with EOS; offsets index .values absolutely, also when sliced
            has = lengths > 0
            last = col.offsets.to_numpy()[1:][has] - 1
            ends_with_eos[has] = col.values.to_numpy(zero_copy_only=False)[last] == eos
        for i in np.flatnonzero(~valid | (lengths == 0) | ~ends_with_eos).tolist():
            if bad[i] is None:
                bad[i] = (f"field '{name}' is missing" if not valid[i] else f"field '{name}' is empty"
                          if lengths[i] == 0 else f"field '{name}' does not end with EOS ({eos}): not made by "
                          "tokenize_pair")
    return bad


def too_long(n_chosen: int, n_rejected: int, masking: MaskingConfig) -> tuple[str, str] | None:
    """``("too_long", detail)`` if a side has more than ``masking.max_tokens`` tokens, else None."""
    longest = max(n_chosen, n_rejected)
    return ("too_long", f"{longest} tokens > masking.max_tokens {masking.max_tokens}") \
        if longest > masking.max_tokens else None


def unusable(n_chosen: int, n_rejected: int, n_key_chosen: int, n_key_rejected: int) -> tuple[str, str] | None:
    """``(reason, detail)`` if a pair's key masks teach nothing (a key of ``REASONS``), else None."""
    if n_key_chosen == 0 and n_key_rejected == 0:
        return "identical_pair", f"{n_chosen} identical tokens"
    if n_chosen - n_key_chosen <= 1:  # the EOS both responses end with is all they share
        return "unrelated_pair", f"0 of {n_chosen} / {n_rejected} tokens aligned"
    return None


def mask_tokens(chosen_ids: list[int] | str, rejected_ids: list[int] | str, masking: MaskingConfig, tokenizer=None,
                chosen: str = "", rejected: str = "") -> dict:
    """Key masks of one tokenized pair (ids, or both packed by ``pack_ids``), or the reason it cannot have any.

    ``tokenizer`` and the texts are needed only when ``masking.widen`` is not ``none``.

    Returns:
        ``chosen_key, rejected_key`` (int8, shapes (n,), (m,)), ``n_key_chosen, n_key_rejected``, ``error``
        (None or a key of ``REASONS``) and ``detail``.
    """
    why = too_long(len(chosen_ids), len(rejected_ids), masking)
    if why:
        return _failed(*why)
    chosen_key, rejected_key = key_masks(chosen_ids, rejected_ids, masking.strip_prefix, masking.strip_suffix)
    n_key_chosen, n_key_rejected = int(np.count_nonzero(chosen_key)), int(np.count_nonzero(rejected_key))
    why = unusable(len(chosen_ids), len(rejected_ids), n_key_chosen, n_key_rejected)
    if why:
        return _failed(*why)
    if masking.widen != "none":
        if isinstance(chosen_ids, str):
            chosen_ids, rejected_ids = unpack_ids(chosen_ids), unpack_ids(rejected_ids)
        chosen_key = widen(chosen_key, tokenizer, chosen, chosen_ids, masking.widen)
        rejected_key = widen(rejected_key, tokenizer, rejected, rejected_ids, masking.widen)
        n_key_chosen, n_key_rejected = int(chosen_key.sum()), int(rejected_key.sum())
    return {"chosen_key": chosen_key, "rejected_key": rejected_key,
            "n_key_chosen": n_key_chosen, "n_key_rejected": n_key_rejected, "error": None, "detail": None}


def mask_pair(tokenizer, prompt: Any, chosen: Any, rejected: Any, masking: MaskingConfig) -> dict:
    """Ids and key masks of one text pair (``mask_tokens`` after ``tokenize_pair``), or why not.

    The actor below computes the same columns a batch at a time; this is the one-pair form (tests, notebooks).

    Returns:
        A dict with the ``OUTPUT_COLUMNS`` but ``pair_id``, plus ``error`` and ``detail``; rows with an
        error carry empty lists.
    """
    bad = check_fields(prompt, chosen, rejected)
    if bad:
        return {"prompt_ids": [], "chosen_ids": [], "rejected_ids": [], **_failed("bad_input", bad)}
    prompt_ids, chosen_ids = tokenize_pair(tokenizer, prompt, chosen)
    _, rejected_ids = tokenize_pair(tokenizer, prompt, rejected)
    out = mask_tokens(chosen_ids, rejected_ids, masking, tokenizer, chosen, rejected)
    if out["error"] is not None:
        prompt_ids, chosen_ids, rejected_ids = [], [], []
    return {"prompt_ids": prompt_ids, "chosen_ids": chosen_ids, "rejected_ids": rejected_ids, **out}


def _failed(reason: str, detail: str) -> dict:
    empty = np.zeros(0, dtype=np.int8)
    return {"chosen_key": empty, "rejected_key": empty, "n_key_chosen": 0, "n_key_rejected": 0,
            "error": reason, "detail": detail}


def _ids_column(column: pa.Array | pa.ChunkedArray | list) -> pa.ListArray:
    """A list<int32> column as one ListArray (chunks combined; Python lists converted once)."""
    if isinstance(column, list):
        return pa.array(column, pa.list_(pa.int32()))
    if isinstance(column, pa.ChunkedArray):  # one chunk: itself (combine_chunks would copy it)
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column if column.type == pa.list_(pa.int32()) else column.cast(pa.list_(pa.int32()))


# ------------------------------------------------------------------------------------ actor layer
class KeyTokenMasker:
    """Ray Data callable: one per actor, so the tokenizer is loaded once per worker, not per batch.

    A batch is worked on as whole Arrow columns, not rows: each pair's key positions go into one flat buffer
    per side laid out like the ids, which becomes the side's mask column without a copy. Per pair, only the
    alignment runs in Python. The actor returns what it computes (masks, counts, or why a pair failed) and the ids only when it tokenized the texts itself: ids that arrive tokenized stay with the
    caller (``assemble_masks`` attaches them), since shipping them back cost about a third of the alignment
    time (measured in session 6: ~19 KB per 1024-token pair to serialize into the object store, 8 KB of it ids).
    """

    def __init__(self, tokenizer: str, masking: MaskingConfig):
        from edit_ray.models import load_tokenizer

        self.tokenizer = load_tokenizer(tokenizer)
        self.masking = masking

    def __call__(self, batch: pa.Table) -> pa.Table:
        n = batch.num_rows
        tokenized = all(c in batch.column_names for c in ID_COLUMNS)  # upstream; mask_pairs checked the tokenizer
        # The texts are read only to tokenize or to widen: pairs that arrive tokenized travel without them.
        texts_needed = not tokenized or self.masking.widen != "none"
        cols = {c: batch[c].to_pylist() if c in batch.column_names else [None] * n
                for c in ("pair_id", *(("prompt", "chosen", "rejected") if texts_needed else ()))}
        bad = [(check_fields(cols["prompt"][i], cols["chosen"][i], cols["rejected"][i]) if texts_needed else None)
               or (None if cols["pair_id"][i] not in (None, "") else "field 'pair_id' is missing") for i in range(n)]
        if tokenized:
            ids = {c: _ids_column(batch[c]) for c in ID_COLUMNS}
        else:  # one batched tokenizer call per side: the same ids as tokenize_pair, without per-row overhead
            good = [i for i in range(n) if bad[i] is None]
            texts = {side: [cols[side][i] for i in good] for side in ("prompt", "chosen", "rejected")}
            made = dict(zip(("prompt_ids", "chosen_ids"), tokenize_pairs(self.tokenizer, texts["prompt"],
                                                                         texts["chosen"])))
            made["rejected_ids"] = tokenize_pairs(self.tokenizer, texts["prompt"], texts["rejected"])[1]
            ids = {c: [[] for _ in range(n)] for c in ID_COLUMNS}
            for k, i in enumerate(good):
                for c in ID_COLUMNS:
                    ids[c][i] = made[c][k]
            ids = {c: _ids_column(v) for c, v in ids.items()}
        bad = [b or c for b, c in zip(bad, check_id_columns(ids, self.tokenizer.eos_token_id))]
        offsets = {c: ids[c].offsets.to_numpy().tolist() for c in ("chosen_ids", "rejected_ids")}
        # each side's ids packed into one str per batch; per pair, the kernel gets a slice of it (no copy of ids).
        # Offsets index .values absolutely, also in a sliced batch.
        packed = {c: pack_ids(ids[c].values.to_numpy(zero_copy_only=False)) for c in ("chosen_ids", "rejected_ids")}
        key_at = {"chosen": [], "rejected": []}  # flat positions of every pair's key tokens
        n_key = {side: np.zeros(n, np.int32) for side in ("chosen", "rejected")}
        error, detail = [None if b is None else "bad_input" for b in bad], list(bad)
        for i in range(n):
            if bad[i] is not None:
                continue
            (c0, c1), (r0, r1) = offsets["chosen_ids"][i:i + 2], offsets["rejected_ids"][i:i + 2]
            chosen_ids, rejected_ids = packed["chosen_ids"][c0:c1], packed["rejected_ids"][r0:r1]
            why = too_long(c1 - c0, r1 - r0, self.masking)
            if why is None and self.masking.widen == "none":  # the hot path: positions straight from the edit script
                chosen_at, rejected_at = key_positions(chosen_ids, rejected_ids, self.masking.strip_prefix,
                                                       self.masking.strip_suffix)
                why = unusable(c1 - c0, r1 - r0, len(chosen_at), len(rejected_at))
            elif why is None:
                out = mask_tokens(chosen_ids, rejected_ids, self.masking, self.tokenizer, cols["chosen"][i],
                                  cols["rejected"][i])
                why = (out["error"], out["detail"]) if out["error"] else None
                if not why:
                    chosen_at, rejected_at = (np.flatnonzero(out[f"{s}_key"]).tolist() for s in ("chosen", "rejected"))
            if why:
                error[i], detail[i] = why
                continue
            key_at["chosen"] += [c0 + t for t in chosen_at]
            key_at["rejected"] += [r0 + t for t in rejected_at]
            n_key["chosen"][i], n_key["rejected"][i] = len(chosen_at), len(rejected_at)
        arrays = {_ROW: batch[_ROW], "error": pa.array(error, pa.string()), "detail": pa.array(detail, pa.string()),
                  **({} if tokenized else ids)}
        for side in ("chosen", "rejected"):
            # Offsets index .values absolutely (also in a sliced batch); the masks get offsets from 0, so that
            # their buffers hold this batch's tokens only
            start = offsets[f"{side}_ids"][0]
            key = np.zeros(offsets[f"{side}_ids"][-1] - start, np.int8)
            key[np.asarray(key_at[side], np.int64) - start] = 1
            rel = pa.array(np.asarray(offsets[f"{side}_ids"], np.int32) - start)
            arrays[f"{side}_key"] = pa.ListArray.from_arrays(rel, key)
            arrays[f"n_key_{side}"] = pa.array(n_key[side])
        return pa.table(arrays, schema=_WORK_SCHEMA if tokenized else _WORK_SCHEMA_WITH_IDS)


def assemble_masks(pairs: pa.Table, work: pa.Table) -> tuple[pa.Table, list[dict]]:
    """Masks and error rows of the pairs that one batch of actor output covers.

    Args:
        pairs: the stage's input, numbered by ``number_rows`` (``_ROW`` = position).
        work: ``KeyTokenMasker`` output for some rows of ``pairs``.
    Returns:
        ``(masks, errors)``: the masked pairs (``OUTPUT_SCHEMA`` plus ``_ROW``, in row order) and error rows
        (with ``_row``). Ids that arrived tokenized are attached without a copy when, as Ray Data cuts them,
        the batch's rows are consecutive: they are a slice of ``pairs``.
    """
    if not _increasing(work[_ROW]):
        work = work.sort_by(_ROW)
    failed_at = work["error"].is_valid()
    failed = work.filter(failed_at)
    pair_ids = pairs["pair_id"] if "pair_id" in pairs.column_names else pa.nulls(pairs.num_rows, pa.string())
    errors = [{**io.error_row(pid if pid not in (None, "") else f"row {row}", STAGE, reason, why), "_row": row}
              for pid, row, reason, why in zip(pair_ids.take(failed[_ROW]).to_pylist(), failed[_ROW].to_pylist(),
                                               failed["error"].to_pylist(), failed["detail"].to_pylist())]
    ok = work.filter(pc.invert(failed_at)) if failed.num_rows else work
    rows = ok[_ROW].to_numpy()
    if "chosen_ids" in work.column_names:  # the actors tokenized the texts
        source = ok
    elif len(rows) and rows[-1] - rows[0] + 1 == len(rows):  # consecutive rows: a slice, no copy
        source = pairs.slice(int(rows[0]), len(rows))
    else:
        source = pairs.select(list(ID_COLUMNS)).take(rows)
    columns = {"pair_id": pair_ids.take(rows), **{c: source[c] for c in ID_COLUMNS},
               **{c: ok[c] for c in _MASKS_SCHEMA.names if c in ok.column_names and c not in ID_COLUMNS}}
    return pa.table({c: columns[c] for c in _MASKS_SCHEMA.names}, schema=_MASKS_SCHEMA), errors


def collect_masks(pairs: pa.Table, batches) -> tuple[pa.Table, list[dict]]:
    """The masks table (``OUTPUT_SCHEMA``, input order) and error rows of every pair, from ``batches`` of
    actor output as they arrive (assembling one while the actors mask the next).

    Raises:
        RuntimeError: a row of ``pairs`` came back missing or twice (a bug, not bad data).
    """
    parts, errors = [], []
    for batch in batches:
        masks, failed = assemble_masks(pairs, pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch)
                                       else batch)
        parts.append(masks)
        errors += failed
    parts.sort(key=lambda t: t[_ROW][0].as_py() if t.num_rows else -1)
    masks = pa.concat_tables(parts) if parts else _MASKS_SCHEMA.empty_table()
    if not _increasing(masks[_ROW]):  # batches that were not runs of consecutive rows
        masks = masks.sort_by(_ROW)
    errors.sort(key=lambda e: e["_row"])
    seen = np.sort(np.concatenate([masks[_ROW].to_numpy(), np.array([e.pop("_row") for e in errors], np.int64)]))
    if not np.array_equal(seen, np.arange(pairs.num_rows)):
        raise RuntimeError(f"[{STAGE}] the actors returned {len(seen)} rows for {pairs.num_rows} pairs")
    return masks.drop_columns([_ROW]), errors


def _increasing(rows: pa.Array | pa.ChunkedArray) -> bool:
    r = rows.to_numpy()
    return bool(np.all(r[1:] > r[:-1]))


# ------------------------------------------------------------------------------------ stage layer
def iter_pairs(path: str, chunk_rows: int) -> Iterator[tuple[pa.Table, list[dict]]]:
    """The pairs of a JSONL or Parquet file (or a directory of Parquet files), read as a stream ``chunk_rows``
    rows at a time: per chunk a string table (plus the ids, if the file has them) and the rows that did not
    parse. Yields at least one chunk (an empty table for an empty file).

    Raises:
        FileNotFoundError / ValueError: the file is missing or has none of the pair columns (before any chunk).
    """
    if str(path).endswith((".jsonl", ".json")):
        rows, errors, first, yielded = [], [], True, False
        for n, obj in io.jsonl_objects(path):
            if isinstance(obj, dict):
                if first and not any(c in obj for c in INPUT_COLUMNS):
                    raise ValueError(f"{path}: no pair columns; expected {sorted(INPUT_COLUMNS)}, got {sorted(obj)}")
                rows.append(obj)
                first = False
            else:  # not UTF-8, not JSON or not an object: an error row, the other lines still load
                errors.append(io.error_row(f"{path}:{n}", STAGE, "bad_input", f"{path} line {n}: {obj}"))
            if len(rows) + len(errors) == chunk_rows:
                yield _pairs_table(rows), errors
                rows, errors, yielded = [], [], True
        if rows or errors or not yielded:
            yield _pairs_table(rows), errors
        return
    import pyarrow.dataset as pads

    fs, p = io.filesystem(path)
    source = pads.dataset(p, filesystem=fs, format="parquet")
    names = source.schema.names
    if not any(c in names for c in INPUT_COLUMNS):
        raise ValueError(f"{path}: no pair columns; expected {sorted(INPUT_COLUMNS)}, got {sorted(names)}")
    has_ids = all(c in names for c in ID_COLUMNS)
    columns = [c for c in ("pair_id", "prompt", "chosen", "rejected", *(ID_COLUMNS if has_ids else ())) if c in names]
    yielded = False
    for batch in source.to_batches(columns=columns, batch_size=chunk_rows):
        if batch.num_rows:
            yield _pairs_table(batch.drop_columns([c for c in ID_COLUMNS if c in batch.schema.names]).to_pylist(),
                               batch if has_ids else None, source.schema.metadata), []
            yielded = True
    if not yielded:
        yield _pairs_table([]), []


def _pairs_table(rows: list[dict], ids: pa.RecordBatch | None = None, metadata: dict | None = None) -> pa.Table:
    def text(v):  # keep None and non-strings visible to mask_pair; ids may be numbers in JSONL
        return v if v is None or isinstance(v, str) else json.dumps(v)

    table = pa.table({
        "pair_id": pa.array([None if r.get("pair_id") is None else str(r["pair_id"]) for r in rows], pa.string()),
        **{c: pa.array([text(r.get(c)) for r in rows], pa.string()) for c in ("prompt", "chosen", "rejected")},
    })
    if ids is not None:
        for c in ID_COLUMNS:
            table = table.append_column(c, ids.column(c).cast(pa.list_(pa.int32())))
        table = table.replace_schema_metadata(metadata)
    return table


def read_pairs(path: str) -> tuple[pa.Table, list[dict]]:
    """All the pairs of a file in one table, and the rows that did not parse (``iter_pairs`` in one chunk)."""
    chunks = list(iter_pairs(path, 2**31 - 1))
    return pa.concat_tables([t for t, _ in chunks]), [e for _, errors in chunks for e in errors]


def number_rows(pairs: pa.Table) -> pa.Table:
    """``pairs`` with ``_ROW`` = each row's position: what the actors return their results under."""
    if _ROW in pairs.column_names:
        pairs = pairs.drop_columns([_ROW])
    return pairs.append_column(_ROW, pa.array(np.arange(pairs.num_rows, dtype=np.int64)))


def masks_dataset(pairs: pa.Table, tokenizer: str, masking: MaskingConfig) -> ray.data.Dataset:
    """The lazy Ray Data pipeline of the stage: ``pairs`` (numbered by ``number_rows``) -> ``KeyTokenMasker``
    on an actor pool; ``assemble_masks`` turns what it yields into the masks table.

    Ray Data bundles blocks up to ``batch_size`` rows and hands queued batches to the first actor that is
    ready, then retires actors once the input is consumed. With a few big batches one actor took them all
    while the others were still loading their tokenizer (measured: 2 workers ran as 1). So the pool starts
    dispatching only when all its actors are ready (``wait_for_min_actors_s``; an error names the timeout if
    the cluster cannot start them), the pairs are cut into a multiple of the worker count of batches of
    about the same size, at least 8 per worker and at most ``batch_size`` pairs (so no actor is left alone
    with a last batch), and an actor holds at most 2 batches (one running, one prefetched). Pairs that arrive
    tokenized travel without their texts unless widening needs them.
    """
    import ray

    if all(c in pairs.column_names for c in ID_COLUMNS) and masking.widen == "none":
        pairs = pairs.select([c for c in ("pair_id", _ROW, *ID_COLUMNS) if c in pairs.column_names])
    workers = masking.num_workers
    n_batches = max(8 * workers, -(-pairs.num_rows // masking.batch_size))
    n_batches = -(-n_batches // workers) * workers  # as many batches for each actor, of about the same size
    batch = max(1, -(-pairs.num_rows // n_batches))
    blocks = [pairs.slice(i, batch) for i in range(0, pairs.num_rows, batch)] or [pairs]
    ds = ray.data.from_arrow(blocks).map_batches(
        KeyTokenMasker, fn_constructor_kwargs={"tokenizer": tokenizer, "masking": masking},
        batch_size=batch, batch_format="pyarrow", num_cpus=1,
        compute=ray.data.ActorPoolStrategy(size=masking.num_workers, max_tasks_in_flight_per_actor=2),
    )
    ds.context.wait_for_min_actors_s = ACTOR_START_TIMEOUT_S  # dispatch once every actor has its tokenizer
    return ds


def mask_pairs(pairs: pa.Table, tokenizer: str, masking: MaskingConfig) -> tuple[pa.Table, list[dict]]:
    """Run ``KeyTokenMasker`` over ``pairs`` on an actor pool (Ray must be initialised by the caller).

    Returns:
        ``(masks, errors)``: the masks table (``OUTPUT_SCHEMA``, input order) and error rows.
    """
    if pairs.num_rows == 0:
        return OUTPUT_SCHEMA.empty_table(), []
    if any(c in pairs.column_names for c in ID_COLUMNS):
        made_with = (pairs.schema.metadata or {}).get(_TOKENIZER_KEY, b"").decode()
        if made_with != tokenizer or not all(c in pairs.column_names for c in ID_COLUMNS):
            print(f"[{STAGE}] pairs carry token ids from tokenizer {made_with or 'unnamed'!r}, not {tokenizer!r}: "
                  "re-tokenizing the texts", flush=True)
            pairs = pairs.drop_columns([c for c in ID_COLUMNS if c in pairs.column_names])
    pairs = number_rows(pairs)
    batches = masks_dataset(pairs, tokenizer, masking).iter_batches(batch_size=None, batch_format="pyarrow")
    return collect_masks(pairs, batches)


class KeyFractions:
    """Key tokens per side, summed chunk by chunk: the token-weighted fractions (the paper reports about
    4.7%) and a histogram of the per-pair fractions, without holding the masks."""

    BINS = np.linspace(0, 1, 21)

    def __init__(self):
        self.key = {"chosen": 0, "rejected": 0}
        self.tokens = {"chosen": 0, "rejected": 0}
        self.hist = {"chosen": np.zeros(20, np.int64), "rejected": np.zeros(20, np.int64)}

    def add(self, masks: pa.Table) -> None:
        for side in ("chosen", "rejected"):
            n_key = masks[f"n_key_{side}"].to_numpy(zero_copy_only=False).astype(np.int64)
            lengths = pc.list_value_length(masks[f"{side}_ids"]).to_numpy(zero_copy_only=False).astype(np.int64)
            self.key[side] += int(n_key.sum())
            self.tokens[side] += int(lengths.sum())
            self.hist[side] += np.histogram(n_key / np.maximum(lengths, 1), bins=self.BINS)[0]

    def stats(self) -> dict:
        return {f"key_fraction_{side}": self.key[side] / self.tokens[side] if self.tokens[side] else 0.0
                for side in ("chosen", "rejected")}

    def plot(self, path: str) -> None:
        """Histogram of the per-pair fraction of key tokens on each side."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.5))
        for side, color in (("chosen", "tab:green"), ("rejected", "tab:red")):
            ax.stairs(self.hist[side], self.BINS, fill=True, alpha=0.6, color=color,
                      label=f"{side} (correct CoT)" if side == "chosen" else f"{side} (wrong CoT)")
        ax.set_xlabel("fraction of key tokens per response")
        ax.set_ylabel("pairs")
        ax.legend()
        fig.tight_layout()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        plt.close(fig)


def mask_file(pairs_path: str, masks_path: str, errors_path: str, tokenizer: str, masking: MaskingConfig,
              parts_dir: str, quiet: bool = False) -> tuple[dict, KeyFractions, list[dict]]:
    """Mask the pairs of a file ``masking.chunk_rows`` at a time (the driver holds one chunk, whatever the
    file's size). Each chunk's masks and errors go to ``parts_dir`` as it finishes, so a killed run resumes at
    the first unfinished chunk; at the end the parts are streamed into ``masks_path`` and ``errors_path``
    and deleted. Ray must be initialised by the caller.

    Returns:
        ``(counts, key fractions, error rows)``; counts are ``{"in", "ok", "pairs", "errors",
        "key_fraction_chosen", "key_fraction_rejected", "chunks", "resumed_chunks"}`` (ok = pairs = pairs
        masked; resumed_chunks: finished by an earlier, killed run and not masked again).
    """
    import pyarrow.parquet as pq

    from edit_ray.teacher import parts

    fs, p = io.filesystem(pairs_path)
    info = fs.get_file_info(p)
    if info.type == io.pafs.FileType.NotFound:
        raise FileNotFoundError(f"no pairs file at {pairs_path}")
    settings = masking.model_dump(mode="json", exclude={"num_workers", "batch_size"})  # what the masks depend on
    parts.claim(parts_dir, parts.fingerprint(tokenizer, settings, info.size, info.mtime_ns), restart_on_change=True)
    chunks, resumed = [], 0
    for k, (pairs, parse_errors) in enumerate(iter_pairs(pairs_path, masking.chunk_rows)):
        names = {sub: io.join(parts_dir, sub, f"chunk-{k:06d}.parquet") for sub in ("ok", "errors")}
        chunks.append(names)
        if io.exists(names["ok"]):  # finished before a kill; written last, after its errors
            resumed += 1
            continue
        masks, errors = mask_pairs(pairs, tokenizer, masking)
        io.write_errors(parse_errors + errors, names["errors"])
        io.write_table(masks, names["ok"])
        if k > 0 or pairs.num_rows + len(parse_errors) == masking.chunk_rows:  # a file of several chunks
            print(f"[{STAGE}] chunk {k + 1}: {pairs.num_rows + len(parse_errors)} pairs", flush=True)
        pairs = masks = None  # before the next chunk is read, and before the merge below

    fractions, errors, n_ok = KeyFractions(), [], 0
    meta = {_TOKENIZER_KEY: tokenizer.encode(), b"edit_ray.masking": masking.model_dump_json().encode()}
    io.makedirs(posixpath.dirname(masks_path))
    fs_out, out = io.filesystem(masks_path)
    with pq.ParquetWriter(out + ".tmp", OUTPUT_SCHEMA.with_metadata(meta), filesystem=fs_out) as writer:
        for names in chunks:
            masks = io.read_table(names["ok"])
            writer.write_table(masks.cast(OUTPUT_SCHEMA.with_metadata(meta)))
            fractions.add(masks)
            n_ok += masks.num_rows
            errors += io.read_rows(names["errors"])
    fs_out.move(out + ".tmp", out)
    io.write_errors(errors, errors_path)
    io.remove(parts_dir)
    stats = fractions.stats()
    n_in = n_ok + len(errors)
    io.report_counts(STAGE, n_in, n_ok, len(errors), extra={k: round(v, 4) for k, v in stats.items()}, quiet=quiet)
    return ({"in": n_in, "ok": n_ok, "pairs": n_ok, "errors": len(errors), **stats, "chunks": len(chunks),
             "resumed_chunks": resumed}, fractions, errors)


def run_masking(pairs_path: str, out_dir: str, tokenizer: str, masking: MaskingConfig) -> dict:
    """The masking stage of a run: ``out_dir/{masks.parquet, errors.parquet, stats.json, key_fraction.png}``
    (``mask_file``, resumable from ``out_dir/parts``). Ray must be initialised by the caller.

    Returns:
        ``mask_file``'s counts.
    """
    result, fractions, errors = mask_file(pairs_path, io.join(out_dir, "masks.parquet"),
                                          io.join(out_dir, "errors.parquet"), tokenizer, masking,
                                          io.join(out_dir, "parts"))
    reasons = {r: sum(e["reason"] == r for e in errors) for r in sorted({e["reason"] for e in errors})}
    io.write_json({**result, "errors_by_reason": reasons, "tokenizer": tokenizer, "masking": masking.model_dump()},
                  io.join(out_dir, "stats.json"))
    fractions.plot(os.path.join(out_dir, "key_fraction.png"))
    return result


def mask_to_file(pairs_path: str, tokenizer: str, masking: MaskingConfig, out: str, quiet: bool = False) -> dict:
    """``edit-ray mask``'s masking: the pairs of ``pairs_path`` into ``out`` and, beside it,
    ``<stem>.errors.parquet`` (``mask_file``). Ray must be initialised by the caller.

    Returns:
        Exactly ``{"pairs": N, "errors": M, "key_fraction_chosen": x, "key_fraction_rejected": y}``.
    """
    stem = str(out).removesuffix(".parquet")
    result, _, _ = mask_file(pairs_path, out, stem + ".errors.parquet", tokenizer, masking, stem + ".parts",
                             quiet=quiet)
    return {k: result[k] for k in ("pairs", "errors", "key_fraction_chosen", "key_fraction_rejected")}


def run_masks(cfg, run_dir: str) -> dict:
    """The pipeline's masks step: the dual pairs' key tokens with the student's tokenizer."""
    return run_masking(io.join(run_dir, "dual", "pairs.parquet"), io.join(run_dir, "masks"), cfg.student.model,
                       cfg.masking)


MASKS = Step("masks", run_masks, reads=("masking", "student.model"), after=("dual",), outputs=("masks",),
             done="masks/masks.parquet", shareable=True)
