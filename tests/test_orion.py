"""ORION error exposure and reflection, EDIT x ORION minimal rectification, and rounds (edit_ray/orion/).

Three groups:
- pure functions on hand-made rows (milliseconds);
- the program teacher (the synthetic oracle, through the real Ray Data engine path) rectifying wrong CoTs
  with a known injected step: the rectification must differ from the student's CoT only at that step and
  at the lines that depend on it;
- end to end on the tiny random Llama with real vLLM engines and real Ray Train: exposure -> reflection
  -> SFT, and exposure -> minimal rectification -> masks -> KRSL -> eval in a round, then a resume.
"""

from __future__ import annotations

import difflib
import shutil

import pytest

from edit_ray import io
from edit_ray.answers import ANSWER_PHRASE
from edit_ray.config import load_config
from edit_ray.data import synthetic
from edit_ray.masking.kernel import key_masks
from edit_ray.orion import exposure, mistakes, rectify, reflect, rounds

TASKS = ("multistep_arithmetic", "tracking_shuffled_objects", "date_arithmetic", "boolean_expressions",
         "web_of_lies", "object_counting")


def synthetic_questions(tasks=TASKS, n=3, n_train=2) -> list[dict]:
    """n questions per task; the first n_train of each are training questions, the rest held out."""
    qs = []
    for t in tasks:
        for i, q in enumerate(synthetic.generate(t, n, 1, seed=7)):
            qs.append({**q, "split": "train" if i < n_train else "test"})
    return qs


def exposed_row(q: dict, k: int, text: str) -> dict:
    return {"qid": q["qid"], "row_id": f"{q['qid']}:expose:{k}", "sample": k, "task": q["task"], "prompt": "p",
            "text": text,
            "answer": None, "target": q["target"], "truncated": False, "n_tokens": 1, "seed": k,
            "mistake_type": mistakes.classify(q, text)}


# --------------------------------------------------------------------------------------------- pure
def test_wrong_solutions_are_distinct_per_question_and_capped_in_sample_order():
    q = synthetic_questions(("multistep_arithmetic",), n=1, n_train=1)[0]
    rows = [exposed_row(q, k, t) for k, t in [(10, "c"), (2, "a"), (3, " a "), (0, "b"), (1, "")]]
    got = exposure.wrong_solutions_by_question(rows, limit=2)
    # sample order is 0, 1, 2, 3, 10: "" is skipped, " a " repeats "a" after whitespace normalisation
    assert [w["sample"] for w in got[q["qid"]]] == [0, 2]
    assert len(exposure.wrong_solutions_by_question(rows, limit=5)[q["qid"]]) == 3


def test_score_samples_reconciles_correct_wrong_and_engine_errors():
    q = synthetic_questions(("multistep_arithmetic",), n=1, n_train=1)[0]
    gold, wrong = synthetic.gold_cot(q), synthetic.corrupt_cot(q, seed=1, mistake_type="calculation")
    results = [
        {"row_id": "a", "qid": q["qid"], "sample": 0, "prompt": "p", "text": gold, "seed": 1, "error": None},
        {"row_id": "b", "qid": q["qid"], "sample": 1, "prompt": "p", "text": wrong["cot"], "seed": 2, "error": None},
        {"row_id": "c", "qid": q["qid"], "sample": 2, "prompt": "p", "text": "no answer here", "seed": 3, "error": None},
        {"row_id": "d", "qid": q["qid"], "sample": 3, "prompt": "p", "text": "", "seed": 4, "error": "EngineDead: boom"},
    ]
    bad, errors, n_correct = exposure.score_samples(results, [q])
    assert n_correct == 1 and len(bad) == 2 and len(errors) == 1
    assert n_correct + len(bad) + len(errors) == len(results)
    assert [b["row_id"] for b in bad] == ["b", "c"]
    assert bad[0]["answer"] == wrong["answer"] and bad[0]["target"] == q["target"]
    assert bad[0]["mistake_type"] == "calculation"
    assert bad[1]["answer"] is None
    assert errors[0] == {"row_id": "d", "stage": exposure.STAGE, "reason": "engine_error",
                         "detail": "EngineDead: boom", "attempts": 1}


def test_normalized_distance_is_levenshtein_over_the_longer_length():
    assert rectify.normalized_distance("", "") == 0.0
    assert rectify.normalized_distance("abcd", "abcd") == 0.0
    assert rectify.normalized_distance("abcd", "abXd") == 0.25  # 1 substitution / 4
    assert rectify.normalized_distance("ab", "abcd") == 0.5  # 2 insertions / 4
    assert rectify.normalized_distance("abc", "xyz") == 1.0


def test_sft_data_modes_mix_teacher_and_reflected_rows():
    teacher = [{"row_id": f"q{i}:cep:0", "qid": f"q{i}", "response": "T"} for i in range(3)]
    refl = [{"row_id": "q1:reflect:0", "qid": "q1", "response": "R"}]
    assert reflect.mix_sft_rows("rwc", teacher, refl, "teacher") == teacher
    assert [r["row_id"] for r in reflect.mix_sft_rows("reflected", teacher, refl, "teacher")] == \
        ["q0:cep:0", "q2:cep:0", "q1:reflect:0"]
    assert reflect.mix_sft_rows("reflected", teacher, refl, "drop") == refl
    assert len(reflect.mix_sft_rows("both", teacher, refl, "teacher")) == 4
    with pytest.raises(ValueError, match="valid: rwc, reflected, both"):
        reflect.mix_sft_rows("all", teacher, refl, "teacher")


def test_pair_sources_mix_and_duplicate_pair_ids_are_rejected():
    t = [{"pair_id": "q0:dual+:0"}, {"pair_id": "q1:dual-:0"}]
    s = [{"pair_id": "q0:student:1"}]
    assert rectify.mix_pairs("teacher", t, s) == t
    assert rectify.mix_pairs("student", t, s) == s
    assert rectify.mix_pairs("both", t, s) == t + s
    with pytest.raises(ValueError, match="duplicate pair_id"):
        rectify.mix_pairs("both", t, t[:1])


def test_mistake_counts_keep_every_type_so_rounds_line_up():
    assert mistakes.count_types(["logical", "logical", None, "other"]) == \
        {"logical": 2, "calculation": 0, "knowledge": 0, "other": 1, "unclassified": 1}
    with pytest.raises(ValueError, match="unknown type"):
        mistakes.count_types(["typo"])


# ------------------------------------------------------------------------------ program teacher
_TOKEN_STRIP = ".,:;()"


def _introduced(student_line: str, gold_line: str) -> set[str]:
    """Words of the student's line at the positions where it differs from the gold line."""
    s, g = student_line.split(), gold_line.split()
    out = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=g, b=s, autojunk=False).get_opcodes():
        if tag != "equal":
            out |= {w.strip(_TOKEN_STRIP) for w in s[j1:j2]} - {""}
    return out


def assert_differs_only_around_step(student: str, rectified: str, step: int) -> None:
    """All lines that differ are: the injected step, later lines carrying a value that an earlier differing
    line introduced (they depend on the mistake), and the final answer line. Lines before the step are
    kept verbatim, and no line is inserted or deleted."""
    s_lines, r_lines = student.splitlines(), rectified.splitlines()
    ops = difflib.SequenceMatcher(a=r_lines, b=s_lines, autojunk=False).get_opcodes()
    assert all(tag in ("equal", "replace") for tag, *_ in ops), ops
    assert len(s_lines) == len(r_lines)
    differing = [i for i, (a, b) in enumerate(zip(r_lines, s_lines)) if a != b]
    assert differing and differing[0] == step, (differing, step)
    # the masking kernel over lines (one id per distinct line) marks exactly these lines as key steps
    ids = {line: n for n, line in enumerate(dict.fromkeys(r_lines + s_lines))}
    chosen_key, rejected_key = key_masks([ids[x] for x in r_lines], [ids[x] for x in s_lines])
    assert list(chosen_key.nonzero()[0]) == differing == list(rejected_key.nonzero()[0])
    carried = _introduced(s_lines[step], r_lines[step])
    assert carried, "the injected step must change some value"
    for i in differing[1:]:
        if s_lines[i].startswith(ANSWER_PHRASE):
            assert i == len(s_lines) - 1  # the final answer line
            continue
        new = _introduced(s_lines[i], r_lines[i])
        assert new & carried, f"line {i} differs without depending on the mistake: {s_lines[i]!r}"
        carried |= new


@pytest.fixture(scope="module")
def corrupted():
    """Training questions of every task, each with one wrong 'student' CoT of a known injected step."""
    qs = synthetic_questions(n=2, n_train=2)
    exposed, steps = [], {}
    for j, q in enumerate(qs):
        c = synthetic.corrupt_cot(q, seed=j)
        row = exposed_row(q, 0, c["cot"])
        exposed.append(row)
        steps[q["qid"]] = (c["step"], c["mistake_type"])
    return qs, exposed, steps


def program_cfg(tmp_path, *extra):
    return load_config(None, [f"run.dir={tmp_path / 'run'}", "teacher.engine.kind=program", *extra])


def test_program_rectification_differs_from_student_cot_only_around_injected_step(ray_local, tmp_path, corrupted):
    qs, exposed, steps = corrupted
    cfg = program_cfg(tmp_path)
    out = str(tmp_path / "rectify")
    counts = rectify.rectify(cfg, qs, exposed, out)
    assert counts["in"] == len(exposed) == counts["ok"] + counts["errors"]
    assert counts["errors"] == 0, io.read_rows(io.join(out, "errors.parquet"))
    pairs = io.read_rows(io.join(out, "pairs.parquet"))
    by_qid = {q["qid"]: q for q in qs}
    assert sorted(p["qid"] for p in pairs) == sorted(by_qid)
    for p in pairs:
        q = by_qid[p["qid"]]
        assert p["origin"] == "student" and p["pair_id"] == f"{q['qid']}:student:0"
        assert p["chosen"] == synthetic.gold_cot(q)  # the program teacher rectifies to the gold steps
        assert p["rejected"] == next(e["text"] for e in exposed if e["qid"] == q["qid"])
        assert 0 < p["distance"] <= cfg.orion.max_rectify_distance
        assert p["distance"] == pytest.approx(rectify.normalized_distance(p["chosen"], p["rejected"]))
        assert_differs_only_around_step(p["rejected"], p["chosen"], steps[q["qid"]][0])
    # the exposed rows carry the injected type back from classify_mistake
    assert {e["qid"]: e["mistake_type"] for e in exposed} == {k: v[1] for k, v in steps.items()}


def test_rectification_too_far_from_the_student_cot_becomes_an_error_row(ray_local, tmp_path, corrupted):
    qs, exposed, _ = corrupted
    cfg = program_cfg(tmp_path, "orion.max_rectify_distance=0.0", "dual.max_verify_attempts=2")
    out = str(tmp_path / "rectify")
    counts = rectify.rectify(cfg, qs, exposed, out)
    assert (counts["in"], counts["ok"], counts["errors"]) == (len(exposed), 0, len(exposed))
    errors = io.read_rows(io.join(out, "errors.parquet"))
    assert {e["reason"] for e in errors} == {"too_far"}
    assert all(e["attempts"] == 2 and "max_rectify_distance" in e["detail"] for e in errors)
    assert io.read_table(io.join(out, "pairs.parquet")).num_rows == 0


# ------------------------------------------------------------------- tiny model, real vLLM and Ray Train
E2E_TASKS = ("multistep_arithmetic", "date_arithmetic")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, ray_local, tiny_model_dir):
    """A run dir as the pipeline leaves it after the dual stage: 4 training and 2 held-out synthetic questions,
    the program teacher's CEP CoTs (gold), the teacher's SFT rows and dual pairs (gold vs one injected mistake)."""
    from edit_ray.prompts import build_student_prompt

    run_dir = str(tmp_path_factory.mktemp("orion") / "run")
    qs = synthetic_questions(E2E_TASKS, n=3, n_train=2)
    train = [q for q in qs if q["split"] == "train"]
    io.write_table(qs, io.join(run_dir, "data", "questions.parquet"))
    io.write_table([{"row_id": f"{q['qid']}:cep:0", "qid": q["qid"], "kind": "cep", "sample": 0, "text": synthetic.gold_cot(q),
                     "answer": q["target"], "correct": True, "error": None} for q in train],
                   io.join(run_dir, "teacher", "cots.parquet"))
    io.write_table([{"row_id": f"{q['qid']}:cep:0", "qid": q["qid"], "task": q["task"],
                     "prompt": build_student_prompt(q), "response": synthetic.gold_cot(q)} for q in train],
                   io.join(run_dir, "dual", "sft.parquet"))
    pairs = []
    for j, q in enumerate(train):
        gold, wrong = synthetic.gold_cot(q), synthetic.corrupt_cot(q, seed=j)["cot"]
        d = rectify.normalized_distance(gold, wrong)
        pairs.append({"pair_id": f"{q['qid']}:dual+:0", "qid": q["qid"], "task": q["task"], "origin": "dual+",
                      "prompt": build_student_prompt(q), "chosen": gold, "rejected": wrong, "distance": d,
                      "similarity": 1 - d})
    io.write_table(pairs, io.join(run_dir, "dual", "pairs.parquet"))
    cfg = load_config(None, [
        f"run.dir={run_dir}", "run.name=orion-test", f"student.model={tiny_model_dir}",
        "teacher.engine.kind=program",
        "eval.engine.max_tokens=12", "eval.engine.max_model_len=1024", "eval.engine.enforce_eager=true",
        "eval.methods=[krsl]",
        "orion.exposure_samples=2", "orion.max_errors_per_question=2", "dual.max_verify_attempts=2",
        "sft.max_steps=1", "sft.batch_size=2", "sft.max_length=256",
        "krsl.max_steps=1", "krsl.batch_size=2", "krsl.max_length=256",
    ])
    return cfg, run_dir, qs


def test_exposure_then_reflection_then_sft_on_the_tiny_model(tiny_run):
    from edit_ray.train.run import train_stage

    cfg, run_dir, qs = tiny_run
    train = [q for q in qs if q["split"] == "train"]
    cfg = cfg.model_copy(update={"sft": cfg.sft.model_copy(update={"data": "reflected"})})  # ORION's stage 1
    got = rounds.run_reflection(cfg, run_dir)  # student = the tiny random model: exposes and reflects

    exp = got["exposure"]
    assert exp["samples"] == len(train) * cfg.orion.exposure_samples == exp["correct"] + exp["wrong"] + exp["errors"]
    exposed = io.read_rows(io.join(run_dir, "orion", "exposure", "errors_exposed.parquet"))
    assert len(exposed) == exp["wrong"] > 0  # a random model is wrong: that is what exposure needs
    assert len(io.read_rows(io.join(run_dir, "orion", "exposure", "errors.parquet"))) == exp["errors"]
    assert {e["row_id"] for e in exposed} <= {f"{q['qid']}:expose:{k}" for q in train for k in range(2)}
    assert all(e["target"] == next(q["target"] for q in qs if q["qid"] == e["qid"]) for e in exposed)
    assert sum(exp["mistake_types"].values()) == len(exposed)  # synthetic: every mistake is classified

    # the random student cannot write a verified reflection: every attempt ends in an error row with a reason
    ref = got["reflect"]
    with_errors = {e["qid"] for e in exposed}
    assert ref["in"] == len(with_errors) == ref["ok"] + ref["errors"]
    errors = io.read_rows(io.join(run_dir, "orion", "reflect", "errors.parquet"))
    assert len(errors) == ref["errors"]
    assert all(e["reason"] in ("no_answer", "verify_failed", "engine_error") and e["detail"] for e in errors)
    assert all(e["attempts"] == cfg.dual.max_verify_attempts for e in errors)

    # the success path: the teacher (program oracle) reflects, and its rewrites verify
    teacher_cfg = cfg.model_copy(update={"orion": cfg.orion.model_copy(update={"reflect_with": "teacher"})})
    ref_dir = io.join(run_dir, "orion", "reflect")
    counts = reflect.reflect(teacher_cfg, qs, rounds.teacher_cots(run_dir), exposed, ref_dir)
    assert (counts["in"], counts["ok"], counts["errors"]) == (len(with_errors), len(with_errors), 0)
    reflected = io.read_rows(io.join(ref_dir, "reflected.parquet"))
    assert sorted(r["qid"] for r in reflected) == sorted(with_errors)
    assert all(r["kind"] == "reflect" and r["correct"] and r["wrong_row_ids"] for r in reflected)

    sft_cfg = teacher_cfg.model_copy(update={"sft": teacher_cfg.sft.model_copy(update={"data": "both"})})
    both = io.read_rows(reflect.build_sft_table(sft_cfg, run_dir))
    assert len(both) == len(train) + len(reflected)
    sft_cfg = sft_cfg.model_copy(update={"sft": sft_cfg.sft.model_copy(update={"data": "reflected"})})
    path = reflect.build_sft_table(sft_cfg, run_dir)
    rows = io.read_rows(path)
    assert sorted(r["qid"] for r in rows) == sorted(q["qid"] for q in train)  # unreflected keep the teacher CoT
    assert {r["row_id"] for r in rows if r["qid"] in with_errors} == {f"{q}:reflect:0" for q in with_errors}

    out = train_stage(sft_cfg, "sft", data_path=path, init_model=cfg.student.model, out_dir=io.join(run_dir, "sft"))
    assert out["steps"] == 1 and io.exists(io.join(out["model_dir"], "config.json"))
    assert not io.exists(io.join(run_dir, "sft", "ray"))  # checkpoints dropped once the model is exported


def _format_trained_student(cfg, run_dir: str) -> str:
    """Stage 1 as the pipeline runs it, on gold CoTs of 48 other synthetic questions of the same tasks: enough
    steps for the tiny model to write the CoTs' form (steps, '=', 'Therefore, the answer is') with wrong
    content. A random student writes text that shares no token with a CoT, so its pairs would all be
    unrelated_pair at masking; this one makes real student-mistake pairs, as a real student does."""
    from edit_ray.prompts import build_student_prompt
    from edit_ray.train.run import train_stage

    qs = [q for t in E2E_TASKS for q in synthetic.generate(t, 24, 1, seed=11)]
    path = io.join(run_dir, "format_sft.parquet")
    io.write_table([{"row_id": f"{q['qid']}:fmt", "qid": q["qid"], "task": q["task"], "prompt": build_student_prompt(q),
                     "response": synthetic.gold_cot(q)} for q in qs], path)
    shutil.rmtree(io.join(run_dir, "sft"), ignore_errors=True)  # a fresh stage 1 (the test above trained one step)
    sft = cfg.sft.model_copy(update={"lr": 3e-3, "epochs": 9, "max_steps": 100, "batch_size": 4, "max_length": 384,
                                     "cpus_per_worker": 2})
    full = cfg.student.model_copy(update={"lora": None})  # full fine-tuning: LoRA on the tiny model learns too little
    out = train_stage(cfg.model_copy(update={"sft": sft, "student": full}), "sft", data_path=path,
                      init_model=cfg.student.model, out_dir=io.join(run_dir, "sft"))
    assert out["steps"] == 100
    return out["model_dir"]


def test_two_rounds_of_student_mistake_pairs_masks_krsl_and_eval_then_resume(tiny_run):
    """EDIT x ORION in rounds, end to end on real parts: each round exposes the current student's mistakes
    (vLLM), the program teacher rectifies them, the (rectified, student's wrong) pairs get key-token masks
    and KRSL trains on them alone (dual.source=student), the round's student is evaluated, and round 2
    starts from round 1's student. A re-run resumes: nothing runs again."""
    cfg, run_dir, qs = tiny_run
    student = _format_trained_student(cfg, run_dir)
    # The program teacher rewrites the student's text into the gold CoT, not into a minimal edit of it, so
    # the distance cap is opened here (the cap itself is tested with the program-teacher tests above).
    cfg = load_config(None, [f"{k}={v}" for k, v in {
        "run.dir": run_dir, "run.name": "orion-test", "student.model": cfg.student.model,
        "teacher.engine.kind": "program", "eval.engine.max_tokens": 12, "eval.engine.max_model_len": 1024,
        "eval.engine.enforce_eager": "true", "orion.exposure_max_tokens": 120, "orion.exposure_temperature": 0.3,
        "eval.methods": "[krsl]", "orion.exposure_samples": 2, "dual.max_verify_attempts": 2,
        "orion.max_rectify_distance": 1.0, "dual.source": "student", "orion.rounds": 2,
        "krsl.max_steps": 1, "krsl.batch_size": 2, "krsl.max_length": 384}.items()])
    train = [q for q in qs if q["split"] == "train"]
    test = [q for q in qs if q["split"] == "test"]
    published = io.join(run_dir, "krsl", "model")
    summary = rounds.run_rounds(cfg, run_dir, publish_to=published)

    assert [r["round"] for r in summary["rounds"]] == [1, 2]
    assert summary["rounds"][0]["student_in"] == rounds.initial_student(cfg, run_dir) == student
    assert summary["rounds"][1]["student_in"] == summary["rounds"][0]["model_dir"]  # round 2 from round 1's student
    for r in summary["rounds"]:
        assert r["skipped"] is None, r
        rd = io.join(run_dir, f"round_{r['round']}")
        exp, rect = r["exposure"], r["rectify"]
        assert exp["samples"] == len(train) * 2 == exp["correct"] + exp["wrong"] + exp["errors"]
        exposed = io.read_rows(io.join(rd, "exposure", "errors_exposed.parquet"))
        distinct = exposure.wrong_solutions_by_question(exposed, cfg.orion.max_errors_per_question)
        assert rect["in"] == sum(len(v) for v in distinct.values()) == rect["ok"] + rect["errors"]
        student_pairs = io.read_rows(io.join(rd, "rectify", "pairs.parquet"))
        assert len(student_pairs) == rect["ok"] > 0
        for p in student_pairs:
            q = next(q for q in qs if q["qid"] == p["qid"])
            assert p["chosen"] == synthetic.gold_cot(q) and p["origin"] == "student"
            assert p["rejected"] in {e["text"] for e in exposed if e["qid"] == p["qid"]}
        # KRSL trains on the student's own mistakes: its pairs, and only they, got real key-token masks
        assert r["pairs"] == len(student_pairs) == r["masks"]["pairs"] + r["masks"]["errors"]
        assert r["masks"]["pairs"] > 0 and 0 < r["masks"]["key_fraction_chosen"] < 1
        masks = io.read_table(io.join(rd, "masks", "masks.parquet"))
        assert set(masks["pair_id"].to_pylist()) <= {p["pair_id"] for p in student_pairs}
        assert r["krsl"]["steps"] == 1 and r["model_dir"] == io.join(rd, "krsl", "model")

        eval_summary = io.read_json(io.join(rd, "eval", "summary.json"))
        assert eval_summary["methods"]["edit-student"]["benchmarks"]["ind"]["n"] == len(test)
        assert r["accuracy"]["average"] == eval_summary["methods"]["edit-student"]["average"]
        m = io.read_json(io.join(rd, "mistakes.json"))
        assert m["before"]["wrong_samples"] == len(exposed) == sum(m["before"]["types"].values())
        assert m["before"]["types"]["unclassified"] == 0
        assert m["after"]["n"] == len(test) and sum(m["after"]["types"].values()) == m["after"]["wrong"]
    assert summary["accuracy"] == [r["accuracy"]["average"] for r in summary["rounds"]]
    final = summary["rounds"][1]["model_dir"]
    assert io.read_json(io.join(run_dir, "orion", "rounds.json"))["final_model"] == final
    assert io.exists(io.join(published, "config.json"))

    # resume: every step of both rounds is finished, so nothing runs again and the result is the same
    steps = [io.join(run_dir, f"round_{i}", s) for i in (1, 2) for s in ("exposure", "rectify", "masks", "krsl", "eval")]
    started = {s: io.read_json(io.join(s, "manifest.json"))["started"] for s in steps}
    again = rounds.run_rounds(cfg, run_dir)
    assert [r["krsl"] for r in again["rounds"]] == [r["krsl"] for r in summary["rounds"]]
    assert again["accuracy"] == summary["accuracy"]
    assert started == {s: io.read_json(io.join(s, "manifest.json"))["started"] for s in steps}

    # a round whose masked pairs cannot fill one KRSL step is skipped with that reason (KRSL would refuse to
    # start), and its student carries over; exposure, rectification and masks are reused, not re-run
    one_round = cfg.model_copy(update={"krsl": cfg.krsl.model_copy(update={"batch_size": 64}),
                                       "orion": cfg.orion.model_copy(update={"rounds": 1})})
    skipped = rounds.run_rounds(one_round, run_dir)["rounds"][0]
    n_masked = summary["rounds"][0]["masks"]["pairs"]
    assert skipped["skipped"] == (f"{n_masked} masked pair(s) cannot fill one KRSL step of 64 "
                                  "(krsl.num_workers x batch_size x grad_accum)")
    assert skipped["model_dir"] == skipped["student_in"] == student and "krsl" not in skipped
    assert all(started[s] == io.read_json(io.join(s, "manifest.json"))["started"] for s in steps[:3])
