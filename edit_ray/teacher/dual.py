"""Dual CoTs: rectify the teacher's wrong CoTs (AHP) and corrupt its right ones (CCP); pair them
(edit-method.md §1.3-1.5, eqs. 2-3).

- AHP, the Answer Hint Prompt: the CEP prompt plus "H: The correct answer is X." The teacher rewrites each
  wrong CoT of D- into D-+, which must now score correct.
- CCP, the Contrastive CoT Prompt: "here is a Right Response, write the most likely Wrong Response". The
  teacher turns each correct CoT of D+ into D+-, which must state an answer, and a wrong one.

The reference never checks either; we do, and regenerate (new seed, temperature raised by
``teacher.temperature_step``) up to ``dual.max_verify_attempts`` times, then write an error row
``verify_failed`` (or ``no_answer`` when no answer is stated at all).

Pairs, (chosen, rejected): (D+, D+-) with origin ``dual+`` and (D-+, D-) with origin ``dual-``. Each pair
records its normalised character edit distance (Levenshtein / longer length, via polyleven) and
``similarity = 1 - distance``. ``dual.max_distance`` (off by default, as the paper's ROUGE-2 filter is)
turns pairs further apart into error rows ``too_distant``. The stage-1 SFT set is D+ ∪ D-+ with the
student prompt.

Reads: teacher CoT rows (kind cep), question rows. Writes dual CoT rows (kind ahp|ccp, the teacher CoT
columns plus ``source_row_id``), pairs ``pair_id, qid, task, origin, prompt, chosen, rejected, distance,
similarity, chosen_row_id, rejected_row_id`` and SFT rows ``row_id, qid, task, prompt, response``.
"""

from __future__ import annotations

from polyleven import levenshtein

from edit_ray import io
from edit_ray.answers import extract_answer, is_correct
from edit_ray.config import DualConfig, TeacherConfig
from edit_ray.teacher.cep import engine_row

STAGE = "dual"


def dual_rows(d_plus: list[dict], d_minus: list[dict], questions: dict[str, dict],
              cfg: TeacherConfig) -> list[dict]:
    """Engine rows: AHP for every CoT of D-, CCP for every CoT of D+ (row id ``<qid>:<kind>:<sample>``)."""
    from edit_ray.prompts import build_ahp_prompt, build_ccp_prompt

    rows = []
    for cot in d_minus:
        q = questions[cot["qid"]]
        rows.append(engine_row(q, f"{cot['qid']}:ahp:{cot['sample']}", "ahp", build_ahp_prompt(q), cfg.engine,
                               sample=cot["sample"], source_row_id=cot["row_id"]))
    for cot in d_plus:
        q = questions[cot["qid"]]
        rows.append(engine_row(q, f"{cot['qid']}:ccp:{cot['sample']}", "ccp", build_ccp_prompt(q, cot["text"]),
                               cfg.engine, sample=cot["sample"], source_row_id=cot["row_id"]))
    return rows


def verify(result: dict) -> tuple[str, str] | None:
    """AHP output must score correct; CCP output must state an answer and score wrong."""
    answer = extract_answer(result.get("text"))
    if answer is None:
        return "no_answer", f"{result['kind']}: no answer stated; ends {(result.get('text') or '')[-200:]!r}"
    correct = is_correct(answer, result)
    if result["kind"] == "ahp" and not correct:
        return "verify_failed", f"ahp: rectified answer {answer!r} is still wrong (gold {result.get('target')!r})"
    if result["kind"] == "ccp" and correct:
        return "verify_failed", f"ccp: corrupted answer {answer!r} is still correct (gold {result.get('target')!r})"
    return None


def normalized_distance(a: str, b: str) -> float:
    """Character Levenshtein distance divided by the longer length (0 = identical, 1 = nothing shared)."""
    longest = max(len(a), len(b))
    return levenshtein(a, b) / longest if longest else 0.0


def build_pairs(cep: list[dict], dual: list[dict], questions: dict[str, dict],
                cfg: DualConfig) -> tuple[list[dict], list[dict]]:
    """(pairs, too_distant error rows) from CEP CoTs and verified dual CoTs."""
    from edit_ray.prompts import build_student_prompt

    by_id = {c["row_id"]: c for c in cep}
    pairs, errors = [], []
    for d in sorted(dual, key=lambda r: r["row_id"]):
        src = by_id[d["source_row_id"]]
        if d["kind"] == "ccp":
            origin, chosen, rejected = "dual+", src, d
        else:
            origin, chosen, rejected = "dual-", d, src
        pair_id = f"{d['qid']}:{origin}:{d['sample']}"
        distance = normalized_distance(chosen["text"], rejected["text"])
        if cfg.max_distance is not None and distance > cfg.max_distance:
            errors.append(io.error_row(pair_id, STAGE, "too_distant",
                                       f"distance {distance:.3f} > dual.max_distance {cfg.max_distance}", 1))
            continue
        q = questions[d["qid"]]
        pairs.append({"pair_id": pair_id, "qid": d["qid"], "task": q.get("task"), "origin": origin,
                      "prompt": build_student_prompt(q), "chosen": chosen["text"], "rejected": rejected["text"],
                      "distance": distance, "similarity": 1.0 - distance,
                      "chosen_row_id": chosen["row_id"], "rejected_row_id": rejected["row_id"]})
    return pairs, errors


def build_sft(d_plus: list[dict], rectified: list[dict], questions: dict[str, dict]) -> list[dict]:
    """Stage-1 data: D+ ∪ D-+ (edit-method.md §1.5 merge), each with the student prompt."""
    from edit_ray.prompts import build_student_prompt

    return [{"row_id": c["row_id"], "qid": c["qid"], "task": questions[c["qid"]].get("task"),
             "prompt": build_student_prompt(questions[c["qid"]]), "response": c["text"]}
            for c in sorted(d_plus + rectified, key=lambda r: r["row_id"])]
