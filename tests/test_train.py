"""Ray Train runs of both stages on CPU: 2 workers over gloo, the tiny Llama (issue 5).

Starting a Ray Train worker group costs most of a run on 2 cores, so one TorchTrainer (the `matrix`
fixture) runs every strategy x stage case through the real `train_loop_per_worker`, one after another
in the same workers; the resume test adds two runs through `build_trainer`.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from edit_ray.config import RunConfig
from edit_ray.train.run import build_trainer, read_metrics

X = -100
STRATEGY_CASES = [("ddp", "sft"), ("ddp", "krsl"), ("fsdp2", "sft"), ("fsdp2", "krsl"), ("deepspeed", "sft"),
                  ("deepspeed", "krsl")]
EXPORTED = {("fsdp2", "krsl"), ("deepspeed", "krsl")}  # FSDP2 full-state gather and ZeRO-3 gather, LoRA merged
# kill -9 of a worker and of the driver, then resume: DDP SFT, FSDP2 KRSL and DeepSpeed ZeRO-2 SFT
RESUME_CASES = [("ddp", "sft"), ("fsdp2", "krsl"), ("deepspeed", "sft")]
STEPS = 4  # optimizer steps of each strategy case (one step per epoch: the same 4 rows every step)


def _config(tiny_model_dir: str, **stage) -> RunConfig:
    train = {"lr": 5e-3, "epochs": STEPS, "batch_size": 2, "num_workers": 2, "max_length": 64, **stage}
    return RunConfig.model_validate({
        "run": {"seed": 0},
        "student": {"model": tiny_model_dir, "lora": {"r": 8, "alpha": 16, "dropout": 0.0}},
        "sft": train, "krsl": {**train, "beta": 0.025}})


@pytest.fixture(scope="module")
def tables(tmp_path_factory, tiny_model_dir):
    """SFT and masks Parquet tables made with the real tokenizer: `sft` (8 rows, then 1 row whose prompt
    fills max_length) and `masks` (4 pairs whose key tokens are the tokens where the two CoTs differ)."""
    from transformers import AutoTokenizer

    from edit_ray.tokens import tokenize_pair

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    d = tmp_path_factory.mktemp("tables")
    qa = [(f"Q: {a} plus {b}?\nA:", f" {a} plus {b} is {a + b}. The answer is {a + b}.", a + b + 1)
          for a, b in [(1, 2), (3, 4), (5, 6), (7, 8), (2, 9), (4, 4), (6, 1), (8, 3)]]
    sft = [{"row_id": f"r{i}", "qid": f"add/{i}", "task": "add", "prompt": p, "response": r}
           for i, (p, r, _) in enumerate(qa)]
    pq.write_table(pa.Table.from_pylist(sft + [{**sft[0], "row_id": "too-long", "prompt": "word " * 80}]),
                   d / "sft.parquet")
    masks = []
    for i, (p, r, wrong) in enumerate(qa[:4]):
        prompt_ids, chosen = tokenize_pair(tok, p, r)
        _, rejected = tokenize_pair(tok, p, r.replace(str(wrong - 1), str(wrong)))
        n = max(len(chosen), len(rejected))
        differ = [i >= len(chosen) or i >= len(rejected) or chosen[i] != rejected[i] for i in range(n)]
        masks.append({"pair_id": f"p{i}", "prompt_ids": prompt_ids, "chosen_ids": chosen, "rejected_ids": rejected,
                      "chosen_key": np.array(differ[: len(chosen)], np.int8).tolist(),
                      "rejected_key": np.array(differ[: len(rejected)], np.int8).tolist()})
    assert all(sum(m["chosen_key"]) > 0 for m in masks)
    pq.write_table(pa.Table.from_pylist(masks), d / "masks.parquet")
    return {k: str(d / f"{k}.parquet") for k in ("sft", "masks")}


def _examples(stage: str, path: str, cfg: RunConfig, tokenizer_dir: str) -> list[dict]:
    """The example rows `prepare_examples` makes, computed in this process by the same functions (Ray Data
    pipelines cost minutes on a busy 2-core machine). Error rows are left out, as there."""
    from edit_ray.train.run import examples_in_process

    return examples_in_process(stage, path, cfg, tokenizer_dir)[0]


def _run_cases(config: dict) -> None:
    """Worker function of the matrix run: the real loop once per case, each from a fresh model."""
    from edit_ray.train.loop import train_loop_per_worker

    for case in config["cases"]:
        # get_checkpoint() returns the checkpoint the previous case reported; each case starts fresh
        with mock.patch("ray.train.get_checkpoint", return_value=None):
            train_loop_per_worker(case)


@pytest.fixture(scope="module")
def matrix(ray_local, tables, tiny_model_dir, tmp_path_factory):
    """One 2-worker TorchTrainer running all cases; returns {case: out_dir} and the examples used."""
    import ray.cloudpickle
    import ray.data
    import ray.train
    from ray.train.torch import TorchTrainer

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import test modules
    out = tmp_path_factory.mktemp("matrix")
    cfg = _config(tiny_model_dir)
    sft_rows = _examples("sft", tables["sft"], cfg, tiny_model_dir)
    datasets = {"sft": ray.data.from_items(sft_rows[:4]), "sft8": ray.data.from_items(sft_rows),
                "krsl": ray.data.from_items(_examples("krsl", tables["masks"], cfg, tiny_model_dir))}
    base = {"init_model": tiny_model_dir, "tokenizer_dir": tiny_model_dir, "pad_id": 2, "seed": 0, "has_val": False,
            "run_name": "matrix"}
    lora = cfg.student.lora.model_dump()
    cases, dirs = [], {}
    for strategy, stage in STRATEGY_CASES:
        train = getattr(cfg, stage).model_copy(update={"strategy": strategy, "zero_stage": 3 if stage == "krsl" else 2})
        if (strategy, stage) == ("ddp", "sft"):  # full fine-tuning, 2 micro-batches of 1: the gradient check
            train, case_lora = train.model_copy(update={"batch_size": 1, "grad_accum": 2}), None
        else:
            case_lora = lora
        dirs[(strategy, stage)] = d = str(out / f"{strategy}-{stage}")
        cases.append({**base, "stage": stage, "dataset": stage, "train": train.model_dump(), "lora": case_lora,
                      "out_dir": d, "export_dir": os.path.join(d, "model") if (strategy, stage) in EXPORTED else None})
    # the uninterrupted references of the resume tests: 8 rows, 2 steps per epoch, 3 epochs, LoRA dropout on
    for strategy, stage in RESUME_CASES:
        ref = _resume_config(tiny_model_dir, strategy)
        dirs[("resume-ref", strategy, stage)] = d = str(out / f"resume-ref-{strategy}-{stage}")
        cases.append({**base, "stage": stage, "dataset": "sft8" if stage == "sft" else "krsl",
                      "train": getattr(ref, stage).model_dump(), "lora": ref.student.lora.model_dump(), "out_dir": d,
                      "export_dir": None})
    result = TorchTrainer(
        _run_cases, train_loop_config={"cases": cases},
        scaling_config=ray.train.ScalingConfig(num_workers=2),
        run_config=ray.train.RunConfig(name="matrix", storage_path=str(out / "ray")),
        datasets=datasets, dataset_config=ray.train.DataConfig(datasets_to_split=[])).fit()
    assert result.error is None
    return {"dirs": dirs, "sft_rows": sft_rows[:4]}


@pytest.mark.parametrize("strategy,stage", STRATEGY_CASES)
def test_each_strategy_lowers_the_loss_on_a_fixed_batch(matrix, strategy, stage):
    rows = read_metrics(os.path.join(matrix["dirs"][(strategy, stage)], "metrics.jsonl"))
    assert [r["step"] for r in rows] == list(range(1, STEPS + 1))
    assert rows[-1]["loss"] < rows[0]["loss"] - 0.05, [r["loss"] for r in rows]
    assert all(r["tokens_per_s"] > 0 and r["step_s"] > 0 and r["grad_norm"] > 0 for r in rows)
    # peak memory only grows, and a worker holding torch and a model takes well over 100 MiB
    assert all(100 < a["peak_rss_mb"] <= b["peak_rss_mb"] for a, b in itertools.pairwise(rows))
    assert rows[1]["lr"] == pytest.approx(5e-3 * 0.95)  # StepLR: gamma 0.95 after each (one-step) epoch
    if stage == "krsl":
        assert rows[-1]["chosen_key_nll"] < rows[0]["chosen_key_nll"]
        assert rows[0]["rejected_key_nll"] > 0


def test_ddp_fsdp2_and_deepspeed_train_the_same_steps(matrix):
    """The same LoRA run (seed, rows, batch, lr) under each strategy takes the same optimizer steps: loss and
    gradient norm agree within 1e-4 at every step (KRSL: DDP, FSDP2, DeepSpeed ZeRO-3; SFT: FSDP2 and ZeRO-2,
    the DDP SFT case being the full fine-tuning gradient check below)."""
    for stage, strategies in (("krsl", ("ddp", "fsdp2", "deepspeed")), ("sft", ("fsdp2", "deepspeed"))):
        curves = {s: read_metrics(os.path.join(matrix["dirs"][(s, stage)], "metrics.jsonl")) for s in strategies}
        ref = curves[strategies[0]]
        for s in strategies[1:]:
            for key in ("loss", "grad_norm", *(("chosen_key_nll",) if stage == "krsl" else ())):
                got, want = [r[key] for r in curves[s]], [r[key] for r in ref]
                assert got == pytest.approx(want, rel=1e-4, abs=1e-6), (stage, s, key, got, want)


def test_ddp_first_step_equals_single_process(matrix, tiny_model_dir):
    """2 ranks x 2 accumulated micro-batches of 1 row = one batch of 4 rows in one process: the same mean
    loss and the same gradient (its norm, reported by the loop after DDP's all-reduce)."""
    from transformers import AutoModelForCausalLM

    from edit_ray.train.data import collate_sft

    first = read_metrics(os.path.join(matrix["dirs"][("ddp", "sft")], "metrics.jsonl"))[0]
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    batch = collate_sft(matrix["sft_rows"], pad_id=2)
    loss = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"]).loss
    loss.backward()  # transformers' mean CE over all label tokens of the 4 rows
    norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters() if p.grad is not None]))
    assert first["loss"] == pytest.approx(loss.item(), rel=1e-5)
    assert first["grad_norm"] == pytest.approx(norm.item(), rel=1e-4)


@pytest.mark.parametrize("strategy,stage", sorted(EXPORTED))
def test_export_is_a_merged_hf_model_that_learned(matrix, tiny_model_dir, strategy, stage):
    from safetensors import safe_open
    from transformers import AutoModelForCausalLM

    from edit_ray.train.data import collate_sft

    d = os.path.join(matrix["dirs"][(strategy, stage)], "model")
    with safe_open(os.path.join(d, "model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert keys and not [k for k in keys if "lora" in k]  # a plain model: the adapter is merged
    assert os.path.exists(os.path.join(d, "tokenizer.json"))
    # the merged weights differ from the initial ones in the way training went: the chosen CoTs got likelier
    tables_rows = matrix["sft_rows"]
    batch = collate_sft(tables_rows, pad_id=2)
    with torch.no_grad():
        before = AutoModelForCausalLM.from_pretrained(tiny_model_dir)(**{k: batch[k] for k in ("input_ids", "attention_mask", "labels")}).loss
        after = AutoModelForCausalLM.from_pretrained(d)(**{k: batch[k] for k in ("input_ids", "attention_mask", "labels")}).loss
    assert after.item() < before.item() - 0.01


def _trained_lora_state(init_model: str, lora, seed: int) -> dict:
    """The state dict of ``init_model`` with ``lora`` attached and its B matrices random (a LoRA that has
    learned something: a fresh one has B = 0 and changes nothing)."""
    from edit_ray.train.strategies import build_model

    torch.manual_seed(seed)
    model = build_model(init_model, lora)  # lora None: the plain model
    for name, p in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(p, std=0.05)
    return model.state_dict()


def test_a_lora_student_is_also_one_adapter_of_the_base_even_after_two_stages(tiny_model_dir, tmp_path):
    """Stage 1 (r=4) and stage 2 (r=8, trained on the merged stage-1 model) exported: the stage-2 adapter/
    applied to the untrained base gives the stage-2 merged weights, with rank 4 + 8."""
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    from edit_ray.config import LoraConfig
    from edit_ray.models import adapter_of
    from edit_ray.train.export import export_merged

    first, second = LoraConfig(r=4, alpha=8), LoraConfig(r=8, alpha=32)
    stage1, stage2 = str(tmp_path / "stage1"), str(tmp_path / "stage2")
    export_merged(_trained_lora_state(tiny_model_dir, first, 0), tiny_model_dir, first, tiny_model_dir, stage1)
    export_merged(_trained_lora_state(stage1, second, 1), stage1, second, tiny_model_dir, stage2)

    adapter = adapter_of(stage2)
    assert adapter["base"] == os.path.abspath(tiny_model_dir) and adapter["rank"] == 12
    assert adapter_of(stage1)["rank"] == 4 and adapter_of(tiny_model_dir) is None
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    via_adapter = PeftModel.from_pretrained(base, adapter["path"]).merge_and_unload().state_dict()
    merged = load_file(os.path.join(stage2, "model.safetensors"))
    stage1_weights = load_file(os.path.join(stage1, "model.safetensors"))
    changed = [k for k in merged if not torch.equal(merged[k], stage1_weights[k])]
    assert changed and all("q_proj" in k or "v_proj" in k for k in changed)  # stage 2 moved its targets
    for k, w in merged.items():
        torch.testing.assert_close(via_adapter[k], w, rtol=1e-5, atol=1e-6)


def test_a_stage_trained_on_other_modules_than_its_init_gets_no_adapter(tiny_model_dir, tmp_path):
    from edit_ray.config import LoraConfig
    from edit_ray.models import adapter_of
    from edit_ray.train.export import export_merged

    first, other = LoraConfig(r=4), LoraConfig(r=4, target_modules=["k_proj"])
    stage1, stage2 = str(tmp_path / "stage1"), str(tmp_path / "stage2")
    export_merged(_trained_lora_state(tiny_model_dir, first, 0), tiny_model_dir, first, tiny_model_dir, stage1)
    export_merged(_trained_lora_state(stage1, other, 1), stage1, other, tiny_model_dir, stage2)
    assert adapter_of(stage1) is not None and adapter_of(stage2) is None  # evaluation serves its merged model
    full = str(tmp_path / "full")  # full fine-tuning: no adapter
    export_merged(_trained_lora_state(tiny_model_dir, None, 0), tiny_model_dir, None, tiny_model_dir, full)
    assert adapter_of(full) is None


def _resume_config(tiny_model_dir: str, strategy: str = "ddp") -> RunConfig:
    cfg = _config(tiny_model_dir, epochs=3, batch_size=1, grad_accum=2, checkpoint_every=1, max_failures=1,
                  strategy=strategy)
    return cfg.model_copy(update={"student": cfg.student.model_copy(
        update={"lora": cfg.student.lora.model_copy(update={"dropout": 0.1})})})


@pytest.mark.parametrize("strategy,stage,worker_step,driver_step,steps", [
    ("ddp", "sft", 2, 4, 6), ("fsdp2", "krsl", 1, 2, 3), ("deepspeed", "sft", 2, 4, 6)])
def test_sigkilled_worker_and_driver_resume_from_the_step_where_they_stopped(
        matrix, tables, tiny_model_dir, ray_local, tmp_path, strategy, stage, worker_step, driver_step, steps):
    """kill -9, twice, under each strategy (DDP SFT; FSDP2 KRSL: sharded state dicts; DeepSpeed ZeRO-2 SFT: its
    own checkpoint format): rank 0's Train worker SIGKILLs itself after ``worker_step`` (FailureConfig restarts
    the worker group from that checkpoint), then the driver's whole process group is SIGKILLed after
    ``driver_step``; a new driver with the same name resumes at the next step. Every step runs once, and its
    loss equals an uninterrupted run's (the matrix's resume-ref case)."""
    from tests_support import kill_training_driver_at, kill_worker_then_hang, training_snapshot

    cfg = _resume_config(tiny_model_dir, strategy)
    out = str(tmp_path / stage)
    kwargs = {"data_path": tables["masks" if stage == "krsl" else "sft"], "init_model": tiny_model_dir,
              "out_dir": out, "name": "resume"}
    faults = {"after_step": kill_worker_then_hang(worker_step, driver_step, tmp_path, training_snapshot(out, "resume"))}
    kill_training_driver_at(cfg, stage, {**kwargs, "loop_overrides": faults},
                            ray_local.get_runtime_context().gcs_address, driver_step, tmp_path)
    assert (tmp_path / f"at-step-{worker_step}").exists()  # the worker died, and training went on
    assert build_trainer(cfg, stage, **kwargs).fit().error is None  # the restarted driver

    with open(os.path.join(out, "metrics.jsonl")) as f:
        assert [json.loads(line)["step"] for line in f] == list(range(1, steps + 1))  # none repeated or skipped
    got = read_metrics(os.path.join(out, "metrics.jsonl"))
    want = read_metrics(os.path.join(matrix["dirs"][("resume-ref", strategy, stage)], "metrics.jsonl"))
    assert [r["loss"] for r in got] == pytest.approx([r["loss"] for r in want], rel=1e-4)
    assert [r["lr"] for r in got] == pytest.approx([r["lr"] for r in want])
    assert os.path.exists(os.path.join(out, "model", "config.json"))  # exported once training ended
    if stage == "sft":  # the row whose prompt fills max_length went to the errors table, with its reason
        errors = pq.read_table(os.path.join(out, "errors.parquet")).to_pylist()
        assert [(e["row_id"], e["reason"]) for e in errors] == [("too-long", "no_response_tokens")]


@pytest.mark.parametrize("sink", ["mlflow", "tensorboard"])
def test_metrics_go_to_the_jsonl_log_and_to_the_chosen_sink(tmp_path, monkeypatch, sink):
    from edit_ray.config import SFTConfig
    from edit_ray.train.loop import open_loggers

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)  # the default: runs kept beside metrics.jsonl
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    out = tmp_path / "out"
    jsonl, log = open_loggers(SFTConfig(log_to=sink), str(out), rank=0, run_name="sink-test")
    for step, loss in ((1, 2.5), (2, 1.5)):
        log({"loss": loss, "lr": 1e-4}, step)
    jsonl.close()
    with open(out / "metrics.jsonl") as f:
        assert [(r["step"], r["loss"]) for r in map(json.loads, f)] == [(1, 2.5), (2, 1.5)]
    if sink == "tensorboard":
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        events = EventAccumulator(str(out / "tensorboard"))
        events.Reload()
        assert [(e.step, e.value) for e in events.Scalars("loss")] == [(1, 2.5), (2, 1.5)]
    else:
        import mlflow

        run_id = mlflow.active_run().info.run_id
        mlflow.end_run()
        history = mlflow.MlflowClient((out / "mlruns").as_uri()).get_metric_history(run_id, "loss")
        assert sorted((m.step, m.value) for m in history) == [(1, 2.5), (2, 1.5)]
    assert open_loggers(SFTConfig(log_to=sink), str(out), rank=1, run_name="x")[0] is None  # rank 0 only


def test_torchrun_runs_the_same_loop_without_ray_and_resumes(matrix, tables, tiny_model_dir, tmp_path):
    """`torchrun -m edit_ray.train` (2 ranks, gloo, no Ray) takes the same KRSL steps as the Ray Train DDP case
    of the matrix; a re-run after losing the last checkpoint resumes from the one before and repeats step 4."""
    import subprocess

    from edit_ray.config import dump_config

    config = tmp_path / "krsl.yaml"
    config.write_text(dump_config(_config(tiny_model_dir)))
    out = tmp_path / "krsl"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           "-m", "edit_ray.train", str(config), "--stage", "krsl", "--data", tables["masks"], "--out", str(out),
           "krsl.strategy=ddp"]
    run = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    got = read_metrics(str(out / "metrics.jsonl"))
    want = read_metrics(os.path.join(matrix["dirs"][("ddp", "krsl")], "metrics.jsonl"))
    for key in ("loss", "grad_norm", "chosen_key_nll", "rejected_key_nll", "lr"):
        assert [r[key] for r in got] == pytest.approx([r[key] for r in want], rel=1e-5), key
    assert sorted(os.listdir(out / "checkpoints")) == ["step-3", "step-4"]  # two kept
    assert (out / "model" / "model.safetensors").exists()

    # lose the newest checkpoint and the last metrics line, as a kill during step 4's save would
    import shutil

    shutil.rmtree(out / "checkpoints" / "step-4")
    lines = (out / "metrics.jsonl").read_text().splitlines()
    (out / "metrics.jsonl").write_text("\n".join(lines[:3]) + "\n")
    run = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    again = read_metrics(str(out / "metrics.jsonl"))
    assert [r["step"] for r in again] == [1, 2, 3, 4]
    assert again[3]["loss"] == pytest.approx(got[3]["loss"], rel=1e-5)


@pytest.mark.parametrize("keep", [False, True])
def test_a_finished_stage_drops_its_checkpoints_unless_told_to_keep_them(tmp_path, keep):
    from edit_ray.config import load_config
    from edit_ray.train.run import drop_checkpoints

    (tmp_path / "ray" / "run" / "checkpoint_1").mkdir(parents=True)
    (tmp_path / "ray" / "run" / "checkpoint_1" / "model.pt").write_bytes(b"weights")
    (tmp_path / "model").mkdir()
    drop_checkpoints(load_config(None, [f"krsl.keep_checkpoints={str(keep).lower()}"]), "krsl", str(tmp_path))
    assert (tmp_path / "ray" / "run" / "checkpoint_1" / "model.pt").exists() == keep
    assert (tmp_path / "model").exists()


def test_the_loop_and_its_torchrun_entry_point_import_no_ray():
    """What a GPU machine without Ray runs (`python -m edit_ray.train`) must import without it."""
    import subprocess

    code = ("import sys, edit_ray.train.__main__, edit_ray.train.loop, edit_ray.train.run, edit_ray.models; "
            "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
