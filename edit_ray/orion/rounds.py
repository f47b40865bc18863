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
Every step directory has a ``manifest.json`` (status, hash of its config values and upstream step,
result): a finished step with the same hash is skipped, a changed one is cleared and re-run, an
interrupted one is called again (training resumes from its own checkpoints).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from edit_ray import io
from edit_ray.config import RunConfig
from edit_ray.orion.exposure import expose_errors
from edit_ray.orion.mistakes import write_round_mistakes
from edit_ray.orion.rectify import build_pairs_table, rectify
from edit_ray.orion.reflect import ORION_DIR, reflect
from edit_ray.pipeline import config_values, digest  # one hashing scheme for stages and steps

# Config values each step reads: only these enter its hash.
STEP_READS: dict[str, tuple[str, ...]] = {
    "exposure": ("orion.exposure_samples", "orion.exposure_temperature", "orion.exposure_max_tokens", "eval.engine",
                 "run.seed"),
    "reflect": ("orion.reflect_with", "orion.max_errors_per_question", "dual.max_verify_attempts", "teacher",
                "eval.engine", "student.model", "run.seed"),
    "rectify": ("orion.max_rectify_distance", "orion.max_errors_per_question", "dual.max_verify_attempts",
                "teacher", "run.seed"),
    "masks": ("dual.source", "masking", "student.model", "krsl.alpha", "krsl.beta", "krsl.gamma"),
    "krsl": ("student", "krsl", "run.seed"),
    "eval": ("eval", "data", "run.seed"),
}


# ------------------------------------------------------------------------------------ step manifests
def _read_manifest(step_dir: str) -> dict | None:
    path = io.join(step_dir, "manifest.json")
    if not io.exists(path):
        return None
    try:
        return io.read_json(path)
    except (OSError, ValueError):  # killed mid-write: treat as never finished
        return None


def _clear(path: str) -> None:
    fs, p = io.filesystem(path)
    info = fs.get_file_info(p)
    if info.type == io.pafs.FileType.Directory:
        fs.delete_dir(p)
    elif info.type == io.pafs.FileType.File:
        fs.delete_file(p)


def run_step(step_dir: str, name: str, key: dict, fn: Callable[[], dict]) -> tuple[dict, str]:
    """Run ``fn`` unless ``step_dir`` holds a finished manifest with the same key hash.

    Returns:
        (the step's result, its hash); downstream steps put the hash in their key, so re-running a step
        re-runs what depends on it.
    """
    hash_ = digest({"step": name, **key})
    manifest = _read_manifest(step_dir)
    if manifest is not None and manifest.get("hash") == hash_ and manifest.get("status") == "done":
        print(f"[orion] {step_dir}: skipped, finished earlier", flush=True)
        return manifest["result"], hash_
    if manifest is not None and manifest.get("hash") != hash_:
        _clear(step_dir)  # made from other inputs: nothing in it may be reused (stale checkpoints included)
    started = time.time()
    io.write_json({"step": name, "status": "running", "hash": hash_, "key": key, "started": started},
                  io.join(step_dir, "manifest.json"))
    result = fn()
    io.write_json({"step": name, "status": "done", "hash": hash_, "key": key, "result": result,
                   "started": started, "seconds": round(time.time() - started, 3)},
                  io.join(step_dir, "manifest.json"))
    return result, hash_


def _key(cfg: RunConfig, step: str, **inputs: Any) -> dict:
    return {"config": config_values(cfg.model_dump(mode="json"), STEP_READS[step]), "inputs": inputs}


def _upstream(run_dir: str, stage: str) -> str | None:
    """Identity of a pipeline stage's output: its manifest's input hash and artifact signature (a stage
    re-run with other inputs changes it; a skipped stage does not), or None when there is no manifest."""
    path = io.join(run_dir, stage, "manifest.json")
    if not io.exists(path):
        return None
    m = io.read_json(path)
    return digest({k: m.get(k) for k in ("hash", "artifact")} if ("hash" in m or "artifact" in m) else m)


# ---------------------------------------------------------------------------------- ORION reflection
def teacher_cots(run_dir: str) -> list[dict]:
    """The teacher's CoTs a reflection may rewrite: CEP rows, and AHP rows when the dual stage ran."""
    rows = io.read_rows(io.join(run_dir, "teacher", "cots.parquet"))
    dual = io.join(run_dir, "dual", "cots.parquet")
    if io.exists(dual):
        rows += io.read_rows(dual)
    return rows


def run_reflection(cfg: RunConfig, run_dir: str, student_model: str | None = None) -> dict:
    """ORION before stage 1: exposure of the untrained student, then error-aware reflection.

    Args:
        cfg: the run config.
        run_dir: needs ``data/questions.parquet`` and ``teacher/cots.parquet`` (and ``dual/cots.parquet``).
        student_model: the exposed (and, with ``reflect_with: student``, reflecting) student; default
            ``cfg.student.model``.
    Returns:
        ``{"exposure": counts, "reflect": counts}``; the artifacts are under ``RUN/orion/``.
    """
    student = student_model or cfg.student.model
    questions = io.read_rows(io.join(run_dir, "data", "questions.parquet"))
    orion_dir = io.join(run_dir, ORION_DIR)
    exp_dir = io.join(orion_dir, "exposure")
    exposure, h_exp = run_step(exp_dir, "exposure", _key(cfg, "exposure", student=student,
                                                          data=_upstream(run_dir, "data")),
                               lambda: expose_errors(cfg, questions, student, exp_dir))
    exposed = io.read_rows(io.join(exp_dir, "errors_exposed.parquet"))
    ref_dir = io.join(orion_dir, "reflect")
    reflected, _ = run_step(ref_dir, "reflect", _key(cfg, "reflect", exposure=h_exp, student=student,
                                                     teacher=_upstream(run_dir, "teacher"),
                                                     dual=_upstream(run_dir, "dual")),
                            lambda: reflect(cfg, questions, teacher_cots(run_dir), exposed, ref_dir,
                                            student_model=student))
    return {"exposure": exposure, "reflect": reflected}


# -------------------------------------------------------------------------------------------- rounds
def round_dir(run_dir: str, i: int) -> str:
    return io.join(run_dir, f"round_{i}")


def initial_student(cfg: RunConfig, run_dir: str) -> str:
    """Round 1 starts from the stage-1 student when stage 1 ran, else from the configured student."""
    sft = io.join(run_dir, "sft", "model")
    return sft if io.exists(sft) else cfg.student.model


def _count_rows(path: str) -> int:
    return io.read_table(path, columns=["pair_id"]).num_rows


def run_round(cfg: RunConfig, run_dir: str, i: int, questions: list[dict], student: str, upstream: str | None,
              ) -> dict:
    """One round: exposure -> (rectify) -> pairs -> masks -> KRSL -> eval -> mistakes.json."""
    rd = round_dir(run_dir, i)
    out: dict[str, Any] = {"round": i, "student_in": student, "model_dir": student, "skipped": None}

    exp_dir = io.join(rd, "exposure")
    out["exposure"], h = run_step(exp_dir, "exposure", _key(cfg, "exposure", student=student, upstream=upstream),
                                  lambda: expose_errors(cfg, questions, student, exp_dir))
    exposed = io.read_rows(io.join(exp_dir, "errors_exposed.parquet"))

    if cfg.dual.source != "teacher":
        rect_dir = io.join(rd, "rectify")
        out["rectify"], h = run_step(rect_dir, "rectify", _key(cfg, "rectify", upstream=h),
                                     lambda: rectify(cfg, questions, exposed, rect_dir))
    pairs_path = build_pairs_table(cfg, run_dir, student_dir=rd)
    out["pairs"] = _count_rows(pairs_path)

    eval_rows = None
    if out["pairs"] == 0:
        # Nothing to learn from (e.g. no rectification verified): the student carries over unchanged.
        out["skipped"] = "no KRSL pairs this round"
    else:
        masks_dir = io.join(rd, "masks")
        out["masks"], h = run_step(
            masks_dir, "masks", _key(cfg, "masks", upstream=h, teacher_pairs=_upstream(run_dir, "dual")),
            lambda: _run_masking(cfg, pairs_path, masks_dir))
        one_step = cfg.krsl.num_workers * cfg.krsl.batch_size * cfg.krsl.grad_accum
        if out["masks"]["pairs"] == 0:
            out["skipped"] = "no pair got a key-token mask this round (see masks/errors.parquet)"
        elif out["masks"]["pairs"] < one_step:  # KRSL would refuse to start: say so here, and go on
            out["skipped"] = (f"{out['masks']['pairs']} masked pair(s) cannot fill one KRSL step of {one_step} "
                              "(krsl.num_workers x batch_size x grad_accum)")
    if out["skipped"] is not None:
        print(f"[orion] round {i}: {out['skipped']}; the student carries over", flush=True)
    else:
        krsl_dir = io.join(rd, "krsl")
        out["krsl"], h = run_step(krsl_dir, "krsl", _key(cfg, "krsl", upstream=h, student=student),
                                  lambda: _train_krsl(cfg, io.join(masks_dir, "masks.parquet"), student, krsl_dir))
        out["model_dir"] = out["krsl"]["model_dir"]
        if cfg.orion.eval_each_round:
            out["eval"], h = run_step(io.join(rd, "eval"), "eval", _key(cfg, "eval", upstream=h),
                                      lambda: _evaluate_round(cfg, run_dir, rd, out["model_dir"]))
            out["accuracy"] = _headline(out["eval"])
            eval_rows = io.read_rows(io.join(rd, "eval", "eval.parquet"))
    out["mistakes"] = write_round_mistakes(rd, exposed, questions, eval_rows)
    out["hash"] = h
    return out


def _run_masking(cfg: RunConfig, pairs_path: str, masks_dir: str) -> dict:
    from edit_ray.masking.stage import run_masking

    return run_masking(pairs_path, masks_dir, cfg.student.model, cfg.masking, cfg.krsl.alpha, cfg.krsl.beta,
                       cfg.krsl.gamma)


def _train_krsl(cfg: RunConfig, masks_path: str, student: str, out_dir: str) -> dict:
    from edit_ray.train.run import train_stage

    result = train_stage(cfg, "krsl", data_path=masks_path, init_model=student, out_dir=out_dir)
    return {**result, "model_dir": str(result["model_dir"])}


def _evaluate_round(cfg: RunConfig, run_dir: str, rd: str, model_dir: str) -> dict:
    """Evaluate the round's student on the run's benchmarks (the teacher is left out: not a round result)."""
    from edit_ray.evaluate import evaluate

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
    import pyarrow.fs as pafs

    from edit_ray.models import resolve

    src_fs, src = io.filesystem(resolve(model_dir))  # an alias when no round trained anything
    dst_fs, dst = io.filesystem(dest)
    if dst_fs.get_file_info(dst).type != pafs.FileType.NotFound:
        dst_fs.delete_dir(dst)
    dst_fs.create_dir(dst, recursive=True)  # copy_files does not create the destination's parents
    pafs.copy_files(src, dst, source_filesystem=src_fs, destination_filesystem=dst_fs)


def clear_rounds(run_dir: str) -> list[str]:
    """Delete every ``round_<i>/`` directory and ``orion/rounds.json`` (the pipeline's ``--from krsl``);
    returns the deleted paths."""
    import re

    import pyarrow.fs as pafs

    fs, base = io.filesystem(run_dir)
    deleted = []
    if fs.get_file_info(base).type == pafs.FileType.Directory:
        for info in fs.get_file_info(pafs.FileSelector(base)):
            if info.type == pafs.FileType.Directory and re.fullmatch(r"round_\d+", info.base_name):
                fs.delete_dir(info.path)
                deleted.append(info.path)
    summary = io.join(run_dir, ORION_DIR, "rounds.json")
    if io.exists(summary):
        _clear(summary)
        deleted.append(summary)
    return deleted


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
