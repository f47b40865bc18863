"""Prompt templates of EDIT (edit-method.md §1.2-§1.4, §3.1, §4.3) and ORION (orion-method.md §3.3).

Paper terms, in plain words:
  CEP  CoT Extraction Prompt (eq. 1): few-shot prompt that asks the teacher for a step-by-step CoT.
  AHP  Answer Hint Prompt (eq. 2): the CEP plus "H: The correct answer is (X)." lines, used to rectify a
       wrong CoT into a correct one (D- -> D-+).
  CCP  Contrastive CoT Prompt (eq. 3): shows Q / Right Response / Wrong Response exemplars and asks the
       teacher to write a wrong response for a given right one (D+ -> D+-).
The student sees neither: it is trained and evaluated on "Task Description:\\n{d}\\nQ:{input}\\n\\nA:".

All builders read a question row (questions schema: task, input, target, description) and return a str.
"""

from __future__ import annotations

from edit_ray.answers import ANSWER_PHRASE
from edit_ray.prompts.exemplars import exemplars_for

LETS_THINK = "Let's think step by step."
FORMAT_INSTRUCTION = f'Your response should conclude with the format "{ANSWER_PHRASE}".'
CCP_INSTRUCTION = (
    "You need to complete the Wrong Response which requires you give the most likely incorrect answer to the "
    "question and the rationale for the incorrect answer. The incorrect answer and rationale in the Wrong "
    "Response must be different from the correct answer and rationale in the Right Response."
)
DEFAULT_DESCRIPTION = "Answer the following question."
# Few-shot prompts continue with another "Q:" once the answer is written; engines can stop there.
FEW_SHOT_STOP = ["\n\nQ:"]


def task_description(q: dict) -> str:
    return (q.get("description") or "").strip() or DEFAULT_DESCRIPTION


def _answer(cot: str) -> str:
    from edit_ray.answers import extract_answer

    ans = extract_answer(cot)
    if ans is None:
        raise ValueError(f"exemplar CoT does not state an answer: {cot[-80:]!r}")
    return ans


def build_cep_prompt(q: dict) -> str:
    """CEP (eq. 1): description + format instruction, 3 exemplars 'Q:/A: Let's think step by step./CoT', query."""
    parts = [f"{task_description(q)} {FORMAT_INSTRUCTION}"]
    for ex in exemplars_for(q):
        parts.append(f"Q: {ex['q']}\nA: {LETS_THINK}\n{ex['cot']}")
    parts.append(f"Q: {q['input']}\nA: {LETS_THINK}\n")
    return "\n\n".join(parts)


def build_ahp_prompt(q: dict) -> str:
    """AHP (eq. 2): the CEP with 'H: The correct answer is X.' after every question, the gold one for the query."""
    parts = [f"{task_description(q)} {FORMAT_INSTRUCTION}"]
    for ex in exemplars_for(q):
        parts.append(f"Q: {ex['q']}\nH: The correct answer is {_answer(ex['cot'])}.\nA: {LETS_THINK}\n{ex['cot']}")
    parts.append(f"Q: {q['input']}\nH: The correct answer is {q['target']}.\nA: {LETS_THINK}\n")
    return "\n\n".join(parts)


def build_ccp_prompt(q: dict, right_cot: str) -> str:
    """CCP (eq. 3): 'Question Description', instruction, 3 Q/Right/Wrong exemplars, query with empty Wrong."""
    parts = [f"Question Description: {task_description(q)}\n{CCP_INSTRUCTION}"]
    for ex in exemplars_for(q):
        parts.append(f"Q: {ex['q']}\nRight Response: {ex['cot']}\nWrong Response: {ex['wrong']}")
    parts.append(f"Q: {q['input']}\nRight Response: {right_cot.strip()}\nWrong Response:")
    return "\n\n".join(parts)


def build_student_prompt(q: dict) -> str:
    """The student's training and evaluation prompt (§3.1, §4.3), exactly as the reference code builds it."""
    return f"Task Description:\n{q.get('description') or ''}\nQ:{q['input']}\n\nA:"


def build_reflection_prompt(q: dict, teacher_cot: str, wrong_solutions: list[str]) -> str:
    """ORION error-aware reflection: rewrite the teacher's CoT so that it avoids the student's own mistakes."""
    if not wrong_solutions:
        raise ValueError("build_reflection_prompt needs at least one wrong solution of the student")
    attempts = "\n\n".join(f"Your previous incorrect attempt {i + 1}:\n{w.strip()}" for i, w in enumerate(wrong_solutions))
    return (
        f"Task Description:\n{task_description(q)}\n"
        "You are given a question, a reference solution, and your own previous incorrect attempt(s). Identify "
        "where and why your attempts went wrong, then rewrite the reference solution step by step in your own "
        "words, keeping the steps you need and explicitly avoiding your mistakes. "
        f'Conclude with "{ANSWER_PHRASE} {q["target"]}."\n\n'
        f"Question: {q['input']}\n\n"
        f"Reference solution:\n{teacher_cot.strip()}\n\n"
        f"{attempts}\n\n"
        "Rewritten solution:\n"
    )


def build_minimal_rectify_prompt(q: dict, student_cot: str) -> str:
    """Fix a student's wrong CoT with the answer hint while changing as little as possible, so the pair
    (fixed, original) differs only at the key step (the minimal-edit dual pair of ORION mode)."""
    return (
        f"Task Description:\n{task_description(q)}\n"
        f"Below is a question and a solution that reaches a wrong answer. The correct answer is {q['target']}. "
        "Rewrite the solution so that it reaches the correct answer. Keep every correct step verbatim and "
        "change as few words as possible: fix only the step that contains the mistake and the steps that "
        f'follow from it. Conclude with "{ANSWER_PHRASE} {q["target"]}."\n\n'
        f"Question: {q['input']}\n\n"
        f"Solution with a mistake:\n{student_cot.strip()}\n\n"
        "Corrected solution:\n"
    )
