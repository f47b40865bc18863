"""Generation throughput: our Ray Data + vLLM stage against plain ``vllm.LLM.generate`` and batched HF
``generate`` on the same prompts. Prints output tokens/s of each and the ratios.

Targets: ours >= 0.9x plain vLLM after engine start-up; ours >= 5x HF generate.

"After engine start-up" for our stage: the Ray Data pipeline starts its engine replicas inside each run, so
the stage also runs once on one prompt with one output token (start-up: engine and pipeline, almost no
generation), and the steady rate is tokens(N) / (wall(N) - wall(start-up)). (Session 2 took the marginal
rate between N and 2N prompts instead; once the engine was fast, that gave nonsense, because N and 2N
prompts fill the engine's batch to different degrees.) Its wall rate including start-up is printed as well.
Plain vLLM is timed around ``generate`` on the N prompts (the engine is built and warmed up before the clock
starts); HF around its batched ``generate`` calls on them.

    .venv/bin/python benchmarks/generation.py --model tiny-llama-test --prompts 64 --max-tokens 32
"""

from __future__ import annotations

import argparse
import gc
import os
import time

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def make_prompts(n: int) -> list[str]:
    return [f"Q: A shop sells {i + 2} apples for {3 * i + 5} dollars. What does one apple cost?\n"
            "A: Let's think step by step." for i in range(n)]


def bench_plain_vllm(model_dir: str, prompts: list[str], max_tokens: int, max_model_len: int) -> tuple[float, int]:
    from vllm import LLM, SamplingParams

    from edit_ray.config import VllmEngineConfig
    from edit_ray.engines.vllm_engine import engine_dtype

    # the settings our stage gives its engines (EngineConfig defaults): every core, float32 on CPUs without bf16
    os.environ.setdefault("VLLM_CPU_OMP_THREADS_BIND", f"0-{(os.cpu_count() or 1) - 1}")
    llm = LLM(model=model_dir, max_model_len=max_model_len, gpu_memory_utilization=0.3, enforce_eager=True,
              enable_prefix_caching=True, seed=0, dtype=engine_dtype(VllmEngineConfig()))
    params = SamplingParams(temperature=0.0, max_tokens=max_tokens)
    llm.generate(prompts[:2], params, use_tqdm=False)  # warm-up, like ours gets in its first block
    t = time.perf_counter()
    outs = llm.generate(prompts, params, use_tqdm=False)
    dt = time.perf_counter() - t
    tokens = sum(len(o.outputs[0].token_ids) for o in outs)
    del llm
    gc.collect()
    return dt, tokens


def bench_ours(model_dir: str, prompts: list[str], max_tokens: int, max_model_len: int, batch_size: int):
    import ray

    from edit_ray.config import VllmEngineConfig
    from edit_ray.engines import generate

    cfg = VllmEngineConfig(model=model_dir, max_model_len=max_model_len, max_tokens=max_tokens,
                           batch_size=batch_size, temperature=0.0, enforce_eager=True)
    rows = [{"row_id": f"p{i}", "prompt": p, "temperature": 0.0, "max_tokens": max_tokens, "seed": 0}
            for i, p in enumerate(prompts)]
    t0 = time.perf_counter()
    total_tokens, n_rows = 0, 0
    for block in generate(ray.data.from_items(rows), cfg).iter_batches(batch_size=None, batch_format="pyarrow"):
        total_tokens += sum(block.column("n_tokens").to_pylist())
        n_rows += block.num_rows
    assert n_rows == len(rows), f"lost rows: {n_rows} of {len(rows)}"
    return {"wall": time.perf_counter() - t0, "tokens": total_tokens}


def bench_hf(model_dir: str, prompts: list[str], max_tokens: int, batch_size: int) -> tuple[float, int]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir, padding_side="left")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    tokens = 0
    t = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(prompts), batch_size):
            enc = tok(prompts[i:i + batch_size], return_tensors="pt", padding=True)
            out = model.generate(**enc, max_new_tokens=max_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
            new = out[:, enc.input_ids.shape[1]:]
            tokens += int((new != tok.pad_token_id).sum()) if tok.pad_token_id != tok.eos_token_id else new.numel()
    return time.perf_counter() - t, tokens


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="tiny-llama-test", help="alias or local HF dir")
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--max-model-len", type=int, default=512)
    ap.add_argument("--batch-size", type=int, default=16, help="rows per engine call (ours) and HF batch size")
    ap.add_argument("--hf-batch-size", type=int, default=None, help="HF generate batch (default: --batch-size)")
    ap.add_argument("--num-cpus", type=int, default=8, help="logical CPUs of the local Ray cluster")
    args = ap.parse_args()

    import ray

    from edit_ray.models import resolve

    model_dir = resolve(args.model)
    prompts = make_prompts(args.prompts)

    v_s, v_tok = bench_plain_vllm(model_dir, prompts, args.max_tokens, args.max_model_len)
    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)
    start_up = bench_ours(model_dir, prompts[:1], 1, args.max_model_len, args.batch_size)
    ours = bench_ours(model_dir, prompts, args.max_tokens, args.max_model_len, args.batch_size)
    ray.shutdown()
    hf_batch = args.hf_batch_size or args.batch_size
    h_s, h_tok = bench_hf(model_dir, prompts, args.max_tokens, hf_batch)

    vllm_rate = v_tok / v_s
    steady_s = ours["wall"] - start_up["wall"]
    ours_steady = ours["tokens"] / steady_s if steady_s > 0 else float("nan")
    ours_wall = ours["tokens"] / ours["wall"]
    hf_rate = h_tok / h_s
    print(f"model={args.model} prompts={args.prompts} max_tokens={args.max_tokens} batch_size={args.batch_size} "
          f"hf_batch_size={hf_batch} cpu_count={os.cpu_count()} load average {os.getloadavg()[0]:.1f}")
    print(f"plain vllm.LLM.generate : {vllm_rate:9.1f} out tok/s  ({v_tok} tokens in {v_s:.2f} s)")
    print(f"ours (Ray Data), steady : {ours_steady:9.1f} out tok/s  ({ours['tokens']} tokens in {steady_s:.2f} s: "
          f"{ours['wall']:.2f} s less a start-up run of {start_up['wall']:.2f} s)")
    print(f"ours (Ray Data), wall   : {ours_wall:9.1f} out tok/s  ({ours['tokens']} tokens in {ours['wall']:.2f} s, "
          f"engine start-up included)")
    print(f"HF generate (batched)   : {hf_rate:9.1f} out tok/s  ({h_tok} tokens in {h_s:.2f} s)")
    print(f"ratio ours/plain vLLM   : {ours_steady / vllm_rate:6.2f}x  (target >= 0.9)")
    print(f"ratio ours/HF           : {ours_steady / hf_rate:6.2f}x  (target >= 5)")


if __name__ == "__main__":
    main()
