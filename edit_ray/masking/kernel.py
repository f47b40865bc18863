"""Fast key-token masks from a minimum edit distance alignment (EDIT's key-step location, edit-method.md §2).

EDIT calls the tokens where a correct CoT and its wrong twin differ *key tokens*: aligned with the fewest
unit-cost edits (Levenshtein over token ids), the correct CoT's tokens that are deleted or replaced, and
the wrong CoT's tokens that are absent from or replaced in the correct one. The paper finds them with a
pure-Python DP (``reference.py``); here rapidfuzz's bit-parallel Levenshtein returns the edit script.

One alignment masks both sides, so the two masks always agree with each other (the paper runs one DP per
direction). Where several scripts share the minimum cost, rapidfuzz may pick another one than the paper's
tie order (delete > insert > diagonal); any minimum-cost script is a valid EDIT mask.

``key_weights`` is the one place where a key mask becomes loss weights (paper eq. 5–7: α on the correct
CoT's key tokens, γ elsewhere; β on the wrong CoT's key tokens, 0 elsewhere; the KRSL loss subtracts the
β term, so β here is ≥ 0). KRSL training calls it (``edit_ray.train.data``); the masking stage stores the
masks only, so α, β and γ change without re-masking.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein, Postfix, Prefix

TokenIds = Sequence[int] | np.ndarray


def pack_ids(ids: TokenIds) -> str:
    """Token ids as one str of code points ``id + 1`` (same alignments as the ids: equal ids, equal chars).

    rapidfuzz compares a str's buffer directly; a list of ints costs a Python int and a hash per token, and
    making those lists (``ndarray.tolist``) cost the masking stage ~1/3 of the alignment time. ``+ 1`` keeps
    id 0 from becoming a NUL. Raises ValueError for ids outside ``[0, 0x10FFFE]`` (no vocabulary is that large).
    """
    arr = np.asarray(ids)
    if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= 0x10FFFF):
        raise ValueError(f"token ids must lie in [0, {0x10FFFF - 1}] to be packed, got {arr.min()}..{arr.max()}")
    return (arr.astype("<u4") + 1).tobytes().decode("utf-32-le", "surrogatepass")


def unpack_ids(packed: str) -> np.ndarray:
    """The ids of a ``pack_ids`` string (int64)."""
    return np.frombuffer(packed.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64) - 1


def _as_seq(ids: TokenIds | str) -> list[int] | str:
    # rapidfuzz reads a str's buffer and hashes list elements directly; numpy scalars take a slower generic path
    if isinstance(ids, str):
        return ids
    return ids.tolist() if isinstance(ids, np.ndarray) else list(ids)


def edit_ops(chosen: TokenIds | str, rejected: TokenIds | str, strip_prefix: bool = True,
             strip_suffix: bool = False) -> list[tuple[str, int, int]]:
    """A minimum-cost edit script turning ``chosen`` into ``rejected``.

    Args:
        chosen, rejected: response token ids (prompt removed), or both packed with ``pack_ids``.
        strip_prefix: align only after the longest common prefix (the paper does; no effect on the cost).
        strip_suffix: also leave out the longest common suffix (no effect on the cost).
    Returns:
        ``(tag, i, j)`` ops, tag in ``replace`` | ``delete`` | ``insert``; ``i`` indexes ``chosen`` and
        ``j`` indexes ``rejected``. Its length is the Levenshtein distance.
    """
    a, b = _as_seq(chosen), _as_seq(rejected)
    p = int(Prefix.similarity(a, b)) if strip_prefix else 0
    s = int(Postfix.similarity(a[p:], b[p:])) if strip_suffix else 0
    a, b = a[p:len(a) - s], b[p:len(b) - s]
    return [(tag, i + p, j + p) for tag, i, j in Levenshtein.editops(a, b).as_list()]


def key_positions(chosen: TokenIds | str, rejected: TokenIds | str, strip_prefix: bool = True,
                  strip_suffix: bool = False) -> tuple[list[int], list[int]]:
    """Indices of the key tokens of a (correct, wrong) CoT pair, in increasing order, each at most once.

    ``chosen`` indices: tokens deleted or replaced on the way to ``rejected``; ``rejected`` indices: tokens
    absent from or replaced in ``chosen``. An edit script consumes each token at most once, so the lengths
    are the key-token counts. The masking stage scatters these into one buffer per batch; ``key_masks``
    gives them as 0/1 arrays.
    """
    ops = edit_ops(chosen, rejected, strip_prefix, strip_suffix)
    return [i for tag, i, _ in ops if tag != "insert"], [j for tag, _, j in ops if tag != "delete"]


def key_masks(chosen: TokenIds | str, rejected: TokenIds | str, strip_prefix: bool = True,
              strip_suffix: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Key-token masks of a (correct, wrong) CoT pair.

    Args:
        chosen: token ids of the correct CoT's response (length n).
        rejected: token ids of the wrong CoT's response (length m).
        strip_prefix, strip_suffix: see ``edit_ops``.
    Returns:
        ``(chosen_key, rejected_key)``: int8 arrays of shape (n,) and (m,). ``chosen_key[t] = 1`` iff chosen
        token t is deleted or replaced on the way to ``rejected``; ``rejected_key[t] = 1`` iff rejected
        token t is absent from or replaced in ``chosen``.
    """
    chosen_at, rejected_at = key_positions(chosen, rejected, strip_prefix, strip_suffix)
    chosen_key = np.zeros(len(chosen), dtype=np.int8)
    rejected_key = np.zeros(len(rejected), dtype=np.int8)
    chosen_key[chosen_at] = 1
    rejected_key[rejected_at] = 1
    return chosen_key, rejected_key


def key_weights(key: np.ndarray, on: float, off: float = 0.0) -> np.ndarray:
    """Per-token loss weights from a 0/1 key mask: ``on`` at key tokens, ``off`` elsewhere (float32).

    Chosen side: ``key_weights(chosen_key, alpha, gamma)``; rejected side: ``key_weights(rejected_key, beta)``.
    """
    key = np.asarray(key)
    if off == 0:  # the usual case (γ = 0, and always on the rejected side): one multiply, exact for a 0/1 mask
        return np.multiply(key, np.float32(on), dtype=np.float32)
    return np.where(key != 0, np.float32(on), np.float32(off))  # float32 scalars: a float32 array
