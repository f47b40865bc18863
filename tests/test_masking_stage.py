"""The masking stage on a real local Ray cluster: masks table, errors table, stats, CLI and ``mask show``."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from edit_ray import io
from edit_ray.cli import mask_command, mask_show_command
from edit_ray.config import MaskingConfig
from edit_ray.masking.kernel import key_masks
from edit_ray.masking.stage import OUTPUT_COLUMNS, run_masking

PROMPT = "Task Description:\nJudge plausibility.\nQ: Is it plausible?\n\nA:"
GOOD = [
    ("p-example", "Alice jumps and lands high so the answer is No",
     "Alice jumps despite losing balance and lands high so the answer is Yes"),
    ("p-arith", "(1) 3 * 4 = 12.\n(2) 12 + 5 = 17.\nTherefore, the answer is 17.",
     "(1) 3 * 4 = 13.\n(2) 13 + 5 = 18.\nTherefore, the answer is 18."),
    ("p-bool", "not True is False. False or True is True. Therefore, the answer is True.",
     "not True is True. True or True is True. Therefore, the answer is True. Wrong."),
]


@pytest.fixture(scope="module")
def pairs_jsonl(tmp_path_factory):
    rows = [{"pair_id": pid, "prompt": PROMPT, "chosen": c, "rejected": r} for pid, c, r in GOOD]
    rows += [
        {"pair_id": "p-same", "prompt": PROMPT, "chosen": GOOD[0][1], "rejected": GOOD[0][1]},
        {"pair_id": "p-unrelated", "prompt": PROMPT, "chosen": "alpha beta", "rejected": "12345 67890"},
        {"pair_id": "p-empty", "prompt": PROMPT, "chosen": "   ", "rejected": GOOD[0][2]},
        {"pair_id": "p-missing", "prompt": PROMPT, "chosen": GOOD[0][1]},
    ]
    path = tmp_path_factory.mktemp("pairs") / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows[:5]) + "\n{not json\n"
                    + "\n".join(json.dumps(r) for r in rows[5:]) + "\n")
    return str(path)


@pytest.fixture(scope="module")
def run_dir(ray_local, pairs_jsonl, tiny_model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "masks"
    result = run_masking(pairs_jsonl, str(out), tiny_model_dir, MaskingConfig(num_workers=2, batch_size=2))
    return out, result


def test_stage_writes_masks_equal_to_the_kernel_in_input_order(run_dir, tiny_model_dir):
    from edit_ray.models import load_tokenizer
    from edit_ray.tokens import tokenize_pair
    from edit_ray.train.data import krsl_examples

    out, _ = run_dir
    masks = io.read_table(str(out / "masks.parquet"))
    assert masks.column_names == list(OUTPUT_COLUMNS)
    assert masks["pair_id"].to_pylist() == [g[0] for g in GOOD]
    tok = load_tokenizer(tiny_model_dir)
    for row, (_, chosen, rejected) in zip(masks.to_pylist(), GOOD):
        prompt_ids, c = tokenize_pair(tok, PROMPT, chosen)
        _, r = tokenize_pair(tok, PROMPT, rejected)
        ck, rk = key_masks(c, r)
        assert (row["prompt_ids"], row["chosen_ids"], row["rejected_ids"]) == (prompt_ids, c, r)
        assert (row["chosen_key"], row["rejected_key"]) == (ck.tolist(), rk.tolist())
        assert (row["n_key_chosen"], row["n_key_rejected"]) == (int(ck.sum()), int(rk.sum()))
    assert pq.read_schema(out / "masks.parquet").metadata[b"edit_ray.tokenizer"].decode() == tiny_model_dir
    # the table holds masks only; KRSL training weighs them: alpha on key tokens, gamma elsewhere (chosen),
    # beta on key tokens, 0 elsewhere (rejected), 0 on the prompt
    batch = {c: masks[c].to_numpy(zero_copy_only=False) for c in masks.column_names}
    ex = krsl_examples(batch, alpha=1.0, beta=0.025, gamma=0.1, max_length=10_000)
    assert ex["error"] == [None] * masks.num_rows
    for i, row in enumerate(masks.to_pylist()):
        n_prompt = len(row["prompt_ids"])
        ck, rk = np.asarray(row["chosen_key"]), np.asarray(row["rejected_key"])
        assert ex["chosen_w"][i].tolist() == pytest.approx([0.0] * n_prompt + np.where(ck == 1, 1.0, 0.1).tolist())
        assert ex["rejected_w"][i].tolist() == pytest.approx([0.0] * n_prompt + (rk * 0.025).tolist())


def test_stage_errors_stats_and_counts(run_dir):
    out, result = run_dir
    errors = {e["row_id"]: e for e in io.read_rows(str(out / "errors.parquet"))}
    malformed = [k for k in errors if k.endswith("pairs.jsonl:6")]  # row id = file:line of the bad JSON line
    assert len(malformed) == 1 and errors[malformed[0]]["reason"] == "bad_input"
    assert {k: e["reason"] for k, e in errors.items() if k.startswith("p-")} == {
        "p-same": "identical_pair", "p-unrelated": "unrelated_pair", "p-empty": "bad_input", "p-missing": "bad_input"}
    assert errors["p-missing"]["detail"] == "field 'rejected' is missing"
    assert all(e["stage"] == "masks" for e in errors.values())
    assert result["pairs"] == 3 and result["errors"] == 5
    assert (result["in"], result["ok"]) == (8, 3)  # in = ok + errors, for the manifest and the report
    masks = io.read_table(str(out / "masks.parquet"))
    n_key = np.sum(masks["n_key_chosen"].to_numpy())
    assert result["key_fraction_chosen"] == pytest.approx(n_key / sum(map(len, masks["chosen_ids"].to_pylist())))
    assert 0 < result["key_fraction_rejected"] < 1
    stats = io.read_json(str(out / "stats.json"))
    assert stats["errors_by_reason"] == {"bad_input": 3, "identical_pair": 1, "unrelated_pair": 1}
    assert not {"alpha", "beta", "gamma"} & set(stats)  # the masks do not depend on the KRSL weights
    assert (out / "key_fraction.png").stat().st_size > 1000


def test_masking_in_chunks_gives_the_masks_of_one_chunk(run_dir, ray_local, pairs_jsonl, tiny_model_dir, tmp_path):
    """chunk_rows=3: the file read, masked and written three pairs at a time gives the same tables."""
    out, result = run_dir
    chunked = run_masking(pairs_jsonl, str(tmp_path / "masks"), tiny_model_dir,
                          MaskingConfig(num_workers=1, batch_size=2, chunk_rows=3))
    assert (chunked["chunks"], chunked["resumed_chunks"], result["chunks"]) == (3, 0, 1)
    assert {k: v for k, v in chunked.items() if k != "chunks"} == {k: v for k, v in result.items() if k != "chunks"}
    for name in ("masks.parquet", "errors.parquet"):
        assert io.read_table(str(tmp_path / "masks" / name)).equals(io.read_table(str(out / name)))
    assert not (tmp_path / "masks" / "parts").exists()  # merged into masks.parquet, then deleted


def test_kill_during_masking_resumes_at_the_first_unfinished_chunk(ray_local, tiny_model_dir, tmp_path):
    """kill -9 of the driver once its first chunk is written: the re-run masks only the chunks the killed run
    had not finished, and ends with the masks of an uninterrupted run."""
    from tests_support import kill_stage_when_parts_appear

    from edit_ray.config import load_config
    from edit_ray.masking.stage import run_masks

    rows = [{"pair_id": f"p{i}", "prompt": PROMPT, "chosen": GOOD[i % 3][1], "rejected": GOOD[i % 3][2]}
            for i in range(6)]
    overrides = [f"student.model={tiny_model_dir}", "masking.chunk_rows=2", "masking.batch_size=1"]
    for d in ("killed", "clean"):
        io.write_table(rows, str(tmp_path / d / "dual" / "pairs.parquet"))
    before = kill_stage_when_parts_appear("edit_ray.masking.stage:run_masks", ray_local.get_runtime_context().gcs_address,
                                          [*overrides, f"run.dir={tmp_path / 'killed'}"],
                                          tmp_path / "killed" / "masks" / "parts" / "ok", id_column="pair_id")
    assert 1 <= len(before) < 3 and not (tmp_path / "killed" / "masks" / "masks.parquet").exists()
    resumed = run_masks(load_config(None, [*overrides, f"run.dir={tmp_path / 'killed'}"]), str(tmp_path / "killed"))
    clean = run_masks(load_config(None, [*overrides, f"run.dir={tmp_path / 'clean'}"]), str(tmp_path / "clean"))
    assert resumed["resumed_chunks"] == len(before) and clean["resumed_chunks"] == 0
    assert {k: v for k, v in resumed.items() if k != "resumed_chunks"} == {
        k: v for k, v in clean.items() if k != "resumed_chunks"}
    masks = [io.read_table(str(tmp_path / d / "masks" / "masks.parquet")) for d in ("killed", "clean")]
    assert masks[0].equals(masks[1]) and masks[0]["pair_id"].to_pylist() == [r["pair_id"] for r in rows]


def test_mask_cli_json_and_show(ray_local, pairs_jsonl, tiny_model_dir, tmp_path, capsys):
    out = tmp_path / "m.parquet"
    rc = mask_command(pairs_jsonl, tokenizer=tiny_model_dir, out=str(out), as_json=True, num_workers=1)
    printed = capsys.readouterr().out
    assert rc == 0
    result = json.loads(printed)
    assert list(result) == ["pairs", "errors", "key_fraction_chosen", "key_fraction_rejected"]
    assert (result["pairs"], result["errors"]) == (3, 5) and printed.strip().count("\n") == 0
    assert len(io.read_rows(str(tmp_path / "m.errors.parquet"))) == 5

    html = tmp_path / "pair.html"
    assert mask_show_command(str(out), pair_id="p-example", html=str(html)) == 0
    shown = capsys.readouterr().out
    assert "despite" in shown and "key tokens" in shown
    page = html.read_text()
    assert page.count("<span class='key'>") >= 2
    for word in ("despite", "losing", "balance", "Yes"):
        assert f"<span class='key'> {word}</span>" in page
    assert mask_show_command(str(out), pair_id="nope") == 2


def _tokenized_pairs(path, tokenizer_name, tok, made_with):
    """A pairs Parquet file that carries ids made by tokenize_pair, plus one row whose ids lack EOS."""
    import pyarrow as pa

    from edit_ray.tokens import tokenize_pair

    rows = []
    for pid, chosen, rejected in GOOD:
        prompt_ids, c = tokenize_pair(tok, PROMPT, chosen)
        _, r = tokenize_pair(tok, PROMPT, rejected)
        rows.append({"pair_id": pid, "prompt": PROMPT, "chosen": chosen, "rejected": rejected,
                     "prompt_ids": prompt_ids, "chosen_ids": c, "rejected_ids": r})
    rows.append({**rows[0], "pair_id": "p-no-eos", "chosen_ids": rows[0]["chosen_ids"][:-1]})
    table = pa.Table.from_pylist(rows).replace_schema_metadata({b"edit_ray.tokenizer": made_with.encode()})
    pq.write_table(table, path)
    return str(path)


def test_pretokenized_pairs_skip_tokenizing_and_give_the_same_masks(run_dir, tiny_model_dir, tmp_path, capsys):
    from edit_ray.models import load_tokenizer

    tok = load_tokenizer(tiny_model_dir)
    from_text = io.read_table(str(run_dir[0] / "masks.parquet")).to_pylist()
    # the stage must use the given ids: a row whose chosen_ids lack EOS fails although its texts are fine
    path = _tokenized_pairs(tmp_path / "pairs.parquet", tiny_model_dir, tok, made_with=tiny_model_dir)
    result = run_masking(path, str(tmp_path / "given"), tiny_model_dir, MaskingConfig(num_workers=1, batch_size=2))
    assert "re-tokenizing" not in capsys.readouterr().out
    assert io.read_table(str(tmp_path / "given" / "masks.parquet")).to_pylist() == from_text
    errors = io.read_rows(str(tmp_path / "given" / "errors.parquet"))
    assert [(e["row_id"], e["reason"]) for e in errors] == [("p-no-eos", "bad_input")]
    assert "chosen_ids" in errors[0]["detail"] and "EOS" in errors[0]["detail"]
    assert (result["pairs"], result["errors"]) == (3, 1)

    # ids from another tokenizer are not trusted: the texts are tokenized again, so the no-EOS row passes
    path = _tokenized_pairs(tmp_path / "other.parquet", tiny_model_dir, tok, made_with="some-other-model")
    result = run_masking(path, str(tmp_path / "other"), tiny_model_dir, MaskingConfig(num_workers=1, batch_size=2))
    assert "re-tokenizing the texts" in capsys.readouterr().out
    assert (result["pairs"], result["errors"]) == (4, 0)


@pytest.mark.parametrize("widen", ["none", "word"])
def test_batch_actor_equals_mask_pair_row_by_row(tiny_model_dir, widen):
    """KeyTokenMasker works on whole Arrow columns (ids passed through, masks in one flat buffer, packed ids);
    called in process on a mixed batch it must give, row by row, exactly what the one-pair ``mask_pair`` gives,
    from text and from pre-tokenized ids, with and without widening, including failed rows and a sliced batch."""
    import pyarrow as pa

    from edit_ray.masking.stage import ID_COLUMNS, KeyTokenMasker, collect_masks, mask_pair, number_rows
    from edit_ray.models import load_tokenizer
    from edit_ray.tokens import tokenize_pair

    tok = load_tokenizer(tiny_model_dir)
    cfg = MaskingConfig(widen=widen, max_tokens=64)
    rows = [{"pair_id": pid, "prompt": PROMPT, "chosen": c, "rejected": r} for pid, c, r in GOOD * 3]
    rows += [{"pair_id": "same", "prompt": PROMPT, "chosen": GOOD[1][1], "rejected": GOOD[1][1]},
             {"pair_id": "unrelated", "prompt": PROMPT, "chosen": "alpha beta", "rejected": "12345 67890"},
             {"pair_id": "empty", "prompt": PROMPT, "chosen": " ", "rejected": GOOD[0][2]},
             {"pair_id": "long", "prompt": PROMPT, "chosen": GOOD[0][1], "rejected": GOOD[0][2] + " again" * 70}]
    text = pa.Table.from_pylist(rows)
    ids = {c: [] for c in ID_COLUMNS}
    for r in rows:
        p, ch = tokenize_pair(tok, r["prompt"], r["chosen"]) if r["chosen"].strip() else ([1], [])
        ids["prompt_ids"].append(p), ids["chosen_ids"].append(ch)
        ids["rejected_ids"].append(tokenize_pair(tok, r["prompt"], r["rejected"])[1])
    tokenized = text
    for c in ID_COLUMNS:
        tokenized = tokenized.append_column(c, pa.array(ids[c], pa.list_(pa.int32())))
    masker = KeyTokenMasker(tiny_model_dir, cfg)
    for table, first in ((text, 0), (tokenized, 0), (tokenized.slice(2), 2)):  # a slice: offsets don't start at 0
        pairs = number_rows(table)
        # two batches returned out of order, as an actor pool may; then one batch of rows out of order
        got, errors = collect_masks(pairs, [masker(pairs.slice(4)), masker(pairs.slice(0, 4))])
        shuffled = pairs.take(np.random.default_rng(0).permutation(pairs.num_rows))
        again, errors_again = collect_masks(pairs, [masker(shuffled)])
        assert again.equals(got) and errors_again == errors
        with pytest.raises(RuntimeError, match="returned"):  # a row lost or doubled is a bug, never dropped silently
            collect_masks(pairs, [masker(pairs.slice(1)), masker(pairs.slice(0, 2))])
        wants = [(r, mask_pair(tok, r["prompt"], r["chosen"], r["rejected"], cfg)) for r in rows[first:]]
        assert got["pair_id"].to_pylist() == [r["pair_id"] for r, w in wants if w["error"] is None]
        assert [(e["row_id"], e["reason"]) for e in errors] == [(r["pair_id"], w["error"]) for r, w in wants
                                                                if w["error"]]
        for g, (r, want) in zip(got.to_pylist(), [(r, w) for r, w in wants if w["error"] is None]):
            for col in ("prompt_ids", "chosen_ids", "rejected_ids", "chosen_key", "rejected_key",
                        "n_key_chosen", "n_key_rejected"):
                assert list(np.atleast_1d(g[col])) == list(np.atleast_1d(want[col])), (r["pair_id"], col)
        assert {e["row_id"]: e["reason"] for e in errors} == {
            "same": "identical_pair", "unrelated": "unrelated_pair", "empty": "bad_input", "long": "too_long"}


def test_check_id_columns_names_the_first_bad_field_per_row_also_in_a_sliced_batch():
    import pyarrow as pa

    from edit_ray.masking.stage import check_id_columns

    eos = 2
    rows = [  # (prompt_ids, chosen_ids, rejected_ids) -> expected detail
        ([1], [5, 2], [6, 2], None),
        (None, [5, 2], [6, 2], "field 'prompt_ids' is missing"),
        ([1], [], [6, 2], "field 'chosen_ids' is empty"),
        ([1], [5, 7], [6, 2], "field 'chosen_ids' does not end with EOS (2): not made by tokenize_pair"),
        ([1], [5, 2], None, "field 'rejected_ids' is missing"),
        ([], [5, 7], [6], "field 'prompt_ids' is empty"),  # the first bad field is named
        ([1, 3], [9, 9, 2], [6, 6, 2], None),
    ]
    t = pa.list_(pa.int32())
    cols = {c: pa.array([r[k] for r in rows], t) for k, c in enumerate(("prompt_ids", "chosen_ids", "rejected_ids"))}
    assert check_id_columns(cols, eos) == [r[3] for r in rows]
    sliced = {c: a.slice(2) for c, a in cols.items()}  # offsets no longer start at 0
    assert check_id_columns(sliced, eos) == [r[3] for r in rows[2:]]


def test_two_workers_both_mask_pairs(ray_local, tiny_model_dir, monkeypatch):
    """Regression: with a few big batches, the first actor to load its tokenizer took every batch and the
    second was retired idle (2 workers ran as 1). Now the pool waits for all actors and cuts >= 8 batches
    per worker. The masker below only adds the pid of the actor that masked each row."""
    import os

    import pyarrow as pa

    from edit_ray.masking import stage

    class PidMasker(stage.KeyTokenMasker):  # defined here, so Ray ships it by value
        def __call__(self, batch):
            out = super().__call__(batch)
            return out.append_column("pid", pa.array([os.getpid()] * out.num_rows, pa.int64()))

    monkeypatch.setattr(stage, "KeyTokenMasker", PidMasker)
    rows = [{"pair_id": f"p{i}", "prompt": PROMPT, "chosen": GOOD[i % 3][1], "rejected": GOOD[i % 3][2]}
            for i in range(64)]
    ds = stage.masks_dataset(stage.number_rows(pa.Table.from_pylist(rows)), tiny_model_dir,
                             MaskingConfig(num_workers=2))
    out = pa.concat_tables(list(ds.iter_batches(batch_size=None, batch_format="pyarrow")))
    assert sorted(out[stage._ROW].to_pylist()) == list(range(64)) and out["error"].null_count == 64
    per_actor = out.group_by("pid").aggregate([("pid", "count")])
    assert per_actor.num_rows == 2, per_actor.to_pylist()


def test_read_pairs_keeps_the_lines_around_a_non_utf8_one(tmp_path):
    from edit_ray.masking.stage import read_pairs

    path = tmp_path / "pairs.jsonl"
    ok = [json.dumps({"pair_id": f"p{i}", "prompt": "Q", "chosen": "a", "rejected": "b"}).encode() for i in range(2)]
    path.write_bytes(ok[0] + b"\n" + b'{"pair_id": "p9", "prompt": "\xff"}\n' + ok[1] + b"\n")
    table, errors = read_pairs(str(path))
    assert table["pair_id"].to_pylist() == ["p0", "p1"]
    assert [(e["row_id"], e["reason"]) for e in errors] == [(f"{path}:2", "bad_input")]
    assert "not UTF-8" in errors[0]["detail"]


def test_a_pair_longer_than_max_tokens_is_a_too_long_error_row_not_an_alignment():
    from edit_ray.masking.stage import mask_tokens

    long = mask_tokens(list(range(40)), list(range(1, 41)), MaskingConfig(max_tokens=32))
    assert (long["error"], long["detail"]) == ("too_long", "40 tokens > masking.max_tokens 32")
    assert len(long["chosen_key"]) == len(long["rejected_key"]) == 0
    fits = mask_tokens([*range(20), 2], [*range(19), 99, 2], MaskingConfig(max_tokens=32))
    assert fits["error"] is None and fits["chosen_key"].tolist() == [0] * 19 + [1, 0]
