"""Statistics of the quality benchmark (quality-benchmark.md): t-intervals over seeds and the paired bootstrap.

Two methods answer the same questions, so their difference is measured per question: for each
(seed, question) d = correct_a - correct_b in {-1, 0, 1}, the gain is the mean of d, and its 95% CI comes
from resampling questions with replacement within each stratum (seed, benchmark, task), 10,000 times, and
taking the 2.5 and 97.5 percentiles. A benchmark average is the mean over benchmarks of each benchmark's
micro accuracy (the paper's AVG); it is bootstrapped the same way, each benchmark resampled on its own.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

# Two-sided 95% quantiles of Student's t, t(0.975, df), for df = 1..30.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042)


def t975(df: int) -> float:
    """t(0.975, df): the table up to 30, then the Cornish-Fisher expansion around the normal's 1.95996."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def mean_ci(values: Sequence[float]) -> tuple[float, float | None]:
    """(mean, half-width of the 95% t-interval); the half-width is None for a single value."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        raise ValueError("mean_ci of no values")
    if len(x) == 1:
        return float(x[0]), None
    return float(x.mean()), float(t975(len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))


def paired_bootstrap(items: Sequence[tuple[str, str, int]], resamples: int = 10_000, seed: int = 0
                     ) -> dict[str, object]:
    """The mean paired difference over benchmarks and its percentile 95% CI.

    Args:
        items: ``(benchmark, stratum, d)`` per (seed, question), with ``d`` = correct_a - correct_b and the
            stratum naming the seed (and task) the question belongs to.
        resamples: bootstrap draws.
        seed: the generator's seed (the interval is reproducible).
    Returns:
        ``{"diff", "ci95": [lo, hi], "n", "benchmarks": {B: {"diff", "ci95", "n"}}}``; ``diff`` is the mean
        over benchmarks of each benchmark's mean d (the same weighting as the accuracy average).
    """
    if not items:
        raise ValueError("paired_bootstrap of no items")
    rng = np.random.default_rng(seed)
    by_bench: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for bench, stratum, d in items:
        by_bench[bench][stratum].append(int(d))
    out: dict[str, object] = {"benchmarks": {}}
    draws = []
    for bench, strata in by_bench.items():
        n = sum(len(v) for v in strata.values())
        total = np.zeros(resamples)
        for values in strata.values():
            v = np.asarray(values)
            idx = rng.integers(0, len(v), size=(resamples, len(v)))
            total += v[idx].sum(axis=1)
        boot = total / n
        observed = sum(sum(v) for v in strata.values()) / n
        out["benchmarks"][bench] = {"diff": observed, "ci95": _percentiles(boot), "n": n}
        draws.append(boot)
    avg = np.mean(draws, axis=0)
    out["diff"] = float(np.mean([b["diff"] for b in out["benchmarks"].values()]))
    out["ci95"] = _percentiles(avg)
    out["n"] = len(items)
    return out


def _percentiles(x: np.ndarray) -> list[float]:
    lo, hi = np.percentile(x, [2.5, 97.5])
    return [float(lo), float(hi)]
