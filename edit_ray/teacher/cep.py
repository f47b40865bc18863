"""CEP: the teacher's chain-of-thought answers to the training questions (edit-method.md §1.2, eq. 1).

CEP, the CoT Extraction Prompt, is a few-shot prompt that asks the teacher to reason step by step and end
with "Therefore, the answer is X". We send it for every training question, K times
(``teacher.samples_per_question``, plus ``teacher.extra_samples`` that only std-cot-repeat trains on) by row
expansion with distinct seeds (row ids ``"<qid>:cep:<k>"``).

Reference retry loop (edit-method.md §1.1): a CoT without the literal answer phrase is regenerated with
the temperature raised by ``teacher.temperature_step`` (capped at ``teacher.max_temperature``), up to
``teacher.max_attempts`` calls, then it becomes an error row ``no_answer_phrase``. A generation that hit
``max_tokens`` is kept with ``truncated = true`` when it still states an answer.

The finished CoTs are split by the answer scorer (``answers.is_correct``) into D+ (correct) and D- (wrong).

Reads: question rows (questions schema). Writes teacher CoT rows: ``row_id, qid, task, kind='cep', sample,
prompt, prompt_token_ids, text, token_ids, n_tokens, truncated, answer, correct, attempts, error (null),
teacher, seed, temperature``.
"""

from __future__ import annotations

from edit_ray import io
from edit_ray.answers import ANSWER_PHRASE, extract_answer, is_correct
from edit_ray.config import EngineConfig, TeacherConfig
from edit_ray.data import question_columns

STAGE = "teacher"
# The columns of a finished teacher CoT row (docs/CONTRACTS.md, teacher CoTs).
COT_COLUMNS = ("row_id", "qid", "task", "kind", "sample", "prompt", "prompt_token_ids", "text", "token_ids",
               "n_tokens", "truncated", "answer", "correct", "attempts", "error", "teacher", "seed", "temperature")


def engine_row(q: dict, row_id: str, kind: str, prompt: str, engine: EngineConfig, **extra) -> dict:
    """One engine input row for question ``q`` (seed and temperature are set per attempt by the retry loop)."""
    return {"row_id": row_id, "kind": kind, "prompt": prompt, "temperature": engine.temperature,
            "max_tokens": engine.max_tokens, "seed": 0, **question_columns(q), **extra}


def cep_rows(questions: list[dict], cfg: TeacherConfig) -> tuple[list[dict], list[dict]]:
    """Engine rows for CEP (K per question) and error rows for questions that cannot be asked.

    Returns:
        (engine rows, error rows); an empty question gives K ``empty_question`` error rows, so that
        ``in = ok + errors`` counts samples throughout.
    """
    from edit_ray.prompts import build_cep_prompt

    rows, errors = [], []
    for q in questions:
        ids = [f"{q['qid']}:cep:{k}" for k in range(cfg.samples_per_question + cfg.extra_samples)]
        if not str(q.get("input") or "").strip():
            errors += [io.error_row(i, STAGE, "empty_question", f"question {q['qid']} has an empty input", 0)
                       for i in ids]
            continue
        prompt = build_cep_prompt(q)
        rows += [engine_row(q, i, "cep", prompt, cfg.engine, sample=k) for k, i in enumerate(ids)]
    return rows, errors


def has_answer_phrase(result: dict) -> tuple[str, str] | None:
    """The reference loop's acceptance test: the literal answer phrase appears in the CoT."""
    if ANSWER_PHRASE in (result.get("text") or ""):
        return None
    tail = (result.get("text") or "")[-200:]
    return "no_answer_phrase", f"truncated={bool(result.get('truncated'))}; no {ANSWER_PHRASE!r}; ends {tail!r}"


def cot_row(result: dict, attempts: int, teacher: str, keep: tuple[str, ...] = ()) -> dict:
    """A finished teacher CoT row from an engine result (its question columns give the gold answer);
    ``keep`` names extra columns to carry over."""
    answer = extract_answer(result["text"])
    row = {c: result.get(c) for c in COT_COLUMNS + keep}
    row.update(answer=answer, correct=bool(is_correct(answer, result)), attempts=attempts, error=None,
               teacher=teacher, prompt_token_ids=list(result.get("prompt_token_ids") or []),
               token_ids=list(result.get("token_ids") or []))
    return row


def split_by_correctness(cots: list[dict]) -> tuple[list[dict], list[dict]]:
    """(D+, D-): CoTs whose answer matches the gold answer, and the others (STaR-style split, §1.2)."""
    return [c for c in cots if c["correct"]], [c for c in cots if not c["correct"]]
