"""Key-step masking without Ray: kernel vs the paper's DP, weights, widening, ground truth, rendering."""

from __future__ import annotations

import json
import random

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edit_ray.config import MaskingConfig
from edit_ray.masking import edit_ops, key_masks, key_weights
from edit_ray.masking.kernel import pack_ids, unpack_ids
from edit_ray.masking.reference import (
    count_optimal_alignments,
    reference_distance,
    reference_key_masks,
    reference_ops,
    reference_token_ops,
)
from edit_ray.masking.widen import char_segments, widen, widen_key

CHOSEN = "Alice jumps and lands high so the answer is No"
REJECTED = "Alice jumps despite losing balance and lands high so the answer is Yes"


def words_to_ids(*texts: str) -> list[list[int]]:
    vocab: dict[str, int] = {}
    return [[vocab.setdefault(w, len(vocab)) for w in t.split()] for t in texts]


def keyed(text_tokens: list[str], key: np.ndarray) -> list[str]:
    return [w for w, k in zip(text_tokens, key) if k]


# ------------------------------------------------------------------------------------ reference DP
def test_reference_dp_follows_paper_tie_order_and_strips_prefix():
    # deleting either 'b' costs 1; backtracking from (n, m) prefers delete, so the LAST 'b' is deleted
    assert reference_ops([1, 2, 2], [1, 2]) == ["none", "none", "delete"]
    assert reference_ops([5, 1], [5, 2, 1]) == ["none", "insert", "none"]
    assert reference_ops([1, 2, 3], [1, 9, 3]) == ["none", "replace", "none"]
    assert reference_token_ops([1, 2, 3], [1, 4, 2, 3]) == ["none", "none", "none"]
    assert reference_distance([1, 2, 3, 4], [2, 3, 5]) == 2


# ------------------------------------------------------------------------------------ kernel
def test_paper_worked_example_at_word_level():
    c, r = words_to_ids(CHOSEN, REJECTED)
    ck, rk = key_masks(c, r)
    assert keyed(CHOSEN.split(), ck) == ["No"]
    assert keyed(REJECTED.split(), rk) == ["despite", "losing", "balance", "Yes"]
    assert count_optimal_alignments(c, r) == 1
    ref_c, ref_r = reference_key_masks(c, r)
    assert ck.tolist() == ref_c.tolist() and rk.tolist() == ref_r.tolist()


def test_paper_worked_example_with_smollm2_tokenizer(tiny_model_dir):
    from edit_ray.models import load_tokenizer
    from edit_ray.tokens import tokenize_pair

    tok = load_tokenizer(tiny_model_dir)  # the SmolLM2 tokenizer
    _, c = tokenize_pair(tok, "Q: Is the sentence plausible?\nA:", CHOSEN)
    _, r = tokenize_pair(tok, "Q: Is the sentence plausible?\nA:", REJECTED)
    ck, rk = key_masks(c, r)
    assert tok.decode([t for t, k in zip(c, ck) if k]).split() == ["No"]
    assert tok.decode([t for t, k in zip(r, rk) if k]).split() == ["despite", "losing", "balance", "Yes"]
    assert len(edit_ops(c, r)) == reference_distance(c, r)


def test_identical_and_empty_sequences_have_no_key_tokens():
    ck, rk = key_masks([3, 4, 5], [3, 4, 5])
    assert ck.tolist() == [0, 0, 0] and rk.tolist() == [0, 0, 0]
    ck, rk = key_masks([], [1, 2])
    assert ck.tolist() == [] and rk.tolist() == [1, 1]
    assert ck.dtype == np.int8 and rk.dtype == np.int8


def _check_against_reference(c: list[int], r: list[int], strip_suffix: bool) -> None:
    ops = edit_ops(c, r, strip_suffix=strip_suffix)
    assert len(ops) == reference_distance(c, r)  # equal minimum cost
    ck, rk = key_masks(c, r, strip_suffix=strip_suffix)
    # a valid alignment: the unmarked tokens are the matched ones, in the same order on both sides
    assert [t for t, k in zip(c, ck) if not k] == [t for t, k in zip(r, rk) if not k]
    n_replace = sum(tag == "replace" for tag, _, _ in ops)
    assert int(ck.sum()) + int(rk.sum()) == len(ops) + n_replace
    if count_optimal_alignments(c, r) == 1:
        ref_c, ref_r = reference_key_masks(c, r)
        assert ck.tolist() == ref_c.tolist() and rk.tolist() == ref_r.tolist()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=30), st.lists(st.integers(0, 5), max_size=30), st.booleans())
def test_kernel_matches_reference_cost_on_random_sequences(c, r, strip_suffix):
    _check_against_reference(c, r, strip_suffix)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 4))
def test_kernel_matches_reference_on_local_edits_of_one_response(seed, n_edits):
    rng = random.Random(seed)
    c = [rng.randrange(500) for _ in range(rng.randrange(20, 60))] + [2]  # a response + EOS
    r = list(c)
    for _ in range(n_edits):  # a few local edits, as a wrong CoT copies the right one and diverges
        at = rng.randrange(len(r) - 1)
        match rng.choice(["replace", "insert", "delete"]):
            case "replace":
                r[at] = rng.randrange(500)
            case "insert":
                r[at:at] = [rng.randrange(500) for _ in range(rng.randrange(1, 4))]
            case "delete":
                del r[at:at + rng.randrange(1, 3)]
    _check_against_reference(c, r, strip_suffix=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 2, 0xD7FF, 0xD800, 0xDFFF, 0xFFFF, 151_000, 0x10FFFE]), max_size=30),
       st.lists(st.sampled_from([0, 1, 2, 0xD7FF, 0xD800, 0xDFFF, 0xFFFF, 151_000, 0x10FFFE]), max_size=30))
def test_packed_ids_align_exactly_like_the_ids(c, r):
    """The stage aligns ids packed into str (pack_ids): same script as on the id lists, for id 0, the
    surrogate range and the largest packable id, and the ids come back unchanged."""
    pc, pr = pack_ids(np.array(c, np.int32)), pack_ids(np.array(r, np.int32))
    assert len(pc) == len(c) and unpack_ids(pc).tolist() == c
    assert edit_ops(pc, pr) == edit_ops(c, r)
    assert [m.tolist() for m in key_masks(pc, pr)] == [m.tolist() for m in key_masks(c, r)]


def test_pack_ids_rejects_ids_it_cannot_pack():
    with pytest.raises(ValueError, match="packed"):
        pack_ids([5, 0x10FFFF])
    with pytest.raises(ValueError, match="packed"):
        pack_ids(np.array([-1, 3]))
    assert pack_ids([]) == ""


def test_strip_options_do_not_change_cost():
    c, r = [1, 2, 3, 4, 5, 6, 7], [1, 2, 9, 4, 5, 6, 8, 7]
    costs = {len(edit_ops(c, r, p, s)) for p in (True, False) for s in (True, False)}
    assert costs == {reference_distance(c, r)} == {2}


def test_key_weights_put_alpha_beta_gamma_on_the_right_tokens():
    key = np.array([0, 1, 1, 0], dtype=np.int8)
    w = key_weights(key, 1.0, 0.1)
    assert w.dtype == np.float32 and w.tolist() == pytest.approx([0.1, 1.0, 1.0, 0.1])
    assert key_weights(key, 0.025).tolist() == pytest.approx([0.0, 0.025, 0.025, 0.0])


# ------------------------------------------------------------------------------------ widening
def test_char_segments_for_words_and_steps():
    text = "a bc.\nd e. f"
    assert char_segments(text, "word").tolist() == [0, -1, 1, 1, 1, -1, 2, -1, 3, 3, -1, 4]
    assert char_segments(text, "step").tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2]
    with pytest.raises(ValueError, match="unknown widening unit"):
        char_segments(text, "paragraph")


def test_widen_key_marks_whole_segments():
    key = np.array([0, 1, 0, 0, 0], dtype=np.int8)
    assert widen_key(key, np.array([0, 0, 1, 1, -1])).tolist() == [1, 1, 0, 0, 0]


def test_widen_to_word_and_step_with_real_tokenizer(tiny_model_dir):
    from edit_ray.models import load_tokenizer
    from edit_ray.tokens import tokenize_pair

    tok = load_tokenizer(tiny_model_dir)
    chosen = "(1) 12 * 34 = 408.\n(2) 408 + 5 = 413.\nTherefore, the answer is 413."
    rejected = "(1) 12 * 34 = 418.\n(2) 418 + 5 = 423.\nTherefore, the answer is 423."
    _, c = tokenize_pair(tok, "", chosen)
    key, _ = key_masks(c, tokenize_pair(tok, "", rejected)[1])
    base = tok.decode([t for t, k in zip(c, key) if k])
    word = widen(key, tok, chosen, c, "word")
    step = widen(key, tok, chosen, c, "step")
    assert widen(key, tok, chosen, c, "none") is key
    assert key.sum() <= word.sum() <= step.sum() == len(c) - 1  # every line holds a change; EOS stays out
    assert "413" in tok.decode([t for t, k in zip(c, word) if k]) and "0" in base
    assert tok.decode([t for t, k in zip(c, step) if k]) == chosen


# ------------------------------------------------------------------------------------ ground truth
def test_key_tokens_find_the_injected_mistake_step_of_synthetic_tasks(tiny_model_dir):
    from edit_ray.config import SYNTHETIC_TASKS
    from edit_ray.data.synthetic import corrupt_cot, generate, gold_cot
    from edit_ray.masking.ground_truth import key_step_precision_recall
    from edit_ray.models import load_tokenizer

    tok = load_tokenizer(tiny_model_dir)
    pairs = []
    for task in SYNTHETIC_TASKS:
        for q in generate(task, 8, 1, 7):
            bad = corrupt_cot(q, seed=3)
            pairs.append({"chosen": gold_cot(q), "rejected": bad["cot"], "step": bad["step"]})
    res = key_step_precision_recall(tok, pairs)
    assert res["pairs"] == len(pairs) == 8 * len(SYNTHETIC_TASKS)
    assert res["recall"] >= 0.95
    assert res["first_step_accuracy"] >= 0.95
    assert 0 < res["precision"] <= res["precision_from_step"] <= 1
    # a pair whose key tokens sit in another line is scored as a miss
    shifted = [{**p, "step": p["step"] + 50} for p in pairs[:4]]
    assert key_step_precision_recall(tok, shifted)["recall"] == 0.0


# ------------------------------------------------------------------------------------ the pure stage row
def test_mask_pair_masks_their_krsl_weights_and_error_reasons(tiny_model_dir):
    from edit_ray.masking.stage import mask_pair
    from edit_ray.models import load_tokenizer
    from edit_ray.tokens import tokenize_pair
    from edit_ray.train.data import krsl_examples

    tok, cfg = load_tokenizer(tiny_model_dir), MaskingConfig()
    out = mask_pair(tok, "Q:", CHOSEN, REJECTED, cfg)
    assert out["error"] is None and not any("weights" in k for k in out)  # masks only, no loss weights
    prompt_ids, c = tokenize_pair(tok, "Q:", CHOSEN)
    _, r = tokenize_pair(tok, "Q:", REJECTED)
    ck, rk = key_masks(c, r)
    assert (out["prompt_ids"], out["chosen_ids"], out["rejected_ids"]) == (prompt_ids, c, r)
    assert (out["chosen_key"].tolist(), out["rejected_key"].tolist()) == (ck.tolist(), rk.tolist())
    assert out["n_key_rejected"] == int(out["rejected_key"].sum()) >= 4
    # KRSL training weighs the stored masks: alpha on key tokens and gamma elsewhere, beta on the wrong key tokens
    batch = {"pair_id": ["p"], **{c: [out[c]] for c in ("prompt_ids", "chosen_ids", "rejected_ids",
                                                       "chosen_key", "rejected_key")}}
    ex = krsl_examples(batch, alpha=1.0, beta=0.025, gamma=0.1, max_length=10_000)
    n = len(prompt_ids)
    assert ex["error"] == [None]
    assert ex["chosen_w"][0][n:].tolist() == pytest.approx(np.where(out["chosen_key"] == 1, 1.0, 0.1).tolist())
    assert ex["rejected_w"][0][n:].tolist() == pytest.approx((out["rejected_key"] * 0.025).tolist())
    assert not ex["chosen_w"][0][:n].any() and not ex["rejected_w"][0][:n].any()  # the prompt weighs 0
    assert mask_pair(tok, "Q:", CHOSEN, CHOSEN, cfg)["error"] == "identical_pair"
    assert mask_pair(tok, "Q:", "alpha beta", "12345 67890", cfg)["error"] == "unrelated_pair"
    bad = mask_pair(tok, "Q:", "", REJECTED, cfg)
    assert (bad["error"], bad["detail"]) == ("bad_input", "field 'chosen' is empty")
    assert mask_pair(tok, None, CHOSEN, REJECTED, cfg)["detail"] == "field 'prompt' is missing"


def test_read_pairs_from_parquet_and_jsonl_keep_rows_and_name_bad_lines(tmp_path):
    from edit_ray.masking.stage import read_pairs

    rows = [{"pair_id": 7, "prompt": "Q:", "chosen": "a", "rejected": "b", "qid": "t/0"},
            {"pair_id": "x", "prompt": "Q:", "chosen": None, "rejected": "b", "qid": "t/1"}]
    pq.write_table(pa.Table.from_pylist([{**r, "pair_id": str(r["pair_id"])} for r in rows]), tmp_path / "p.parquet")
    table, errors = read_pairs(str(tmp_path / "p.parquet"))
    assert table.column_names == ["pair_id", "prompt", "chosen", "rejected"]
    assert table["pair_id"].to_pylist() == ["7", "x"] and table["chosen"].to_pylist() == ["a", None]
    assert errors == []
    (tmp_path / "p.jsonl").write_text(json.dumps(rows[0]) + "\n[1, 2]\n\n" + json.dumps(rows[1]) + "\n")
    table, errors = read_pairs(str(tmp_path / "p.jsonl"))
    assert table["pair_id"].to_pylist() == ["7", "x"]
    assert [(e["row_id"].rsplit("/", 1)[-1], e["reason"]) for e in errors] == [("p.jsonl:2", "bad_input")]
    assert "not an object" in errors[0]["detail"]
    (tmp_path / "other.jsonl").write_text(json.dumps({"question": "q", "answer": "a"}) + "\n")
    with pytest.raises(ValueError, match="no pair columns"):
        read_pairs(str(tmp_path / "other.jsonl"))
