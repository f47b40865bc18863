"""The two training objectives, chosen once per run: stage 1 SFT and stage 2 KRSL.

An objective says how rows become a batch (``collate``), what the loss of a batch is divided by before the
step (``denominator``: label tokens for SFT, pairs for KRSL), the loss itself (``loss``: a sum, its divisor
and per-batch metrics, from ``losses.py``) and which of those metrics the loop averages over ranks and logs
(``step_metrics``) or reports on the validation set (``val_metrics``). The loop in ``loop.py`` calls these
and has no branch on the stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from edit_ray.train.data import collate_krsl, collate_sft, pack_sft
from edit_ray.train.losses import IGNORE_INDEX, krsl_loss, sft_loss


@dataclass(frozen=True)
class Objective:
    name: str
    collate: Callable[[list[dict], object, int], dict[str, torch.Tensor]]  # (rows, stage cfg, pad_id)
    denominator: Callable[[dict[str, torch.Tensor]], float]
    # (logits, labels, batch, stage cfg, start position) -> (loss sum, divisor, metrics)
    loss: Callable[..., tuple]
    step_metrics: tuple[str, ...] = ()
    val_metrics: tuple[str, ...] = ()


def _sft_collate(rows: list[dict], cfg, pad_id: int) -> dict[str, torch.Tensor]:
    return pack_sft(rows, cfg.max_length, pad_id) if cfg.packing else collate_sft(rows, pad_id)


def _sft_loss(logits, labels, batch, cfg, start: int) -> tuple:
    return sft_loss(logits, labels)


def _krsl_loss(logits, labels, batch, cfg, start: int) -> tuple:
    # chosen and rejected sequences went through the model together: the first half is chosen
    b = logits.shape[0] // 2
    w, key = batch["weights"][:, start:], batch["key"][:, start:]
    return krsl_loss(logits[:b], labels[:b], w[:b], logits[b:], labels[b:], w[b:], cfg.nll_threshold,
                     cfg.rejected_loss, key_pos=key[:b], key_neg=key[b:])


SFT = Objective("sft", collate=_sft_collate,
                denominator=lambda batch: float((batch["labels"][:, 1:] != IGNORE_INDEX).sum()),
                loss=_sft_loss)
# KRSL's validation metric: the mean NLL of the correct CoTs' key tokens. The KRSL loss subtracts beta x the
# wrong side's NLL, so it is not comparable across beta; the key-token NLL is (what a sweep over alpha and
# beta ranks by).
KRSL = Objective("krsl", collate=lambda rows, cfg, pad_id: collate_krsl(rows, pad_id),
                 denominator=lambda batch: batch["input_ids"].shape[0] / 2, loss=_krsl_loss,
                 step_metrics=("chosen_key_nll", "rejected_key_nll"), val_metrics=("chosen_key_nll",))
OBJECTIVES = {o.name: o for o in (SFT, KRSL)}


def objective_for(stage: str) -> Objective:
    if stage not in OBJECTIVES:
        raise ValueError(f"stage={stage!r}; valid: {', '.join(OBJECTIVES)}")
    return OBJECTIVES[stage]
