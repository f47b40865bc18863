"""Teacher stages of a run: CEP CoTs (``run_teacher``) and dual CoTs (``run_dual``), and both for
``edit-ray generate`` (``run_generate``).

Run-dir layout (docs/CONTRACTS.md):

    data/questions.parquet   read (train split)
    teacher/cots.parquet     CEP rows (kind cep), teacher/errors.parquet
    dual/cots.parquet        AHP and CCP rows (kind ahp|ccp), dual/errors.parquet
    dual/pairs.parquet       (chosen, rejected) pairs with distance and similarity
    dual/sft.parquet         stage-1 data: D+ ∪ D-+ with the student prompt

Both stages are resumable: finished rows stream into ``<stage>/parts/`` (see ``teacher.parts``); a re-run
after a crash or ``kill -9`` generates only the rows that are missing there, then rewrites the final
artifacts from all parts. Library code never calls ``ray.init``; ``edit_ray.cli.generate_command`` (an
entry point) does.
"""

from __future__ import annotations

from edit_ray import io
from edit_ray.config import RunConfig, result_values
from edit_ray.steps import Step
from edit_ray.teacher import parts
from edit_ray.teacher.cep import STAGE as TEACHER_STAGE
from edit_ray.teacher.cep import cep_rows, cot_row, has_answer_phrase, split_by_correctness
from edit_ray.teacher.dual import STAGE as DUAL_STAGE
from edit_ray.teacher.dual import build_pairs, build_sft, dual_rows, verify
from edit_ray.teacher.retry import generate_resumable, loop_settings


def train_questions(run_dir: str) -> list[dict]:
    """The train split of ``run_dir/data/questions.parquet``."""
    path = io.join(run_dir, "data", "questions.parquet")
    if not io.exists(path):
        raise FileNotFoundError(f"{path} not found: run the data stage first (edit-ray generate builds it)")
    return [q for q in io.read_rows(path) if q.get("split", "train") == "train"]


def _output_settings(cfg: RunConfig) -> dict:
    """The teacher settings that decide the generated rows (for the parts fingerprint): execution-only ones
    (replicas, batch size, retries of the transport...) may change on a resume and still reuse the parts."""
    return result_values(cfg)["teacher"]


def _teacher_name(cfg: RunConfig) -> str:
    return f"{cfg.teacher.engine.kind}:{cfg.teacher.engine.model}"


def _write_final(out_dir: str, name: str, rows: list[dict], errors: list[dict]) -> None:
    io.write_table(rows, io.join(out_dir, name))
    io.write_errors(errors, io.join(out_dir, "errors.parquet"))


def run_teacher(cfg: RunConfig, run_dir: str) -> dict:
    """CEP for every training question (K samples each), resumable.

    Args:
        cfg: reads ``teacher`` (engine, samples_per_question, retries, part_rows) and ``run.seed``.
        run_dir: the run directory (``data/questions.parquet`` must exist).
    Returns:
        Counts: ``in``, ``ok``, ``errors``, ``d_plus``, ``d_minus``, ``truncated``, ``questions``.
    """
    questions = train_questions(run_dir)
    rows, bad = cep_rows(questions, cfg.teacher)
    out_dir = io.join(run_dir, "teacher")
    t = cfg.teacher
    cots, errors, _ = generate_resumable(
        rows, t.engine, parts_dir=io.join(out_dir, "parts"), failed=bad,
        fingerprint=parts.fingerprint(_output_settings(cfg), cfg.run.seed, sorted(r["row_id"] for r in rows + bad)),
        check=has_answer_phrase, finish=lambda res, attempt: cot_row(res, attempt, _teacher_name(cfg)),
        stage=TEACHER_STAGE, **loop_settings(cfg, t.max_attempts))
    _write_final(out_dir, "cots.parquet", cots, errors)
    d_plus, d_minus = split_by_correctness(cots)
    return io.report_counts(
        "teacher.cep", len(rows) + len(bad), len(cots), len(errors),
        {"questions": len(questions), "d_plus": len(d_plus), "d_minus": len(d_minus),
         "truncated": sum(bool(c["truncated"]) for c in cots)})


def run_dual(cfg: RunConfig, run_dir: str) -> dict:
    """AHP on D-, CCP on D+ (both verified), then pairs and the SFT set; resumable.

    Args:
        cfg: reads ``teacher`` (engine, retry temperature), ``dual`` (max_verify_attempts, max_distance),
            ``run.seed``.
        run_dir: the run directory (``teacher/cots.parquet`` must exist).
    Returns:
        Counts: ``rectified_ok/failed``, ``corrupted_ok/failed``, ``pairs``, ``dual_plus``, ``dual_minus``,
        ``too_distant``, ``sft``.
    """
    questions = {q["qid"]: q for q in train_questions(run_dir)}
    cots_path = io.join(run_dir, "teacher", "cots.parquet")
    if not io.exists(cots_path):
        raise FileNotFoundError(f"{cots_path} not found: run the teacher stage first")
    # the extra samples (teacher.extra_samples) feed only std-cot-repeat, not the dual CoTs
    cep = [c for c in io.read_rows(cots_path)
           if c["qid"] in questions and c["sample"] < cfg.teacher.samples_per_question]
    d_plus, d_minus = split_by_correctness(cep)
    rows = dual_rows(d_plus, d_minus, questions, cfg.teacher)

    out_dir = io.join(run_dir, "dual")
    dual, gen_errors, _ = generate_resumable(
        rows, cfg.teacher.engine, parts_dir=io.join(out_dir, "parts"),
        fingerprint=parts.fingerprint(_output_settings(cfg), cfg.dual.model_dump(mode="json", exclude={"source"}),
                                      cfg.run.seed, sorted(r["row_id"] for r in rows)),
        check=verify, finish=lambda res, attempt: cot_row(res, attempt, _teacher_name(cfg), keep=("source_row_id",)),
        stage=DUAL_STAGE, **loop_settings(cfg, cfg.dual.max_verify_attempts))
    pairs, far = build_pairs(cep, dual, questions, cfg.dual)
    rectified = [d for d in dual if d["kind"] == "ahp"]
    sft = build_sft(d_plus, rectified, questions)
    io.write_table(pairs, io.join(out_dir, "pairs.parquet"))
    io.write_table(sft, io.join(out_dir, "sft.parquet"))
    _write_final(out_dir, "cots.parquet", dual, gen_errors + far)

    kind_of = {r["row_id"]: r["kind"] for r in rows}
    failed = {kind: sum(kind_of[e["row_id"]] == kind for e in gen_errors) for kind in ("ahp", "ccp")}
    n_ahp = sum(d["kind"] == "ahp" for d in dual)
    io.report_counts("dual.ahp", len(d_minus), n_ahp, failed["ahp"])
    io.report_counts("dual.ccp", len(d_plus), len(dual) - n_ahp, failed["ccp"])
    io.report_counts("dual.sft", len(d_plus) + n_ahp, len(sft), 0)
    return io.report_counts(
        "dual.pairs", len(dual), len(pairs), len(far),
        {"rectified_ok": n_ahp, "rectified_failed": failed["ahp"], "corrupted_ok": len(dual) - n_ahp,
         "corrupted_failed": failed["ccp"], "dual_plus": sum(p["origin"] == "dual+" for p in pairs),
         "dual_minus": sum(p["origin"] == "dual-" for p in pairs), "too_distant": len(far), "sft": len(sft)})


TEACHER = Step("teacher", run_teacher, reads=("teacher", "run.seed"), after=("data",), outputs=("teacher",),
               done="teacher/cots.parquet", shareable=True)
DUAL = Step("dual", run_dual, reads=("teacher", "dual.max_verify_attempts", "dual.max_distance", "run.seed"),
            after=("data", "teacher"), outputs=("dual",), done="dual/pairs.parquet", shareable=True)


def run_generate(cfg: RunConfig) -> dict:
    """Questions (if absent), CEP CoTs and dual CoTs in ``cfg.run.dir``; Ray must be initialised.

    Returns:
        The counts and the yield (pairs per CEP sample asked) that ``edit-ray generate`` prints.
    """
    from edit_ray.data.stage import run_data

    run_dir = cfg.run.dir
    if not io.exists(io.join(run_dir, "data", "questions.parquet")):
        run_data(cfg, run_dir)
    teacher = run_teacher(cfg, run_dir)
    dual = run_dual(cfg, run_dir)
    return {
        "questions": teacher["questions"],
        "cep_ok": teacher["ok"], "cep_errors": teacher["errors"],
        "d_plus": teacher["d_plus"], "d_minus": teacher["d_minus"], "truncated": teacher["truncated"],
        "rectified_ok": dual["rectified_ok"], "rectified_failed": dual["rectified_failed"],
        "corrupted_ok": dual["corrupted_ok"], "corrupted_failed": dual["corrupted_failed"],
        "pairs": dual["ok"], "dual_plus": dual["dual_plus"], "dual_minus": dual["dual_minus"],
        "too_distant": dual["too_distant"], "sft": dual["sft"],
        # Yield: pairs per CEP sample asked (the paper reaches 1.0: one pair per training question).
        "yield": round(dual["ok"] / teacher["in"], 4) if teacher["in"] else 0.0,
        "run_dir": run_dir,
    }
