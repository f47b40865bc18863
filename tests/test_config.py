"""The config tree (edit_ray/config.py) and the shipped configs in configs/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from edit_ray.config import ConfigError, RunConfig, dump_config, load_config

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def write(tmp_path, text: str) -> Path:
    p = tmp_path / "c.yaml"
    p.write_text(text)
    return p


# ------------------------------------------------------------------------------- errors and overrides
def test_unknown_yaml_key_names_the_key_and_suggests_the_closest(tmp_path):
    p = write(tmp_path, "krsl:\n  betta: 0.1\n")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert f"{p}: unknown key 'krsl.betta'" in str(e.value)
    assert "did you mean 'krsl.beta'?" in str(e.value)


def test_unknown_override_key_suggests_the_closest():
    with pytest.raises(ConfigError, match=r"unknown key 'teacher.engine.temprature'.*'teacher.engine.temperature'"):
        load_config(None, ["teacher.engine.temprature=0.5"])


def test_unknown_section_suggests_the_closest():
    with pytest.raises(ConfigError, match=r"unknown key 'maskng'.*did you mean 'masking'"):
        load_config(None, ["maskng.widen=word"])


@pytest.mark.parametrize(
    "override, get, value, type_",
    [
        ("krsl.beta=0.05", lambda c: c.krsl.beta, 0.05, float),
        ("krsl.beta=1", lambda c: c.krsl.beta, 1.0, float),  # an int literal becomes the float field
        ("sft.max_steps=3", lambda c: c.sft.max_steps, 3, int),
        ("sft.use_gpu=false", lambda c: c.sft.use_gpu, False, bool),
        ("student.lora=null", lambda c: c.student.lora, None, type(None)),
        ("eval.methods=[krsl,base]", lambda c: c.eval.methods, ["krsl", "base"], list),
        ("eval.engine.concurrency=[1,4]", lambda c: c.eval.engine.concurrency, (1, 4), tuple),
        ("run.dir=s3://bucket/run", lambda c: c.run.dir, "s3://bucket/run", str),
        ("run.name=123", lambda c: c.run.name, "123", str),  # YAML reads 123, the str field keeps it as text
    ],
)
def test_overrides_parse_to_the_field_type(override, get, value, type_):
    cfg = load_config(None, [override])
    assert get(cfg) == value and type(get(cfg)) is type_


def test_override_applies_on_top_of_the_file(tmp_path):
    p = write(tmp_path, "krsl:\n  beta: 0.1\n  alpha: 2\n")
    cfg = load_config(p, ["krsl.beta=0.3"])
    assert (cfg.krsl.alpha, cfg.krsl.beta) == (2.0, 0.3)


def test_bad_values_name_the_field():
    with pytest.raises(ConfigError, match=r"defaults: sft.lr: .*greater than 0"):
        load_config(None, ["sft.lr=0"])
    with pytest.raises(ConfigError, match=r"krsl.*beta >= 0"):  # the paper's sign, not the released code's
        load_config(None, ["krsl.beta=-0.025"])
    with pytest.raises(ConfigError, match=r"sft.epochs: .*valid integer"):
        load_config(None, ["sft.epochs=many"])
    with pytest.raises(ConfigError, match="not of the form key=value"):
        load_config(None, ["krsl.beta"])


def test_missing_or_malformed_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(write(tmp_path, "- a\n- b\n"))


# ----------------------------------------------------------------------------- resource arithmetic
def test_gpu_engines_need_replicas_times_tensor_parallel_gpus():
    with pytest.raises(ConfigError, match=r"eval.engine.concurrency / eval.engine.tensor_parallel_size: 2 replica\(s\) x "
                       r"tensor_parallel_size 2 GPUs on one node, but at most 1 fit on the local cluster "
                       r"\(resources.num_cpus = 8, resources.num_gpus = 2\)"):
        load_config(None, ["eval.engine.use_gpu=true", "eval.engine.concurrency=2",
                           "eval.engine.tensor_parallel_size=2", "resources.num_gpus=2"])
    ok = load_config(None, ["eval.engine.use_gpu=true", "eval.engine.concurrency=2",
                            "eval.engine.tensor_parallel_size=2", "resources.num_gpus=4"])
    assert ok.resources.num_gpus == 4


def test_autoscaling_range_must_be_ordered():
    with pytest.raises(ConfigError, match=r"eval.engine.concurrency: .*min 4 > max 2"):
        load_config(None, ["eval.engine.concurrency=[4,2]"])


def test_each_engine_kind_has_only_its_own_settings(tmp_path):
    """engine is a union chosen by kind: a setting of another kind is an error naming it, the section's kind and
    the kinds that have it; a resolved config holds only its kind's settings and loads back the same."""
    from edit_ray.config import HttpEngineConfig, ProgramEngineConfig, VllmEngineConfig

    with pytest.raises(ConfigError, match=r"'teacher.engine.enforce_eager' is not a setting of a program engine: "
                       r"only vllm engines have it \(teacher.engine.kind is program\)"):
        load_config(None, ["teacher.engine.enforce_eager=true"])
    with pytest.raises(ConfigError, match=r"'eval.engine.program_error_rate' is not a setting of a vllm engine: "
                       r"only program engines have it"):
        load_config(None, ["eval.engine.program_error_rate=0.1"])
    with pytest.raises(ConfigError, match=r"'teacher.engine.stop' is not a setting of a program engine: only vllm and "
                       r"http engines have it"):
        load_config(None, ["teacher.engine.stop=[x]"])
    path = tmp_path / "c.yaml"
    path.write_text("teacher:\n  engine:\n    kind: http\n    base_url: http://h/v1\n    dtype: auto\n")
    with pytest.raises(ConfigError, match=rf"{path}: 'teacher.engine.dtype' is not a setting of a http engine"):
        load_config(path)

    cfg = load_config(None, ["teacher.engine.kind=http", "teacher.engine.base_url=http://h/v1", "eval.engine.kind=program"])
    assert type(cfg.teacher.engine) is HttpEngineConfig and cfg.teacher.engine.base_url == "http://h/v1"
    # the eval engine's greedy defaults, without the stop strings a program engine has no use for
    assert type(cfg.eval.engine) is ProgramEngineConfig and cfg.eval.engine.temperature == 0.0
    assert "stop" not in cfg.model_dump()["eval"]["engine"]
    assert set(cfg.model_dump()["teacher"]["engine"]) == set(HttpEngineConfig.model_fields)
    assert type(load_config(None, []).eval.engine) is VllmEngineConfig
    path.write_text(dump_config(cfg))
    assert load_config(path) == cfg


def test_training_workers_must_fit_the_resources():
    with pytest.raises(ConfigError, match=r"krsl.num_workers / krsl.cpus_per_worker: 4 training worker\(s\) x \(1 CPU, 1 GPU\), but at most 2 fit"):
        load_config(None, ["krsl.use_gpu=true", "krsl.num_workers=4", "resources.num_gpus=2"])
    with pytest.raises(ConfigError, match=r"sft.num_workers / sft.cpus_per_worker: 9 training worker\(s\) x \(1 CPU, 0 GPU\), but at most 8 fit.*"
                       r"num_cpus = 8"):
        load_config(None, ["sft.num_workers=9"])
    with pytest.raises(ConfigError, match=r"sft.bf16 needs sft.use_gpu=true"):
        load_config(None, ["sft.bf16=true"])


# ---------------------------------------------------------------------------------- config show
def test_config_show_prints_the_resolved_tree():
    out = subprocess.run([sys.executable, "-m", "edit_ray.cli", "config", "show", str(ROOT / "configs" / "demo.yaml"),
                          "krsl.beta=0.05"], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    tree = yaml.safe_load(out)
    assert list(tree) == list(RunConfig.model_fields)
    assert tree["krsl"]["beta"] == 0.05 and tree["run"]["dir"] == str(ROOT / "runs" / "demo")
    assert RunConfig.model_validate(tree) == load_config(ROOT / "configs" / "demo.yaml", ["krsl.beta=0.05"])


def test_config_show_reports_an_unknown_key_with_exit_code_2():
    r = subprocess.run([sys.executable, "-m", "edit_ray.cli", "config", "show", "configs/demo.yaml", "krsl.btea=1"],
                       capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.returncode == 2 and "did you mean 'krsl.beta'?" in r.stderr


def test_dump_then_load_round_trips(tmp_path):
    cfg = load_config(None, ["krsl.beta=0.05", "student.lora=null"])
    assert load_config(write(tmp_path, dump_config(cfg))) == cfg


# --------------------------------------------------------------------------------- shipped configs
def test_every_shipped_config_loads_and_opens_with_its_launch_command():
    assert {p.name for p in CONFIGS} >= {"demo.yaml", "smollm2-teacher.yaml", "paper.yaml", "quality-cpu.yaml",
                                         "quality-gpu.yaml"}
    commands = ("edit-ray run", "edit-ray bench", "edit_ray.cli bench", "--config")
    for path in CONFIGS:
        load_config(path)
        head = path.read_text().splitlines()[:6]
        assert head[0].startswith("# "), path
        launch = [ln for ln in head if any(c in ln for c in ("make demo", "ray job submit", *commands))]
        override = [ln for ln in head if "=" in ln and any(c in ln for c in commands)]
        assert launch and override, f"{path.name}: open with the launch command and one override example"


def test_demo_config_is_the_cpu_demo():
    cfg = load_config(ROOT / "configs" / "demo.yaml")
    assert cfg.run.dir == os.path.abspath("runs/demo")  # relative dirs are fixed at load time (Ray workers)
    assert cfg.teacher.engine.kind == "program" and cfg.eval.engine.kind == "vllm"
    assert cfg.student.model == "smollm2-135m-instruct" and cfg.student.lora is not None
    assert not (cfg.sft.use_gpu or cfg.krsl.use_gpu or cfg.eval.engine.use_gpu)
    assert cfg.sft.max_steps and cfg.krsl.max_steps  # bounded for the demo's time budget
    # make demo = edit-ray bench: the paper's Std-CoT baseline beside EDIT, and the teacher as a reference
    assert cfg.bench.methods == ["zero-shot", "std-cot", "edit"] and cfg.bench.baseline == "std-cot"
    assert cfg.bench.teacher and len(cfg.bench.seeds) == 1
    assert [b.name for b in cfg.eval.benchmarks] == ["ind", "ood-hard"]


def test_quality_configs_hold_the_benchmark_the_issue_asks_for():
    from edit_ray.evaluate import benchmark_questions

    cfg = load_config(ROOT / "configs" / "quality-cpu.yaml")
    assert cfg.teacher.engine.kind == "program" and cfg.teacher.engine.program_error_rate == 0.27
    assert set(cfg.bench.methods) >= {"zero-shot", "std-cot", "std-cot-long", "edit-stage1", "edit", "edit-student"}
    assert len(cfg.bench.seeds) >= 3 and cfg.data.seed is not None and cfg.data.val_fraction > 0
    sizes = {b.name: len(benchmark_questions(cfg, b, "/nonexistent")) for b in cfg.eval.benchmarks}
    assert sizes["ind"] >= 300 and sizes["ood-hard"] >= 300 and sizes["bbh"] > 0
    gpu = load_config(ROOT / "configs" / "quality-gpu.yaml")
    assert gpu.teacher.engine.use_gpu and gpu.sft.use_gpu and gpu.resources.num_gpus == 4
    assert set(gpu.bench.methods) > set(cfg.bench.methods)


def test_smollm2_teacher_config_uses_a_vllm_teacher_on_cpu():
    cfg = load_config(ROOT / "configs" / "smollm2-teacher.yaml")
    assert cfg.teacher.engine.kind == "vllm" and not cfg.teacher.engine.use_gpu
    assert cfg.teacher.engine.model == "smollm2-135m-instruct"


def test_paper_config_has_the_paper_settings():
    cfg = load_config(ROOT / "configs" / "paper.yaml")
    assert cfg.student.model == "meta-llama/Llama-2-7b-hf"
    assert (cfg.sft.lr, cfg.krsl.lr) == (2e-4, 5e-6)
    assert (cfg.sft.epochs, cfg.krsl.epochs) == (15, 10)
    for tr in (cfg.sft, cfg.krsl):
        assert (tr.batch_size, tr.grad_accum, tr.max_length) == (16, 4, 1024)
        assert (tr.scheduler, tr.step_gamma, tr.num_workers, tr.use_gpu) == ("step", 0.95, 4, True)
    assert cfg.student.lora.model_dump() == {"r": 64, "alpha": 32, "dropout": 0.05,
                                             "target_modules": ["q_proj", "v_proj"]}
    assert (cfg.krsl.alpha, cfg.krsl.beta, cfg.krsl.gamma) == (1.0, 0.025, 0.0)
    assert cfg.teacher.engine.temperature == 0.2
    assert (cfg.eval.engine.temperature, cfg.eval.engine.max_tokens) == (0.0, 1024)
    assert cfg.eval.engine.stop == ["---", "```output"]
    assert cfg.resources.num_gpus == 4


def test_paper_config_comments_every_value_with_its_source():
    """Every leaf value line of paper.yaml carries a comment (where in the paper it comes from)."""
    text = (ROOT / "configs" / "paper.yaml").read_text()
    uncommented = []
    for line in text.splitlines():
        body = line.split("#", 1)[0].rstrip()
        is_leaf = body.strip() and not body.endswith(":") and not body.strip().startswith("-")
        if is_leaf and "#" not in line and body.strip().split(":")[0] not in {
            "name", "dir", "max_model_len", "base_url", "api_key_env", "max_concurrent_requests", "use_gpu",
            "paths", "gpu_memory_utilization", "step_gamma",
        }:
            uncommented.append(line)
    assert not uncommented, "paper.yaml values without a source comment:\n" + "\n".join(uncommented)


def test_a_relative_run_dir_inside_a_ray_job_lands_in_the_results_root(monkeypatch, tmp_path):
    monkeypatch.delenv("RAY_JOB_CONFIG_JSON_ENV_VAR", raising=False)
    assert load_config(None, ["run.dir=runs/x"]).run.dir == os.path.abspath("runs/x")
    monkeypatch.setenv("RAY_JOB_CONFIG_JSON_ENV_VAR", "{}")  # what Ray sets for a job's driver
    monkeypatch.setenv("EDIT_RAY_RESULTS", str(tmp_path))
    assert load_config(None, ["run.dir=runs/x"]).run.dir == str(tmp_path / "runs" / "x")
    assert load_config(None, [f"run.dir={tmp_path}/abs"]).run.dir == f"{tmp_path}/abs"  # absolute: kept
    monkeypatch.delenv("EDIT_RAY_RESULTS")
    assert load_config(None, ["run.dir=r"]).run.dir == os.path.expanduser("~/ray_results/edit-ray/r")


def test_a_later_setting_at_its_default_leaves_result_values_and_keys_as_before():
    """LATER_SETTINGS: masking.max_tokens, added after grids were keyed, is absent from result_values at its
    default (old step hashes and cell keys still match) and present, like any setting, at another value."""
    from edit_ray.config import LATER_SETTINGS, result_values

    assert "max_tokens" not in result_values(load_config(None, []))["masking"]
    changed = load_config(None, ["masking.max_tokens=4096"])
    assert result_values(changed)["masking"]["max_tokens"] == 4096 != LATER_SETTINGS["masking.max_tokens"]
    # a pattern: every engine's engine_kwargs, and the teacher parts fingerprint's engine settings
    from edit_ray.teacher.retry import engine_settings

    base = load_config(None, [])
    assert all("engine_kwargs" not in result_values(base)[s]["engine"] for s in ("teacher", "eval"))
    assert "engine_kwargs" not in engine_settings(base.teacher.engine)
    kw = load_config(None, ["eval.engine.engine_kwargs={max_num_seqs: 4}"])
    assert result_values(kw)["eval"]["engine"]["engine_kwargs"] == {"max_num_seqs": 4}
    assert engine_settings(kw.eval.engine)["engine_kwargs"] == {"max_num_seqs": 4}
