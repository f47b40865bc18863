"""The step runner (edit_ray/steps.py) on its own: skip, re-run, resume, upstream identities, clearing."""

from __future__ import annotations

import pytest

from edit_ray import io
from edit_ray.config import is_execution_only, load_config, result_values
from edit_ray.steps import SKIPPED, Step, clear_outputs, condense_skips, identity, read_manifest, run_step


def counting_step(calls: list[int], reads=("krsl.lr",), skip=None) -> Step:
    def run(cfg, base):
        calls.append(1)
        io.write_json({"n": len(calls)}, io.join(base, "x", "out.json"))
        return {"in": 1, "ok": 1, "errors": 0, "n": len(calls)}

    return Step("x", run, reads=reads, outputs=("x",), done="x/out.json", skip=skip)


def test_a_finished_step_is_skipped_and_a_changed_one_cleared_and_rerun(tmp_path, capsys):
    calls: list[int] = []
    base = str(tmp_path)
    cfg = load_config(None, [])
    first = run_step(cfg, base, counting_step(calls), {"up": "a"})
    again = run_step(cfg, base, counting_step(calls), {"up": "a"})
    assert first == again and len(calls) == 1 and first["counts"]["n"] == 1
    assert first["inputs"] == {"config": {"krsl.lr": cfg.krsl.lr}, "upstream": {"up": "a"}}
    assert "[pipeline] x: skipped, finished earlier (in=1, ok=1, errors=0, n=1)" in capsys.readouterr().out
    # another upstream identity or another value read: cleared (the old output is gone) and run afresh
    io.write_json({}, io.join(base, "x", "stale.json"))
    changed = run_step(cfg, base, counting_step(calls), {"up": "b"})
    assert changed["hash"] != first["hash"] and len(calls) == 2 and not io.exists(io.join(base, "x", "stale.json"))
    lr = load_config(None, ["krsl.lr=1e-3"])
    assert run_step(lr, base, counting_step(calls), {"up": "b"})["hash"] != changed["hash"] and len(calls) == 3


def test_condensed_log_says_kept_and_not_run_steps_in_one_line_each_before_the_next_that_runs(tmp_path, capsys):
    """edit-ray bench's cells: the steps a cell shares with finished ones, and those its method does not run,
    are one line each, printed before the next step that runs, in the order they came."""
    def step(name: str, skip=None) -> Step:
        def run(cfg, base):
            io.write_json({}, io.join(base, name, "out.json"))
            return {"in": 1, "ok": 1, "errors": 0}
        return Step(name, run, reads=(), outputs=(name,), done=f"{name}/out.json", skip=skip)

    cfg, base = load_config(None, []), str(tmp_path)
    a, b, y = step("a"), step("b"), step("y")
    never = step("m", skip=lambda c: "no such stage for this method")
    for s in (a, b):  # finished once: kept below
        run_step(cfg, base, s, {})
    capsys.readouterr()
    log, flush = condense_skips("pipeline")
    for s in (a, b, never, y, never):
        run_step(cfg, base, s, {}, log=log)
    flush()
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["[pipeline] finished earlier, kept: a, b", "[pipeline] not run for this method: m",
                       "[pipeline] y: starting"]
    assert out[3].startswith("[pipeline] y: finished in ") and out[4:] == ["[pipeline] finished earlier, kept: m"]


def test_an_execution_only_setting_changes_no_hash_and_its_values_are_not_recorded(tmp_path):
    calls: list[int] = []
    reads = ("teacher", "eval.engine.batch_size")
    a = run_step(load_config(None, []), str(tmp_path), counting_step(calls, reads), {})
    b = run_step(load_config(None, ["teacher.engine.batch_size=3", "teacher.part_rows=7",
                                    "eval.engine.batch_size=5"]), str(tmp_path), counting_step(calls, reads), {})
    assert a["hash"] == b["hash"] and len(calls) == 1
    assert "batch_size" not in a["inputs"]["config"]["teacher"]["engine"]
    assert "eval.engine.batch_size" not in a["inputs"]["config"]
    assert is_execution_only("sft.cpus_per_worker") and not is_execution_only("sft.batch_size")
    assert "resources" not in result_values(load_config(None, []))


def test_an_interrupted_step_is_called_again_and_a_deleted_output_reruns(tmp_path):
    calls: list[int] = []
    base = str(tmp_path)
    cfg = load_config(None, [])

    def killed(cfg, base):
        io.write_json({"half": True}, io.join(base, "x", "part.json"))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_step(cfg, base, Step("x", killed, outputs=("x",), done="x/out.json"), {})
    assert read_manifest(io.join(base, "x"))["status"] == "running"
    done = run_step(cfg, base, counting_step(calls, reads=()), {})
    assert done["status"] == "done" and io.exists(io.join(base, "x", "part.json"))  # resumed, not cleared
    fs, p = io.filesystem(io.join(base, "x", "out.json"))
    fs.delete_file(p)
    run_step(cfg, base, counting_step(calls, reads=()), {})
    assert len(calls) == 2


def test_a_skipped_step_records_why_and_its_identity_is_stable(tmp_path):
    calls: list[int] = []
    step = counting_step(calls, skip=lambda cfg: "not for this method")
    m = run_step(load_config(None, []), str(tmp_path), step, {})
    assert calls == [] and m["artifact"] == SKIPPED and m["counts"] == {"skipped": "not for this method"}
    assert identity(m) == identity(run_step(load_config(None, []), str(tmp_path), step, {}))


def test_a_step_that_writes_no_done_file_fails_naming_it(tmp_path):
    step = Step("x", lambda cfg, base: {}, outputs=("x",), done="x/out.json")
    with pytest.raises(RuntimeError, match="step 'x' finished but wrote no .*x/out.json"):
        run_step(load_config(None, []), str(tmp_path), step, {})


def test_clear_outputs_deletes_globbed_paths_only(tmp_path):
    base = str(tmp_path)
    for rel in ("round_1/a.json", "round_12/b.json", "round_x/c.json", "orion/rounds.json", "orion/keep.json"):
        io.write_json({}, io.join(base, rel))
    step = Step("k", lambda cfg, b: {}, outputs=("k", "round_[0-9]*", "orion/rounds.json"))
    deleted = clear_outputs(base, step)
    assert sorted(p.rsplit("/", 1)[1] for p in deleted) == ["round_1", "round_12", "rounds.json"]
    assert [io.exists(io.join(base, p)) for p in ("round_x", "orion/keep.json")] == [True, True]
