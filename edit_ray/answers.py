"""Answer extraction and matching (edit-method.md §1.2 correctness split, §4.3 scoring).

Every stage that asks "is this CoT right?" uses these two functions: the teacher split into D+ (correct)
and D- (wrong), the AHP/CCP verification of dual CoTs, and evaluation.

- ``extract_answer(text)`` takes the text after the LAST ``ANSWER_PHRASE`` ("Therefore, the answer is"),
  with fallbacks ("So the answer is", "the answer is", "Answer:", a trailing "(X)"). Unlike the reference
  code, which cuts at the first ".", a decimal point inside a number is kept ("3.5." -> "3.5").
- ``is_correct(pred, q)`` compares with a question row (questions schema, docs/CONTRACTS.md): by option
  letter or normalised option content for multiple choice, numerically for numbers, valid/invalid
  semantics for formal fallacies, else normalised string equality with the target or one of its aliases
  (``meta["aliases"]``; ``meta["correct"]`` lists every correct letter when a task has several).
"""

from __future__ import annotations

import json
import math
import re
import string

ANSWER_PHRASE = "Therefore, the answer is"

# Tried in order; the LAST occurrence of the first phrase found wins.
_PHRASES = (ANSWER_PHRASE, "So the answer is", "the answer is", "Answer:")
_LETTER_RE = re.compile(r"^\(?([A-Z])\)(?:\s|$|[.:,;])|^\(?([A-Z])\)?$")
_TRAILING_LETTER_RE = re.compile(r"\(([A-Z])\)")
# A sentence ends at a "." followed by whitespace or the end, so "3.5" and "e.g" stay whole.
_SENTENCE_END_RE = re.compile(r"\.(?=\s|$)")
_NUMBER_RE = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_NUMBER_WORDS = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])}


# ------------------------------------------------------------------------------------------ extract
def _clean(ans: str) -> str:
    """Strip markup and punctuation around an extracted answer."""
    ans = ans.strip().lstrip(":").strip()
    boxed = re.fullmatch(r"\\boxed\{(.*)\}\.?", ans)
    if boxed:
        ans = boxed.group(1)
    ans = ans.strip("*`$ \t")
    ans = re.sub(r"\.+$", "", ans).strip()
    if len(ans) >= 2 and ans[0] == ans[-1] and ans[0] in "\"'":
        ans = ans[1:-1].strip()
    return ans


def _after_last(text: str, phrase: str) -> str | None:
    idx = text.lower().rfind(phrase.lower())
    if idx < 0:
        return None
    rest = text[idx + len(phrase):]
    rest = rest.split("\n", 1)[0] if rest.strip() else rest
    if not rest.strip():
        return None
    end = _SENTENCE_END_RE.search(rest)
    return rest[: end.start()] if end else rest


def extract_answer(text: str | None) -> str | None:
    """The answer a CoT concludes with, or None when it states none.

    >>> extract_answer("1 + 2.5 = 3.5. Therefore, the answer is 3.5.")
    '3.5'
    """
    if not text:
        return None
    for phrase in _PHRASES:
        got = _after_last(text, phrase)
        if got is not None:
            ans = _clean(got)
            if ans:
                return ans
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if lines:
        letters = _TRAILING_LETTER_RE.findall(lines[-1])
        if letters:
            return f"({letters[-1]})"
    return None


# ------------------------------------------------------------------------------------------ compare
def normalize(s: str) -> str:
    """Lower-case, collapse spaces, drop surrounding quotes and trailing punctuation."""
    s = " ".join(str(s).lower().split())
    s = s.strip().strip("\"'`*")
    return s.rstrip(".!;,").strip()


def _letter(s: str) -> str | None:
    """'(B)', '(B) red', 'B', 'B)' -> 'B'; anything else -> None."""
    m = _LETTER_RE.match(s.strip())
    if not m:
        return None
    return m.group(1) or m.group(2)


def _number(s: str) -> float | None:
    t = normalize(s).replace(",", "").replace("$", "").rstrip("%").strip()
    if t in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[t])
    if _NUMBER_RE.match(t):
        v = float(t)
        return v if math.isfinite(v) else None
    return None


def _meta(q: dict) -> dict:
    meta = q.get("meta")
    if isinstance(meta, dict):
        return meta
    if isinstance(meta, str) and meta:
        try:
            out = json.loads(meta)
            return out if isinstance(out, dict) else {}
        except json.JSONDecodeError:
            return {}
    return {}


def _gold_letters(q: dict, meta: dict) -> set[str]:
    letters = {_letter(t) for t in meta.get("correct", [])} | {_letter(str(q.get("target", "")))}
    return {x for x in letters if x}


def _same_text(a: str, b: str) -> bool:
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return True
    # Answers made only of symbols (Dyck words "] }") are compared without spaces.
    if not any(c.isalnum() for c in nb) and na.replace(" ", "") == nb.replace(" ", ""):
        return True
    x, y = _number(a), _number(b)
    return x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


def _validity(s: str) -> str | None:
    n = normalize(s)
    if "invalid" in n:
        return "invalid"
    return "valid" if "valid" in n else None


def is_correct(pred: str | None, q: dict) -> bool:
    """True when the extracted answer ``pred`` matches the gold answer of question row ``q``."""
    if pred is None or not str(pred).strip():
        return False
    pred = str(pred).strip()
    meta = _meta(q)
    target = str(q.get("target", ""))
    choices = list(q.get("choices") or [])
    golds = [target, *[str(a) for a in meta.get("aliases", [])]]

    if choices:
        gold_letters = _gold_letters(q, meta)
        gold_texts = [choices[string.ascii_uppercase.index(x)] for x in sorted(gold_letters)
                      if string.ascii_uppercase.index(x) < len(choices)]
        letter = _letter(pred)
        if letter is not None:
            return letter in gold_letters
        golds = gold_texts + golds

    # Formal fallacies (reference scorer): compare whether "invalid" appears in gold and prediction.
    if golds and ("formal_fallacies" in str(q.get("task", "")) or normalize(golds[0]) in ("valid", "invalid")):
        gold_v, pred_v = _validity(golds[0]), _validity(pred)
        if gold_v is not None:
            return pred_v == gold_v
    return any(_same_text(pred, g) for g in golds if str(g).strip())
