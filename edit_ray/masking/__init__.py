"""Key-step masking (EDIT, edit-method.md §2): minimum edit distance key tokens as 0/1 masks.

- ``kernel``: fast alignment (rapidfuzz) → key masks; ``key_weights`` turns a mask into KRSL loss weights
  (called at training time by ``edit_ray.train.data``; the masks table holds no weights).
- ``reference``: the paper's pure-Python DP, the baseline for tests and benchmarks.
- ``widen``: optional widening of key tokens to words or reasoning steps.
- ``stage``: the Ray Data stage, also behind ``edit-ray mask``; ``show``: one pair rendered, for
  ``edit-ray mask show`` (both commands' handlers live in ``edit_ray.cli``).
- ``ground_truth``: precision / recall of key tokens against the known mistake step of synthetic pairs.
"""

from edit_ray.masking.kernel import edit_ops, key_masks, key_positions, key_weights

__all__ = ["edit_ops", "key_masks", "key_positions", "key_weights"]
