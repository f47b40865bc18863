"""How well the key tokens find the real mistake: precision and recall against a known wrong step.

The synthetic tasks (``edit_ray.data.synthetic``) write a correct CoT and a wrong twin whose first
``step`` lines are copied and whose line ``step`` holds one injected mistake (later lines follow from the
wrong state). EDIT's premise (edit-method.md §2) is that the minimum edit distance key tokens locate that
step. Per pair we place each key token in its line (via the tokenizer's character offsets) and count:

- recall: the pair's mistake line holds at least one key token (on either side);
- precision: the fraction of key tokens that lie in the mistake line;
- precision_from_step: the fraction of key tokens in the mistake line or after it (later lines change
  because they are recomputed from the wrong state, so they are consequences, not false alarms);
- first_step_accuracy: the first line with a key token is the mistake line.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from edit_ray.masking.kernel import key_masks
from edit_ray.masking.widen import token_char_spans
from edit_ray.tokens import tokenize_pair


def token_lines(tokenizer, text: str, ids: list[int]) -> np.ndarray:
    """Line number (0-based) of each token of ``text``; the appended EOS gets -1."""
    line_starts = np.array([0] + [i + 1 for i, c in enumerate(text) if c == "\n"])
    spans = token_char_spans(tokenizer, text, ids)
    out = np.full(len(ids), -1, dtype=np.int64)
    for t, (s, e) in enumerate(spans):
        # a token like "\n(2" starts on the previous line but belongs to the next: use its last non-space char
        chars = [c for c in range(s, e) if not text[c].isspace()]
        if chars:
            out[t] = np.searchsorted(line_starts, chars[-1], side="right") - 1
    return out


def key_step_precision_recall(tokenizer, pairs: Iterable[dict], prompt: str = "",
                              strip_prefix: bool = True, strip_suffix: bool = False) -> dict:
    """Precision / recall of key tokens against the known mistake line.

    Args:
        tokenizer: a fast Hugging Face tokenizer (the student's).
        pairs: dicts with ``chosen`` (correct CoT), ``rejected`` (wrong CoT) and ``step`` (0-based line of
            the injected mistake, as ``corrupt_cot`` returns it).
        prompt: the prompt both CoTs follow (only tokenized, as training does).
    Returns:
        ``{"pairs", "recall", "precision", "precision_from_step", "first_step_accuracy"}``.
    """
    found, first_ok, in_step, from_step, n_key = 0, 0, 0, 0, 0
    n = 0
    for p in pairs:
        n += 1
        _, c_ids = tokenize_pair(tokenizer, prompt, p["chosen"])
        _, r_ids = tokenize_pair(tokenizer, prompt, p["rejected"])
        c_key, r_key = key_masks(c_ids, r_ids, strip_prefix, strip_suffix)
        lines = np.concatenate([token_lines(tokenizer, p["chosen"], c_ids)[c_key == 1],
                                token_lines(tokenizer, p["rejected"], r_ids)[r_key == 1]])
        step = int(p["step"])
        found += bool((lines == step).any())
        in_step += int((lines == step).sum())
        from_step += int((lines >= step).sum())
        n_key += len(lines)
        real = lines[lines >= 0]
        first_ok += bool(len(real) and real.min() == step)
    return {"pairs": n, "recall": found / n if n else 0.0, "precision": in_step / n_key if n_key else 0.0,
            "precision_from_step": from_step / n_key if n_key else 0.0,
            "first_step_accuracy": first_ok / n if n else 0.0}
