"""The distillation methods edit-ray compares, by the names the paper's tables use (edit-method.md §5).

A method is a named choice of three things the pipeline already has settings for:

- ``sft.data``: what stage 1 (SFT, plain CoT distillation) trains on, or ``none``;
- ``dual.source``: which (correct, wrong) CoT pairs stage 2 (KRSL) trains on, or ``none`` for no stage 2;
- fixed KRSL weights for the ablations (``krsl.alpha = 0`` or ``krsl.beta = 0``).

Terms: D+ = the teacher's correct CoTs, D- = its wrong ones, D-+ = the wrong ones rectified with the gold
answer as a hint (RWC: rectified wrong CoTs), D+- = correct ones corrupted into wrong ones, D_dual = the pairs
(D+, D+-) and (D-+, D-). KRSL (Key Reasoning Steps Learning) is defined once, in ``train/losses.py``.

``method: NAME`` in a config sets those fields (``settings``); a config that sets them itself gets its
method name inferred from them (``infer``), so the name in every table always says what was trained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Stage-1 data, by sft.data value (the names the pipeline's SFT table builder understands).
SFT_DATA = {
    "none": "no stage 1",
    "d_plus": "D+: the teacher's correct CoTs",
    "d_plus_repeat": "D+ over all teacher samples (teacher.extra_samples), as many rows as EDIT's training set",
    "rwc": "D+ ∪ D-+: correct CoTs and rectified wrong CoTs (EDIT's stage 1)",
    "counterfactual": "D+ ∪ D-+, plus D- ∪ D+- with the prompt prefixed '[Counterfactual Reasoning]'",
    "reflected": "ORION: the teacher's CoTs rewritten by reflection on the student's exposed errors",
    "both": "ORION: D+ ∪ D-+ and the reflected CoTs",
}
COUNTERFACTUAL_PREFIX = "[Counterfactual Reasoning] "


@dataclass(frozen=True)
class Method:
    name: str
    paper: str  # the row of the paper's tables it reproduces
    description: str
    settings: dict[str, Any] = field(default_factory=dict)  # dotted config keys the method fixes

    @property
    def sft_data(self) -> str:
        return self.settings["sft.data"]

    @property
    def pairs(self) -> str:
        return self.settings["dual.source"]


def _m(name: str, paper: str, description: str, sft: str, pairs: str, **krsl: float) -> Method:
    settings: dict[str, Any] = {"sft.data": sft, "dual.source": pairs}
    settings.update({f"krsl.{k}": v for k, v in krsl.items()})
    return Method(name, paper, description, settings)


METHODS: dict[str, Method] = {m.name: m for m in (
    _m("zero-shot", "Student Zero-shot", "the base student, untrained", "none", "none"),
    _m("std-cot", "Std-CoT", "SFT on D+ only: plain CoT distillation", "d_plus", "none"),
    _m("std-cot-long", "Std-CoT (compute parity)",
       "std-cot trained for as many tokens as edit-stage1 + KRSL (sft.token_budget)", "d_plus", "none"),
    _m("std-cot-repeat", "Std-CoT w/ Repeat Sampling (Table 5)",
       "SFT on D+ from more teacher samples, as many rows as EDIT trains on", "d_plus_repeat", "none"),
    _m("std-cot-dual", "Std-CoT w/ Dual CoTs (Table 5)",
       "SFT on D+ ∪ D-+ plus the wrong CoTs prefixed '[Counterfactual Reasoning]'", "counterfactual", "none"),
    _m("edit-stage1", "w/ RWC w/o KRSL", "SFT on D+ ∪ D-+ (EDIT's stage 1 alone)", "rwc", "none"),
    _m("edit", "EDIT", "edit-stage1, then KRSL on D_dual", "rwc", "teacher"),
    _m("edit-no-rwc", "w/o RWC + KRSL on D_dual", "std-cot, then KRSL on D_dual", "d_plus", "teacher"),
    _m("edit-no-wrong", "w/o Wrong (Fig. 5, beta = 0)", "edit with beta = 0: only the correct key tokens",
       "rwc", "teacher", beta=0.0),
    _m("edit-no-correct", "w/o Correct (Fig. 5, alpha = 0)", "edit with alpha = 0: only the wrong key tokens",
       "rwc", "teacher", alpha=0.0),
    _m("edit-student", "EDIT x ORION", "edit-stage1, then KRSL on pairs from the student's own mistakes",
       "rwc", "student"),
    _m("edit-both", "EDIT x ORION", "edit-stage1, then KRSL on the teacher's and the student's pairs", "rwc", "both"),
    _m("orion", "ORION", "SFT on the teacher's CoTs reflected on the student's errors", "reflected", "none"),
    _m("orion-both", "ORION", "SFT on D+ ∪ D-+ and the reflected CoTs", "both", "none"),
)}

# What the base model and each stage-1 data are called when evaluated on their own.
STAGE1_NAMES = {"none": "zero-shot", "d_plus": "std-cot", "d_plus_repeat": "std-cot-repeat",
                "rwc": "edit-stage1", "counterfactual": "std-cot-dual", "reflected": "orion", "both": "orion-both"}


def get(name: str) -> Method:
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; valid: {', '.join(METHODS)}")
    return METHODS[name]


def infer(sft_data: str, pairs: str, alpha: float, beta: float, token_budget: int | None) -> str:
    """The method name of concrete settings; 'custom' when no method of the table matches them."""
    if pairs == "none":
        name = STAGE1_NAMES[sft_data]
        return "std-cot-long" if name == "std-cot" and token_budget is not None else name
    for m in METHODS.values():
        if m.sft_data == sft_data and m.pairs == pairs:
            base = m.name
            break
    else:
        return "custom"
    if base == "edit" and beta == 0 and alpha > 0:
        return "edit-no-wrong"
    if base == "edit" and alpha == 0 and beta > 0:
        return "edit-no-correct"
    return base


def stage1_name(sft_data: str, token_budget: int | None) -> str:
    """What the stage-1 model of a run is called (``zero-shot`` when there is no stage 1)."""
    return infer(sft_data, "none", 1.0, 0.0, token_budget)


def table_markdown() -> str:
    """The methods as a markdown table (README, docs and ``edit-ray bench --help`` show it)."""
    lines = ["| method | paper row | what it trains |", "|---|---|---|"]
    lines += [f"| `{m.name}` | {m.paper} | {m.description} |" for m in METHODS.values()]
    return "\n".join(lines)
