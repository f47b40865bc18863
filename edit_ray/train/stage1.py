"""What stage 1 (SFT) trains on, per ``sft.data`` (the values are described in ``edit_ray.methods.SFT_DATA``).

Every variant is a table of ``row_id, qid, task, prompt, response`` (the student prompt and the CoT it
learns), written to ``<run>/sft/data.parquet`` and counted in ``sft/data.json``:

- ``d_plus``: D+, the teacher's correct CEP CoTs (Std-CoT);
- ``rwc``: D+ ∪ D-+, plus the wrong CoTs rectified with the answer hint (EDIT's stage 1, = ``dual/sft.parquet``);
- ``d_plus_repeat``: D+ over the first samples and then the ``teacher.extra_samples``, up to as many rows as
  EDIT trains on (stage-1 rows + KRSL pairs, the paper's Table 5 budget);
- ``counterfactual``: D+ ∪ D-+, plus each pair's wrong CoT (D+- and D-) with the prompt prefixed
  ``[Counterfactual Reasoning]``, so the student learns wrong reasoning only when asked for it (Table 5);
- ``reflected`` / ``both``: ORION's reflected CoTs (``orion.reflect.build_sft_table``).
"""

from __future__ import annotations

from edit_ray import io
from edit_ray.config import RunConfig
from edit_ray.methods import COUNTERFACTUAL_PREFIX

SFT_COLUMNS = ("row_id", "qid", "task", "prompt", "response")


def _row(row_id: str, q: dict, response: str, prefix: str = "") -> dict:
    from edit_ray.prompts import build_student_prompt

    return {"row_id": row_id, "qid": q["qid"], "task": q.get("task"), "prompt": prefix + build_student_prompt(q),
            "response": response}


def stage1_rows(cfg: RunConfig, run_dir: str) -> tuple[list[dict], dict]:
    """(rows, counts) of the stage-1 table for ``cfg.sft.data`` (not the ORION modes).

    Raises:
        FileNotFoundError: an upstream table is missing (the message names it).
        ValueError: ``sft.data`` is none or an ORION mode (those have their own builder).
    """
    from edit_ray.teacher.cep import split_by_correctness
    from edit_ray.teacher.stage import train_questions

    mode = cfg.sft.data
    questions = {q["qid"]: q for q in train_questions(run_dir)}
    cots_path = io.join(run_dir, "teacher", "cots.parquet")
    if not io.exists(cots_path):
        raise FileNotFoundError(f"{cots_path} not found: run the teacher stage first")
    cep = sorted((c for c in io.read_rows(cots_path) if c["qid"] in questions),
                 key=lambda c: (c["sample"], c["qid"]))
    first = [c for c in cep if c["sample"] < cfg.teacher.samples_per_question]
    d_plus, _ = split_by_correctness(first)
    counts = {"d_plus": len(d_plus)}

    def cot_rows(cots: list[dict]) -> list[dict]:
        return [_row(c["row_id"], questions[c["qid"]], c["text"]) for c in cots]

    if mode == "d_plus":
        return cot_rows(d_plus), counts
    dual_path = io.join(run_dir, "dual", "cots.parquet")
    if not io.exists(dual_path):
        raise FileNotFoundError(f"{dual_path} not found: run the dual stage first")
    rectified = sorted((d for d in io.read_rows(dual_path) if d["kind"] == "ahp" and d["qid"] in questions),
                       key=lambda d: d["row_id"])
    counts["rectified"] = len(rectified)
    rwc = cot_rows(sorted(d_plus + rectified, key=lambda c: c["row_id"]))
    match mode:
        case "rwc":
            return rwc, counts
        case "counterfactual":
            pairs = io.read_rows(io.join(run_dir, "dual", "pairs.parquet"))
            wrong = [_row(f"{p['rejected_row_id']}:counterfactual", questions[p["qid"]], p["rejected"],
                          COUNTERFACTUAL_PREFIX) for p in pairs if p["qid"] in questions]
            counts["counterfactual"] = len(wrong)
            return rwc + wrong, counts
        case "d_plus_repeat":
            n_pairs = io.read_table(io.join(run_dir, "dual", "pairs.parquet"), ["pair_id"]).num_rows
            target = len(rwc) + n_pairs
            all_plus, _ = split_by_correctness(cep)  # sample 0 first, then the extra samples (sorted above)
            counts.update(target=target, available=len(all_plus))
            return cot_rows(all_plus[:target]), counts
        case other:
            raise ValueError(f"sft.data={other!r} has no stage-1 table here (none, or an ORION mode)")


def write_stage1_table(cfg: RunConfig, run_dir: str) -> str:
    """Write the stage-1 table of ``cfg.sft.data`` and return its path (ORION modes: their own table)."""
    import pyarrow as pa

    if cfg.sft.data in ("reflected", "both"):
        from edit_ray.orion.reflect import build_sft_table

        return build_sft_table(cfg, run_dir)
    rows, counts = stage1_rows(cfg, run_dir)
    path = io.join(run_dir, "sft", "data.parquet")
    io.write_table(rows, path, schema=pa.schema([(c, pa.string()) for c in SFT_COLUMNS]))
    io.write_json({"sft.data": cfg.sft.data, "rows": len(rows), **counts}, io.join(run_dir, "sft", "data.json"))
    print(f"[sft.data] {cfg.sft.data}: {len(rows)} rows ({', '.join(f'{k}={v}' for k, v in counts.items())})",
          flush=True)
    return path
