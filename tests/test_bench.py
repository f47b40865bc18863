"""The quality benchmark: named methods (edit_ray/methods.py), the stage-1 data each one trains on
(train/stage1.py), compute parity (token budgets), the statistics (stats.py) and the resumable grid (bench.py).

The statistics are checked against hand computations. The stage-1 tables are built from a real run
directory (program teacher through Ray Data). The grid test runs real cells (tiny student, Ray Train for
every training stage); its evaluation uses the program engine, a real engine kind that answers from the
synthetic tasks' gold steps, so the test pays for training, not for vLLM engine starts.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time

import pytest

from edit_ray import io
from edit_ray.config import ConfigError, ProgramEngineConfig, RunConfig, dump_config, load_config
from edit_ray.methods import COUNTERFACTUAL_PREFIX, METHODS
from edit_ray.stats import mean_ci, paired_bootstrap, t975


# ------------------------------------------------------------------------------------ statistics
def test_mean_ci_is_the_t_interval_of_a_hand_computation():
    mean, half = mean_ci([0.5, 0.6, 0.7])
    assert mean == pytest.approx(0.6)
    assert half == pytest.approx(4.303 * 0.1 / math.sqrt(3))  # sd 0.1, t(0.975, 2) = 4.303
    assert mean_ci([0.4]) == (0.4, None)  # one seed: no interval
    assert t975(2) == 4.303 and t975(30) == 2.042
    assert t975(60) == pytest.approx(2.000, abs=2e-3) and t975(120) == pytest.approx(1.980, abs=2e-3)


def test_paired_bootstrap_against_hand_computations():
    # quality-benchmark.md: 4 questions, d = [1, 0, 0, -1] -> gain 0, an interval around it
    out = paired_bootstrap([("ind", "s0", d) for d in (1, 0, 0, -1)], resamples=2000)
    assert out["diff"] == 0 and out["n"] == 4
    lo, hi = out["ci95"]
    assert -1 <= lo < 0 < hi <= 1
    # every question gained: each resample is the same, the interval is the point
    out = paired_bootstrap([("ind", "s0", 1)] * 5, resamples=500)
    assert out["diff"] == 1 and out["ci95"] == [1.0, 1.0]
    # the average weighs benchmarks equally, whatever their sizes: ind +1 on 2 items, ood 0 on 8
    out = paired_bootstrap([("ind", "s0", 1)] * 2 + [("ood", "s0", 0)] * 8, resamples=500)
    assert out["diff"] == 0.5 and out["benchmarks"]["ind"]["diff"] == 1 and out["benchmarks"]["ood"]["n"] == 8
    # resampling within strata: seed 0 all +1, seed 1 all -1, 3 questions each -> every resample has mean 0
    # (an unstratified bootstrap would spread from -1 to 1)
    out = paired_bootstrap([("ind", "s0", 1)] * 3 + [("ind", "s1", -1)] * 3, resamples=500)
    assert out["ci95"] == [0.0, 0.0]


# --------------------------------------------------------------------------------------- methods
def _method_overrides(name: str) -> list[str]:
    extra = {"std-cot-long": ["sft.token_budget=1000"], "std-cot-repeat": ["teacher.extra_samples=1"]}
    return [f"method={name}", *extra.get(name, [])]


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_sets_its_fields_and_is_named_back_from_them(name):
    cfg = load_config(None, _method_overrides(name))
    assert cfg.method == name
    for dotted, value in METHODS[name].settings.items():
        section, key = dotted.split(".")
        assert getattr(getattr(cfg, section), key) == value
    tree = cfg.model_dump(mode="json")
    assert RunConfig.model_validate(tree).method == name  # the dump round-trips
    tree["method"] = None
    assert RunConfig.model_validate(tree).method == name  # and the settings alone name it


def test_method_errors_name_the_setting():
    with pytest.raises(ConfigError, match="override sft.data=d_plus contradicts method=edit"):
        load_config(None, ["method=edit", "sft.data=d_plus"])
    with pytest.raises(ConfigError, match="sft.token_budget"):
        load_config(None, ["method=std-cot-long"])
    with pytest.raises(ConfigError, match="unknown method 'edit-plus'; valid: zero-shot, std-cot"):
        load_config(None, ["method=edit-plus"])
    with pytest.raises(ConfigError, match="teacher.extra_samples"):
        load_config(None, ["method=std-cot-repeat"])
    # a file's value is replaced by the method (krsl.beta of the default config is 0.025)
    assert load_config(None, ["method=edit-no-wrong"]).krsl.beta == 0.0
    assert load_config(None, ["krsl.beta=0"]).method == "edit-no-wrong"


def test_program_teacher_injects_only_the_configured_mistake_types():
    from edit_ray.data.synthetic import classify_mistake, generate
    from edit_ray.engines.program_engine import program_row

    cfg = ProgramEngineConfig(program_mistake_types=["logical"])
    for task in ("multistep_arithmetic", "web_of_lies", "object_counting"):
        outs = [(q, program_row({**q, "row_id": f"{q['qid']}:ccp:0", "kind": "ccp", "prompt": "p", "seed": 3}, cfg))
                for q in generate(task, 8, 1, seed=5)]
        ok = [(q, o) for q, o in outs if o["error"] is None]
        assert len(ok) >= 6, task
        assert all(classify_mistake(q, o["text"]) == "logical" for q, o in ok)
        # where no logical mistake changes the answer, an error row says so (never a mistake of another type)
        assert all("no single-step mistake of type logical" in o["error"] for _, o in outs if o["error"])
    # a task without the type: an error row naming it, not another type
    q = generate("web_of_lies", 1, 1, seed=5)[0]
    out = program_row({**q, "row_id": "w:ccp:0", "kind": "ccp", "prompt": "p", "seed": 3},
                      ProgramEngineConfig(program_mistake_types=["calculation"]))
    assert out["text"] == "" and "supports mistake types ['logical', 'knowledge'], not ['calculation']" in out["error"]


# ------------------------------------------------------------------------------ token budgets
def test_token_budget_steps_follow_the_epoch_order():
    from edit_ray.train.data import epoch_order, steps_for_token_budget

    lengths = [10 + 7 * i % 23 for i in range(11)]

    def brute(budget, world, bs, ga):
        seen, step, epoch = 0, 0, 0
        while True:
            orders = [epoch_order(len(lengths), epoch, 3, r, world, bs) for r in range(world)]
            n_steps = len(orders[0]) // ga
            for s in range(n_steps):
                for order in orders:
                    for batch in order[s * ga:(s + 1) * ga]:
                        seen += sum(lengths[i] for i in batch)
                step += 1
                if seen >= budget:
                    return step
            epoch += 1

    for budget, world, bs, ga in ((1, 1, 2, 1), (100, 1, 2, 1), (1000, 2, 2, 1), (777, 2, 1, 2), (5000, 1, 3, 1)):
        assert steps_for_token_budget(lengths, budget, 3, world, bs, ga) == brute(budget, world, bs, ga)
    # more tokens than one epoch holds: the data repeats
    one_epoch = sum(lengths[i] for b in epoch_order(len(lengths), 0, 3, 0, 1, 1) for i in b)
    assert steps_for_token_budget(lengths, one_epoch + 1, 3, 1, 1, 1) == len(lengths) + 1


# ----------------------------------------------------------------------------- stage-1 data
@pytest.fixture(scope="module")
def dual_run(tmp_path_factory, ray_local, tiny_model_dir) -> RunConfig:
    """A run directory up to the dual stage: 2 synthetic tasks, program teacher with 2 extra CEP samples."""
    from edit_ray.data.stage import run_data
    from edit_ray.teacher.stage import run_dual, run_teacher

    cfg = load_config(None, [f"run.dir={tmp_path_factory.mktemp('dual')}", f"student.model={tiny_model_dir}",
                             "data.synthetic.tasks=[web_of_lies, boolean_expressions]", "data.synthetic.n_per_task=15",
                             "teacher.engine.program_error_rate=0.3", "teacher.extra_samples=2"])
    run_data(cfg, cfg.run.dir)
    run_teacher(cfg, cfg.run.dir)
    run_dual(cfg, cfg.run.dir)
    return cfg


def _with(cfg: RunConfig, method: str) -> RunConfig:
    tree = cfg.model_dump(mode="json")
    tree["method"] = method
    from edit_ray.config import apply_method

    return RunConfig.model_validate(apply_method(tree))


def test_each_method_trains_stage_1_on_the_rows_it_claims(dual_run):
    from edit_ray.answers import extract_answer, is_correct
    from edit_ray.train.stage1 import stage1_rows

    run_dir = dual_run.run.dir
    questions = {q["qid"]: q for q in io.read_rows(io.join(run_dir, "data", "questions.parquet"))}
    cep = io.read_rows(io.join(run_dir, "teacher", "cots.parquet"))
    assert {c["sample"] for c in cep} == {0, 1, 2}  # the extra samples were generated
    d_plus = [c for c in cep if c["sample"] == 0 and c["correct"]]
    d_minus = [c for c in cep if c["sample"] == 0 and not c["correct"]]
    pairs = io.read_rows(io.join(run_dir, "dual", "pairs.parquet"))
    assert d_plus and d_minus and len(pairs) == len(d_plus) + len(d_minus)

    def right(r):
        return is_correct(extract_answer(r["response"]), questions[r["qid"]])

    # std-cot: D+ only, the first sample's correct CoTs, counted
    rows, counts = stage1_rows(_with(dual_run, "std-cot"), run_dir)
    assert sorted(r["row_id"] for r in rows) == sorted(c["row_id"] for c in d_plus) and counts["d_plus"] == len(d_plus)
    assert all(right(r) for r in rows)
    # edit-stage1: D+ ∪ D-+ = one correct CoT per question, the dual stage's own table
    rwc, counts = stage1_rows(_with(dual_run, "edit-stage1"), run_dir)
    assert len(rwc) == len(d_plus) + counts["rectified"] == len(d_plus) + len(d_minus)
    assert sorted(r["row_id"] for r in rwc) == sorted(r["row_id"] for r in io.read_rows(io.join(run_dir, "dual", "sft.parquet")))
    assert all(right(r) for r in rwc) and len({r["qid"] for r in rwc}) == len(rwc)
    # std-cot-dual: D+ ∪ D-+, plus every pair's wrong CoT with the prefix on its prompt, and only there
    rows, counts = stage1_rows(_with(dual_run, "std-cot-dual"), run_dir)
    prefixed = [r for r in rows if r["prompt"].startswith(COUNTERFACTUAL_PREFIX)]
    assert len(rows) == len(rwc) + len(pairs) and len(prefixed) == len(pairs) == counts["counterfactual"]
    assert sorted(r["response"] for r in prefixed) == sorted(p["rejected"] for p in pairs)
    assert not any(right(r) for r in prefixed) and all(right(r) for r in rows if r not in prefixed)
    assert all(r["prompt"][len(COUNTERFACTUAL_PREFIX):] == p["prompt"] for r in prefixed for p in pairs
               if p["rejected_row_id"] + ":counterfactual" == r["row_id"])
    # std-cot-repeat: correct CoTs of all samples, sample 0 first, as many as EDIT trains on (rwc + pairs)
    rows, counts = stage1_rows(_with(dual_run, "std-cot-repeat"), run_dir)
    available = [c for c in cep if c["correct"]]
    assert counts["target"] == len(rwc) + len(pairs) and counts["available"] == len(available)
    assert len(rows) == min(counts["target"], len(available)) and all(right(r) for r in rows)
    assert {int(r["row_id"].rsplit(":", 1)[1]) for r in rows} == {0, 1, 2}
    assert {r["row_id"] for r in rows[:len(d_plus)]} == {c["row_id"] for c in d_plus}


def test_ablations_zero_the_weights_they_drop(dual_run, tmp_path):
    """edit-no-wrong (β = 0): every rejected weight is 0; edit-no-correct (α = 0): every chosen weight is 0."""
    from edit_ray.masking.stage import run_masking
    from edit_ray.train.data import krsl_examples

    cfg = dual_run
    run_masking(io.join(cfg.run.dir, "dual", "pairs.parquet"), str(tmp_path), cfg.student.model, cfg.masking)
    masks = io.read_table(str(tmp_path / "masks.parquet"))
    batch = {c: masks[c].to_pylist() for c in ("pair_id", "prompt_ids", "chosen_ids", "rejected_ids", "chosen_key",
                                                "rejected_key")}
    assert sum(map(sum, batch["rejected_key"])) > 0 and sum(map(sum, batch["chosen_key"])) > 0
    for method, side, other in (("edit-no-wrong", "rejected", "chosen"), ("edit-no-correct", "chosen", "rejected")):
        k = _with(cfg, method).krsl
        out = krsl_examples(batch, k.alpha, k.beta, k.gamma, k.max_length)
        assert all(e is None for e in out["error"])
        assert all(float(abs(w).sum()) == 0 for w in out[f"{side}_w"]), method
        # the other side keeps its weight on exactly its key tokens
        assert sum(int((w != 0).sum()) for w in out[f"{other}_w"]) == sum(int(key.sum()) for key in out[f"{other}_key"])


# ------------------------------------------------------------------------------------ the grid
def _bench_config(tmp_path, tiny_model_dir) -> RunConfig:
    return load_config(None, [
        f"run.dir={tmp_path / 'bench'}", "run.name=bench", f"student.model={tiny_model_dir}", "student.lora=null",
        "data.synthetic.tasks=[web_of_lies, boolean_expressions]", "data.synthetic.n_per_task=12", "data.seed=7",
        "data.train_per_task=6", "teacher.engine.program_error_rate=0.3",
        "sft.max_steps=2", "sft.batch_size=2", "sft.max_length=256", "sft.lr=1e-3",
        "krsl.max_steps=2", "krsl.batch_size=2", "krsl.max_length=256",
        "eval.engine.kind=program", "eval.benchmarks=[{name: ind}]",
        "bench.methods=[zero-shot, std-cot, edit, std-cot-long]", "bench.seeds=[0, 1]", "bench.resamples=200",
        "resources.num_cpus=8"])


def test_bench_grid_shares_steps_resumes_after_a_kill_and_reevaluates_only(tmp_path, ray_local, tiny_model_dir):
    """A real grid (4 methods x 2 seeds) run as `edit-ray bench` in its own process and Ray cluster, SIGKILLed
    after its first cells; the resume here keeps the finished cells and runs the rest; a re-run runs nothing;
    an added benchmark re-runs only evaluation; the summary equals a computation from the cells' answers."""
    from edit_ray.bench import cell_dir, run_bench
    from edit_ray.pipeline import read_manifest

    cfg = _bench_config(tmp_path, tiny_model_dir)
    config_path = tmp_path / "bench.yaml"
    config_path.write_text(dump_config(cfg))
    first = tmp_path / "bench" / "seed-0" / "std-cot" / "cell.json"
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}  # its own cluster, not the session's
    with open(tmp_path / "bench.log", "w") as log:
        job = subprocess.Popen([sys.executable, "-m", "edit_ray.cli", "bench", str(config_path)], stdout=log,
                               stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            deadline = time.time() + 420
            while time.time() < deadline and job.poll() is None and not first.exists():
                time.sleep(0.5)
        finally:
            os.killpg(job.pid, signal.SIGKILL)  # the driver and every process of its Ray cluster
            job.wait()
    assert first.exists(), (tmp_path / "bench.log").read_text()[-3000:]
    kept = {p: p.read_text() for p in (tmp_path / "bench").glob("seed-*/*/cell.json")}
    assert first in kept

    summary = run_bench(cfg)
    cells = [(0, "zero-shot"), (0, "std-cot"), (0, "edit"), (0, "std-cot-long"), (1, "std-cot"), (1, "edit"),
             (1, "std-cot-long")]  # zero-shot is deterministic: evaluated once, for every seed
    assert summary["cells_run"] == len(cells) - len(kept)
    for p, text in kept.items():
        assert p.read_text() == text  # finished before the kill: not run again
    for seed, method in cells:
        assert io.read_json(io.join(cell_dir(cfg, seed, method), "cell.json"))["status"] == "done"

    # within a seed, one teacher stage and one set of masks for every method; edit's stage 1 is EDIT's
    for seed in (0, 1):
        d = {m: cell_dir(cfg, seed, m) for m in ("std-cot", "edit", "std-cot-long")}
        assert len({os.path.realpath(os.path.join(p, "teacher")) for p in d.values()}) == 1
        assert len({os.path.realpath(os.path.join(p, "masks")) for p in d.values()}) == 1
        assert os.path.realpath(os.path.join(d["std-cot"], "sft")) != os.path.realpath(os.path.join(d["edit"], "sft"))
        assert read_manifest(d["std-cot"], "krsl")["artifact"] == "skipped"
        # the same test questions for every seed (data.seed), another training sample per seed
    qs = {s: io.read_rows(io.join(cell_dir(cfg, s, "edit"), "data", "questions.parquet")) for s in (0, 1)}
    assert {q["qid"] for q in qs[0] if q["split"] == "test"} == {q["qid"] for q in qs[1] if q["split"] == "test"}
    assert {q["qid"] for q in qs[0] if q["split"] == "train"} != {q["qid"] for q in qs[1] if q["split"] == "train"}

    # std-cot-long trained on std-cot's data for as many tokens as edit's two stages (compute parity)
    from edit_ray.train.run import read_metrics

    for seed in (0, 1):
        edit, long_ = cell_dir(cfg, seed, "edit"), cell_dir(cfg, seed, "std-cot-long")
        budget = (read_metrics(os.path.join(edit, "sft", "metrics.jsonl"))[-1]["tokens"]
                  + read_metrics(os.path.join(edit, "krsl", "metrics.jsonl"))[-1]["tokens"])
        rows = read_metrics(os.path.join(long_, "sft", "metrics.jsonl"))
        assert rows[-1]["tokens"] >= budget > rows[-2]["tokens"]
        assert io.read_json(os.path.join(long_, "sft", "data.json"))["sft.data"] == "d_plus"

    # the summary, against a computation from the cells' own answers
    for method in ("std-cot", "edit"):
        per_seed, per_task = [], {}
        for seed in (0, 1):
            rows = [r for r in io.read_rows(io.join(cell_dir(cfg, seed, method), "eval", "eval.parquet"))
                    if r["method"] == method]
            per_seed.append(sum(r["correct"] for r in rows) / len(rows))
            for task in {r["task"] for r in rows}:
                of_task = [r["correct"] for r in rows if r["task"] == task]
                per_task[task] = per_task.get(task, 0) + sum(of_task) / len(of_task) / 2
        b = summary["methods"][method]["benchmarks"]["ind"]
        assert b["per_seed"] == per_seed and b["accuracy"] == pytest.approx(sum(per_seed) / 2)
        assert summary["methods"][method]["tasks"]["ind"] == pytest.approx(per_task) and len(per_task) >= 2
    # the teacher answered the test questions in each seed's baseline cell: a reference row, never paired
    teacher = [[r["correct"] for r in io.read_rows(io.join(cell_dir(cfg, s, "std-cot"), "eval", "eval.parquet"))
                if r["method"] == "teacher"] for s in (0, 1)]
    assert all(len(t) == summary["methods"]["std-cot"]["benchmarks"]["ind"]["n"] for t in teacher)
    assert summary["methods"]["teacher"]["benchmarks"]["ind"]["per_seed"] == [sum(t) / len(t) for t in teacher]
    md = (tmp_path / "bench" / "summary.md").read_text()
    from edit_ray.bench import summary_markdown  # the terminal's: the two headline tables of summary.md

    brief = summary_markdown(summary, brief=True)
    assert md.startswith(brief.rstrip("\n")) and "| edit-vs-std-cot | 2 |" in brief
    assert "Accuracy per task" in md and "Accuracy per task" not in brief and "| cell |" not in brief
    assert "| teacher (reference) | 2 |" in md and "[seed-0/edit](seed-0/edit/report.html)" in md
    assert summary["cells"]["seed-1/zero-shot"]["shared_with"] == "seed-0/zero-shot"
    # evaluated once, it stands for both seeds without a seed spread (no CI), and the table says so
    zs = summary["methods"]["zero-shot"]
    assert zs["evaluated_once"] and zs["benchmarks"]["ind"]["ci95"] is None and zs["average"]["ci95"] is None
    assert not summary["methods"]["edit"]["evaluated_once"] and summary["methods"]["edit"]["average"]["ci95"] is not None
    assert "| zero-shot | 1 (deterministic: stands for every seed) |" in (tmp_path / "bench" / "summary.md").read_text()
    # against the baseline, plus the default extra pairs whose methods both ran (edit-student did not)
    assert set(summary["paired"]) == {"zero-shot-vs-std-cot", "edit-vs-std-cot", "std-cot-long-vs-std-cot",
                                      "edit-vs-std-cot-long"}
    assert summary["methods"]["std-cot-long"]["train_tokens"] >= summary["methods"]["edit"]["train_tokens"]
    assert (tmp_path / "bench" / "plots" / "accuracy.png").read_bytes()[:4] == b"\x89PNG"

    # exported without its models, the grid gives the same summary from another directory
    from edit_ray.bench import export_results, summarize_bench, write_summary

    exported = tmp_path / "exported"
    assert sorted(export_results(cfg, str(exported))) == sorted(f"seed-{s}/{m}" for s, m in cells)
    assert not [p for p in exported.rglob("*") if p.suffix in (".safetensors", ".bin", ".pt")]
    exported_cfg = load_config(str(config_path), [f"run.dir={exported}"])
    again = summarize_bench(exported_cfg)
    assert again["methods"] == summary["methods"] and again["paired"] == summary["paired"]
    assert again["cells"] == summary["cells"]
    write_summary(exported_cfg)  # the reports stayed behind: summary.md links none of them
    assert "report.html" not in (exported / "summary.md").read_text()

    # a second run runs nothing, nor does a smaller grid of the same cells (the grid is not part of a cell's key)
    assert run_bench(cfg)["cells_run"] == 0
    smaller = load_config(str(config_path), ["bench.methods=[std-cot, edit]", "bench.seeds=[1]"])
    assert run_bench(smaller)["cells_run"] == 0
    # an added benchmark re-runs evaluation only: trained stages keep their manifests
    before = {(s, m): {st: read_manifest(cell_dir(cfg, s, m), st) for st in ("sft", "krsl", "eval")}
              for s, m in cells}
    more = load_config(str(config_path), [("eval.benchmarks=[{name: ind}, {name: hard, synthetic_difficulty: 2, "
                                          "n_per_task: 3}]")])
    summary = run_bench(more)
    assert summary["cells_run"] == len(cells)
    for (s, m), old in before.items():
        now = {st: read_manifest(cell_dir(cfg, s, m), st) for st in ("sft", "krsl", "eval")}
        assert now["sft"] == old["sft"] and now["krsl"] == old["krsl"], (s, m)
        assert now["eval"]["finished"] > old["eval"]["finished"]
    assert summary["methods"]["edit"]["benchmarks"]["hard"]["n"] == 6


def test_a_seeds_lora_students_are_evaluated_on_one_engine(tmp_path, ray_local, tiny_model_dir, capsys):
    """zero-shot and edit-stage1 of one seed, LoRA students on vLLM: the bench trains the edit-stage1 cell first,
    then one engine of the base answers both students' questions (the trained adapter per request); each
    cell's own eval step finds its answers and starts no engine."""
    from edit_ray.bench import cell_dir, run_bench

    cfg = load_config(None, [
        f"run.dir={tmp_path / 'bench'}", "run.name=bench", f"student.model={tiny_model_dir}", "student.lora.r=4",
        "teacher.engine.kind=program", "data.synthetic.tasks=[boolean_expressions]", "data.synthetic.n_per_task=10",
        "sft.max_steps=1", "sft.batch_size=2", "sft.max_length=256", "krsl.max_steps=1", "krsl.batch_size=2",
        "krsl.max_length=256", "eval.engine.max_tokens=8", "eval.engine.max_model_len=512",
        "eval.engine.enforce_eager=true", "eval.benchmarks=[{name: ind, n_per_task: 2}]", "bench.teacher=false",
        "eval.share_base_engine=true", "bench.methods=[zero-shot, edit-stage1]", "bench.baseline=zero-shot", "bench.seeds=[0]", "bench.resamples=100",
        "resources.num_cpus=8"])
    summary = run_bench(cfg)
    assert summary["cells_run"] == 2
    assert "[bench] seed 0: zero-shot, edit-stage1 answered on one engine (4 answers" in capsys.readouterr().out
    for method in ("zero-shot", "edit-stage1"):
        evaluated = io.read_json(io.join(cell_dir(cfg, 0, method), "eval", "summary.json"))
        assert [(e["methods"], e["answers"], e["resumed"]) for e in evaluated["engines"]] == [([method], 2, 2)]
        assert summary["methods"][method]["benchmarks"]["ind"]["n"] == 2


def test_std_cot_long_without_edit_in_the_grid_needs_a_finished_edit_cell(tmp_path):
    from edit_ray.bench import cell_dir, grid

    cfg = load_config(None, [f"run.dir={tmp_path}", "bench.methods=[std-cot-long]", "bench.seeds=[0, 1]"])
    with pytest.raises(ValueError, match=r"seed\(s\) \[0, 1\] have no finished edit cell"):
        grid(cfg)
    for seed in (0, 1):
        io.write_json({"status": "done"}, io.join(cell_dir(cfg, seed, "edit"), "cell.json"))
    assert grid(cfg) == [(0, "std-cot-long"), (1, "std-cot-long")]


def test_trained_tokens_add_up_stage_1_and_every_orion_rounds_krsl(tmp_path):
    """edit-student's KRSL runs as ORION rounds (round_<i>/krsl): its tokens and steps count with stage 1's."""
    import json as json_

    from edit_ray.bench import trained_tokens

    def write(rel: str, rows: list[dict]) -> None:
        path = tmp_path / rel / "metrics.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text("".join(json_.dumps(r) + "\n" for r in rows))

    write("sft", [{"step": 1, "tokens": 10}, {"step": 2, "tokens": 25}])
    write("round_1/krsl", [{"step": 3, "tokens": 7}])
    write("round_2/krsl", [{"step": 1, "tokens": 2}, {"step": 4, "tokens": 11}])
    assert trained_tokens(str(tmp_path)) == {"sft": {"tokens": 25, "steps": 2}, "krsl": {"tokens": 18, "steps": 7}}
    write("krsl", [{"step": 5, "tokens": 40}])  # a top-level KRSL stage (edit) is the whole of stage 2
    assert trained_tokens(str(tmp_path))["krsl"] == {"tokens": 40, "steps": 5}
