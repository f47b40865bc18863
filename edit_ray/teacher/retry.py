"""Generate, check, regenerate: the loop behind CEP's answer-phrase retries and AHP/CCP verification.

Each attempt is one pass of all still-pending rows through ``edit_ray.engines.generate`` (one engine start
per attempt, not per row). A result that passes ``check`` is finished; one that fails is regenerated with a
new seed and ``temperature + temperature_step`` (capped), as the reference CEP loop does, until
``max_attempts``; then it becomes an error row with the last reason. Finished rows are written to the
resumable part store as they stream out of the engine, in parts of ``part_rows`` rows.

Engine errors: ``empty_prompt`` and ``prompt_too_long`` cannot improve on a retry and fail at once with
that reason; any other engine error (a failed request, a bad batch) is retried and finally reported as
``engine_error``.
"""

from __future__ import annotations

from collections.abc import Callable

import ray

from edit_ray import io
from edit_ray.config import EngineConfig
from edit_ray.engines import error_reason, generate, sample_seed
from edit_ray.teacher.parts import write_part

# A check looks at one engine result: None accepts it, (reason, detail) rejects it.
Check = Callable[[dict], "tuple[str, str] | None"]
# Builds the finished (ok) row from an accepted engine result and its attempt number.
Finish = Callable[[dict, int], dict]

FINAL_ENGINE_REASONS = ("empty_prompt", "prompt_too_long")


def generate_with_retries(rows: list[dict], engine: EngineConfig, *, check: Check, finish: Finish, stage: str,
                          parts_dir: str, part_rows: int, max_attempts: int, run_seed: int,
                          temperature_step: float, max_temperature: float) -> dict[str, int]:
    """Run the loop over ``rows`` (engine input rows, each with a base ``temperature``).

    Returns:
        ``{"ok": n, "errors": n, "engine_calls": n}`` for this call (rows already finished by an earlier,
        interrupted run are not among ``rows``).
    """
    originals = {r["row_id"]: r for r in rows}
    pending = list(originals)
    counts = {"ok": 0, "errors": 0, "engine_calls": 0}
    for attempt in range(1, max_attempts + 1):
        if not pending:
            break
        batch = [{**originals[i], "seed": sample_seed(run_seed, i, attempt - 1),
                  "temperature": min(float(originals[i]["temperature"]) + (attempt - 1) * temperature_step,
                                     max(max_temperature, float(originals[i]["temperature"])))}
                 for i in pending]
        counts["engine_calls"] += len(batch)
        pending = []
        results = generate(ray.data.from_items(batch), engine)
        for part in results.iter_batches(batch_size=part_rows, batch_format="pyarrow"):
            ok, errors = [], []
            for res in part.to_pylist():
                reason = error_reason(res.get("error"))
                if reason in FINAL_ENGINE_REASONS:
                    errors.append(io.error_row(res["row_id"], stage, reason, res["error"], attempt))
                    continue
                verdict = ("engine_error", res["error"]) if res.get("error") else check(res)
                if verdict is None:
                    ok.append(finish(res, attempt))
                elif attempt < max_attempts:
                    pending.append(res["row_id"])
                else:
                    errors.append(io.error_row(res["row_id"], stage, verdict[0], verdict[1], attempt))
            write_part(parts_dir, ok, errors)
            counts["ok"] += len(ok)
            counts["errors"] += len(errors)
    return counts
