"""ORION-style error-aware reflection and EDIT x ORION student-mistake dual CoTs (orion-method.md §3, §6).

- exposure.py  the student samples K solutions per training question; its wrong ones form the error table
- reflect.py   error-aware reflection of the teacher's CoT (ORION) and the stage-1 data per ``sft.data``
- rectify.py   minimal-edit teacher rectification of the student's wrong CoTs -> KRSL pairs per ``dual.source``
- mistakes.py  mistake types (logical, calculation, knowledge, other) per round
- rounds.py    the pipeline hooks: ``run_reflection`` before stage 1, ``run_rounds`` after it
"""


# ``reflect`` and ``rectify`` are not re-exported: the functions would shadow their modules here.
from edit_ray.orion.exposure import expose_errors
from edit_ray.orion.rectify import build_pairs_table
from edit_ray.orion.reflect import build_sft_table
from edit_ray.orion.rounds import run_reflection, run_rounds

__all__ = ["build_pairs_table", "build_sft_table", "expose_errors", "run_reflection", "run_rounds"]
