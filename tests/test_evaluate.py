"""Evaluation: scoring of fixed generations (exact accuracies), self-consistency voting, benchmark
questions, and one real vLLM evaluation of the tiny model, killed (-9) and resumed by ``edit-ray eval --json``."""

from __future__ import annotations

import json

import pytest

from edit_ray import io
from edit_ray.cli import eval_command
from edit_ray.config import BenchmarkConfig, ConfigError, RunConfig, load_config
from edit_ray.evaluate import (
    benchmark_questions,
    error_rows,
    evaluate,
    format_table,
    headline,
    majority_vote,
    score_generations,
    summarize,
    teacher_answers,
    teacher_generations,
    teacher_rows,
)


def _q(qid: str, target: str, choices=None, split="test") -> dict:
    return {"qid": qid, "task": qid.split("/")[0], "split": split, "input": f"question {qid}", "choices": choices,
            "target": target, "source": "test", "description": "", "meta": "{}"}


IND = {q["qid"]: q for q in [_q("arith/0", "12"), _q("arith/1", "7"),
                              _q("mc/0", "(B)", ["red", "blue", "green"]), _q("mc/1", "(A)", ["cat", "dog"])]}
OOD = {q["qid"]: q for q in [_q("logic/0", "True")]}


def _gen(method, benchmark, qid, text, error=None, sample=0):
    return {"row_id": f"{method}:{benchmark}:{qid}:{sample}", "method": method, "benchmark": benchmark, "qid": qid,
            "text": text, "error": error, "sample": sample}


GENERATIONS = {
    "ind": [
        _gen("base", "ind", "arith/0", "3 * 4 = 12. Therefore, the answer is 12."),          # right
        _gen("base", "ind", "arith/1", "3 + 4 = 8. Therefore, the answer is 8."),            # wrong
        _gen("base", "ind", "mc/0", "The sky is blue. Therefore, the answer is (B)."),       # right (letter)
        _gen("base", "ind", "mc/1", "", error="prompt_too_long: 3000 tokens > 2048"),        # failed: wrong
        _gen("sft", "ind", "arith/0", "Therefore, the answer is 12."),                       # right
        _gen("sft", "ind", "arith/1", "Therefore, the answer is seven."),                    # right (number word)
        _gen("sft", "ind", "mc/0", "Therefore, the answer is blue."),                        # right (option text)
        _gen("sft", "ind", "mc/1", "I am not sure."),                                        # no answer: wrong
    ],
    "ood": [
        _gen("base", "ood", "logic/0", "So the answer is True."),                            # right
        _gen("sft", "ood", "logic/0", "Therefore, the answer is False."),                    # wrong
    ],
}


def _scored():
    return score_generations(GENERATIONS["ind"], IND) + score_generations(GENERATIONS["ood"], OOD)


def test_scoring_fixed_generations_gives_exact_accuracies():
    scored = _scored()
    by = {(r["method"], r["benchmark"], r["qid"]): r for r in scored}
    assert len(scored) == 10
    assert [by[("base", "ind", q)]["correct"] for q in IND] == [True, False, True, False]
    assert [by[("sft", "ind", q)]["correct"] for q in IND] == [True, True, True, False]
    assert by[("base", "ind", "arith/1")]["answer"] == "8"
    assert by[("sft", "ind", "mc/1")]["answer"] is None and by[("sft", "ind", "mc/1")]["error"] is None
    failed = by[("base", "ind", "mc/1")]
    assert failed["error"].startswith("prompt_too_long") and failed["answer"] is None and failed["correct"] is False

    s = summarize(scored)["methods"]
    assert s["base"]["benchmarks"] == {"ind": {"n": 4, "correct": 2, "errors": 1, "accuracy": 0.5},
                                       "ood": {"n": 1, "correct": 1, "errors": 0, "accuracy": 1.0}}
    assert s["base"]["average"] == 0.75
    assert s["sft"]["benchmarks"]["ind"]["accuracy"] == 0.75
    assert s["sft"]["benchmarks"]["ood"]["accuracy"] == 0.0
    assert s["sft"]["average"] == 0.375
    assert s["base"]["tasks"]["ind"] == {"arith": {"n": 2, "correct": 1, "accuracy": 0.5},
                                         "mc": {"n": 2, "correct": 1, "accuracy": 0.5}}
    assert s["sft"]["tasks"]["ood"] == {"logic": {"n": 1, "correct": 0, "accuracy": 0.0}}

    # the failed generation is wrong AND in the errors table, with the engine's reason code
    errs = error_rows(scored)
    assert [(e["row_id"], e["stage"], e["reason"]) for e in errs] == [("base:ind:mc/1:0", "eval", "prompt_too_long")]

    # the readable table of `edit-ray eval` (no --json): every method, accuracy in % with n, and the average
    table = format_table(summarize(scored)).splitlines()
    assert table[0].split() == ["benchmark", "base", "sft"]
    assert table[2].split() == ["ind", "50.0", "(4)", "75.0", "(4)"]
    assert table[4].split() == ["average", "75.0", "37.5"]

    # the --json shape: the run's own method (its last trained student), exactly these keys
    method, top = headline({**summarize(scored), "settings": {"final_method": "sft"}})
    assert method == "sft"
    assert top == {"benchmarks": {"ind": {"n": 4, "accuracy": 0.75}, "ood": {"n": 1, "accuracy": 0.0}},
                   "average": 0.375}


def test_score_generations_rejects_a_qid_of_another_benchmark():
    with pytest.raises(KeyError, match="logic/0"):
        score_generations(GENERATIONS["ood"], IND)


def test_self_consistency_majority_vote():
    assert majority_vote(["12", "13", "12 ", None]) == ("12", 0)
    assert majority_vote(["13", "12"]) == ("13", 0)  # tie: first seen
    assert majority_vote([None, "(b).", "(B)", "(A)"]) == ("(b).", 1)  # case and trailing period: one vote
    assert majority_vote([None, " "]) == (None, None)

    gens = [_gen("krsl", "ind", "arith/0", "Therefore, the answer is 13.", sample=0),
            _gen("krsl", "ind", "arith/0", "", error="engine_error: boom", sample=1),
            _gen("krsl", "ind", "arith/0", "so 12. Therefore, the answer is 12.", sample=2),
            _gen("krsl", "ind", "arith/0", "Therefore, the answer is 12.", sample=3),
            _gen("krsl", "ind", "arith/1", "", error="engine_error: boom", sample=0),
            _gen("krsl", "ind", "arith/1", "", error="engine_error: again", sample=1)]
    by = {r["qid"]: r for r in score_generations(gens, IND)}
    assert by["arith/0"]["answer"] == "12" and by["arith/0"]["correct"] is True
    assert by["arith/0"]["text"] == "so 12. Therefore, the answer is 12."  # the first sample with the voted answer
    assert by["arith/0"]["n_samples"] == 4 and by["arith/0"]["error"] is None  # one failed sample of four: still voted
    assert by["arith/1"]["correct"] is False and by["arith/1"]["error"] == "engine_error: boom"  # all samples failed
    assert error_rows(list(by.values()))[0]["row_id"] == "krsl:ind:arith/1:0;krsl:ind:arith/1:1"


def test_benchmark_config_rejects_two_kinds_and_duplicate_names():
    with pytest.raises(ConfigError, match="either paths"):
        load_config(None, ["eval.benchmarks=[{name: x, paths: [a], synthetic_difficulty: 3}]"])
    with pytest.raises(ConfigError, match="duplicate name"):
        load_config(None, ["eval.benchmarks=[{name: x}, {name: x, synthetic_difficulty: 2}]"])


def test_held_out_benchmark_is_the_test_split_capped_per_task(tmp_path):
    qs = [_q(f"a/{i}", "1", split="test" if i % 2 else "train") for i in range(10)] + [_q("b/0", "2")]
    io.write_table(qs, str(tmp_path / "data" / "questions.parquet"))
    cfg = RunConfig()
    got = benchmark_questions(cfg, BenchmarkConfig(name="ind"), str(tmp_path))
    assert [q["qid"] for q in got] == ["a/1", "a/3", "a/5", "a/7", "a/9", "b/0"]
    capped = benchmark_questions(cfg, BenchmarkConfig(name="ind", n_per_task=2), str(tmp_path))
    assert sum(q["task"] == "a" for q in capped) == 2 and sum(q["task"] == "b" for q in capped) == 1
    assert capped == benchmark_questions(cfg, BenchmarkConfig(name="ind", n_per_task=2), str(tmp_path))  # seeded


def test_synthetic_benchmark_generates_each_task_at_its_difficulty(tmp_path):
    cfg = load_config(None, ["data.synthetic.tasks=[multistep_arithmetic, web_of_lies]"])
    got = benchmark_questions(cfg, BenchmarkConfig(name="hard", synthetic_difficulty=3, n_per_task=4), str(tmp_path))
    assert len(got) == 8
    assert {q["task"] for q in got} == {"multistep_arithmetic", "web_of_lies"}
    assert len({q["qid"] for q in got}) == 8


def test_teacher_is_scored_from_cep_rows_of_test_questions(tmp_path):
    rows = [{"row_id": f"{q}:{kind}:{s}", "qid": q, "kind": kind, "sample": s, "text": t, "error": None}
            for q, kind, s, t in [("arith/0", "cep", 10, "Therefore, the answer is 99."),
                                  ("arith/0", "cep", 0, "Therefore, the answer is 12."),
                                  ("arith/0", "ahp", 0, "Therefore, the answer is 12."),
                                  ("train/0", "cep", 0, "Therefore, the answer is 1.")]]
    io.write_table(rows, str(tmp_path / "teacher" / "cots.parquet"))
    gens = teacher_generations(str(tmp_path), "ind", set(IND))
    assert [(g["row_id"], g["method"]) for g in gens] == [("arith/0:cep:0", "teacher")]
    assert score_generations(gens, IND)[0]["correct"] is True
    assert teacher_generations(str(tmp_path / "missing"), "ind", set(IND)) == []


def test_program_teacher_answers_the_synthetic_benchmarks_only():
    benchmarks = ("eval.benchmarks=[{name: ind, n_per_task: 2}, {name: hard, synthetic_difficulty: 2, n_per_task: 2}, "
                  "{name: files, paths: [x.json]}]")
    cfg = load_config(None, ["data.synthetic.tasks=[web_of_lies]", benchmarks])
    qs = {"ind": [_q("web_of_lies/0", "Yes")], "hard": [_q("web_of_lies/9", "No")], "files": [_q("bbh/0", "(A)")]}
    rows = teacher_rows(cfg, qs)
    assert [(r["row_id"], r["benchmark"], r["kind"], r["temperature"]) for r in rows] == [
        ("teacher:ind:web_of_lies/0:0", "ind", "cep", 0.0), ("teacher:hard:web_of_lies/9:0", "hard", "cep", 0.0)]
    assert teacher_answers(cfg)
    http = load_config(None, ["data.synthetic.tasks=[web_of_lies]", benchmarks, "teacher.engine.kind=http"])
    assert not teacher_answers(http) and len(teacher_rows(http, qs)) == 3  # an LLM teacher is asked only when told


def test_program_teacher_test_accuracy_follows_its_error_rate(tmp_path, ray_local):
    """The program teacher on real synthetic questions (IND and a harder OOD set): it is right exactly when
    it injects no mistake, so error rate 0 gives 100% and error rate 1 gives 0% on both."""
    benchmarks = "eval.benchmarks=[{name: ind, n_per_task: 2}, {name: hard, synthetic_difficulty: 2, n_per_task: 3}]"
    for rate, expected in ((0.0, 1.0), (1.0, 0.0)):
        cfg = load_config(None, [f"run.dir={tmp_path}/{rate}", "data.synthetic.tasks=[multistep_arithmetic, web_of_lies]",
                                 "data.synthetic.n_per_task=10", f"teacher.engine.program_error_rate={rate}",
                                 "eval.methods=[teacher]", benchmarks])
        summary = evaluate(cfg, cfg.run.dir, methods={})
        got = {b: (v["n"], v["accuracy"]) for b, v in summary["methods"]["teacher"]["benchmarks"].items()}
        assert got == {"ind": (4, expected), "hard": (6, expected)}


def test_eval_json_on_vllm_resumes_a_killed_evaluation_with_the_answers_it_had(tmp_path, ray_local, tiny_model_dir,
                                                                               capsys):
    """A real evaluation (Ray Data + vLLM, the tiny random student; the teacher scored from its CEP rows) whose
    driver is killed (-9) after its first answers: `edit-ray eval --json` then keeps every answer written before
    the kill (same part files, same texts), generates only the rest, and reports one answer per question."""
    from tests_support import kill_stage_when_parts_appear, part_rows

    from edit_ray.data import synthetic

    held_out = ([_q("arith/0", "12"), _q("arith/1", "7"), _q("mc/0", "(B)", ["red", "blue", "green"])]
                + [{**q, "split": "test"} for q in synthetic.generate("web_of_lies", 21, 1, seed=3)])
    io.write_table(held_out + [_q("arith/2", "5", split="train")], str(tmp_path / "data" / "questions.parquet"))
    io.write_table([{"row_id": "arith/0:cep:0", "qid": "arith/0", "kind": "cep", "sample": 0, "error": None,
                     "text": "3 * 4 = 12. Therefore, the answer is 12."},
                    {"row_id": "mc/0:cep:0", "qid": "mc/0", "kind": "cep", "sample": 0, "error": None,
                     "text": "Therefore, the answer is (C)."}],
                   str(tmp_path / "teacher" / "cots.parquet"))
    # two sequences at a time in the engine: its batches finish one after another, so the kill lands between
    overrides = [f"run.dir={tmp_path}", f"student.model={tiny_model_dir}", "eval.engine.max_tokens=8",
                 "eval.engine.max_model_len=512", "eval.engine.batch_size=2", "eval.engine.enforce_eager=true",
                 "eval.engine.engine_kwargs={max_num_seqs: 2}", "eval.teacher_answers=false"]
    ok_dir = tmp_path / "eval" / "parts" / "zero-shot" / "ok"
    before = kill_stage_when_parts_appear("edit_ray.evaluate:evaluate", ray_local.get_runtime_context().gcs_address,
                                          overrides, ok_dir)
    answered = {}
    for name in before:
        t = io.read_table(str(ok_dir / name))
        answered.update(zip(t.column("row_id").to_pylist(), t.column("text").to_pylist()))
    assert 0 < len(answered) < len(held_out), "killed after the first answers, before the last"
    assert not (tmp_path / "eval" / "eval.parquet").exists()

    capsys.readouterr()
    assert eval_command(load_config(None, overrides), as_json=True) == 0
    # Ray's log thread (started by the shared fixture, not by eval_command) may print worker lines around it
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith('{"benchmarks"')]
    assert len(lines) == 1
    printed = json.loads(lines[0])

    after = part_rows(ok_dir)
    new = [r for name in set(after) - set(before) for r in after[name]]
    assert {name: after[name] for name in before} == before  # the parts of the killed run are kept as they were
    assert sorted(new) == sorted({f"zero-shot:ind:{q['qid']}:0" for q in held_out} - set(answered))  # only the rest
    summary = io.read_json(str(tmp_path / "eval" / "summary.json"))
    rows = io.read_rows(str(tmp_path / "eval" / "eval.parquet"))
    errors = io.read_rows(str(tmp_path / "eval" / "errors.parquet"))
    base = [r for r in rows if r["method"] == "zero-shot"]  # the untrained student, named as in the paper
    assert sorted(r["qid"] for r in base) == sorted(q["qid"] for q in held_out)
    assert all(r["text"] == answered[f"zero-shot:ind:{r['qid']}:0"] for r in base
               if f"zero-shot:ind:{r['qid']}:0" in answered)
    # counts reconcile: the held-out questions for the student, the 2 with CEP rows for the teacher
    assert len(rows) == len(held_out) + 2 and len(errors) == sum(r["error"] is not None for r in rows)
    assert all(r["benchmark"] == "ind" for r in rows)
    base_acc = sum(r["correct"] for r in base) / len(held_out)
    assert summary["methods"]["zero-shot"]["benchmarks"]["ind"]["n"] == len(held_out)
    assert summary["methods"]["zero-shot"]["benchmarks"]["ind"]["accuracy"] == base_acc
    assert summary["settings"]["final_method"] == "zero-shot"  # nothing trained in this run dir
    assert summary["methods"]["teacher"]["benchmarks"]["ind"] == {"n": 2, "correct": 1, "errors": 0, "accuracy": 0.5}
    assert any(f"teacher: CEP CoTs cover 2 of {len(held_out)}" in n for n in summary["notes"])
    assert (summary["counts"]["in"], summary["counts"]["ok"], summary["counts"]["errors"]) == (
        len(rows), len(rows) - len(errors), len(errors))
    # the student really generated (texts from the engine, no failures for these short prompts)
    assert all(r["error"] is None and isinstance(r["text"], str) for r in base)
    # --json: exactly the documented shape, for the run's last trained student (only the base one here)
    assert printed == {"benchmarks": {"ind": {"n": len(held_out), "accuracy": base_acc}}, "average": base_acc}


def test_file_benchmark_uses_every_split_capped_per_task(tmp_path):
    root = "/work/shared/data/bigbench/bbsub"
    bench = BenchmarkConfig(name="bbsub", paths=[f"{root}/anachronisms.json", f"{root}/crass_ai.json"], n_per_task=3)
    got = benchmark_questions(RunConfig(), bench, str(tmp_path))
    assert sorted((q["task"], sum(p["task"] == q["task"] for p in got)) for q in got)[::3] == [
        ("anachronisms", 3), ("crass_ai", 3)]
    assert {q["split"] for q in got} == {"train", "test"}  # out-of-domain: the loader's split is ignored
    assert all(q["target"].startswith("(") for q in got)
