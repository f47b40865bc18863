"""Why does (or doesn't) EDIT beat Std-CoT? Two measurements on a finished `edit-ray bench` directory.

1. Key-token NLL: on test questions of the training tasks, a (gold CoT, one-mistake CoT) pair per question
   (the program teacher's CCP), key tokens by minimum edit distance as in training; for each method's
   student the mean NLL of the correct CoT's key tokens (KRSL lowers it) and of the wrong CoT's key
   tokens (KRSL raises it), against the zero-shot and std-cot students. Forward passes only.
2. Steps: from the cells' own answers on the in-domain benchmark, the share of answers whose every step
   line equals the gold CoT's, and where the first wrong line is (the step a key token decides).

    .venv/bin/python benchmarks/quality_diagnostics.py runs/quality-cpu --pairs 60 [--seeds 0]

Prints one table per measurement, each method against std-cot measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from edit_ray import io


def model_of(cell: str) -> str | None:
    """The student a cell evaluated (eval/summary.json settings.models)."""
    path = os.path.join(cell, "eval", "summary.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        s = json.load(f)
    return s["settings"]["models"].get(s["settings"]["final_method"])


def test_pairs(cell: str, n: int) -> list[dict]:
    """(prompt, gold CoT, one-mistake CoT) for up to n test questions of the cell's training tasks."""
    from edit_ray.data.synthetic import corrupt_cot, gold_cot
    from edit_ray.prompts import build_student_prompt

    qs = [q for q in io.read_rows(os.path.join(cell, "data", "questions.parquet")) if q["split"] == "test"]
    out = []
    for i, q in enumerate(sorted(qs, key=lambda q: q["qid"])):
        try:
            wrong = corrupt_cot(q, seed=i)["cot"]
        except ValueError:
            continue
        out.append({"prompt": build_student_prompt(q), "chosen": gold_cot(q), "rejected": wrong})
        if len(out) == n:
            break
    return out


def key_nll(model_dir: str, pairs: list[dict]) -> tuple[float, float]:
    """Mean NLL of the chosen and of the rejected key tokens under one model."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from edit_ray.masking.kernel import key_masks
    from edit_ray.tokens import tokenize_pair

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    sums = {"chosen": [], "rejected": []}
    with torch.no_grad():
        for p in pairs:
            prompt, chosen = tokenize_pair(tok, p["prompt"], p["chosen"])
            _, rejected = tokenize_pair(tok, p["prompt"], p["rejected"])
            keys = dict(zip(("chosen", "rejected"), key_masks(chosen, rejected)))
            for side, resp in (("chosen", chosen), ("rejected", rejected)):
                ids = torch.tensor([prompt + list(resp)])
                logp = torch.log_softmax(model(ids).logits[0, :-1].float(), -1)
                nll = -logp[torch.arange(ids.shape[1] - 1), ids[0, 1:]][len(prompt) - 1:]
                k = torch.tensor(keys[side], dtype=torch.bool)
                if k.any():
                    sums[side].append(float(nll[k].mean()))
    return statistics.mean(sums["chosen"]), statistics.mean(sums["rejected"])


def step_accuracy(cell: str, method: str) -> dict:
    """Share of in-domain answers with every step line right, and the first wrong line's position."""
    from edit_ray.data.synthetic import gold_cot

    questions = {q["qid"]: q for q in io.read_rows(os.path.join(cell, "data", "questions.parquet"))}
    rows = [r for r in io.read_rows(os.path.join(cell, "eval", "eval.parquet"))
            if r["method"] == method and r["benchmark"] == "ind" and r["qid"] in questions]
    exact, first_wrong = 0, defaultdict(int)
    for r in rows:
        gold = [ln.strip() for ln in gold_cot(questions[r["qid"]]).splitlines()][:-1]
        got = [ln.strip() for ln in (r["text"] or "").splitlines()]
        k = next((i for i, g in enumerate(gold) if i >= len(got) or got[i] != g), None)
        if k is None:
            exact += 1
        else:
            first_wrong["first" if k == 0 else "middle" if k < len(gold) - 1 else "last"] += 1
    n = len(rows)
    return {"n": n, "all_steps_right": exact / n if n else 0.0, **{k: v / n for k, v in first_wrong.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench_dir")
    ap.add_argument("--pairs", type=int, default=60)
    ap.add_argument("--seeds", type=int, nargs="*", default=None)
    args = ap.parse_args()
    cells = defaultdict(dict)
    for seed_dir in sorted(os.listdir(args.bench_dir)):
        if not seed_dir.startswith("seed-"):
            continue
        seed = int(seed_dir.split("-")[1])
        if args.seeds is not None and seed not in args.seeds:
            continue
        for method in sorted(os.listdir(os.path.join(args.bench_dir, seed_dir))):
            cell = os.path.join(args.bench_dir, seed_dir, method)
            if os.path.exists(os.path.join(cell, "cell.json")):
                cells[seed][method] = cell

    print("| seed | method | chosen key NLL | rejected key NLL | all steps right (ind) | first wrong: first/middle/last |")
    print("|---|---|---|---|---|---|")
    for seed, by_method in sorted(cells.items()):
        pairs = test_pairs(next(iter(by_method.values())), args.pairs)
        for method, cell in by_method.items():
            model = model_of(cell)
            if model is None:
                continue
            from edit_ray.models import resolve

            c, r = key_nll(resolve(model), pairs)
            s = step_accuracy(cell, method)
            print(f"| {seed} | {method} | {c:.3f} | {r:.3f} | {100 * s['all_steps_right']:.1f} (n={s['n']}) | "
                  f"{100 * s.get('first', 0):.0f}/{100 * s.get('middle', 0):.0f}/{100 * s.get('last', 0):.0f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
