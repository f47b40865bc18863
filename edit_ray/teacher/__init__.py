"""The teacher side of EDIT (edit-method.md §1): CEP CoTs, their split into D+ / D-, and the dual CoTs
(AHP rectifications of D-, CCP corruptions of D+) that pair into (chosen, rejected) examples.

Modules: ``cep`` (CEP rows, answer-phrase check, D+/D- split), ``dual`` (AHP/CCP rows, verification,
pairs, SFT set), ``retry`` (generate-check-regenerate loop), ``parts`` (resumable part store), ``stage``
(``run_teacher``, ``run_dual``, ``run_generate``). Engines live in ``edit_ray.engines``.
"""
