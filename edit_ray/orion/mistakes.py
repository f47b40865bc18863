"""Mistake types of the student's wrong CoTs, per round (EDIT App. A.6 analysis, edit-method.md §5.5).

Plain words: EDIT sorts wrong CoTs into logical errors (a wrong rule or inference), calculation errors (a
wrong arithmetic result), knowledge errors (a wrong fact) and other. On the synthetic tasks the gold steps
are known, so ``edit_ray.data.synthetic.classify_mistake`` compares a wrong CoT with them instead of asking
an LLM judge. Counting the types before each round (exposure on the training split) and after it (the
round's evaluation on the test split) shows which kinds of mistake KRSL removes.

Reads: error-table rows (exposure.py), eval rows (``eval/eval.parquet``: qid, text, correct), questions.
Writes: ``round_<i>/mistakes.json``.
"""

from __future__ import annotations

from collections import Counter

from edit_ray import io

MISTAKE_TYPES = ("logical", "calculation", "knowledge", "other")


def classify(q: dict, cot: str | None) -> str | None:
    """Mistake type of a wrong CoT against the gold steps; None for non-synthetic questions."""
    from edit_ray.data.synthetic import classify_mistake, is_synthetic

    if not is_synthetic(q):
        return None
    return classify_mistake(q, cot or "")


def count_types(types: list[str | None]) -> dict[str, int]:
    """``{type: count}`` over the four types (zeros kept, so rounds line up), plus ``unclassified``."""
    c = Counter(types)
    out = {t: c.get(t, 0) for t in MISTAKE_TYPES}
    unknown = {t: n for t, n in c.items() if t is not None and t not in MISTAKE_TYPES}
    if unknown:
        raise ValueError(f"classify_mistake returned unknown type(s) {sorted(unknown)}; valid: {MISTAKE_TYPES}")
    out["unclassified"] = c.get(None, 0)
    return out


def exposed_mistakes(exposed: list[dict]) -> dict[str, int]:
    """Type counts over error-table rows (their ``mistake_type`` was set at exposure)."""
    return count_types([w.get("mistake_type") for w in exposed])


def eval_mistakes(eval_rows: list[dict], questions: list[dict]) -> dict[str, int]:
    """Type counts over the wrong eval rows of questions we know (held-out split of the run)."""
    by_qid = {q["qid"]: q for q in questions}
    return count_types([classify(by_qid[r["qid"]], r.get("text")) for r in eval_rows
                        if not r["correct"] and r["qid"] in by_qid])


def write_round_mistakes(round_dir: str, exposed: list[dict], questions: list[dict],
                         eval_rows: list[dict] | None) -> dict:
    """Write ``round_dir/mistakes.json``: ``before`` = the exposed mistakes of the student entering the round
    (train split, all samples), ``after`` = the mistakes of the round's student on the evaluation (null when
    the round was not evaluated)."""
    out = {"before": {"split": "train", "wrong_samples": len(exposed), "types": exposed_mistakes(exposed)},
           "after": None}
    if eval_rows is not None:
        wrong = [r for r in eval_rows if not r["correct"]]
        out["after"] = {"split": "eval", "wrong": len(wrong), "n": len(eval_rows),
                        "types": eval_mistakes(eval_rows, questions)}
    io.write_json(out, io.join(round_dir, "mistakes.json"))
    return out
