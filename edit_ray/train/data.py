"""Training examples for stage 1 (SFT) and stage 2 (KRSL): tokens, labels, weights, batches.

Reads (docs/CONTRACTS.md):
- SFT table ``dual/sft.parquet``: row_id, qid, task, prompt, response.
- KRSL table ``masks/masks.parquet``: pair_id, prompt_ids, chosen_ids, rejected_ids, chosen_key,
  rejected_key (0/1 per response token).
Writes (to the Ray Dataset the workers read): SFT rows {row_id, input_ids, labels}; KRSL rows {row_id,
chosen_input_ids, chosen_labels, chosen_w, chosen_key, rejected_input_ids, rejected_labels, rejected_w,
rejected_key}. Labels are −100 on prompt tokens; sequences longer than ``max_length`` are cut from the
right. KRSL weights come from the key masks here, with α/β/γ of the current config (so a Tune sweep over
α/β needs no re-masking): chosen = key_weights(chosen_key, α, γ), rejected = key_weights(rejected_key, β, 0).

A row that cannot be used (no response token left after truncation, masks not aligned with ids) gets an
``error`` (reason, detail) and goes to the stage's errors table instead of the batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from edit_ray.train.losses import IGNORE_INDEX

ERROR_REASONS = ("no_response_tokens", "misaligned_mask", "bad_row")


# ------------------------------------------------------------------------------------ examples
def sequence(prompt_ids: list[int], response_ids: list[int], max_length: int) -> tuple[list[int], list[int]]:
    """``(input_ids, labels)`` of prompt + response, cut from the right at ``max_length``."""
    ids = (list(prompt_ids) + list(response_ids))[:max_length]
    labels = ([IGNORE_INDEX] * len(prompt_ids) + list(response_ids))[:max_length]
    return ids, labels


def krsl_side(prompt_ids, response_ids, key, on: float, off: float, max_length: int, where: str):
    """One side (chosen or rejected) of a KRSL pair: ids, labels, per-token weights, 0/1 key mask."""
    from edit_ray.masking.kernel import key_weights

    if len(key) != len(response_ids):
        raise ValueError(f"misaligned_mask: {where}_key has {len(key)} entries, {where}_ids {len(response_ids)}")
    ids, labels = sequence(prompt_ids, response_ids, max_length)
    n_prompt = len(prompt_ids)
    w = np.concatenate([np.zeros(n_prompt, np.float32), np.asarray(key_weights(key, on, off), np.float32)])
    k = np.concatenate([np.zeros(n_prompt, np.int8), np.asarray(key, np.int8)])
    return ids, labels, w[: len(ids)], k[: len(ids)]


class SFTExamples:
    """Ray Data ``map_batches`` callable: SFT rows -> {row_id, input_ids, labels, error}.

    One tokenizer per actor (loading it is the costly part). Tokenization is ``edit_ray.tokens.tokenize_pair``,
    the same as masking uses.
    """

    def __init__(self, tokenizer_dir: str, max_length: int):
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
        self.max_length = max_length

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        from edit_ray.tokens import tokenize_pair

        out: dict[str, list] = {"row_id": [], "input_ids": [], "labels": [], "error": []}
        for row_id, prompt, response in zip(batch["row_id"], batch["prompt"], batch["response"]):
            ids, labels, error = [], [], None
            if not isinstance(prompt, str) or not isinstance(response, str):
                error = f"bad_row: prompt/response must be strings, got {type(prompt).__name__}/{type(response).__name__}"
            else:
                p, r = tokenize_pair(self.tokenizer, prompt, response)
                ids, labels = sequence(p, r, self.max_length)
                if all(x == IGNORE_INDEX for x in labels):
                    error = f"no_response_tokens: prompt has {len(p)} tokens >= max_length {self.max_length}"
            out["row_id"].append(str(row_id))
            out["input_ids"].append(np.asarray(ids, np.int64))
            out["labels"].append(np.asarray(labels, np.int64))
            out["error"].append(error)
        return out


def krsl_examples(batch: dict[str, np.ndarray], alpha: float, beta: float, gamma: float, max_length: int) -> dict:
    """Ray Data ``map_batches`` function: masks rows -> KRSL example rows (with an ``error`` column)."""
    cols = ("chosen_input_ids", "chosen_labels", "chosen_w", "chosen_key",
            "rejected_input_ids", "rejected_labels", "rejected_w", "rejected_key")
    out: dict[str, list] = {"row_id": [], "error": [], **{c: [] for c in cols}}
    for i, pair_id in enumerate(batch["pair_id"]):
        prompt = list(batch["prompt_ids"][i])
        try:
            pos = krsl_side(prompt, batch["chosen_ids"][i], batch["chosen_key"][i], alpha, gamma, max_length, "chosen")
            neg = krsl_side(prompt, batch["rejected_ids"][i], batch["rejected_key"][i], beta, 0.0, max_length,
                            "rejected")
            error = None
            if all(x == IGNORE_INDEX for x in pos[1]) or all(x == IGNORE_INDEX for x in neg[1]):
                error = f"no_response_tokens: prompt has {len(prompt)} tokens >= max_length {max_length}"
        except ValueError as e:  # misaligned masks: a row error, not a dead run
            pos = neg = ([], [], np.zeros(0, np.float32), np.zeros(0, np.int8))
            error = str(e)
        out["row_id"].append(str(pair_id))
        out["error"].append(error)
        for prefix, side in (("chosen", pos), ("rejected", neg)):
            out[f"{prefix}_input_ids"].append(np.asarray(side[0], np.int64))
            out[f"{prefix}_labels"].append(np.asarray(side[1], np.int64))
            out[f"{prefix}_w"].append(side[2])
            out[f"{prefix}_key"].append(side[3])
    return out


# ------------------------------------------------------------------------------------- batches
def epoch_order(n_rows: int, epoch: int, seed: int, rank: int, world: int, batch_size: int,
                lengths: list[int] | None = None) -> list[list[int]]:
    """Row indices of this rank's micro-batches for one epoch.

    A seeded permutation per epoch, dealt round-robin to ranks and cut to the same number of full
    micro-batches on every rank (collectives need equal step counts). The same (seed, epoch) always gives
    the same order, which is what makes a resumed run repeat the uninterrupted one.

    With ``lengths`` (``train.group_by_length``), each rank's rows are sorted by length within windows of
    ``GROUP_WINDOW`` batches and the batches of a window shuffled again, so a batch pads to a similar length
    instead of its longest task's (the padding is computed for nothing); the order stays seeded.
    """
    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    perm = torch.randperm(n_rows, generator=g).tolist()
    per_rank = n_rows // world // batch_size * batch_size
    mine = perm[rank::world][:per_rank]
    batches = [mine[i : i + batch_size] for i in range(0, per_rank, batch_size)]
    if lengths is None:
        return batches
    grouped = []
    for w in range(0, len(batches), GROUP_WINDOW):
        window = sorted((i for b in batches[w : w + GROUP_WINDOW] for i in b), key=lambda i: (lengths[i], i))
        cut = [window[i : i + batch_size] for i in range(0, len(window), batch_size)]
        grouped += [cut[j] for j in torch.randperm(len(cut), generator=g).tolist()]
    return grouped


GROUP_WINDOW = 16  # batches sorted together by length: long enough to pair like lengths, short enough to mix


def example_tokens(row: dict) -> int:
    """Tokens one example puts through the model: its sequence (SFT) or both of its sequences (KRSL)."""
    if "input_ids" in row:
        return len(row["input_ids"])
    return len(row["chosen_input_ids"]) + len(row["rejected_input_ids"])


def steps_for_token_budget(lengths: list[int], budget: int, seed: int, world: int, batch_size: int,
                           grad_accum: int, group_by_length: bool = False) -> int:
    """Optimizer steps until ``budget`` tokens have been seen over all ranks (at least 1), following the exact
    per-epoch order of ``epoch_order``, the data repeated as often as needed. Every rank computes the same."""
    by = lengths if group_by_length else None
    steps_per_epoch = len(epoch_order(len(lengths), 0, seed, 0, world, batch_size)) // grad_accum
    if steps_per_epoch == 0:
        raise ValueError("token_budget: the data cannot fill one step")
    step, seen, epoch = 0, 0, 0
    while True:
        orders = [epoch_order(len(lengths), epoch, seed, r, world, batch_size, by) for r in range(world)]
        for s in range(steps_per_epoch):
            seen += sum(lengths[i] for order in orders for m in order[s * grad_accum:(s + 1) * grad_accum]
                        for i in m)
            step += 1
            if seen >= budget:
                return step
        epoch += 1


def _pad(seqs: list, value, dtype) -> torch.Tensor:
    T = max(len(s) for s in seqs)
    out = torch.full((len(seqs), T), value, dtype=dtype)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.as_tensor(np.array(s), dtype=dtype)  # copy: Ray's arrays are read-only
    return out


def collate_sft(rows: list[dict], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad to the longest row of the batch (dynamic padding). Returns input_ids, attention_mask, labels."""
    ids = [r["input_ids"] for r in rows]
    input_ids = _pad(ids, pad_id, torch.long)
    return {
        "input_ids": input_ids,
        "attention_mask": _pad([np.ones(len(s)) for s in ids], 0, torch.long),
        "labels": _pad([r["labels"] for r in rows], IGNORE_INDEX, torch.long),
        "tokens": torch.tensor(sum(len(s) for s in ids)),  # real (unpadded) tokens, for tokens/s
    }


def collate_krsl(rows: list[dict], pad_id: int) -> dict[str, torch.Tensor]:
    """Chosen rows then rejected rows in one batch of 2B sequences, right-padded to a common length,
    so one forward pass serves both sides (as the reference's ``concat`` forward)."""
    ids = [r["chosen_input_ids"] for r in rows] + [r["rejected_input_ids"] for r in rows]
    return {
        "input_ids": _pad(ids, pad_id, torch.long),
        "attention_mask": _pad([np.ones(len(s)) for s in ids], 0, torch.long),
        "labels": _pad([r["chosen_labels"] for r in rows] + [r["rejected_labels"] for r in rows], IGNORE_INDEX,
                       torch.long),
        "weights": _pad([r["chosen_w"] for r in rows] + [r["rejected_w"] for r in rows], 0.0, torch.float32),
        "key": _pad([r["chosen_key"] for r in rows] + [r["rejected_key"] for r in rows], 0, torch.long),
        "tokens": torch.tensor(sum(len(s) for s in ids)),
    }


def pack_sft(rows: list[dict], max_length: int, pad_id: int) -> dict[str, torch.Tensor]:
    """SFT packing: greedily put whole sequences into rows of at most ``max_length`` tokens.

    ``position_ids`` restart at 0 for each packed sequence and ``attention_mask`` is a 4D block-diagonal
    causal mask ``(B, 1, T, T)`` (True = may attend), so no token sees another sequence: the packed
    forward equals the separate ones (a test checks it; transformers does not infer this from
    position_ids alone with SDPA). A sequence's first token is a prompt token (label −100), so the token
    before a boundary never learns to predict the next sequence.
    """
    bins: list[list[dict]] = []
    for r in sorted(rows, key=lambda r: -len(r["input_ids"])):
        for b in bins:
            if sum(len(x["input_ids"]) for x in b) + len(r["input_ids"]) <= max_length:
                b.append(r)
                break
        else:
            bins.append([r])
    cat = lambda b, k: np.concatenate([np.asarray(x[k]) for x in b])
    pos = [np.concatenate([np.arange(len(x["input_ids"])) for x in b]) for b in bins]
    doc = _pad([np.concatenate([np.full(len(x["input_ids"]), i) for i, x in enumerate(b)]) for b in bins], -1,
               torch.long)  # padding is its own "document" (-1)
    T = doc.shape[1]
    mask = (doc[:, :, None] == doc[:, None, :]) & torch.tril(torch.ones(T, T, dtype=torch.bool))
    return {
        "input_ids": _pad([cat(b, "input_ids") for b in bins], pad_id, torch.long),
        "attention_mask": mask[:, None],
        "labels": _pad([cat(b, "labels") for b in bins], IGNORE_INDEX, torch.long),
        "position_ids": _pad(pos, 0, torch.long),
        "tokens": torch.tensor(sum(len(x["input_ids"]) for x in rows)),
    }


def first_label_position(labels: torch.Tensor) -> int:
    """Smallest index of a label token over the batch (−1 when there is none): logits before it are never
    scored, so the model can skip them (``logits_to_keep``)."""
    has = (labels != IGNORE_INDEX).any(0).nonzero()
    return int(has[0]) if len(has) else -1
