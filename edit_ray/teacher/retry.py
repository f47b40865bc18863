"""Generate, check, regenerate: the one loop behind every verified generation of the project.

Callers: CEP's answer-phrase retries and AHP/CCP verification (``teacher/stage.py``), ORION's error-aware
reflection (``orion/reflect.py``) and EDIT x ORION's minimal rectification (``orion/rectify.py``).

Each attempt is one pass of all still-pending rows through ``edit_ray.engines.generate`` (one engine start
per attempt, not per row). A result that passes ``check`` is finished; one that fails is regenerated with a
new seed, ``sample_seed(run_seed, row_id, attempt - 1)``, and the temperature schedule of the reference CEP
loop, ``min(t + (attempt - 1) * temperature_step, max(max_temperature, t))`` (a base temperature above the
cap is kept, never lowered), until ``max_attempts``; then it becomes an error row with the last reason.

Sink: finished rows (ok and error) are written to the resumable part store (``teacher.parts``) as they
stream out of the engine, in parts of ``part_rows`` rows, so that a killed run regenerates only the rows
without a finished part. ``generate_resumable`` wraps the loop with the store's bookkeeping (fingerprint,
rows already done, reading all parts back).

Engine errors: ``empty_prompt``, ``prompt_too_long`` and ``engine_died`` (the engine died on the row's batch
every time it was retried, ``engines.generate_batches``) cannot improve on a retry and fail at once with that
reason; any other engine error (a failed request) is retried and finally reported as ``engine_error``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from edit_ray import io
from edit_ray.config import EngineConfig, RunConfig, is_execution_only, is_later_default
from edit_ray.engines import error_reason, generate_batches, sample_seed
from edit_ray.engines.guard import RETRY_OF
from edit_ray.teacher import parts

# A check looks at one engine result: None accepts it, (reason, detail) rejects it.
Check = Callable[[dict], "tuple[str, str] | None"]
# Builds the finished (ok) row from an accepted engine result and its attempt number (1-based).
Finish = Callable[[dict, int], dict]

FINAL_ENGINE_REASONS = ("empty_prompt", "prompt_too_long", "engine_died")


def attempt_temperature(base: float, attempt: int, temperature_step: float, max_temperature: float) -> float:
    """Sampling temperature of ``attempt`` (1-based): raised by ``temperature_step`` per retry, capped at
    ``max_temperature`` unless the base temperature is already above it."""
    base = float(base)
    return min(base + (attempt - 1) * temperature_step, max(max_temperature, base))


def generate_with_retries(rows: list[dict], engine: EngineConfig, *, check: Check, finish: Finish, stage: str,
                          parts_dir: str, part_rows: int, max_attempts: int, run_seed: int,
                          temperature_step: float, max_temperature: float, attempts_per_pass: int = 1,
                          ) -> dict[str, int]:
    """Run the loop over ``rows`` (engine input rows, each with a base ``temperature``); the finished rows go
    to the part store ``parts_dir``.

    Each engine pass generates ``attempts_per_pass`` consecutive attempts of every pending row at once, each
    with the seed and temperature the sequential loop would give it, and a row keeps its first attempt that
    passes: the finished rows are the same for any ``attempts_per_pass``; a larger one trades generated
    tokens for fewer engine passes (engine starts).

    Returns:
        ``{"ok": n, "errors": n, "engine_calls": n, "passes": n}`` for this call (rows already finished by an
        earlier, interrupted run are not among ``rows``).
    """
    originals = {r["row_id"]: r for r in rows}
    pending = list(originals)
    counts = {"ok": 0, "errors": 0, "engine_calls": 0, "passes": 0}
    for first in range(1, max_attempts + 1, attempts_per_pass):
        if not pending:
            break
        attempts = list(range(first, min(first + attempts_per_pass, max_attempts + 1)))
        batch = [_candidate(originals[i], a, len(attempts) > 1, run_seed, temperature_step, max_temperature)
                 for i in pending for a in attempts]
        counts["engine_calls"] += len(batch)
        counts["passes"] += 1
        results: dict[str, dict[int, dict]] = {i: {} for i in pending}
        pending = []
        for part in generate_batches(batch, engine, batch_rows=part_rows):
            ok, errors = [], []
            for res in part:
                row_id, attempt = res.pop(_ROW), res.pop(_ATTEMPT)
                if row_id not in results:  # decided by an earlier attempt: this one is not needed
                    continue
                results[row_id][attempt] = {**res, "row_id": row_id}
                decided = _decide(results[row_id], attempts, max_attempts, check)
                if decided is None:
                    continue
                kind, attempt, value = decided
                if kind == "ok":
                    ok.append(finish(value, attempt))
                elif kind == "error":
                    errors.append(io.error_row(row_id, stage, value[0], value[1], attempt))
                else:
                    pending.append(row_id)
                del results[row_id]
            parts.write_part(parts_dir, ok, errors)
            counts["ok"] += len(ok)
            counts["errors"] += len(errors)
    return counts


# Columns of a candidate row: the row it is an attempt of, and which attempt (1-based).
_ROW, _ATTEMPT = RETRY_OF, "retry_attempt"


def _candidate(row: dict, attempt: int, distinct_ids: bool, run_seed: int, temperature_step: float,
               max_temperature: float) -> dict:
    """One attempt of ``row``: its seed and temperature; a row id of its own when a pass holds several."""
    return {**row, "row_id": f"{row['row_id']}@{attempt}" if distinct_ids else row["row_id"],
            _ROW: row["row_id"], _ATTEMPT: attempt, "seed": sample_seed(run_seed, row["row_id"], attempt - 1),
            "temperature": attempt_temperature(row["temperature"], attempt, temperature_step, max_temperature)}


def _decide(results: dict[int, dict], attempts: list[int], max_attempts: int, check: Check):
    """What the sequential loop would have done with a row's attempts of one pass, or None while an attempt it
    would have looked at is still missing: ("ok", attempt, result), ("error", attempt, (reason, detail)) or
    ("retry", attempt, None) when every attempt failed and more are allowed."""
    for attempt in attempts:
        if attempt not in results:
            return None
        res = results[attempt]
        reason = error_reason(res.get("error"))
        if reason in FINAL_ENGINE_REASONS:
            return "error", attempt, (reason, res["error"])
        verdict = ("engine_error", res["error"]) if res.get("error") else check(res)
        if verdict is None:
            return "ok", attempt, res
        if attempt == max_attempts:
            return "error", attempt, verdict
    return "retry", attempts[-1], None


def loop_settings(cfg: RunConfig, max_attempts: int) -> dict:
    """The loop's keyword arguments from the run config (``teacher``'s retry settings, ``run.seed``)."""
    t = cfg.teacher
    return {"part_rows": t.part_rows, "attempts_per_pass": t.attempts_per_pass, "max_attempts": max_attempts,
            "run_seed": cfg.run.seed, "temperature_step": t.temperature_step, "max_temperature": t.max_temperature}


def engine_settings(engine: EngineConfig) -> dict:
    """The engine settings that decide the generated text (for a parts fingerprint): execution-only ones
    (replicas, batch size, transport retries...) may change on a resume and still reuse the parts."""
    return {k: v for k, v in engine.model_dump(mode="json").items()
            if not is_execution_only(f"any.engine.{k}") and not is_later_default(f"any.engine.{k}", v)}


def generate_resumable(rows: list[dict], engine: EngineConfig, *, parts_dir: str, fingerprint: str,
                       failed: Iterable[dict] = (), restart_on_change: bool = False, **loop,
                       ) -> tuple[list[dict], list[dict], dict[str, int]]:
    """``generate_with_retries`` over the rows of ``rows`` that have no finished part in ``parts_dir`` yet,
    then all parts read back: what a stage needs to be resumable after ``kill -9``.

    Args:
        rows: all engine input rows of the stage (the done ones are skipped here).
        engine: the engine config.
        parts_dir: the part store (``<out_dir>/parts``).
        fingerprint: ``parts.fingerprint`` of what decides the rows (config values, inputs); parts of another
            fingerprint are never mixed in.
        failed: error rows decided before any engine call (e.g. ``no_teacher_cot``); stored like the others.
        restart_on_change: parts of another fingerprint are deleted and regenerated (a step whose changed
            inputs clear its outputs anyway); by default they raise, as ``parts.claim`` does.
        **loop: the keyword arguments of ``generate_with_retries`` except ``parts_dir``.
    Returns:
        (ok rows, error rows), each sorted by ``row_id``, of all parts; and this call's loop counts.
    Raises:
        RuntimeError: ``parts_dir`` holds parts of another fingerprint (without ``restart_on_change``).
    """
    parts.claim(parts_dir, fingerprint, restart_on_change)
    done = parts.done_row_ids(parts_dir)
    parts.write_part(parts_dir, [], [e for e in failed if e["row_id"] not in done])
    counts = generate_with_retries([r for r in rows if r["row_id"] not in done], engine, parts_dir=parts_dir,
                                   **loop)
    ok, errors = parts.read_parts(parts_dir)
    ok.sort(key=lambda r: r["row_id"])
    errors.sort(key=lambda r: r["row_id"])
    return ok, errors, counts
