"""CEP / AHP / CCP / student / reflection prompts and their few-shot exemplars (see templates.py)."""

from edit_ray.prompts.exemplars import GENERIC, HAND_WRITTEN, exemplars_for, family
from edit_ray.prompts.templates import (
    FEW_SHOT_STOP,
    build_ahp_prompt,
    build_ccp_prompt,
    build_cep_prompt,
    build_minimal_rectify_prompt,
    build_reflection_prompt,
    build_student_prompt,
    task_description,
)

__all__ = [
    "FEW_SHOT_STOP", "GENERIC", "HAND_WRITTEN", "build_ahp_prompt", "build_ccp_prompt", "build_cep_prompt",
    "build_minimal_rectify_prompt", "build_reflection_prompt", "build_student_prompt", "exemplars_for",
    "family", "task_description",
]
