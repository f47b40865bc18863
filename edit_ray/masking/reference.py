"""The paper's key-step DP, in pure Python: the baseline that tests and the benchmark compare against.

EDIT (edit-method.md §2) locates key reasoning steps with a hand-written Levenshtein DP over token ids:
strip the longest common prefix, fill the O(n·m) table with unit costs, and backtrace from (n, m)
preferring **delete, then insert, then the diagonal** (match = ``none``, else ``replace``). Dropping the
``insert`` ops leaves one op per token of the first sequence; tokens whose op is ``delete`` or
``replace`` are key tokens. The paper runs the DP twice, once per direction, to mask both CoTs.

This module is deliberately slow (about 0.3 s per 1024-token pair and direction): ``kernel.py`` is what
the product uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _common_prefix(s1: Sequence[int], s2: Sequence[int]) -> int:
    p = 0
    while p < len(s1) and p < len(s2) and s1[p] == s2[p]:
        p += 1
    return p


def _table(a: Sequence[int], b: Sequence[int]) -> list[list[int]]:
    n, m = len(a), len(b)
    dp = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        dp[i][0] = i
    for j in range(m + 1):
        dp[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            dp[i][j] = min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    return dp


def reference_ops(s1: Sequence[int], s2: Sequence[int]) -> list[str]:
    """The full edit script s1 → s2 as the paper's ``levenshtein_operations_tokens`` writes it.

    Returns:
        ops in order, each ``none`` | ``replace`` | ``delete`` (token of s1 not in s2) | ``insert`` (token
        of s2 not in s1), with ``none`` for every token of the stripped common prefix.
    """
    p = _common_prefix(s1, s2)
    a, b = s1[p:], s2[p:]
    dp = _table(a, b)
    ops: list[str] = []
    i, j = len(a), len(b)
    while i > 0 or j > 0:
        if i > 0 and dp[i][j] == dp[i - 1][j] + 1:
            ops.append("delete")
            i -= 1
        elif j > 0 and dp[i][j] == dp[i][j - 1] + 1:
            ops.append("insert")
            j -= 1
        else:
            ops.append("none" if a[i - 1] == b[j - 1] else "replace")
            i -= 1
            j -= 1
    ops.reverse()
    return ["none"] * p + ops


def reference_token_ops(s1: Sequence[int], s2: Sequence[int]) -> list[str]:
    """One op per token of s1 (the edit script with its ``insert`` ops removed)."""
    return [op for op in reference_ops(s1, s2) if op != "insert"]


def reference_distance(s1: Sequence[int], s2: Sequence[int]) -> int:
    """Levenshtein distance with unit costs (the number of non-``none`` ops of the script)."""
    return sum(op != "none" for op in reference_ops(s1, s2))


def reference_key_masks(chosen: Sequence[int], rejected: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Key masks of both CoTs as the paper computes them: one DP per direction.

    Returns:
        ``(chosen_key, rejected_key)``, int8 arrays of len(chosen) and len(rejected), 1 where the token's
        op is ``delete`` or ``replace``.
    """
    def key(s1, s2):
        return np.array([op in ("delete", "replace") for op in reference_token_ops(s1, s2)], dtype=np.int8)

    return key(chosen, rejected), key(rejected, chosen)


def count_optimal_alignments(s1: Sequence[int], s2: Sequence[int]) -> int:
    """How many distinct minimum-cost edit scripts turn s1 into s2 (paths through the DP table).

    Tests use it to find pairs whose optimal alignment is unique, where any correct kernel must return
    exactly the reference masks.
    """
    dp = _table(s1, s2)
    n, m = len(s1), len(s2)
    count = [[0] * (m + 1) for _ in range(n + 1)]
    count[0][0] = 1
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            c = 0
            if i > 0 and dp[i][j] == dp[i - 1][j] + 1:
                c += count[i - 1][j]
            if j > 0 and dp[i][j] == dp[i][j - 1] + 1:
                c += count[i][j - 1]
            if i > 0 and j > 0 and dp[i][j] == dp[i - 1][j - 1] + (s1[i - 1] != s2[j - 1]):
                c += count[i - 1][j - 1]
            count[i][j] = c
    return count[n][m]
