"""Training examples and batches (edit_ray/train/data.py), the one-pass KRSL forward and checkpoint fallback, without Ray."""

import os

import numpy as np
import pytest
import torch

from edit_ray.config import KRSLConfig, SFTConfig
from edit_ray.train.data import collate_krsl, collate_sft, epoch_order, krsl_examples, pack_sft, sequence
from edit_ray.train.loop import loss_on_batch, report_kind
from edit_ray.train.losses import krsl_loss, sft_loss
from edit_ray.train.objectives import KRSL, SFT

X = -100


def test_sequence_masks_prompt_and_truncates_from_the_right():
    assert sequence([1, 2, 3], [7, 8, 9], max_length=5) == ([1, 2, 3, 7, 8], [X, X, X, 7, 8])


def test_krsl_examples_weight_key_tokens_with_alpha_gamma_and_beta():
    batch = {"pair_id": np.array(["p0", "p1"]), "prompt_ids": [[1, 2], [1, 2]],
             "chosen_ids": [[5, 6, 7], [5, 6]], "rejected_ids": [[5, 9, 7], [5, 6]],
             "chosen_key": [[0, 1, 0], [0, 1, 1]], "rejected_key": [[0, 1, 0], [1, 0]]}
    out = krsl_examples(batch, alpha=1.0, beta=0.025, gamma=0.1, max_length=4)
    assert out["error"][0] is None
    assert out["chosen_input_ids"][0].tolist() == [1, 2, 5, 6]  # cut at max_length 4
    assert out["chosen_labels"][0].tolist() == [X, X, 5, 6]
    assert out["chosen_w"][0].tolist() == pytest.approx([0, 0, 0.1, 1.0])  # prompt 0, non-key gamma, key alpha
    assert out["rejected_w"][0].tolist() == pytest.approx([0, 0, 0, 0.025])  # key beta, elsewhere 0
    # p1: chosen_key has 3 entries for 2 chosen tokens -> a row error naming the field, not a crash
    assert out["error"][1].startswith("misaligned_mask") and "chosen_key" in out["error"][1]


def test_epoch_order_is_deterministic_disjoint_and_equal_across_ranks():
    a0, a1 = epoch_order(10, 3, 42, 0, 2, 2), epoch_order(10, 3, 42, 1, 2, 2)
    assert a0 == epoch_order(10, 3, 42, 0, 2, 2)  # same (seed, epoch) -> same order: what resume relies on
    assert len(a0) == len(a1) == 2  # 10 rows / 2 ranks = 5 -> 2 full batches of 2 each
    flat0, flat1 = [i for b in a0 for i in b], [i for b in a1 for i in b]
    assert not set(flat0) & set(flat1)
    assert epoch_order(10, 4, 42, 0, 2, 2) != a0  # a new permutation each epoch


def test_packing_keeps_every_token_and_restarts_positions():
    rows = [{"input_ids": [1, 2, 3], "labels": [X, 2, 3]}, {"input_ids": [4, 5], "labels": [X, 5]},
            {"input_ids": [6, 7, 8, 9], "labels": [X, X, 8, 9]}]
    b = pack_sft(rows, max_length=6, pad_id=0)
    assert b["input_ids"].shape == (2, 6)
    assert b["input_ids"][0].tolist() == [6, 7, 8, 9, 4, 5] and b["position_ids"][0].tolist() == [0, 1, 2, 3, 0, 1]
    assert b["input_ids"][1].tolist() == [1, 2, 3, 0, 0, 0] and b["labels"][1].tolist() == [X, 2, 3, X, X, X]
    assert b["tokens"].item() == 9
    # block-diagonal causal mask: token 4 (first of the 2nd sequence) sees only itself
    assert b["attention_mask"][0, 0, 4].tolist() == [False, False, False, False, True, False]


def test_packed_sequences_do_not_attend_across_boundaries(tiny):
    rows = [{"input_ids": [11, 12, 13, 14], "labels": [X, 12, 13, 14]}, {"input_ids": [21, 22, 23], "labels": [X, 22, 23]}]
    b = pack_sft(rows, max_length=8, pad_id=0)
    with torch.no_grad():
        packed = tiny(input_ids=b["input_ids"], position_ids=b["position_ids"],
                      attention_mask=b["attention_mask"]).logits[0, 4:7]
        alone = tiny(input_ids=torch.tensor([[21, 22, 23]])).logits[0]
    assert torch.allclose(packed, alone, atol=1e-4)


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    return AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()


def test_krsl_one_forward_pass_equals_separate_passes(tiny):
    rng = np.random.default_rng(0)
    rows = []
    for n_prompt, n_c, n_r in ((3, 5, 4), (6, 2, 7)):
        p = rng.integers(3, 1000, n_prompt).tolist()
        c, r = rng.integers(3, 1000, n_c).tolist(), rng.integers(3, 1000, n_r).tolist()
        kc, kr = rng.integers(0, 2, n_c), rng.integers(0, 2, n_r)
        rows.append({
            "chosen_input_ids": p + c, "chosen_labels": [X] * n_prompt + c,
            "chosen_w": np.r_[np.zeros(n_prompt), kc * 1.0], "chosen_key": np.r_[np.zeros(n_prompt), kc],
            "rejected_input_ids": p + r, "rejected_labels": [X] * n_prompt + r,
            "rejected_w": np.r_[np.zeros(n_prompt), kr * 0.5], "rejected_key": np.r_[np.zeros(n_prompt), kr]})
    cfg = KRSLConfig()
    with torch.no_grad():
        got, denom, _ = loss_on_batch(tiny, collate_krsl(rows, pad_id=0), KRSL, cfg, torch.device("cpu"))
        # reference: chosen and rejected in separate passes, full logits
        pos = collate_sft([{"input_ids": r["chosen_input_ids"], "labels": r["chosen_labels"]} for r in rows], 0)
        neg = collate_sft([{"input_ids": r["rejected_input_ids"], "labels": r["rejected_labels"]} for r in rows], 0)
        lp = tiny(input_ids=pos["input_ids"], attention_mask=pos["attention_mask"]).logits
        ln = tiny(input_ids=neg["input_ids"], attention_mask=neg["attention_mask"]).logits
        wp = collate_krsl(rows, 0)["weights"]
        want, _, _ = krsl_loss(lp, pos["labels"], wp[:2, : lp.shape[1]], ln, neg["labels"], wp[2:, : ln.shape[1]],
                               cfg.nll_threshold)
    assert denom.item() == 2
    assert got.item() == pytest.approx(want.item(), rel=1e-5)


def test_sft_loss_on_batch_equals_hf_loss(tiny):
    rows = [{"input_ids": [5, 6, 7, 8, 9], "labels": [X, X, 7, 8, 9]}, {"input_ids": [10, 11, 12], "labels": [X, 11, 12]}]
    batch = collate_sft(rows, pad_id=0)
    with torch.no_grad():
        s, d, _ = loss_on_batch(tiny, batch, SFT, SFTConfig(), torch.device("cpu"))
        hf = tiny(**batch).loss  # transformers' own mean CE over label tokens
    assert d.item() == 5
    assert (s / d).item() == pytest.approx(hf.item(), rel=1e-5)
    # the loss function itself on the same logits: the sum over the 5 label tokens, the count, the metrics
    with torch.no_grad():
        logits = tiny(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    loss_sum, denom, metrics = sft_loss(logits, batch["labels"])
    assert (denom.item(), metrics["tokens"]) == (5, 5)
    assert (loss_sum / denom).item() == pytest.approx(hf.item(), rel=1e-5)


def _reports(total_steps: int, steps_per_epoch: int, checkpoint_every: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"checkpoint": [], "metrics": []}
    for step in range(1, total_steps + 1):
        kind = report_kind(step, step % steps_per_epoch, total_steps, checkpoint_every)
        if kind is not None:
            out[kind].append(step)
    return out


def test_ray_train_gets_reports_at_checkpoints_epoch_ends_and_the_last_step_only():
    # Ray Train V2 takes one report per worker every 2 s: a report per step held each step to 2 s
    assert _reports(10, 4, 0) == {"checkpoint": [4, 8, 10], "metrics": []}
    assert _reports(10, 4, 3) == {"checkpoint": [3, 6, 9, 10], "metrics": [4, 8]}
    assert _reports(8, 4, 4) == {"checkpoint": [4, 8], "metrics": []}
    assert _reports(3, 12, 0) == {"checkpoint": [3], "metrics": []}  # max_steps before the first epoch end


def test_length_grouped_order_keeps_each_ranks_rows_and_cuts_padding():
    lengths = [(37 * i) % 300 + 20 for i in range(96)]
    for rank in (0, 1):
        plain = epoch_order(96, 2, 7, rank, 2, 4)
        grouped = epoch_order(96, 2, 7, rank, 2, 4, lengths)
        assert grouped == epoch_order(96, 2, 7, rank, 2, 4, lengths)  # seeded: a resume repeats it
        assert sorted(i for b in grouped for i in b) == sorted(i for b in plain for i in b)  # same rows
        assert len(grouped) == len(plain) and all(len(b) == 4 for b in grouped)

        def padded(batches):  # tokens computed when each batch pads to its longest row
            return sum(len(b) * max(lengths[i] for i in b) for b in batches)

        assert padded(grouped) < 0.8 * padded(plain)


def test_a_truncated_checkpoint_falls_back_to_the_one_before_it(tmp_path, tiny_model_dir):
    """Two checkpoints as Ray Train keeps them (newest last by name); the newest's model.pt is cut in half:
    resuming loads the older one, names the bad file, and leaves no half-loaded state behind."""
    import torch

    from edit_ray.config import SFTConfig
    from edit_ray.train.checkpoint import Progress, load_newest_valid, resume_candidates, save_state
    from edit_ray.train.strategies import build_model

    def setup():
        m = build_model(tiny_model_dir, None)
        o = torch.optim.AdamW(m.parameters(), lr=1e-2)
        return m, o, torch.optim.lr_scheduler.StepLR(o, 1)

    cfg = SFTConfig(lr=1e-2)
    model, opt, sched = setup()
    engine = None
    dirs = []
    for step in (2, 4):
        with torch.no_grad():
            next(model.parameters()).fill_(float(step))  # a recognisable state per checkpoint
        d = tmp_path / "run" / f"checkpoint_2026-12-01_00-00-0{step}.000000"
        d.mkdir(parents=True)
        save_state(str(d), model, opt, sched, engine, cfg, Progress(step=step, epoch=0, step_in_epoch=step), False)
        dirs.append(str(d))
    bad = os.path.join(dirs[1], "model.pt")
    with open(bad, "rb") as f:
        data = f.read()
    with open(bad, "wb") as f:
        f.write(data[: len(data) // 2])

    assert resume_candidates(dirs[1]) == [dirs[1], dirs[0]]
    fresh, opt2, sched2 = setup()
    messages: list[str] = []
    progress = load_newest_valid(resume_candidates(dirs[1]), fresh, opt2, sched2, None, False, log=messages.append)
    assert progress.step == 2 and float(next(fresh.parameters()).flatten()[0]) == 2.0
    assert len(messages) == 1 and bad in messages[0]
    # nothing readable: a fresh start, said so
    os.remove(os.path.join(dirs[0], "progress.json"))
    messages.clear()
    assert load_newest_valid(resume_candidates(dirs[1]), fresh, opt2, sched2, None, False,
                             log=messages.append).step == 0
    assert "progress.json" in messages[1] and "starts from step 0" in messages[-1]
