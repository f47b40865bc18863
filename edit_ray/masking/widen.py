"""Optional widening of key tokens to whole words or to whole reasoning steps (off by default).

The paper's masks are exactly the tokens that the minimum edit distance alignment changes
(edit-method.md §2: "no span dilation, no sentence/step segmentation"). A changed number such as "13"
vs "12" may be one sub-word of a longer word, and a wrong step is often more than its changed tokens.
``widen_key`` optionally marks every token of a word (``word``: a run of non-space characters) or of a
reasoning step (``step``: a line, or a sentence ending in . ! or ? inside a line) that holds a key token.

Tokens are placed in the text with the fast tokenizer's character offsets, so the units follow the
same tokens that training uses (``edit_ray.tokens.tokenize_pair``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np

Unit = Literal["word", "step"]
_STEP_BREAK = re.compile(r"\n|(?<=[.!?])[ \t]+")  # a new step starts after a newline or a sentence end
_WORD = re.compile(r"\S+")


def token_char_spans(tokenizer, text: str, ids: Sequence[int]) -> list[tuple[int, int]]:
    """Character span of each token of ``ids`` (= ``tokenize_pair``'s response ids) inside ``text``.

    Tokens beyond the text (the appended EOS) get the empty span ``(len(text), len(text))``.

    Raises:
        ValueError: the tokenizer is not a fast tokenizer, or its tokens differ from ``ids``.
    """
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("widening key tokens needs a fast tokenizer (character offsets)")
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    n = len(enc.input_ids)
    if list(ids[:n]) != list(enc.input_ids):
        raise ValueError("token ids do not match the text: tokenize it with edit_ray.tokens.tokenize_pair")
    return [tuple(s) for s in enc.offset_mapping] + [(len(text), len(text))] * (len(ids) - n)


def char_segments(text: str, unit: Unit) -> np.ndarray:
    """Segment number of each character of ``text``; -1 for characters in no segment (spaces of ``word``)."""
    seg = np.full(len(text), -1, dtype=np.int64)
    match unit:
        case "word":
            for k, m in enumerate(_WORD.finditer(text)):
                seg[m.start():m.end()] = k
        case "step":
            starts = np.array([0] + [m.end() for m in _STEP_BREAK.finditer(text)])
            seg[:] = np.searchsorted(starts, np.arange(len(text)), side="right") - 1
        case _:
            raise ValueError(f"unknown widening unit {unit!r}: use 'word' or 'step'")
    return seg


def token_segments(text: str, spans: Sequence[tuple[int, int]], unit: Unit) -> np.ndarray:
    """Segment number of each token: that of its first non-space character, else of its first character
    (whitespace belongs to its step but to no word), -1 for tokens outside the text (EOS)."""
    chars = char_segments(text, unit)
    out = np.full(len(spans), -1, dtype=np.int64)
    for t, (s, e) in enumerate(spans):
        visible = [c for c in range(s, e) if not text[c].isspace()]
        if visible or e > s:
            out[t] = chars[visible[0] if visible else s]
    return out


def widen_key(key: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Mark every token of each segment that holds a key token (tokens in segment -1 keep their mark)."""
    hit = np.unique(segments[(key == 1) & (segments >= 0)])
    return (key.astype(bool) | np.isin(segments, hit)).astype(np.int8)


def widen(key: np.ndarray, tokenizer, text: str, ids: Sequence[int], unit: Literal["none", "word", "step"]) -> np.ndarray:
    """``key`` widened to the words or steps of ``text`` (``unit='none'`` returns it unchanged)."""
    if unit == "none":
        return key
    return widen_key(key, token_segments(text, token_char_spans(tokenizer, text, ids), unit))
