"""Tokens/s of our SFT and KRSL training steps against a plain Hugging Face step, one process.

    .venv/bin/python benchmarks/training.py --model smollm2-135m-instruct --rounds 4
    .venv/bin/python benchmarks/training.py --model tiny-llama-test --batch-size 8   # seconds, for a smoke run

The plain HF step is what ``transformers.Trainer`` runs per step for a causal LM:
``model(input_ids, attention_mask, labels).loss.backward(); AdamW.step()`` (full-vocabulary logits,
HF's own shifted cross-entropy). Our steps are the loop's hot path (``loop.loss_on_batch`` + backward +
AdamW): SFT on the same sequences, KRSL on pairs whose chosen and rejected sides are the same token
budget (2B sequences in one pass). Rounds interleave the three steps so a busy machine slows all alike;
tokens are real (unpadded) input tokens. Targets: SFT >= 1.0x and KRSL >= 0.9x the HF step per token.
On a GPU it also prints MFU (6 x parameters x tokens/s over the bf16 peak given by --peak-tflops).

``--loop-steps N`` also runs the real SFT stage (``train_stage``: Ray Train, one worker with every CPU, full
fine-tuning, the same batch of equal-length rows) for N steps and compares its median wall time per step
(``step_s`` in metrics.jsonl: reports, checkpoints and logging included) with the plain HF step measured
above: what the whole loop loses around the step. Target: >= 0.9x.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from edit_ray.config import KRSLConfig, SFTConfig
from edit_ray.models import resolve
from edit_ray.train.data import collate_krsl, collate_sft
from edit_ray.train.loop import loss_on_batch
from edit_ray.train.objectives import objective_for


def make_rows(n: int, prompt_len: int, response_len: int, vocab: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        p = rng.integers(3, vocab, rng.integers(prompt_len // 2, prompt_len + 1)).tolist()
        r = rng.integers(3, vocab, rng.integers(response_len // 2, response_len + 1)).tolist()
        rows.append({"prompt": p, "response": r})
    return rows


def sft_batch(rows: list[dict]) -> dict:
    return collate_sft([{"input_ids": r["prompt"] + r["response"], "labels": [-100] * len(r["prompt"]) + r["response"]}
                        for r in rows], pad_id=0)


def krsl_batch(rows: list[dict], seed: int) -> dict:
    """Pairs from consecutive rows: same prompt, the two responses as chosen and rejected, ~20% key tokens."""
    rng = np.random.default_rng(seed)
    pairs = []
    for a, b in zip(rows[0::2], rows[1::2]):
        p = a["prompt"]
        kc, kr = rng.random(len(a["response"])) < 0.2, rng.random(len(b["response"])) < 0.2
        z = np.zeros(len(p))
        pairs.append({"chosen_input_ids": p + a["response"], "chosen_labels": [-100] * len(p) + a["response"],
                      "chosen_w": np.r_[z, kc * 1.0], "chosen_key": np.r_[z, kc],
                      "rejected_input_ids": p + b["response"], "rejected_labels": [-100] * len(p) + b["response"],
                      "rejected_w": np.r_[z, kr * 0.025], "rejected_key": np.r_[z, kr]})
    return collate_krsl(pairs, pad_id=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--batch-size", type=int, default=4, help="sequences per step (KRSL: batch/2 pairs)")
    ap.add_argument("--prompt-len", type=int, default=96)
    ap.add_argument("--response-len", type=int, default=160)
    ap.add_argument("--rounds", type=int, default=4, help="timed rounds (after one warm-up round)")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (GPU)")
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="GPU bf16 peak for MFU (H100 SXM: 989)")
    ap.add_argument("--loop-steps", type=int, default=0, help="also time N steps of the Ray Train SFT stage")
    args = ap.parse_args()

    from transformers import AutoModelForCausalLM

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    def load_model():
        m = AutoModelForCausalLM.from_pretrained(resolve(args.model), dtype=torch.float32).to(device).train()
        m.config.use_cache = False
        return m, torch.optim.AdamW(m.parameters(), lr=1e-6)

    model, opt = load_model()
    n_params = sum(p.numel() for p in model.parameters())
    vocab = model.config.vocab_size
    rows = make_rows(args.batch_size, args.prompt_len, args.response_len, vocab, seed=0)
    batches = {"hf": sft_batch(rows), "sft": sft_batch(rows), "krsl": krsl_batch(rows, seed=1)}
    # the HF baseline on the KRSL tokens too: the same 2B sequences, plain mean CE
    batches["hf_krsl"] = {k: batches["krsl"][k] for k in ("input_ids", "attention_mask", "labels", "tokens")}
    autocast = lambda: torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16)
    sft_cfg, krsl_cfg = SFTConfig(bf16=args.bf16), KRSLConfig(bf16=args.bf16)

    def step(name: str) -> float:
        b = {k: v.to(device) for k, v in batches[name].items()}
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        if name.startswith("hf"):
            with autocast():
                loss = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"], labels=b["labels"]).loss
        else:
            s, d, _ = loss_on_batch(model, b, objective_for(name), sft_cfg if name == "sft" else krsl_cfg, device)
            loss = s / d
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - t0

    names = ["hf", "sft", "hf_krsl", "krsl"]
    times = {n: [] for n in names}
    for rnd in range(args.rounds + 1):
        for n in names:
            t = step(n)
            if rnd > 0:  # round 0 warms up allocators and kernels
                times[n].append(t)
    tps = {n: float(batches[n]["tokens"]) / float(np.median(times[n])) for n in names}
    print(f"model {args.model} ({n_params / 1e6:.0f}M params), device {device}, batch {args.batch_size} x "
          f"~{args.prompt_len}+{args.response_len} tokens, {args.rounds} timed rounds (median)")
    for n in names:
        print(f"  {n:8s} {tps[n]:10.1f} tokens/s   step {np.median(times[n]) * 1000:8.1f} ms")
    print(f"SFT  / HF step: {tps['sft'] / tps['hf']:.2f}x   (target >= 1.0x)")
    print(f"KRSL / HF step: {tps['krsl'] / tps['hf_krsl']:.2f}x   (target >= 0.9x, same tokens)")
    if device.type == "cuda":
        for n in names:
            print(f"  MFU {n}: {6 * n_params * tps[n] / (args.peak_tflops * 1e12):.1%}")
    if args.loop_steps:
        del model, opt  # the loop's worker loads its own copy
        loop_s = loop_step_seconds(args)
        # The plain HF step again, right after the loop: this VM's speed drifts by 20-50% within minutes, so
        # the baseline is the median over the rounds before and after the loop.
        model, opt = load_model()
        after = [step("hf") for _ in range(args.rounds + 1)][1:]
        hf_s = float(np.median(times["hf"] + after))
        print(f"Ray Train SFT loop: step {loop_s * 1000:8.1f} ms (median wall, {args.loop_steps} steps)")
        print(f"plain HF step: {np.median(times['hf']) * 1000:8.1f} ms before the loop, "
              f"{np.median(after) * 1000:8.1f} ms after (median of both: {hf_s * 1000:.1f} ms)")
        print(f"plain HF step / loop step: {hf_s / loop_s:.2f}x   (target >= 0.9x)")


def loop_step_seconds(args) -> float:
    """Median ``step_s`` of the real SFT stage on rows that tokenize to --prompt-len + --response-len tokens."""
    import os
    import tempfile

    import ray

    from edit_ray import io
    from edit_ray.config import load_config
    from edit_ray.train.run import read_metrics, train_stage

    # " the" is one token in the SmolLM2 vocabulary: every row has exactly the benchmark's lengths
    prompt, response = "the" + " the" * (args.prompt_len - 1), "the" + " the" * (args.response_len - 2)
    ncpu = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as run_dir:
        data = io.join(run_dir, "rows.parquet")
        io.write_table([{"row_id": f"r{i}", "qid": f"q{i}", "task": "bench", "prompt": prompt, "response": response}
                        for i in range(args.batch_size * args.loop_steps)], data)  # one epoch: no checkpoint between
        cfg = load_config(None, [f"run.dir={run_dir}", f"student.model={args.model}", "student.lora=null",
                                 f"sft.max_steps={args.loop_steps}", "sft.epochs=1",
                                 f"sft.batch_size={args.batch_size}", "sft.max_length=4096",
                                 f"sft.cpus_per_worker={ncpu}", f"sft.bf16={str(args.bf16).lower()}",
                                 f"sft.use_gpu={str(torch.cuda.is_available()).lower()}",
                                 f"resources.num_cpus={ncpu + 2}"])
        # two logical CPUs more than the worker takes: its Ray Data shard needs one to read the rows
        ray.init(num_cpus=ncpu + 2, include_dashboard=False)
        out = train_stage(cfg, "sft", data_path=data, init_model=args.model, out_dir=io.join(run_dir, "sft"))
        rows = read_metrics(out["metrics_path"])
    return float(np.median([r["step_s"] for r in rows[1:]]))  # step 1 warms up allocators


if __name__ == "__main__":
    main()
