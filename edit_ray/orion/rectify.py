"""EDIT x ORION: dual CoTs from the student's own mistakes, rectified with minimal edits.

Plain words: EDIT's KRSL (Key Reasoning Steps Learning) learns from the tokens where a correct and a wrong
CoT differ (edit-method.md §2-3). EDIT gets its wrong CoTs from the teacher. Here the wrong CoT is one the
*student* wrote during exposure (exposure.py), and the teacher rectifies it with as few edits as possible
(``build_minimal_rectify_prompt``: the answer hint plus "keep every correct step verbatim"), so the pair
differs exactly at the student's mistake and KRSL trains the steps this student gets wrong.

A rectification is kept when its answer verifies AND its normalised character edit distance to the
student's CoT, ``levenshtein(a, b) / max(len(a), len(b))``, is at most ``orion.max_rectify_distance``;
otherwise it is regenerated (``dual.max_verify_attempts`` tries) and finally becomes an error row.

Reads: questions and the error table of exposure (at most ``orion.max_errors_per_question`` distinct wrong
CoTs per question).
Writes, under ``out_dir`` (``RUN/round_<i>/rectify``):
  cots.parquet    teacher-CoT schema rows, kind="rectify_min", row_id "qid:rectify_min:k" (k = the exposure
                  sample), plus ``student_row_id``, ``student_cot``, ``distance``
  pairs.parquet   pairs schema (docs/CONTRACTS.md), origin="student": chosen = rectified, rejected = student's
  errors.parquet  reasons: engine_error, no_answer, verify_failed, too_far
``build_pairs_table`` mixes them with the teacher's dual pairs per ``dual.source``.
"""

from __future__ import annotations

from edit_ray import io
from edit_ray.config import EngineConfig, RunConfig
from edit_ray.data import question_columns
from edit_ray.orion.exposure import (
    engine_for,
    train_questions,
    wrong_solutions_by_question,
)
from edit_ray.orion.reflect import ORION_DIR, Check, answer_check, generate_verified
from edit_ray.teacher.dual import normalized_distance

STAGE = "orion_rectify"
REASONS = ("engine_error", "no_answer", "verify_failed", "too_far")
ORIGIN = "student"
PAIR_COLUMNS = ("pair_id", "qid", "task", "origin", "prompt", "chosen", "rejected", "distance", "similarity")


def minimal_edit_check(questions_by_qid: dict[str, dict], max_distance: float) -> Check:
    """Accept a rectification whose answer verifies and that stays within ``max_distance`` of the student CoT."""
    verify = answer_check(questions_by_qid)

    def check(r: dict) -> tuple[str, str] | None:
        verdict = verify(r)
        if verdict is not None:
            return verdict
        d = normalized_distance(r["text"], r["student_cot"])
        if d > max_distance:
            return "too_far", f"normalised edit distance {d:.3f} > orion.max_rectify_distance {max_distance}"
        return None

    return check


def rectify_rows(cfg: RunConfig, questions: list[dict], exposed: list[dict], engine: EngineConfig) -> list[dict]:
    """One engine row per distinct wrong student CoT (kind "rectify_min")."""
    from edit_ray.prompts import build_minimal_rectify_prompt, build_student_prompt

    wrong = wrong_solutions_by_question(exposed, cfg.orion.max_errors_per_question)
    rows = []
    for q in train_questions(questions):
        for w in wrong.get(q["qid"], []):
            k = w["row_id"].rsplit(":", 1)[1]
            rows.append({"row_id": f"{q['qid']}:rectify_min:{k}", "qid": q["qid"], "kind": "rectify_min",
                         "prompt": build_minimal_rectify_prompt(q, w["text"]),
                         "temperature": engine.temperature, "max_tokens": engine.max_tokens, "seed": 0,
                         "student_cot": w["text"], "student_row_id": w["row_id"],
                         "student_prompt": build_student_prompt(q), **question_columns(q)})
    return rows


def rectify(cfg: RunConfig, questions: list[dict], exposed: list[dict], out_dir: str) -> dict:
    """The teacher rectifies each wrong student CoT with minimal edits; verified ones become KRSL pairs.

    Args:
        cfg: reads ``teacher.engine`` (and its retry temperature knobs), ``orion.max_rectify_distance``,
            ``orion.max_errors_per_question``, ``dual.max_verify_attempts``, ``run.seed``.
        questions: question rows.
        exposed: error-table rows from ``expose_errors``.
        out_dir: where cots.parquet, pairs.parquet and errors.parquet go.
    Returns:
        counts: ``in, ok, errors, reasons, mean_distance`` (``in == ok + errors``).
    """
    engine = engine_for(cfg, "teacher")
    rows = rectify_rows(cfg, questions, exposed, engine)
    by_qid = {q["qid"]: q for q in questions}
    ok, errors = generate_verified(
        rows, engine, minimal_edit_check(by_qid, cfg.orion.max_rectify_distance),
        max_attempts=cfg.dual.max_verify_attempts, stage=STAGE, run_seed=cfg.run.seed,
        temperature_step=cfg.teacher.temperature_step, max_temperature=cfg.teacher.max_temperature)
    cots, pairs = [], []
    for r in ok:
        d = normalized_distance(r["text"], r["student_cot"])
        cots.append({"row_id": r["row_id"], "qid": r["qid"], "kind": "rectify_min", "prompt": r["prompt"],
                     "prompt_token_ids": list(r.get("prompt_token_ids") or []), "text": r["text"],
                     "token_ids": list(r.get("token_ids") or []), "n_tokens": int(r.get("n_tokens") or 0),
                     "truncated": bool(r.get("truncated")), "answer": r["answer"], "correct": True,
                     "attempts": r["attempts"], "error": None, "teacher": engine.model, "seed": int(r["seed"]),
                     "student_row_id": r["student_row_id"], "student_cot": r["student_cot"], "distance": d})
        pairs.append({"pair_id": f"{r['qid']}:{ORIGIN}:{r['row_id'].rsplit(':', 1)[1]}", "qid": r["qid"],
                      "task": by_qid[r["qid"]].get("task"), "origin": ORIGIN, "prompt": r["student_prompt"],
                      "chosen": r["text"], "rejected": r["student_cot"], "distance": d, "similarity": 1.0 - d})
    io.write_table(cots, io.join(out_dir, "cots.parquet"), schema=cots_schema())
    io.write_table(pairs, io.join(out_dir, "pairs.parquet"), schema=pairs_schema())
    io.write_errors(errors, io.join(out_dir, "errors.parquet"))
    reasons: dict[str, int] = {}
    for e in errors:
        reasons[e["reason"]] = reasons.get(e["reason"], 0) + 1
    mean_d = sum(p["distance"] for p in pairs) / len(pairs) if pairs else None
    counts = io.report_counts(STAGE, len(rows), len(pairs), len(errors),
                              extra={"mean_distance": None if mean_d is None else round(mean_d, 4)})
    return {**counts, "reasons": reasons, "mean_distance": mean_d}


def cots_schema():
    import pyarrow as pa

    return pa.schema([
        ("row_id", pa.string()), ("qid", pa.string()), ("kind", pa.string()), ("prompt", pa.string()),
        ("prompt_token_ids", pa.list_(pa.int32())), ("text", pa.string()), ("token_ids", pa.list_(pa.int32())),
        ("n_tokens", pa.int32()), ("truncated", pa.bool_()), ("answer", pa.string()), ("correct", pa.bool_()),
        ("attempts", pa.int32()), ("error", pa.string()), ("teacher", pa.string()), ("seed", pa.int64()),
        ("student_row_id", pa.string()), ("student_cot", pa.string()), ("distance", pa.float64()),
    ])


def pairs_schema():
    import pyarrow as pa

    return pa.schema([(c, pa.float64() if c in ("distance", "similarity") else pa.string()) for c in PAIR_COLUMNS])


# ------------------------------------------------------------------------------------- KRSL pairs
def mix_pairs(source: str, teacher_pairs: list[dict], student_pairs: list[dict]) -> list[dict]:
    """KRSL pairs per ``dual.source``: teacher | student | both (pair ids stay unique: origins differ)."""
    match source:
        case "teacher":
            return list(teacher_pairs)
        case "student":
            return list(student_pairs)
        case "both":
            rows = list(teacher_pairs) + list(student_pairs)
            ids = [r["pair_id"] for r in rows]
            if len(set(ids)) != len(ids):
                dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
                raise ValueError(f"dual.source=both: duplicate pair_id(s) {dup} between teacher and student pairs")
            return rows
        case _:
            raise ValueError(f"dual.source={source!r}; valid: teacher, student, both")


def build_pairs_table(cfg: RunConfig, run_dir: str, *, student_dir: str | None = None) -> str:
    """Write the KRSL pairs per ``cfg.dual.source`` and return their path.

    Args:
        cfg: reads ``dual.source``.
        run_dir: the run directory (teacher pairs: ``RUN/dual/pairs.parquet``).
        student_dir: directory holding ``rectify/pairs.parquet`` (a round directory); default ``RUN/orion``.
    Returns:
        teacher: ``RUN/dual/pairs.parquet`` itself; student/both: ``<student_dir>/pairs.parquet``.
    Raises:
        FileNotFoundError: a needed artifact is missing (named, with the step that writes it).
    """
    teacher_path = io.join(run_dir, "dual", "pairs.parquet")
    if cfg.dual.source == "teacher":
        return teacher_path
    student_dir = student_dir or io.join(run_dir, ORION_DIR)
    student_path = io.join(student_dir, "rectify", "pairs.parquet")
    needed = [(student_path, "edit_ray.orion.rectify.rectify")]
    if cfg.dual.source == "both":
        needed.append((teacher_path, "the dual stage"))
    for path, step in needed:
        if not io.exists(path):
            raise FileNotFoundError(f"dual.source={cfg.dual.source} needs {path}, written by {step}")
    student_pairs = io.read_rows(student_path, list(PAIR_COLUMNS))
    teacher_pairs = io.read_rows(teacher_path, list(PAIR_COLUMNS)) if cfg.dual.source == "both" else []
    rows = mix_pairs(cfg.dual.source, teacher_pairs, student_pairs)
    out = io.join(student_dir, "pairs.parquet")
    io.write_table(rows, out, schema=pairs_schema())
    print(f"[orion_pairs] dual.source={cfg.dual.source}: {len(rows)} pairs "
          f"({len(teacher_pairs)} teacher, {len(student_pairs)} student)", flush=True)
    return out
