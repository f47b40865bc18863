"""Training losses of EDIT: stage-1 SFT (paper eq. 4) and stage-2 KRSL (paper eqs. 5-7).

KRSL (Key Reasoning Steps Learning) trains on dual pairs (a correct CoT and a wrong CoT for the same
question): it raises the likelihood of the *key tokens* of the correct CoT (the tokens where it differs
from the wrong one, found by minimum edit distance, edit-method.md §2) and lowers the likelihood of the
key tokens of the wrong CoT. The exact semantics follow the released code (edit-method.md §3.2):

    ℓ(CoT, w)_b = Σ_t w_t · CE_t · mask_t / Σ_t mask_t            (normaliser: ALL response tokens)
    L_KRSL      = mean_b ℓ(CoT⁺, w⁺)_b − mean_b ℓ(CoT⁻, w⁻ · gate)_b

with CE_t = −log p(y_t | y_<t) of the *target* token t (standard shift), w_t the weight of that target
token, mask_t = [label_t ≠ −100], and gate_t = [CE_t < nll_threshold] (no gradient through the gate).
The weights carry the paper's α (chosen key tokens), γ (chosen non-key tokens, 0 in the paper) and β
(rejected key tokens): β is stored positive and the loss subtracts it.

Every function returns ``(loss_sum, denom, metrics)``: a sum and the number it must be divided by
(label tokens for SFT, pairs for KRSL). The training loop adds sums over micro-batches and ranks and
divides once by the all-reduced denominator, so gradient accumulation and data parallelism average in
the paper's unit. ``metrics`` holds detached scalars for logging.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def token_nll(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token negative log-likelihood of the next token, in fp32.

    Args:
        logits: ``(B, T, V)`` logits of positions ``0..T-1``.
        labels: ``(B, T)`` token ids, ``-100`` where no loss is taken (prompt, padding).
    Returns:
        ``(nll, mask)``, both ``(B, T-1)``: ``nll[b, t]`` = −log p(labels[b, t+1] | ≤ t) where ``mask`` is
        true and 0 elsewhere.
    """
    # shift the labels, not the logits (as transformers does): the (B, T, V) logits are never copied
    targets = F.pad(labels[:, 1:], (0, 1), value=IGNORE_INDEX)
    # fp32 softmax, as the reference (bf16 log-probs lose the small differences KRSL pushes on)
    nll = F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX,
                          reduction="none").view(targets.shape)
    return nll[:, :-1], (targets != IGNORE_INDEX)[:, :-1]


def sft_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """Stage-1 SFT, paper eq. 4: cross-entropy on response tokens only.

    π_sft = argmax E_{(q, CoT)} log π(CoT | q); the prompt q has label −100.

    Args:
        logits: ``(B, T, V)``.
        labels: ``(B, T)``, −100 on prompt and padding tokens.
    Returns:
        ``loss_sum`` (scalar, Σ of CE over label tokens), ``denom`` (number of label tokens, a float tensor),
        ``metrics`` {"nll_sum", "tokens"} (detached).
    """
    nll, mask = token_nll(logits, labels)
    loss_sum = nll.sum()
    denom = mask.sum().float()
    return loss_sum, denom, {"nll_sum": loss_sum.detach(), "tokens": denom.detach()}


def krsl_loss(
    logits_pos: torch.Tensor,
    labels_pos: torch.Tensor,
    w_pos: torch.Tensor,
    logits_neg: torch.Tensor,
    labels_neg: torch.Tensor,
    w_neg: torch.Tensor,
    nll_threshold: float,
    rejected_loss: Literal["nll", "unlikelihood"] = "nll",
    key_pos: torch.Tensor | None = None,
    key_neg: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """Stage-2 KRSL loss, paper eqs. 5-7 as the released code computes them (edit-method.md §3.2).

    Per pair b, with the shift (position t predicts token t+1; w and key are read at the target token):

        ℓ⁺_b = Σ_t w⁺_t CE⁺_t mask⁺_t / Σ_t mask⁺_t
        ℓ⁻_b = Σ_t w⁻_t g_t CE⁻_t mask⁻_t / Σ_t mask⁻_t,     g_t = [CE⁻_t < nll_threshold] (no grad)
        loss_sum = Σ_b ℓ⁺_b − Σ_b ℓ⁻_b        (rejected_loss="nll", the paper: ascent on wrong key tokens)
        loss_sum = Σ_b ℓ⁺_b + Σ_b ℓ⁻_b  with CE⁻_t replaced by −log(1 − p_t)   (rejected_loss="unlikelihood")

    The normaliser is the number of *all* response tokens of each CoT (EOS included), not the number of
    key tokens, so a long CoT with few key tokens contributes a small loss. The caller gets logits of
    chosen and rejected from one forward pass over the batch-concatenated pair.

    Args:
        logits_pos, logits_neg: ``(B, T, V)`` logits of chosen / rejected sequences (T may differ).
        labels_pos, labels_neg: ``(B, T)`` ids, −100 on prompt and padding.
        w_pos: ``(B, T)`` weights per token of the chosen CoT (α on key tokens, γ elsewhere).
        w_neg: ``(B, T)`` weights per token of the rejected CoT (β ≥ 0 on key tokens, 0 elsewhere).
        nll_threshold: rejected tokens whose current NLL is ≥ this get no push (the gate).
        rejected_loss: "nll" (paper) or "unlikelihood" (bounded alternative, off by default).
        key_pos, key_neg: optional ``(B, T)`` 0/1 key masks, only for the logged key NLLs
            (default: tokens with a weight > 0).
    Returns:
        ``loss_sum`` (scalar), ``denom`` (number of pairs B), ``metrics`` with ``chosen_key_nll`` and
        ``rejected_key_nll`` (mean NLL over key tokens of the batch), ``chosen_loss`` / ``rejected_loss``
        (Σ_b ℓ⁺_b and Σ_b ℓ⁻_b) and ``gated`` (rejected key tokens switched off by the gate).
    Raises:
        ValueError: an unknown ``rejected_loss``.
    """
    nll_pos, mask_pos = token_nll(logits_pos, labels_pos)
    nll_neg, mask_neg = token_nll(logits_neg, labels_neg)
    wp = w_pos[:, 1:].float() * mask_pos
    wn = w_neg[:, 1:].float() * mask_neg
    gate = (nll_neg.detach() < nll_threshold).float()

    n_pos = mask_pos.sum(1).clamp(min=1).float()  # response tokens per chosen CoT
    n_neg = mask_neg.sum(1).clamp(min=1).float()
    chosen = ((wp * nll_pos).sum(1) / n_pos).sum()
    match rejected_loss:
        case "nll":
            rejected = ((wn * gate * nll_neg).sum(1) / n_neg).sum()
            loss_sum = chosen - rejected
        case "unlikelihood":
            # −log(1 − p) with p = exp(−NLL); clamped so p = 1 gives a large finite value, not inf
            p = torch.exp(-nll_neg).clamp(max=1 - 1e-6)
            unlikely = -torch.log1p(-p) * mask_neg
            rejected = ((wn * gate * unlikely).sum(1) / n_neg).sum()
            loss_sum = chosen + rejected
        case _:
            raise ValueError(f"rejected_loss={rejected_loss!r}; valid: 'nll', 'unlikelihood'")

    kp = (key_pos[:, 1:] > 0) & mask_pos if key_pos is not None else wp > 0
    kn = (key_neg[:, 1:] > 0) & mask_neg if key_neg is not None else wn > 0
    metrics = {
        "chosen_key_nll": (nll_pos.detach() * kp).sum() / kp.sum().clamp(min=1),
        "rejected_key_nll": (nll_neg.detach() * kn).sum() / kn.sum().clamp(min=1),
        "chosen_loss": chosen.detach(),
        "rejected_loss": rejected.detach(),
        "gated": (kn & (gate == 0)).sum().float(),
    }
    denom = torch.tensor(float(logits_pos.shape[0]), device=logits_pos.device)
    return loss_sum, denom, metrics
