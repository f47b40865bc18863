"""SFT and KRSL losses against values computed by hand (edit-method.md §3.1-3.2).

Vocabulary of 2 tokens, so probabilities are easy: logits [0, 0] give p = (1/2, 1/2); [ln 3, 0] give
p = (3/4, 1/4); [0, ln 3] give p = (1/4, 3/4). Position t's logits score the label at t + 1 (the shift).
"""

from math import log

import pytest
import torch

from edit_ray.train.losses import krsl_loss, sft_loss

L3 = log(3.0)
X = -100


def logits_of(*rows):
    return torch.tensor([list(rows)], dtype=torch.float32, requires_grad=True)


# chosen: labels [-, 0, 1, 1]; scored by positions 0, 1, 2 (position 3 is never scored)
POS_LOGITS = [[0.0, 0.0], [L3, 0.0], [0.0, L3], [5.0, -5.0]]
POS_LABELS = torch.tensor([[X, 0, 1, 1]])
# CE of targets: t=1: p(0)=1/2 -> ln 2; t=2: p(1)=1/4 -> ln 4; t=3: p(1)=3/4 -> ln 4/3
# rejected: labels [-, -, 1, 0]; t=2 scored by position 1: p(1)=1/4 -> ln 4; t=3 by position 2: p(0)=3/4 -> ln 4/3
NEG_LOGITS = [[9.0, 9.0], [L3, 0.0], [L3, 0.0], [1.0, 2.0]]
NEG_LABELS = torch.tensor([[X, X, 1, 0]])


def test_sft_loss_is_response_token_sum_over_label_count():
    loss_sum, denom, _ = sft_loss(logits_of(*POS_LOGITS), POS_LABELS)
    # ln 2 + ln 4 + ln 4/3 = ln 32/3, over 3 label tokens
    assert denom.item() == 3
    assert loss_sum.item() == pytest.approx(log(32 / 3), rel=1e-6)


def test_krsl_normalises_by_all_response_tokens_and_subtracts_rejected():
    w_pos = torch.tensor([[0.0, 1.0, 0.0, 1.0]])  # alpha = 1 on key tokens 1 and 3 (weights of the target token)
    w_neg = torch.tensor([[0.0, 0.0, 0.5, 0.5]])  # beta = 0.5 on both rejected response tokens
    loss, denom, m = krsl_loss(logits_of(*POS_LOGITS), POS_LABELS, w_pos, logits_of(*NEG_LOGITS), NEG_LABELS, w_neg,
                               nll_threshold=20.0)
    chosen = (1 * log(2) + 0 * log(4) + 1 * log(4 / 3)) / 3  # 3 response tokens, not the 2 key tokens
    rejected = (0.5 * log(4) + 0.5 * log(4 / 3)) / 2
    assert denom.item() == 1
    assert m["chosen_loss"].item() == pytest.approx(chosen, rel=1e-6)
    assert m["rejected_loss"].item() == pytest.approx(rejected, rel=1e-6)
    assert loss.item() == pytest.approx(chosen - rejected, rel=1e-6)
    # logged key NLLs: means over tokens with weight > 0
    assert m["chosen_key_nll"].item() == pytest.approx((log(2) + log(4 / 3)) / 2, rel=1e-6)
    assert m["rejected_key_nll"].item() == pytest.approx((log(4) + log(4 / 3)) / 2, rel=1e-6)


def test_krsl_ignores_rejected_tokens_above_nll_threshold():
    w_pos = torch.tensor([[0.0, 1.0, 0.0, 1.0]])
    w_neg = torch.tensor([[0.0, 0.0, 0.5, 0.5]])
    lneg = logits_of(*NEG_LOGITS)
    loss, _, m = krsl_loss(logits_of(*POS_LOGITS), POS_LABELS, w_pos, lneg, NEG_LABELS, w_neg, nll_threshold=1.0)
    # ln 4 = 1.386 >= 1.0 is gated off; ln 4/3 = 0.288 < 1.0 stays
    rejected = 0.5 * log(4 / 3) / 2
    assert m["rejected_loss"].item() == pytest.approx(rejected, rel=1e-6)
    assert m["gated"].item() == 1
    loss.backward()
    # the gated token (target t=2, scored by position 1) gets no gradient at all
    assert torch.all(lneg.grad[0, 1] == 0)
    # the kept token is pushed *down*: gradient ascent on its CE, so d loss / d logit(target) > 0
    assert lneg.grad[0, 2, 0].item() > 0


def test_krsl_unlikelihood_adds_minus_log_one_minus_p():
    w_pos = torch.tensor([[0.0, 1.0, 0.0, 1.0]])
    w_neg = torch.tensor([[0.0, 0.0, 0.5, 0.5]])
    loss, _, m = krsl_loss(logits_of(*POS_LOGITS), POS_LABELS, w_pos, logits_of(*NEG_LOGITS), NEG_LABELS, w_neg,
                           nll_threshold=20.0, rejected_loss="unlikelihood")
    chosen = (log(2) + log(4 / 3)) / 3
    # t=2: p=1/4 -> -ln(3/4) = ln 4/3 ; t=3: p=3/4 -> -ln(1/4) = ln 4
    rejected = (0.5 * log(4 / 3) + 0.5 * log(4)) / 2
    assert m["rejected_loss"].item() == pytest.approx(rejected, rel=1e-5)
    assert loss.item() == pytest.approx(chosen + rejected, rel=1e-5)


def test_krsl_batch_sum_with_pair_count_denominator():
    # two pairs: the second has chosen CE ln 2 on its single key token out of 2 response tokens, no rejected key
    lp = torch.tensor([POS_LOGITS, [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]])
    yp = torch.tensor([[X, 0, 1, 1], [X, X, 0, 1]])
    wp = torch.tensor([[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]])
    ln = torch.tensor([NEG_LOGITS, NEG_LOGITS])
    yn = torch.cat([NEG_LABELS, NEG_LABELS])
    wn = torch.tensor([[0.0, 0.0, 0.5, 0.5], [0.0, 0.0, 0.0, 0.0]])
    loss, denom, _ = krsl_loss(lp, yp, wp, ln, yn, wn, nll_threshold=20.0)
    first = (log(2) + log(4 / 3)) / 3 - (0.5 * log(4) + 0.5 * log(4 / 3)) / 2
    second = log(2) / 2
    assert denom.item() == 2
    assert loss.item() == pytest.approx(first + second, rel=1e-6)  # the loop divides by the all-reduced pair count


def test_krsl_rejects_unknown_rejected_loss():
    w = torch.zeros(1, 4)
    with pytest.raises(ValueError, match="unlikelihood"):
        krsl_loss(logits_of(*POS_LOGITS), POS_LABELS, w, logits_of(*NEG_LOGITS), NEG_LABELS, w, 20.0, "hinge")
