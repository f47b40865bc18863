"""ORION stage 2, error-aware reflection, and the stage-1 SFT data it feeds (orion-method.md §3.3-3.4).

Plain words: a model (the student itself, as in ORION, or the teacher) reads the question, the teacher's
correct CoT and the student's own wrong solution(s) from exposure, and rewrites the teacher's CoT so that
it avoids those mistakes in steps the student can follow. A rewrite is kept only if its answer verifies;
otherwise it is regenerated (``dual.max_verify_attempts`` tries, temperature raised by
``teacher.temperature_step`` per try) and finally becomes an error row. The errors stay out of the SFT
prompt: the student is trained on the plain student prompt with the reflected CoT as the target.

Reads: questions, teacher CoTs (``teacher/cots.parquet`` kind=cep and ``dual/cots.parquet`` kind=ahp,
correct ones only) and the error table of exposure.
Writes, under ``out_dir`` (``RUN/orion/reflect``):
  reflected.parquet  teacher-CoT schema rows with kind="reflect", row_id "qid:reflect:0", plus
                     ``teacher_row_id`` (the CoT that was rewritten) and ``wrong_row_ids`` (the errors shown)
  errors.parquet     reasons: no_teacher_cot, engine_error, no_answer, verify_failed
``build_sft_table`` then writes ``RUN/orion/sft.parquet`` (row_id, qid, task, prompt, response) per ``sft.data``.
"""

from __future__ import annotations

from collections.abc import Callable

from edit_ray import io
from edit_ray.answers import extract_answer, is_correct
from edit_ray.config import EngineConfig, RunConfig
from edit_ray.data import question_columns
from edit_ray.engines import sample_seed
from edit_ray.orion.exposure import (
    engine_for,
    run_engine,
    train_questions,
    wrong_solutions_by_question,
)

STAGE = "orion_reflect"
REASONS = ("no_teacher_cot", "engine_error", "no_answer", "verify_failed")
ORION_DIR = "orion"
SFT_COLUMNS = ("row_id", "qid", "task", "prompt", "response")

# A check looks at one engine result and returns None (accept) or (reason, detail).
Check = Callable[[dict], "tuple[str, str] | None"]


# ------------------------------------------------------------------------- generate, verify, retry
def answer_check(questions_by_qid: dict[str, dict]) -> Check:
    """Accept a result whose extracted answer matches the gold answer of its question."""

    def check(r: dict) -> tuple[str, str] | None:
        answer = extract_answer(r["text"])
        if answer is None:
            return "no_answer", f"truncated={bool(r.get('truncated'))}; text ends: {r['text'][-200:]!r}"
        if not is_correct(answer, questions_by_qid[r["qid"]]):
            return "verify_failed", f"answer {answer!r} != gold {questions_by_qid[r['qid']].get('target')!r}"
        return None

    return check


def generate_verified(rows: list[dict], engine: EngineConfig, check: Check, *, max_attempts: int, stage: str,
                      run_seed: int, temperature_step: float = 0.0, max_temperature: float = 2.0,
                      ) -> tuple[list[dict], list[dict]]:
    """Generate rows, keep results that pass ``check``, regenerate the others with a new seed and a higher
    temperature, up to ``max_attempts`` calls per row.

    Returns:
        (accepted results with ``attempts`` and ``answer`` set, error rows carrying the last failure reason).
    """
    pending = list(rows)
    accepted: list[dict] = []
    last: dict[str, tuple[str, str]] = {}
    for attempt in range(max_attempts):
        if not pending:
            break
        batch = [{**r, "seed": sample_seed(run_seed, r["row_id"], attempt),
                  "temperature": min(r["temperature"] + attempt * temperature_step, max_temperature)}
                 for r in pending]
        pending = []
        for r, res in zip(batch, run_engine(batch, engine)):
            verdict = ("engine_error", str(res["error"])) if res.get("error") else check(res)
            if verdict is None:
                accepted.append({**res, "attempts": attempt + 1, "answer": extract_answer(res["text"])})
            else:
                last[r["row_id"]] = verdict
                pending.append(r)
    errors = [io.error_row(r["row_id"], stage, last[r["row_id"]][0], last[r["row_id"]][1], max_attempts)
              for r in pending]
    return accepted, errors


# ---------------------------------------------------------------------------------------- reflection
def pick_teacher_cot(cots: list[dict]) -> dict | None:
    """The teacher CoT a reflection rewrites: a correct CEP CoT first, else a correct AHP rectification."""
    for kind in ("cep", "ahp"):
        for c in sorted(cots, key=lambda c: c["row_id"]):
            if c.get("kind") == kind and c.get("correct") and c.get("text"):
                return c
    return None


def reflection_rows(cfg: RunConfig, questions: list[dict], teacher_cots: list[dict], exposed: list[dict],
                    engine: EngineConfig) -> tuple[list[dict], list[dict]]:
    """One engine row per question with exposed errors; questions without a correct teacher CoT -> error rows."""
    from edit_ray.prompts import build_reflection_prompt

    wrong = wrong_solutions_by_question(exposed, cfg.orion.max_errors_per_question)
    cots_by_qid: dict[str, list[dict]] = {}
    for c in teacher_cots:
        cots_by_qid.setdefault(c["qid"], []).append(c)
    rows, errors = [], []
    for q in train_questions(questions):
        if q["qid"] not in wrong:
            continue  # the student never failed: nothing to reflect on (build_sft_table's fallback decides)
        row_id = f"{q['qid']}:reflect:0"
        teacher = pick_teacher_cot(cots_by_qid.get(q["qid"], []))
        if teacher is None:
            errors.append(io.error_row(row_id, STAGE, "no_teacher_cot",
                                       f"qid {q['qid']}: no correct cep/ahp teacher CoT to reflect on", 0))
            continue
        wrongs = wrong[q["qid"]]
        rows.append({"row_id": row_id, "qid": q["qid"], "kind": "reflect",
                     "prompt": build_reflection_prompt(q, teacher["text"], [w["text"] for w in wrongs]),
                     "temperature": engine.temperature, "max_tokens": engine.max_tokens, "seed": 0,
                     "teacher_cot": teacher["text"], "teacher_row_id": teacher["row_id"],
                     "wrong_row_ids": [w["row_id"] for w in wrongs], **question_columns(q)})
    return rows, errors


def reflect(cfg: RunConfig, questions: list[dict], teacher_cots: list[dict], exposed: list[dict], out_dir: str,
            *, student_model: str | None = None) -> dict:
    """Error-aware reflection: rewrite the teacher's CoT of each question the student got wrong.

    Args:
        cfg: reads ``orion.reflect_with``, ``orion.max_errors_per_question``, ``dual.max_verify_attempts``,
            ``teacher.temperature_step``/``max_temperature``, ``teacher.engine`` or ``eval.engine``, ``run.seed``.
        questions: question rows.
        teacher_cots: teacher CoT rows (kind cep/ahp; only correct ones are used).
        exposed: error-table rows from ``expose_errors``.
        out_dir: where reflected.parquet and errors.parquet go.
        student_model: the reflecting student when ``reflect_with == "student"`` (default ``cfg.student.model``).
    Returns:
        counts: ``in, ok, errors, reasons`` (``in == ok + errors``).
    """
    role = cfg.orion.reflect_with
    engine = engine_for(cfg, role, student_model or cfg.student.model)
    rows, errors = reflection_rows(cfg, questions, teacher_cots, exposed, engine)
    by_qid = {q["qid"]: q for q in questions}
    ok, failed = generate_verified(
        rows, engine, answer_check(by_qid), max_attempts=cfg.dual.max_verify_attempts, stage=STAGE,
        run_seed=cfg.run.seed, temperature_step=cfg.teacher.temperature_step,
        max_temperature=cfg.teacher.max_temperature)
    errors += failed
    out = [{"row_id": r["row_id"], "qid": r["qid"], "kind": "reflect", "prompt": r["prompt"],
            "prompt_token_ids": list(r.get("prompt_token_ids") or []), "text": r["text"],
            "token_ids": list(r.get("token_ids") or []), "n_tokens": int(r.get("n_tokens") or 0),
            "truncated": bool(r.get("truncated")), "answer": r["answer"], "correct": True,
            "attempts": r["attempts"], "error": None, "teacher": f"{role}:{engine.model}", "seed": int(r["seed"]),
            "teacher_row_id": r["teacher_row_id"], "wrong_row_ids": list(r["wrong_row_ids"]),
            "length_ratio": len(r["text"]) / max(1, len(r["teacher_cot"]))}
           for r in ok]
    io.write_table(out, io.join(out_dir, "reflected.parquet"), schema=reflected_schema())
    io.write_errors(errors, io.join(out_dir, "errors.parquet"))
    reasons: dict[str, int] = {}
    for e in errors:
        reasons[e["reason"]] = reasons.get(e["reason"], 0) + 1
    counts = io.report_counts(STAGE, len(rows) + sum(e["reason"] == "no_teacher_cot" for e in errors),
                              len(out), len(errors), extra={"reflect_with": role})
    return {**counts, "reasons": reasons}


def reflected_schema():
    import pyarrow as pa

    return pa.schema([
        ("row_id", pa.string()), ("qid", pa.string()), ("kind", pa.string()), ("prompt", pa.string()),
        ("prompt_token_ids", pa.list_(pa.int32())), ("text", pa.string()), ("token_ids", pa.list_(pa.int32())),
        ("n_tokens", pa.int32()), ("truncated", pa.bool_()), ("answer", pa.string()), ("correct", pa.bool_()),
        ("attempts", pa.int32()), ("error", pa.string()), ("teacher", pa.string()), ("seed", pa.int64()),
        ("teacher_row_id", pa.string()), ("wrong_row_ids", pa.list_(pa.string())), ("length_ratio", pa.float64()),
    ])


# ------------------------------------------------------------------------------------ stage-1 data
def sft_schema():
    import pyarrow as pa

    return pa.schema([(c, pa.string()) for c in SFT_COLUMNS])


def sft_rows_from_reflected(reflected: list[dict], questions: list[dict]) -> list[dict]:
    """SFT rows of reflected CoTs: the plain student prompt (no errors in it) -> the reflected CoT."""
    from edit_ray.prompts import build_student_prompt

    by_qid = {q["qid"]: q for q in questions}
    return [{"row_id": r["row_id"], "qid": r["qid"], "task": by_qid[r["qid"]].get("task"),
             "prompt": build_student_prompt(by_qid[r["qid"]]), "response": r["text"]} for r in reflected]


def mix_sft_rows(mode: str, teacher_rows: list[dict], reflected_rows: list[dict], fallback: str) -> list[dict]:
    """Stage-1 rows per ``sft.data``: rwc (the teacher's D+ ∪ D-+) | reflected (+ teacher rows of unreflected
    questions when ``fallback == "teacher"``) | both."""
    match mode:
        case "rwc":
            return list(teacher_rows)
        case "reflected":
            done = {r["qid"] for r in reflected_rows}
            keep = [r for r in teacher_rows if r["qid"] not in done] if fallback == "teacher" else []
            return keep + list(reflected_rows)
        case "both":
            return list(teacher_rows) + list(reflected_rows)
        case _:
            raise ValueError(f"sft.data={mode!r}; valid: rwc, reflected, both")


def build_sft_table(cfg: RunConfig, run_dir: str) -> str:
    """Write the stage-1 data per ``cfg.sft.data`` and return its path.

    rwc: ``RUN/dual/sft.parquet`` itself; reflected/both: ``RUN/orion/sft.parquet`` built from it and
    ``RUN/orion/reflect/reflected.parquet`` (run ``rounds.run_reflection`` first).

    Raises:
        FileNotFoundError: a needed artifact is missing (the message names it and the step that writes it).
    """
    teacher_path = io.join(run_dir, "dual", "sft.parquet")
    if cfg.sft.data == "rwc":
        return teacher_path
    reflected_path = io.join(run_dir, ORION_DIR, "reflect", "reflected.parquet")
    for path, step in ((teacher_path, "the dual stage"), (reflected_path, "edit_ray.orion.rounds.run_reflection")):
        if not io.exists(path):
            raise FileNotFoundError(f"sft.data={cfg.sft.data} needs {path}, written by {step}")
    questions = io.read_rows(io.join(run_dir, "data", "questions.parquet"))
    teacher_rows = io.read_rows(teacher_path, list(SFT_COLUMNS))
    reflected_rows = sft_rows_from_reflected(io.read_rows(reflected_path), questions)
    rows = mix_sft_rows(cfg.sft.data, teacher_rows, reflected_rows, cfg.orion.reflect_fallback)
    out = io.join(run_dir, ORION_DIR, "sft.parquet")
    io.write_table(rows, out, schema=sft_schema())
    print(f"[orion_sft] sft.data={cfg.sft.data}: {len(rows)} rows "
          f"({len(teacher_rows)} teacher, {len(reflected_rows)} reflected)", flush=True)
    return out
