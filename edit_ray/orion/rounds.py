"""ORION and EDIT x ORION as pipeline modes: reflection before stage 1, and rounds of
exposure -> pairs -> masks -> KRSL after it.

Plain words: ``run_reflection`` lets the untrained student expose its errors and reflect on the teacher's
CoTs (ORION), giving the stage-1 SFT data of ``sft.data: reflected | both``. ``run_rounds`` then repeats,
``orion.rounds`` times: the current student exposes its mistakes on the training questions, the teacher
rectifies them with minimal edits (for ``dual.source: student | both``), the pairs get key-token masks by
minimum edit distance, and KRSL (Key Reasoning Steps Learning: a loss that raises the likelihood of the
key tokens of the correct CoT and lowers that of the wrong CoT's key tokens) trains the next student. Each
round is evaluated, and its mistake types are counted before and after (mistakes.py).

Layout (docs/CONTRACTS.md run dir):
  RUN/orion/exposure/      exposure of the untrained student (reflection input)
  RUN/orion/reflect/       reflected.parquet, errors.parquet
  RUN/orion/sft.parquet    stage-1 data when sft.data != teacher (reflect.build_sft_table)
  RUN/orion/rounds.json    per-round summary (accuracy, counts, mistakes), for the report
  RUN/round_<i>/           exposure/, rectify/, pairs.parquet, masks/, krsl/, data/, eval/, mistakes.json
Exposure and reflection are steps of the pipeline (``EXPOSURE``, ``REFLECT``); each round runs its steps
(exposure, rectify, masks, krsl, eval) in its own directory. All of them go through the one step runner
(``edit_ray.steps``): a finished step with the same inputs is skipped, a changed one is cleared and re-run,
an interrupted one is called again (training resumes from its own checkpoints).
"""

from __future__ import annotations

from typing import Any

import pyarrow.fs as pafs

from edit_ray import io
from edit_ray.config import RunConfig
from edit_ray.evaluate import evaluate
from edit_ray.masking.stage import run_masking
from edit_ray.models import resolve
from edit_ray.orion.exposure import expose_errors
from edit_ray.orion.mistakes import write_round_mistakes
from edit_ray.orion.rectify import build_pairs_table, rectify
from edit_ray.orion.reflect import ORION_DIR, reflect
from edit_ray.steps import Step, digest, identity, read_manifest, run_step
from edit_ray.train.run import train_stage

# Config values each step reads: only these enter its hash.
EXPOSURE_READS = ("orion.exposure_samples", "orion.exposure_temperature", "orion.exposure_max_tokens", "eval.engine",
                  "run.seed")
ROUND_READS: dict[str, tuple[str, ...]] = {
    "exposure": EXPOSURE_READS,
    "rectify": ("orion.max_rectify_distance", "orion.max_errors_per_question", "dual.max_verify_attempts",
                "teacher", "run.seed"),
    "masks": ("dual.source", "masking", "student.model"),
    "krsl": ("student", "krsl", "run.seed"),
    "eval": ("eval", "data", "run.seed"),
}


def _upstream(run_dir: str, step: str) -> str | None:
    """Identity of a pipeline step's output (None when it has no manifest)."""
    return identity(read_manifest(io.join(run_dir, step)))


# ---------------------------------------------------------------------- ORION reflection (pipeline steps)
def uses_reflection(cfg: RunConfig) -> bool:
    """Stage 1 trains on reflected CoTs (ORION): the untrained student must expose its errors first."""
    return cfg.sft.data in ("reflected", "both")


def _no_reflection(cfg: RunConfig) -> str | None:
    return None if uses_reflection(cfg) else f"sft.data={cfg.sft.data} trains on no reflected CoTs"


def teacher_cots(run_dir: str) -> list[dict]:
    """The teacher's CoTs a reflection may rewrite: CEP rows, and AHP rows when the dual stage ran."""
    rows = io.read_rows(io.join(run_dir, "teacher", "cots.parquet"))
    dual = io.join(run_dir, "dual", "cots.parquet")
    if io.exists(dual):
        rows += io.read_rows(dual)
    return rows


def expose_untrained(cfg: RunConfig, run_dir: str) -> dict:
    """The untrained student answers the training questions; its wrong answers are what ORION reflects on."""
    questions = io.read_rows(io.join(run_dir, "data", "questions.parquet"))
    return expose_errors(cfg, questions, cfg.student.model, io.join(run_dir, ORION_DIR, "exposure"))


def reflect_on_errors(cfg: RunConfig, run_dir: str) -> dict:
    """Error-aware reflection: the teacher's CoTs rewritten to avoid the student's exposed errors."""
    questions = io.read_rows(io.join(run_dir, "data", "questions.parquet"))
    exposed = io.read_rows(io.join(run_dir, ORION_DIR, "exposure", "errors_exposed.parquet"))
    return reflect(cfg, questions, teacher_cots(run_dir), exposed, io.join(run_dir, ORION_DIR, "reflect"),
                   student_model=cfg.student.model)


EXPOSURE = Step("exposure", expose_untrained, reads=(*EXPOSURE_READS, "student.model"), after=("data",),
                outputs=(f"{ORION_DIR}/exposure",), done=f"{ORION_DIR}/exposure/errors_exposed.parquet",
                skip=_no_reflection)
REFLECT = Step("reflect", reflect_on_errors,
               reads=("orion.reflect_with", "orion.max_errors_per_question", "dual.max_verify_attempts", "teacher",
                      "eval.engine", "student.model", "run.seed"),
               after=("exposure", "teacher", "dual"), outputs=(f"{ORION_DIR}/reflect",),
               done=f"{ORION_DIR}/reflect/reflected.parquet", skip=_no_reflection)


def run_reflection(cfg: RunConfig, run_dir: str) -> dict:
    """ORION before stage 1, outside the pipeline: the ``EXPOSURE`` and ``REFLECT`` steps, in order.

    Returns ``{"exposure": counts, "reflect": counts}``; the artifacts are under ``RUN/orion/``.
    """
    exposure = run_step(cfg, run_dir, EXPOSURE, {"data": _upstream(run_dir, "data")}, label="orion")
    reflected = run_step(cfg, run_dir, REFLECT, {"exposure": identity(exposure), "teacher": _upstream(run_dir, "teacher"),
                                                 "dual": _upstream(run_dir, "dual")}, label="orion")
    return {"exposure": exposure["counts"], "reflect": reflected["counts"]}


# -------------------------------------------------------------------------------------------- rounds
def round_dir(run_dir: str, i: int) -> str:
    return io.join(run_dir, f"round_{i}")


def initial_student(cfg: RunConfig, run_dir: str) -> str:
    """Round 1 starts from the stage-1 student when stage 1 ran, else from the configured student."""
    sft = io.join(run_dir, "sft", "model")
    return sft if io.exists(sft) else cfg.student.model


def _round_step(name: str, run, done: str) -> Step:
    """A step of a round, in ``round_<i>/<name>/``, reading ``ROUND_READS[name]``."""
    return Step(name, run, reads=ROUND_READS[name], outputs=(name,), done=f"{name}/{done}")


def run_round(cfg: RunConfig, run_dir: str, i: int, questions: list[dict], student: str, upstream: str | None,
              ) -> dict:
    """One round: exposure -> (rectify) -> pairs -> masks -> KRSL -> eval -> mistakes.json.

    Each step's upstream is the step before it (``previous``: its identity), so a changed step re-runs the
    rest of the round and the rounds after it.
    """
    rd = round_dir(run_dir, i)
    label = f"orion.round_{i}"
    out: dict[str, Any] = {"round": i, "student_in": student, "model_dir": student, "skipped": None}

    def step(name: str, run, done: str, previous: str | None, **more: str | None) -> tuple[dict, str | None]:
        manifest = run_step(cfg, rd, _round_step(name, run, done), {"previous": previous, **more}, label=label)
        return manifest["counts"], identity(manifest)

    out["exposure"], h = step("exposure", lambda c, d: expose_errors(c, questions, student, io.join(d, "exposure")),
                              "errors_exposed.parquet", upstream, student=student)
    exposed = io.read_rows(io.join(rd, "exposure", "errors_exposed.parquet"))

    if cfg.dual.source != "teacher":
        out["rectify"], h = step("rectify", lambda c, d: rectify(c, questions, exposed, io.join(d, "rectify")),
                                 "pairs.parquet", h)
    pairs_path = build_pairs_table(cfg, run_dir, student_dir=rd)
    out["pairs"] = io.read_table(pairs_path, columns=["pair_id"]).num_rows

    eval_rows = None
    if out["pairs"] == 0:
        # Nothing to learn from (e.g. no rectification verified): the student carries over unchanged.
        out["skipped"] = "no KRSL pairs this round"
    else:
        out["masks"], h = step("masks", lambda c, d: run_masking(pairs_path, io.join(d, "masks"), c.student.model,
                                                                 c.masking),
                               "masks.parquet", h, teacher_pairs=_upstream(run_dir, "dual"))
        one_step = cfg.krsl.num_workers * cfg.krsl.batch_size * cfg.krsl.grad_accum
        if out["masks"]["pairs"] == 0:
            out["skipped"] = "no pair got a key-token mask this round (see masks/errors.parquet)"
        elif out["masks"]["pairs"] < one_step:  # KRSL would refuse to start: say so here, and go on
            out["skipped"] = (f"{out['masks']['pairs']} masked pair(s) cannot fill one KRSL step of {one_step} "
                              "(krsl.num_workers x batch_size x grad_accum)")
    if out["skipped"] is not None:
        print(f"[{label}] {out['skipped']}; the student carries over", flush=True)
    else:
        out["krsl"], h = step("krsl", lambda c, d: _train_krsl(c, io.join(d, "masks", "masks.parquet"), student,
                                                               io.join(d, "krsl")),
                              "model", h, student=student)
        out["model_dir"] = out["krsl"]["model_dir"]
        if cfg.orion.eval_each_round:
            out["eval"], h = step("eval", lambda c, d: _evaluate_round(c, run_dir, d, out["model_dir"]),
                                  "eval.parquet", h)
            out["accuracy"] = _headline(out["eval"])
            eval_rows = io.read_rows(io.join(rd, "eval", "eval.parquet"))
    out["mistakes"] = write_round_mistakes(rd, exposed, questions, eval_rows)
    out["hash"] = h
    return out


def _train_krsl(cfg: RunConfig, masks_path: str, student: str, out_dir: str) -> dict:
    result = train_stage(cfg, "krsl", data_path=masks_path, init_model=student, out_dir=out_dir)
    return {**result, "model_dir": str(result["model_dir"])}


def _evaluate_round(cfg: RunConfig, run_dir: str, rd: str, model_dir: str) -> dict:
    """Evaluate the round's student on the run's benchmarks (the teacher is left out: not a round result)."""
    src = io.join(run_dir, "data", "questions.parquet")
    if io.exists(src):  # the held-out split of this run, not a rebuilt one
        io.write_table(io.read_table(src), io.join(rd, "data", "questions.parquet"))
    round_cfg = cfg.model_copy(update={"eval": cfg.eval.model_copy(update={"methods": ["krsl"]})})
    return evaluate(round_cfg, rd, methods={cfg.method: model_dir})


def _headline(summary: dict) -> dict:
    (s,) = summary["methods"].values()  # the round's student is the one method evaluated
    return {"average": s["average"], "benchmarks": {b: v["accuracy"] for b, v in s["benchmarks"].items()}}


def _publish(model_dir: str, dest: str) -> None:
    """Copy the final round's model to ``dest`` (e.g. ``RUN/krsl/model``, where evaluation looks)."""
    src_fs, src = io.filesystem(resolve(model_dir))  # an alias when no round trained anything
    dst_fs, dst = io.filesystem(dest)
    if dst_fs.get_file_info(dst).type != pafs.FileType.NotFound:
        dst_fs.delete_dir(dst)
    dst_fs.create_dir(dst, recursive=True)  # copy_files does not create the destination's parents
    pafs.copy_files(src, dst, source_filesystem=src_fs, destination_filesystem=dst_fs)


def run_rounds(cfg: RunConfig, run_dir: str, *, publish_to: str | None = None) -> dict:
    """``orion.rounds`` rounds of exposure -> pairs -> masks -> KRSL, each from the previous round's student.

    Args:
        cfg: the run config (``orion``, ``dual.source``, ``masking``, ``krsl``, ``eval``...).
        run_dir: needs ``data/questions.parquet``; ``dual/pairs.parquet`` for ``dual.source: teacher | both``;
            round 1 starts from ``sft/model`` when it exists.
        publish_to: also copy the final student there (the pipeline passes ``RUN/krsl/model``).
    Returns:
        ``{"rounds": [per-round dict: round, student_in, model_dir, exposure, rectify, pairs, masks, krsl,
        eval, accuracy, mistakes, skipped], "final_model": dir, "accuracy": [per-round average or None]}``,
        also written to ``RUN/orion/rounds.json``.
    """
    questions = io.read_rows(io.join(run_dir, "data", "questions.parquet"))
    student = initial_student(cfg, run_dir)
    upstream = digest({"sft": _upstream(run_dir, "sft"), "data": _upstream(run_dir, "data")})
    rounds = []
    for i in range(1, cfg.orion.rounds + 1):
        print(f"[orion] round {i}/{cfg.orion.rounds}: student {student}", flush=True)
        r = run_round(cfg, run_dir, i, questions, student, upstream)
        rounds.append(r)
        student, upstream = r["model_dir"], r["hash"]
    summary = {"rounds": rounds, "final_model": student,
               "accuracy": [(r.get("accuracy") or {}).get("average") for r in rounds]}
    io.write_json(summary, io.join(run_dir, ORION_DIR, "rounds.json"))
    if publish_to is not None:
        _publish(student, publish_to)
    return summary
