"""Evaluation of students (and the teacher) on in-domain and out-of-domain benchmarks (edit-method.md §4.3).

The paper judges a distilled student by how it answers held-out questions, zero-shot, greedy, with the
same answer extractor the teacher stage uses, and reports micro accuracy per benchmark and the average
over benchmarks. This module compares, side by side:

- ``base``: the student before training;
- ``sft``: after stage 1 (Std-CoT: plain CoT distillation on D+ ∪ D-+), ``<run_dir>/sft/model``;
- ``krsl``: after stage 2 (EDIT: Key Reasoning Steps Learning on dual CoTs), ``<run_dir>/krsl/model``;
- ``teacher``: the teacher's CEP (Chain-of-thought Extraction Prompt, few-shot CoT) answers, scored from
  ``teacher/cots.parquet`` where the teacher answered held-out questions (usually it only sees training
  questions, and the teacher is then omitted with a note in summary.json).

Benchmarks (``cfg.eval.benchmarks``, see ``BenchmarkConfig``): the held-out split of the run's questions
(in-domain), other task files (out-of-domain, e.g. a BB-sub-like directory) and synthetic tasks generated
at another difficulty (out-of-domain by difficulty).

Self-consistency (paper App. A.7) is optional: k samples at T=0.7, top-p 0.95, majority vote over the
extracted answers.

Reads:  data/questions.parquet (qid, task, split, ...), teacher/cots.parquet (qid, kind, text, error),
        the method models.
Writes: eval/eval.parquet (EVAL_COLUMNS), eval/errors.parquet (a generation error is scored as wrong AND
        recorded there), eval/summary.json (``summarize``).

The bottom layer (``score_generations``, ``summarize``, ``majority_vote``) is pure and tested without
engines; ``evaluate`` wires questions -> prompts -> ``engines.generate`` -> scoring.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from edit_ray import io
from edit_ray.config import BenchmarkConfig, EngineConfig, RunConfig
from edit_ray.steps import Step

STAGE = "eval"

EVAL_COLUMNS = {
    "qid": "question id (<task>/<index>), unique within a benchmark",
    "benchmark": "benchmark name from cfg.eval.benchmarks",
    "task": "task name",
    "method": "the method whose student answered (edit_ray.methods: zero-shot, std-cot, edit, ...) or teacher",
    "text": "the generation scored (for self-consistency: one sample that gave the voted answer)",
    "answer": "extracted answer (null when none was found or generation failed)",
    "correct": "answer matches the gold target; false for a failed generation",
    "error": "null, or why the generation failed (also in eval/errors.parquet)",
    "n_samples": "generations behind this row (k for self-consistency, else 1)",
}
EVAL_SCHEMA = pa.schema(
    [
        ("qid", pa.string()),
        ("benchmark", pa.string()),
        ("task", pa.string()),
        ("method", pa.string()),
        ("text", pa.string()),
        ("answer", pa.string()),
        ("correct", pa.bool_()),
        ("error", pa.string()),
        ("n_samples", pa.int32()),
    ]
)
# Reasons in eval/errors.parquet: the engine's reason code (the part of its ``error`` before the first
# ":", e.g. prompt_too_long or an exception type), or ``score_error`` for a gold target the scorer rejects.
SCORE_ERROR = "score_error"


# ------------------------------------------------------------------------------------- pure scoring
def _vote_key(answer: str) -> str:
    """Answers that differ only in case, spacing or a trailing period are one vote."""
    return " ".join(answer.strip().rstrip(".").lower().split())


def majority_vote(answers: list[str | None]) -> tuple[str | None, int | None]:
    """The most common non-null answer and the index of its first occurrence.

    Ties go to the answer seen first (sample order), so the vote is deterministic. Returns
    ``(None, None)`` when no sample produced an answer.
    """
    keyed = [(i, a, _vote_key(a)) for i, a in enumerate(answers) if a is not None and a.strip()]
    if not keyed:
        return None, None
    counts = Counter(k for _, _, k in keyed)
    best = max(counts.values())
    for i, a, k in keyed:  # first answer, in sample order, among the most common
        if counts[k] == best:
            return a, i
    raise AssertionError("unreachable")


def score_generations(rows: list[dict], questions: dict[str, dict]) -> list[dict]:
    """Extract and score answers: one eval row per (benchmark, method, qid).

    Args:
        rows: generations with ``qid``, ``benchmark``, ``method``, ``text`` and optionally ``error``
            (null = ok), ``sample`` (self-consistency index, default 0) and ``row_id``. Several samples of
            one (benchmark, method, qid) are majority-voted.
        questions: the benchmark's questions by qid (``task``, ``target``, ``choices``... as the answer
            module expects). Call once per benchmark: qids are unique only within one.
    Returns:
        Rows with the EVAL_COLUMNS plus ``row_ids`` (the generation row ids, for the errors table), in
        the order their groups first appear. A generation that failed counts as wrong, with its
        ``error``; a group is in error only when all its samples failed.
    Raises:
        KeyError: a row's qid is not among ``questions`` (a wiring bug, never a data problem).
    """
    from edit_ray.answers import extract_answer, is_correct

    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["benchmark"], r["method"], r["qid"])].append(r)

    scored = []
    for (benchmark, method, qid), group in groups.items():
        if qid not in questions:
            raise KeyError(f"generation {group[0].get('row_id', qid)!r}: qid {qid!r} is not a question of "
                           f"benchmark {benchmark!r}")
        q = questions[qid]
        group = sorted(group, key=lambda r: r.get("sample") or 0)
        ok = [r for r in group if not r.get("error")]
        out = {"qid": qid, "benchmark": benchmark, "task": q["task"], "method": method,
               "text": None, "answer": None, "correct": False, "error": None,
               "n_samples": len(group), "row_ids": [r.get("row_id", qid) for r in group]}
        if not ok:
            out["error"] = str(group[0]["error"])
            out["text"] = group[0].get("text")
            scored.append(out)
            continue
        answers = [extract_answer(r.get("text") or "") for r in ok]
        answer, idx = majority_vote(answers)
        out["text"] = ok[idx if idx is not None else 0].get("text")
        out["answer"] = answer
        if answer is not None:
            try:
                out["correct"] = bool(is_correct(answer, q))
            except Exception as e:  # noqa: BLE001 - a malformed gold target: this row is wrong and reported, the rest go on
                out["error"] = f"{SCORE_ERROR}: {type(e).__name__}: {e}"
        scored.append(out)
    return scored


def _acc(correct: int, n: int) -> float:
    return correct / n if n else 0.0


def summarize(rows: list[dict]) -> dict:
    """Accuracy per method: per benchmark (micro over its questions), per task, and the average.

    Args:
        rows: scored rows (``benchmark``, ``task``, ``method``, ``correct``, optional ``error``).
    Returns:
        ``{"methods": {method: {"benchmarks": {name: {"n", "correct", "errors", "accuracy"}},
        "tasks": {benchmark: {task: {"n", "correct", "accuracy"}}}, "average": mean of the benchmark
        accuracies}}}``; accuracies in [0, 1]; benchmarks and tasks in first-seen order. Rows with an
        error count in ``n`` as wrong and in ``errors``.
    """
    per_bench: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    per_task: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: [0, 0])))
    for r in rows:
        m, b, t = r["method"], r["benchmark"], r["task"]
        cell = per_bench[m][b]
        cell[0] += 1
        cell[1] += bool(r["correct"])
        cell[2] += bool(r.get("error"))
        tcell = per_task[m][b][t]
        tcell[0] += 1
        tcell[1] += bool(r["correct"])
    methods = {}
    for m, benches in per_bench.items():
        b_out = {b: {"n": n, "correct": c, "errors": e, "accuracy": _acc(c, n)} for b, (n, c, e) in benches.items()}
        t_out = {b: {t: {"n": n, "correct": c, "accuracy": _acc(c, n)} for t, (n, c) in tasks.items()}
                 for b, tasks in per_task[m].items()}
        avg = sum(v["accuracy"] for v in b_out.values()) / len(b_out)
        methods[m] = {"benchmarks": b_out, "tasks": t_out, "average": avg}
    return {"methods": methods}


def headline(summary: dict) -> tuple[str, dict] | None:
    """The run's own method (its last trained student, ``settings.final_method``) and its ``{"benchmarks",
    "average"}`` in the exact shape ``edit-ray eval --json`` prints; None when it was not scored."""
    methods = summary.get("methods", {})
    final = (summary.get("settings") or {}).get("final_method")
    if final not in methods:
        return None
    s = methods[final]
    return final, {"benchmarks": {b: {"n": v["n"], "accuracy": v["accuracy"]} for b, v in s["benchmarks"].items()},
                   "average": s["average"]}


def error_rows(scored: list[dict]) -> list[dict]:
    """errors-table rows for scored rows with an error (reason = the part before the first colon)."""
    return [io.error_row(";".join(r["row_ids"]), STAGE, r["error"].split(":", 1)[0].strip() or "engine_error",
                         r["error"], attempts=r["n_samples"])
            for r in scored if r.get("error")]


# --------------------------------------------------------------------------------------- questions
def _as_rows(obj: Any) -> list[dict]:
    """Question rows from a LoadResult (edit_ray.data), an Arrow table or a list."""
    if hasattr(obj, "questions"):
        return list(obj.questions)
    return obj.to_pylist() if hasattr(obj, "to_pylist") else list(obj)


def _cap_per_task(questions: list[dict], n_per_task: int | None, seed: int) -> list[dict]:
    """At most ``n_per_task`` questions per task, a seeded sample kept in qid order (stable across runs)."""
    if n_per_task is None:
        return questions
    by_task: dict[str, list[dict]] = defaultdict(list)
    for q in questions:
        by_task[q["task"]].append(q)
    kept = []
    for task, qs in by_task.items():
        qs = sorted(qs, key=lambda q: q["qid"])
        if len(qs) > n_per_task:
            qs = sorted(random.Random(f"{seed}:{task}").sample(qs, n_per_task), key=lambda q: q["qid"])
        kept.extend(qs)
    return kept


def benchmark_questions(cfg: RunConfig, bench: BenchmarkConfig, run_dir: str) -> list[dict]:
    """The questions of one benchmark (see ``BenchmarkConfig`` for the three kinds).

    Raises:
        ValueError: the benchmark has no questions (e.g. no test split), naming the benchmark.
    """
    seed = cfg.question_seed  # the same benchmark questions for every run.seed of a fixed pool
    if bench.synthetic_difficulty is not None:
        from edit_ray.data.synthetic import generate as generate_synthetic

        tasks = cfg.data.synthetic.tasks if cfg.data.synthetic else None
        if not tasks:
            from edit_ray.config import SYNTHETIC_TASKS

            tasks = list(SYNTHETIC_TASKS)
        n = bench.n_per_task or (cfg.data.synthetic.n_per_task if cfg.data.synthetic else 20)
        # A seed apart from the training data's, so a benchmark at the training difficulty is still new
        # questions rather than copies of training ones.
        qs = [q for t in tasks
              for q in _as_rows(generate_synthetic(t, n, bench.synthetic_difficulty, seed + 7919 * bench.synthetic_difficulty))]
    elif bench.paths:
        from edit_ray.data import load_questions

        # Out-of-domain files: every question counts, whatever split the loader assigned.
        loaded = load_questions(bench.paths, seed=seed, train_fraction=cfg.data.train_fraction,
                                max_per_task=bench.n_per_task)
        qs = _as_rows(loaded)
        if getattr(loaded, "errors", None):
            reasons = Counter(e["reason"] for e in loaded.errors)
            print(f"[eval] benchmark '{bench.name}': {len(loaded.errors)} row(s) of {bench.paths} could not be "
                  f"loaded ({dict(reasons)}); `edit-ray data stats` lists them", flush=True)
    else:
        path = io.join(run_dir, "data", "questions.parquet")
        if io.exists(path):
            all_q = io.read_rows(path)
        else:  # eval run alone: rebuild the same split the data stage would write
            from edit_ray.data import build_questions

            all_q = _as_rows(build_questions(cfg.data, cfg.run.seed))
        qs = _cap_per_task([q for q in all_q if q.get("split") == bench.split], bench.n_per_task, seed)
    if not qs:
        raise ValueError(f"eval benchmark '{bench.name}' has no questions "
                         f"({'paths ' + str(bench.paths) if bench.paths else 'held-out split' if bench.synthetic_difficulty is None else 'synthetic'})")
    seen = set()
    for q in qs:
        if q["qid"] in seen:
            raise ValueError(f"eval benchmark '{bench.name}': duplicate qid {q['qid']!r}")
        seen.add(q["qid"])
    return qs


# --------------------------------------------------------------------------------------- methods
def run_models(cfg: RunConfig, run_dir: str) -> dict[str, tuple[str, str]]:
    """The run's students as ``{which: (method name, model)}`` for which in base, sft, krsl, final.

    ``base`` is the untrained student (``zero-shot``), ``sft`` the stage-1 model (named by ``sft.data``, e.g.
    ``std-cot`` or ``edit-stage1``), ``krsl`` the stage-2 model (named ``cfg.method``, e.g. ``edit``), and
    ``final`` whichever of them is the method's last; models that were not trained are left out.
    """
    from edit_ray.methods import stage1_name

    models = {"base": ("zero-shot", cfg.student.model)}
    for stage, name in (("sft", stage1_name(cfg.sft.data, cfg.sft.token_budget)), ("krsl", cfg.method)):
        d = io.join(run_dir, stage, "model")
        if io.exists(d):
            models[stage] = (name, d)
    models["final"] = models.get("krsl") or models.get("sft") or models["base"]
    return models


def default_methods(cfg: RunConfig, run_dir: str) -> dict[str, str]:
    """Students to evaluate per ``eval.methods``: method name -> model (see ``run_models``)."""
    models = run_models(cfg, run_dir)
    return dict(models[m] for m in cfg.eval.methods if m in models)


def generation_rows(questions: list[dict], benchmark: str, method: str, cfg: RunConfig) -> list[dict]:
    """Engine input rows: one per question and self-consistency sample, with the question's columns (the
    program engine answers synthetic questions from them; other engines pass them through)."""
    from edit_ray.data import question_columns
    from edit_ray.prompts import build_student_prompt

    k = cfg.eval.self_consistency
    temperature = cfg.eval.engine.temperature if k == 1 else cfg.eval.sc_temperature
    return [
        {**question_columns(q), "row_id": f"{method}:{benchmark}:{q['qid']}:{s}", "prompt": build_student_prompt(q),
         "temperature": float(temperature), "max_tokens": cfg.eval.engine.max_tokens,
         "seed": cfg.run.seed + s, "qid": q["qid"], "benchmark": benchmark, "method": method, "sample": s}
        for q in questions for s in range(k)
    ]


def method_engine(cfg: RunConfig, model: str) -> EngineConfig:
    """cfg.eval.engine with the method's model (and the self-consistency top-p when sampling)."""
    from edit_ray.models import resolve

    update: dict[str, Any] = {"model": resolve(model)}
    if cfg.eval.self_consistency > 1:
        update["temperature"] = cfg.eval.sc_temperature
        if cfg.eval.engine.kind != "program":  # the program engine has no top-p
            update["top_p"] = cfg.eval.sc_top_p
    return cfg.eval.engine.model_copy(update=update)


def teacher_generations(run_dir: str, benchmark: str, test_qids: set[str]) -> list[dict]:
    """The teacher's CEP rows for held-out questions, as generation rows (first sample per qid)."""
    path = io.join(run_dir, "teacher", "cots.parquet")
    if not io.exists(path):
        return []
    rows = [r for r in io.read_rows(path, columns=["row_id", "qid", "kind", "sample", "text", "error"])
            if r["kind"] == "cep" and r["qid"] in test_qids]
    first: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: r["sample"]):
        first.setdefault(r["qid"], r)
    return [{"row_id": r["row_id"], "qid": r["qid"], "benchmark": benchmark, "method": "teacher",
             "text": r["text"], "error": r["error"], "sample": 0} for r in first.values()]


def teacher_rows(cfg: RunConfig, bench_qs: dict[str, list[dict]]) -> list[dict]:
    """Engine rows asking the teacher to answer benchmark questions: its CEP prompt, one greedy sample each.

    The program teacher only knows the synthetic tasks, so it answers the synthetic benchmarks only."""
    from edit_ray.prompts import build_cep_prompt
    from edit_ray.teacher.cep import engine_row

    engine = cfg.teacher.engine
    synthetic = {b.name for b in cfg.eval.benchmarks if not b.paths}
    return [
        {**engine_row(q, f"teacher:{name}:{q['qid']}:0", "cep", build_cep_prompt(q), engine), "temperature": 0.0,
         "qid": q["qid"], "benchmark": name, "method": "teacher", "sample": 0}
        for name, qs in bench_qs.items() if engine.kind != "program" or name in synthetic for q in qs
    ]


def teacher_answers(cfg: RunConfig) -> bool:
    """Whether evaluation asks the teacher the benchmark questions (``eval.teacher_answers``; null = program)."""
    ask = cfg.eval.teacher_answers
    return cfg.teacher.engine.kind == "program" if ask is None else ask


@dataclass
class Ask:
    """One student's (or the teacher's) questions: engine input rows, the engine that answers them, and the
    directory its answers stream into (``eval/parts/<method>``)."""

    method: str
    rows: list[dict]
    engine: EngineConfig
    parts_dir: str


def answer_resumable(asks: list[Ask], engine: EngineConfig) -> list[tuple[list[dict], int]]:
    """Each ask's answers, in its rows' order, and how many of them an earlier, interrupted run had already
    written; ``engine`` answers all the asks (one ask's own engine, or a base model serving each student as a
    LoRA adapter: ``shared_engines``). Each batch streams into its ask's parts as it finishes
    (``teacher.parts``), so a killed evaluation keeps what it answered and a re-run generates only the rest.
    A part's fingerprint is its ask's own engine and rows: answers made on a shared engine are the student's
    answers, kept when a re-run does not share."""
    from edit_ray.engines import generate_batches
    from edit_ray.models import adapter_of, resolve
    from edit_ray.teacher import parts
    from edit_ray.teacher.retry import engine_settings

    todo, resumed = [], []
    for i, ask in enumerate(asks):
        what = [(r["row_id"], r["prompt"], r["temperature"], r["max_tokens"], r["seed"]) for r in ask.rows]
        parts.claim(ask.parts_dir, parts.fingerprint(engine_settings(ask.engine), what), restart_on_change=True)
        done = parts.done_row_ids(ask.parts_dir)
        resumed.append(len(done))
        route = {"ask": i}
        if ask.engine is not engine:  # a shared engine: the student's adapter, or the base itself, per request
            adapter = adapter_of(ask.engine.model)
            route["model"] = adapter["path"] if adapter else resolve(engine.model)
        todo.extend({**r, **route} for r in ask.rows if r["row_id"] not in done)
    for batch in generate_batches(todo, engine, engine.batch_size):
        by_ask = defaultdict(list)
        for r in batch:
            i = r.pop("ask")
            r.pop("model", None)
            by_ask[i].append(r)
        for i, rows in by_ask.items():
            parts.write_part(asks[i].parts_dir, rows, [])
    out = []
    for ask, n_resumed in zip(asks, resumed):
        answers = {r["row_id"]: r for r in parts.read_parts(ask.parts_dir)[0]}
        out.append(([answers[r["row_id"]] for r in ask.rows], n_resumed))
    return out


# vLLM's accepted values of max_lora_rank
_VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)


def shared_engines(asks: list[Ask]) -> list[tuple[list[Ask], EngineConfig]]:
    """The asks grouped by the engine that answers them: students that are LoRA adapters of one base
    (``models.adapter_of``; EDIT's stage-1 and KRSL students both are), and that base itself, share one vLLM
    engine of the base with the adapters loaded per request, so evaluating zero-shot, std-cot and edit starts
    one engine instead of three. Every other ask (another engine kind or setting, a fully fine-tuned student,
    an adapter alone) keeps its own engine. Groups come in the asks' order."""
    from edit_ray.models import adapter_of, resolve

    def base_of(ask: Ask) -> str | None:
        if ask.engine.kind != "vllm":
            return None
        adapter = adapter_of(ask.engine.model)
        return resolve(adapter["base"] if adapter else ask.engine.model)

    groups: dict[tuple, list[Ask]] = {}
    for ask in asks:
        base = base_of(ask)
        settings = ask.engine.model_dump(mode="json", exclude={"model"})
        key = (base, repr(sorted(settings.items()))) if base else (id(ask),)
        groups.setdefault(key, []).append(ask)
    out = []
    for (base, *_), group in groups.items():
        adapters = [a for a in (adapter_of(ask.engine.model) for ask in group) if a]
        ranks = [r for r in _VLLM_LORA_RANKS if r >= max((a["rank"] for a in adapters), default=0)]
        if len(group) == 1 or not adapters or not ranks:
            out.extend(([ask], ask.engine) for ask in group)
            continue
        first = group[0].engine
        lora = {"enable_lora": True, "max_lora_rank": ranks[0], "max_loras": len(adapters)}
        out.append((group, first.model_copy(update={"model": base,
                                                    "engine_kwargs": {**first.engine_kwargs, **lora}})))
    return out


def benchmark_sets(cfg: RunConfig, run_dir: str) -> dict[str, list[dict]]:
    """Every benchmark's questions, by name."""
    return {b.name: benchmark_questions(cfg, b, run_dir) for b in cfg.eval.benchmarks}


def eval_asks(cfg: RunConfig, run_dir: str, methods: dict[str, str], bench_qs: dict[str, list[dict]]) -> list[Ask]:
    """What evaluation asks: each method's student every benchmark question, and the teacher when it answers
    (``teacher_answers``)."""
    asks = [Ask(method, [r for name, qs in bench_qs.items() for r in generation_rows(qs, name, method, cfg)],
                method_engine(cfg, model), io.join(run_dir, "eval", "parts", method)) for method, model in methods.items()]
    if "teacher" in cfg.eval.methods and teacher_answers(cfg):
        asks.append(Ask("teacher", teacher_rows(cfg, bench_qs), cfg.teacher.engine,
                        io.join(run_dir, "eval", "parts", "teacher")))
    return asks


# ------------------------------------------------------------------------------------------ stage
def evaluate(cfg: RunConfig, run_dir: str, methods: dict[str, str] | None = None) -> dict:
    """Evaluate students (and the teacher) on every benchmark and write eval/ artifacts.

    Args:
        cfg: the run config (``eval`` section, ``student.model``, ``run.seed``, ``data`` for rebuilding
            questions and synthetic benchmarks).
        run_dir: run directory (local path or URI).
        methods: method name -> model (alias or HF dir); default ``default_methods``. The teacher is
            scored when ``"teacher"`` is in ``cfg.eval.methods`` and its CEP rows cover test questions.
    Returns:
        The summary written to eval/summary.json: ``summarize`` plus ``notes`` (teacher omitted, failed
        generations), ``counts`` (``in = ok + errors``) and ``settings`` (decoding, models, benchmarks).
    Generation runs through ``edit_ray.engines.generate_batches`` (Ray Data), on the cluster the caller
    started (or a default one Ray Data starts); never calls ``ray.init`` itself.
    """
    methods = dict(default_methods(cfg, run_dir) if methods is None else methods)
    notes: list[str] = []

    bench_qs = benchmark_sets(cfg, run_dir)
    questions = {name: {q["qid"]: q for q in qs} for name, qs in bench_qs.items()}

    generations: list[dict] = []
    engines: list[dict] = []
    # One engine per method over all benchmarks (an engine start costs more than many questions), or one for
    # several students when they are adapters of one base.
    groups = (shared_engines if cfg.eval.share_base_engine else lambda asks: [([a], a.engine) for a in asks])(
        eval_asks(cfg, run_dir, methods, bench_qs))
    for i, (group, engine) in enumerate(groups, 1):
        t0 = time.perf_counter()
        answered = answer_resumable(group, engine)
        names = ", ".join(a.method for a in group)
        n_answers, n_resumed = sum(len(a) for a, _ in answered), sum(r for _, r in answered)
        for answers, _ in answered:
            generations.extend(answers)
        engines.append({"kind": engine.kind, "model": engine.model, "methods": [a.method for a in group],
                        "answers": n_answers, "resumed": n_resumed})
        shared = f", one engine: {len(group)} students of one base" if len(group) > 1 else ""
        print(f"[eval] {i}/{len(groups)} {names}: {n_answers} answers ({engine.kind}{shared}) in "
              f"{time.perf_counter() - t0:.0f}s" + (f", {n_resumed} of them answered before (an interrupted run, "
                                                     "or edit-ray bench's shared engine)" if n_resumed else ""),
              flush=True)
    if "teacher" in cfg.eval.methods and not teacher_answers(cfg):
        ind = [b.name for b in cfg.eval.benchmarks if not b.paths and b.synthetic_difficulty is None]
        teacher = teacher_generations(run_dir, ind[0], set(questions[ind[0]])) if ind else []
        if teacher:
            generations.extend(teacher)
            n_test = len(questions[ind[0]])
            if len(teacher) < n_test:
                notes.append(f"teacher: CEP CoTs cover {len(teacher)} of {n_test} held-out questions of "
                             f"'{ind[0]}'; scored on those only")
        else:
            notes.append("teacher: omitted (teacher/cots.parquet has no CEP rows for held-out questions; "
                         "the teacher only answers training questions unless data is generated for the test split)")

    scored = []
    for name in bench_qs:
        scored.extend(score_generations([g for g in generations if g["benchmark"] == name], questions[name]))

    errors = error_rows(scored)
    counts = io.report_counts(STAGE, len(scored), len(scored) - len(errors), len(errors),
                              extra={"methods": ",".join(dict.fromkeys(r["method"] for r in scored)),
                                     "benchmarks": len(bench_qs)})
    if errors:
        notes.append(f"{len(errors)} generation(s) failed; each is counted as wrong and listed in eval/errors.parquet")

    eval_dir = io.join(run_dir, "eval")
    io.write_table([{c: r[c] for c in EVAL_SCHEMA.names} for r in scored], io.join(eval_dir, "eval.parquet"),
                   schema=EVAL_SCHEMA)
    io.write_errors(errors, io.join(eval_dir, "errors.parquet"))
    summary = summarize(scored)
    summary["notes"] = notes
    summary["engines"] = engines  # what answered: one entry per engine started (or resumed)
    summary["counts"] = counts  # in = ok + errors, for the pipeline manifest and the report's stage table
    summary["settings"] = {
        "self_consistency": cfg.eval.self_consistency,
        "temperature": cfg.eval.engine.temperature if cfg.eval.self_consistency == 1 else cfg.eval.sc_temperature,
        "max_tokens": cfg.eval.engine.max_tokens,
        "stop": [] if cfg.eval.engine.kind == "program" else list(cfg.eval.engine.stop),
        "models": methods,
        "final_method": run_models(cfg, run_dir)["final"][0],
        "benchmarks": {b.name: ("held-out" if not b.paths and b.synthetic_difficulty is None else
                                f"synthetic difficulty {b.synthetic_difficulty}" if b.synthetic_difficulty else
                                "files: " + ", ".join(b.paths)) for b in cfg.eval.benchmarks},
    }
    io.write_json(summary, io.join(eval_dir, "summary.json"))
    return summary


def val_accuracy(cfg: RunConfig, run_dir: str, model_dir: str, out_dir: str) -> float:
    """Accuracy of one model on the run's validation questions (split ``val``), decoded and scored as
    evaluation does; its eval/ artifacts go to ``out_dir`` (a sweep trial's directory)."""
    src = io.join(run_dir, "data", "questions.parquet")
    if io.exists(src):  # the run's own split, not a rebuilt one
        io.write_table(io.read_table(src), io.join(out_dir, "data", "questions.parquet"))
    bench = BenchmarkConfig(name="val", split="val")
    vcfg = cfg.model_copy(update={"eval": cfg.eval.model_copy(update={"benchmarks": [bench], "methods": ["final"]})})
    summary = evaluate(vcfg, out_dir, methods={"trial": model_dir})
    return summary["methods"]["trial"]["average"]


# ----------------------------------------------------------------- the table edit-ray eval prints
def format_table(summary: dict) -> str:
    """Benchmarks (rows) x methods (columns), accuracy in %, with n and the average."""
    methods = list(summary.get("methods", {}))
    if not methods:
        return "no methods evaluated"
    benches = list(dict.fromkeys(b for m in methods for b in summary["methods"][m]["benchmarks"]))
    head = f"{'benchmark':<20}" + "".join(f"{m:>12}" for m in methods)
    lines = [head, "-" * len(head)]
    for b in benches:
        cells = []
        for m in methods:
            v = summary["methods"][m]["benchmarks"].get(b)
            cells.append(f"{100 * v['accuracy']:>7.1f} ({v['n']})" if v else f"{'-':>12}")
        lines.append(f"{b:<20}" + "".join(f"{c:>12}" for c in cells))
    lines.append(f"{'average':<20}" + "".join(f"{100 * summary['methods'][m]['average']:>12.1f}" for m in methods))
    lines.extend(f"note: {n}" for n in summary.get("notes", []))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- pipeline step
def run_eval(cfg: RunConfig, run_dir: str) -> dict:
    """The pipeline's eval step: every student of ``eval.methods`` (and the teacher) on the benchmarks; its
    counts (in = ok + errors over the answers asked) for the manifest."""
    return evaluate(cfg, run_dir)["counts"]


EVAL = Step("eval", run_eval,
            reads=("eval", "student.model", "teacher.engine", "data", "run.seed", "method", "sft.data",
                   "sft.token_budget", "dual.source"),
            after=("data", "teacher", "sft", "krsl"),  # the teacher is scored from its CEP rows
            outputs=("eval",), done="eval/eval.parquet", shareable=True)
