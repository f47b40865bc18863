"""ORION stage 1, error exposure: the current student samples K solutions per training question and its
wrong ones are kept (orion-method.md §3.2).

Plain words: before we can teach the student what it gets wrong, we let it answer every training
question a few times at a sampling temperature and keep the answers that are wrong. Those wrong CoTs are
the "error table" that reflection (reflect.py) and minimal rectification (rectify.py) start from.

Reads: question rows (questions schema, docs/CONTRACTS.md), split "train" only.
Writes, under ``out_dir``:
  errors_exposed.parquet  the error table, one row per wrong sample: ``qid, row_id ("qid:expose:k"), task,
                          prompt, text, answer (the student's extracted answer, may be null), target (gold),
                          truncated, n_tokens, seed, mistake_type`` (synthetic tasks: logical | calculation |
                          knowledge | other, else null)
  errors.parquet          samples the engine failed to produce (reason ``engine_error``)
  counts.json             samples = correct + wrong + errors, per question and mistake-type counts

Also shared by reflect.py and rectify.py: ``engine_for`` (which engine config a role uses),
``question_columns`` (the question columns the program engine needs on each row), ``run_engine`` and
``wrong_solutions_by_question``.
"""

from __future__ import annotations

from edit_ray import io
from edit_ray.answers import extract_answer, is_correct
from edit_ray.config import EngineConfig, RunConfig
from edit_ray.data import question_columns
from edit_ray.engines import sample_seed
from edit_ray.orion.mistakes import classify, exposed_mistakes

STAGE = "orion_exposure"
# Closed set of reasons this stage writes to its errors table.
REASONS = ("engine_error",)


ERROR_TABLE_COLUMNS = {
    "qid": "question id",
    "row_id": "qid:expose:k",
    "sample": "k, the sample index",
    "task": "task name",
    "prompt": "the student prompt the sample answered",
    "text": "the student's wrong CoT",
    "answer": "answer extracted from text (null when it states none)",
    "target": "gold answer",
    "truncated": "hit max_tokens",
    "n_tokens": "generated tokens",
    "seed": "sampling seed",
    "mistake_type": "synthetic tasks: logical | calculation | knowledge | other; else null",
}


# ------------------------------------------------------------------------------------ shared helpers
def engine_for(cfg: RunConfig, role: str, model: str | None = None) -> EngineConfig:
    """Engine config of a role: ``student`` is served like evaluation (cfg.eval.engine, model replaced by the
    current student's directory); ``teacher`` is cfg.teacher.engine."""
    match role:
        case "student":
            if model is None:
                raise ValueError("engine_for('student') needs the student model (alias or directory)")
            from edit_ray.models import resolve

            return cfg.eval.engine.model_copy(update={"model": resolve(model)})
        case "teacher":
            return cfg.teacher.engine
        case _:
            raise ValueError(f"unknown engine role {role!r}; valid: student, teacher")


def run_engine(rows: list[dict], engine: EngineConfig) -> list[dict]:
    """Generate through edit_ray.engines (Ray Data + vLLM, HTTP, or the program oracle): the same rows in
    input order, with ``text, token_ids, prompt_token_ids, n_tokens, truncated, error`` added."""
    from edit_ray.engines import generate_rows

    return generate_rows(rows, engine)


def train_questions(questions: list[dict]) -> list[dict]:
    return [q for q in questions if q.get("split", "train") == "train"]


# ------------------------------------------------------------------------------------------ exposure
def exposure_rows(cfg: RunConfig, questions: list[dict]) -> list[dict]:
    """K engine rows per training question: the student prompt, exposure temperature, distinct seeds."""
    from edit_ray.prompts import build_student_prompt

    max_tokens = cfg.orion.exposure_max_tokens or cfg.eval.engine.max_tokens
    rows = []
    for q in train_questions(questions):
        prompt = build_student_prompt(q)
        for k in range(cfg.orion.exposure_samples):
            row_id = f"{q['qid']}:expose:{k}"
            rows.append({"row_id": row_id, "qid": q["qid"], "kind": "expose", "sample": k, "prompt": prompt,
                         "temperature": cfg.orion.exposure_temperature, "max_tokens": max_tokens,
                         "seed": sample_seed(cfg.run.seed, row_id), **question_columns(q)})
    return rows


def score_samples(results: list[dict], questions: list[dict]) -> tuple[list[dict], list[dict], int]:
    """Split engine results into (wrong samples as error-table rows, engine failures as error rows, n correct)."""
    by_qid = {q["qid"]: q for q in questions}
    wrong, errors, n_correct = [], [], 0
    for r in results:
        if r.get("error"):
            errors.append(io.error_row(r["row_id"], STAGE, "engine_error", r["error"]))
            continue
        q = by_qid[r["qid"]]
        answer = extract_answer(r["text"])
        if is_correct(answer, q):
            n_correct += 1
            continue
        wrong.append({"qid": r["qid"], "row_id": r["row_id"], "sample": int(r["sample"]), "task": q.get("task"),
                      "prompt": r["prompt"],
                      "text": r["text"], "answer": answer, "target": str(q.get("target")),
                      "truncated": bool(r.get("truncated")), "n_tokens": int(r.get("n_tokens") or 0),
                      "seed": int(r["seed"]), "mistake_type": classify(q, r["text"])})
    return wrong, errors, n_correct


def expose_errors(cfg: RunConfig, questions: list[dict], student_model: str, out_dir: str) -> dict:
    """Sample the student K times per training question and keep its wrong solutions (the error table).

    Args:
        cfg: run config; reads ``orion.exposure_samples``, ``orion.exposure_temperature``,
            ``orion.exposure_max_tokens``, ``eval.engine`` (how the student is served), ``run.seed``.
        questions: question rows; only ``split == "train"`` ones are sampled.
        student_model: the current student: an alias or a merged HF directory (e.g. ``RUN/sft/model``).
        out_dir: where errors_exposed.parquet, errors.parquet and counts.json go.
    Returns:
        counts: ``samples, correct, wrong, errors, questions, questions_with_errors, mistake_types``;
        ``samples == correct + wrong + errors`` (checked by report_counts).
    """
    train = train_questions(questions)
    rows = exposure_rows(cfg, train)
    results = run_engine(rows, engine_for(cfg, "student", student_model))
    wrong, errors, n_correct = score_samples(results, train)
    io.write_table(wrong, io.join(out_dir, "errors_exposed.parquet"), schema=error_table_schema())
    io.write_errors(errors, io.join(out_dir, "errors.parquet"))
    io.report_counts(STAGE, len(rows), n_correct + len(wrong), len(errors),
                     extra={"correct": n_correct, "wrong": len(wrong)})
    counts = {
        "samples": len(rows), "correct": n_correct, "wrong": len(wrong), "errors": len(errors),
        "questions": len(train), "questions_with_errors": len({w["qid"] for w in wrong}),
        "student": student_model, "mistake_types": exposed_mistakes(wrong),
    }
    io.write_json(counts, io.join(out_dir, "counts.json"))
    return counts


def error_table_schema():
    import pyarrow as pa

    return pa.schema([
        ("qid", pa.string()), ("row_id", pa.string()), ("sample", pa.int32()), ("task", pa.string()),
        ("prompt", pa.string()),
        ("text", pa.string()), ("answer", pa.string()), ("target", pa.string()), ("truncated", pa.bool_()),
        ("n_tokens", pa.int32()), ("seed", pa.int64()), ("mistake_type", pa.string()),
    ])


def wrong_solutions_by_question(exposed: list[dict], limit: int) -> dict[str, list[dict]]:
    """Up to ``limit`` distinct wrong solutions per question, in sample order (duplicates teach nothing twice)."""
    out: dict[str, list[dict]] = {}
    seen: dict[str, set[str]] = {}
    for w in sorted(exposed, key=lambda r: (r["qid"], r["sample"])):
        texts = seen.setdefault(w["qid"], set())
        norm = " ".join((w["text"] or "").split())
        if not norm or norm in texts or len(out.get(w["qid"], [])) >= limit:
            continue
        texts.add(norm)
        out.setdefault(w["qid"], []).append(w)
    return out
