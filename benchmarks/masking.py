"""Benchmark of key-step masking (issue 4 part 6): the paper's DP vs the kernel vs the Ray Data stage.

    .venv/bin/python benchmarks/masking.py [--pairs 2000] [--ref-pairs 2] [--lengths 512 1024] [--repeats 3]

Pairs are realistic: a response made of synthetic step-by-step CoTs, cut to about L tokens, and a copy
with three local edits (a changed number, an inserted clause, a deleted word), as a wrong CoT copies the
right one and diverges. Printed, from one run, in pairs/s:

- reference: the paper's pure-Python DP, one run per direction (edit_ray.masking.reference);
- kernel: ``key_masks`` on token ids, one core, in process: on ids packed into strings (``pack_ids``, the
  form the stage uses; packing not timed) and, for reference, on Python lists of ids;
- pair work: ``KeyTokenMasker`` called in process on batches (kernel + mask columns in Arrow, and from text
  also tokenizing both sides), the batches then put together by ``collect_masks`` (ids and pair ids attached,
  input order): the whole stage, without Ray;
- stage 1w / 2w: what ``mask_pairs`` runs (the Ray Data pipeline ``masks_dataset``, its batches put together
  by ``collect_masks`` on the driver as they arrive) on a local Ray cluster with 1 and 2 actors. "steady"
  counts from the first returned batch to the whole masks table (actor start-up, i.e. importing transformers
  and loading the tokenizer, ~6 s of CPU per actor, excluded); "wall" includes it. From ids, the tokenized pairs are repeated to at least ``--ids-pairs``
  (100,000), so that the steady window lasts seconds.

The stage runs ``--repeats`` times with 1 and 2 workers in turn, and the kernel is timed again just before
each run from ids: this 2-vCPU VM's speed drifts by 20-50% over minutes, so each ratio ("1w/kernel",
"2w/1w") is the median of ratios between runs next to each other.

Both stage inputs are measured: pairs that arrive tokenized (``prompt_ids/chosen_ids/rejected_ids``, the
stage's own work) and text pairs (tokenizing costs ~50x the alignment and dominates).
Targets: kernel >= 1000x reference at 1024 tokens; stage >= 50% of the bare kernel; 2 workers >= 1.8x one
(needs 2 idle cores).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time

import pyarrow as pa

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def make_pairs(tokenizer, n: int, length: int, seed: int = 0) -> list[dict]:
    """``n`` (chosen, rejected) text pairs of about ``length`` tokens, the rejected one with 3 local edits."""
    from edit_ray.config import SYNTHETIC_TASKS
    from edit_ray.data.synthetic import generate, gold_cot

    cots = [gold_cot(q) for task in SYNTHETIC_TASKS for q in generate(task, 40, 3, seed)]
    rng = random.Random(seed)
    bases = []
    for _ in range(20):  # distinct responses; each pair edits one of them at random places
        rng.shuffle(cots)
        ids = tokenizer("\n".join(cots[:40]), add_special_tokens=False).input_ids[: length - 1]  # + EOS
        bases.append(tokenizer.decode(ids).split(" "))
    pairs = []
    for k in range(n):
        words = bases[k % len(bases)]
        edited = list(words)
        at = sorted(rng.sample(range(len(words) - 1), 3))
        edited[at[2]] = ""                                            # delete a word
        edited.insert(at[1], "however, as noted above,")               # insert a clause
        edited[at[0]] = str(rng.randrange(10, 999))                    # change a number / word
        pairs.append({"pair_id": f"b{length}-{k}", "prompt": "Q: solve the tasks.\nA:",
                      "chosen": " ".join(words), "rejected": " ".join(w for w in edited if w)})
    return pairs


BATCH: dict = {}  # MaskingConfig overrides from the command line


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def bench_length(tokenizer_name: str, tokenizer, length: int, n_pairs: int, n_ref: int) -> dict:
    """Reference, kernel and in-process pair work on pairs of about ``length`` tokens (no Ray)."""
    from edit_ray.config import MaskingConfig
    from edit_ray.masking.kernel import key_masks, pack_ids
    from edit_ray.masking.reference import reference_key_masks
    from edit_ray.masking.stage import KeyTokenMasker, collect_masks, number_rows
    from edit_ray.tokens import tokenize_pairs

    pairs = make_pairs(tokenizer, n_pairs, length)
    _, chosen = tokenize_pairs(tokenizer, [p["prompt"] for p in pairs], [p["chosen"] for p in pairs])
    _, rejected = tokenize_pairs(tokenizer, [p["prompt"] for p in pairs], [p["rejected"] for p in pairs])
    res = {"length": length, "tokens": sum(map(len, chosen)) / len(chosen)}
    # The id lists above are tens of millions of Python ints; without freezing them, every gen-2 collection
    # triggered by the timed code walks them all (a cost a stage actor, which holds no such lists, never pays).
    gc.freeze()

    t = time.perf_counter()
    for c, r in zip(chosen[:n_ref], rejected[:n_ref]):
        reference_key_masks(c, r)
    res["reference"] = rate(n_ref, time.perf_counter() - t)

    t = time.perf_counter()
    for c, r in zip(chosen, rejected):
        key_masks(c, r)
    res["kernel_lists"] = rate(len(chosen), time.perf_counter() - t)
    packed = [(pack_ids(c), pack_ids(r)) for c, r in zip(chosen, rejected)]  # packing is not timed here
    res["kernel"], res["packed"] = time_kernel(packed), packed

    table = pa.Table.from_pylist(pairs)
    prompt_ids, _ = tokenize_pairs(tokenizer, [p["prompt"] for p in pairs], [p["chosen"] for p in pairs])
    ids = pa.list_(pa.int32())
    tokenized = (table.append_column("prompt_ids", pa.array(prompt_ids, ids))
                 .append_column("chosen_ids", pa.array(chosen, ids)).append_column("rejected_ids", pa.array(rejected, ids)))
    cfg = MaskingConfig(**BATCH)
    masker = KeyTokenMasker(tokenizer_name, cfg)
    for name, t_in in (("text", table), ("ids", tokenized)):
        t_in = number_rows(t_in)
        t = time.perf_counter()
        collect_masks(t_in, (masker(t_in.slice(i, cfg.batch_size)) for i in range(0, t_in.num_rows, cfg.batch_size)))
        res[f"pair_work_{name}"] = rate(t_in.num_rows, time.perf_counter() - t)
    res["tables"] = {"text": table, "ids": tokenized}
    print(f"{length}: reference {res['reference']:.2f}/s, kernel {res['kernel']:.0f}/s on packed ids "
          f"({res['kernel'] / res['reference']:.0f}x; {res['kernel_lists']:.0f}/s on lists), pair work from text {res['pair_work_text']:.0f}/s, "
          f"from ids {res['pair_work_ids']:.0f}/s", flush=True)
    return res


def timed(batches, first: list):
    """``batches`` as they come, noting ``(time, rows)`` of the first one in ``first``."""
    for b in batches:
        if not first:
            first.append((time.perf_counter(), b.num_rows))
        yield b


def time_kernel(packed: list[tuple[str, str]], min_s: float = 2.0) -> float:
    """Pairs/s of the bare kernel on packed ids, in process, over at least ``min_s`` seconds."""
    from edit_ray.masking.kernel import key_masks

    t, n = time.perf_counter(), 0
    while n == 0 or time.perf_counter() - t < min_s:
        for c, r in packed:
            key_masks(c, r)
        n += len(packed)
    return rate(n, time.perf_counter() - t)


def bench_stage(tokenizer_name: str, res: dict, ids_pairs: int, repeats: int) -> None:
    """The stage with 1 and 2 workers, ``repeats`` times in turn (this VM's speed drifts by 20-50% over
    minutes, so each ratio is taken between runs next to each other: the kernel is timed again before each
    run from ids). Rates are medians over the repeats; ratios are medians of the per-repeat ratios."""
    from edit_ray.config import MaskingConfig
    from edit_ray.masking.stage import collect_masks, mask_pairs, masks_dataset, number_rows

    tables, packed = res.pop("tables"), res.pop("packed")
    tables["ids"] = pa.concat_tables([tables["ids"]] * max(1, -(-ids_pairs // tables["ids"].num_rows)))

    for name, table in tables.items():
        table = number_rows(table)
        runs: dict[str, list[float]] = {}
        for _ in range(repeats):
            if name == "ids":
                runs.setdefault("kernel", []).append(time_kernel(packed))
            for workers in (1, 2):
                cfg = MaskingConfig(num_workers=workers, **BATCH)
                # what mask_pairs runs, with the time of the first batch the actors return taken
                t0 = time.perf_counter()
                first: list[tuple[float, int]] = []  # (time, rows) of the first batch the actors return
                ds = masks_dataset(table, tokenizer_name, cfg)
                ok, errors = collect_masks(table, timed(ds.iter_batches(batch_size=None, batch_format="pyarrow"),
                                                        first))
                end = time.perf_counter()
                rows = ok.num_rows + len(errors)
                assert rows == table.num_rows
                del ok, errors
                runs.setdefault(f"{workers}w_wall", []).append(rate(rows, end - t0))
                runs.setdefault(f"{workers}w", []).append(rate(rows - first[0][1], end - first[0][0]))
        for key, values in runs.items():
            res[f"{name}_{key}"] = statistics.median(values)
        res[f"{name}_2w_1w"] = statistics.median(two / one for two, one in zip(runs["2w"], runs["1w"]))
        if name == "ids":
            res["ids_1w_kernel"] = statistics.median(one / k for one, k in zip(runs["1w"], runs["kernel"]))
        print(f"{res['length']} from {name} ({table.num_rows} pairs), per repeat: "
              + "; ".join(f"1w {one:.0f}/s, 2w {two:.0f}/s ({two / one:.2f}x)"
                          + (f", kernel just before {k:.0f}/s (1w {one / k:.2f}x)" if k else "")
                          for one, two, k in zip(runs["1w"], runs["2w"], runs.get("kernel", [0] * repeats))),
              flush=True)
    table = tables["text"]
    ok, errors = mask_pairs(table.slice(0, 8), tokenizer_name, MaskingConfig())
    assert ok.num_rows + len(errors) == 8  # the real entry point runs on these pairs too


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=2000, help="pairs for the kernel and the stage")
    ap.add_argument("--ref-pairs", type=int, default=2, help="pairs for the (slow) reference DP")
    ap.add_argument("--lengths", type=int, nargs="+", default=[512, 1024])
    ap.add_argument("--ids-pairs", type=int, default=100_000, help="pairs for the stage from ids (repeated)")
    ap.add_argument("--batch-size", type=int, default=None, help="masking.batch_size (default: the config's)")
    ap.add_argument("--repeats", type=int, default=3, help="stage runs with 1 and 2 workers, in turn")
    ap.add_argument("--tokenizer", default="tiny-llama-test", help="alias or dir (tiny-llama-test has SmolLM2's)")
    args = ap.parse_args()
    if args.batch_size:
        BATCH["batch_size"] = args.batch_size

    import ray

    from edit_ray.models import load_tokenizer, resolve

    name = resolve(args.tokenizer)
    tokenizer = load_tokenizer(name)
    results = [bench_length(name, tokenizer, n, args.pairs, args.ref_pairs) for n in args.lengths]
    for attempt in range(3):  # on a crowded machine the raylet may miss Ray's fixed 30 s start-up window
        try:
            ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False)
            break
        except Exception as e:  # noqa: BLE001  (Ray raises a bare Exception here)
            print(f"ray.init failed ({e}); retrying", flush=True)
            ray.shutdown()
    else:
        raise RuntimeError("ray.init failed 3 times: the machine is too busy to benchmark the stage")
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        for r in results:
            bench_stage(name, r, args.ids_pairs, args.repeats)
    finally:
        ray.shutdown()
    print(f"\nmasking benchmark: {args.pairs} pairs (reference: {args.ref_pairs}), cpu_count={os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'length':>7} {'tokens':>7} {'reference':>10} {'kernel':>8} {'(lists)':>8} {'kernel/ref':>11} | from ids: {'work':>6} "
          f"{'1w':>6} {'2w':>6} {'1w/kernel':>10} {'2w/1w':>6} | from text: {'work':>6} {'1w':>6} {'2w':>6} "
          f"{'2w/1w':>6}   (pairs/s)")
    for r in results:
        print(f"{r['length']:>7} {r['tokens']:>7.0f} {r['reference']:>10.2f} {r['kernel']:>8.0f} {r['kernel_lists']:>8.0f} "
              f"{r['kernel'] / r['reference']:>10.0f}x | {'':>9} {r['pair_work_ids']:>6.0f} {r['ids_1w']:>6.0f} "
              f"{r['ids_2w']:>6.0f} {r['ids_1w_kernel']:>9.2f}x {r['ids_2w_1w']:>5.2f}x | "
              f"{'':>10} {r['pair_work_text']:>6.0f} {r['text_1w']:>6.0f} {r['text_2w']:>6.0f} "
              f"{r['text_2w_1w']:>5.2f}x")
    for r in results:
        print(f"{r['length']:>7}: stage wall incl. actor start-up: from ids 1w {r['ids_1w_wall']:.0f}/s, "
              f"2w {r['ids_2w_wall']:.0f}/s; from text 1w {r['text_1w_wall']:.0f}/s, 2w {r['text_2w_wall']:.0f}/s")


if __name__ == "__main__":
    main()
