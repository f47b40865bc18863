"""Ray Tune sweeps over the KRSL loss weights (α, β), the learning rate, the epochs and the student size.

KRSL (Key Reasoning Steps Learning) is EDIT's stage 2: the student learns the key tokens of a correct CoT
with weight α and is pushed away from the key tokens of the paired wrong CoT with weight β (edit-method.md
§3.2). The paper tuned these by hand (§5.3, Table 4) and found β the sensitive knob: β = 0.05 already
loses the gain of β = 0.025. A sweep finds them for another teacher, student and data set.

One Tune trial is one Ray Train run (the Train V2 pattern: a ``Tuner`` over a function that builds and fits
a ``TorchTrainer``, ray-notes.md §3.6). Each trial applies its α, β, lr, epochs and student to the run
config and trains stage 2 with ``edit_ray.train.run.build_trainer``. ASHA (asynchronous successive halving)
stops trials whose validation metric is in the worse half at each rung; one Tune iteration is one
validation (the training loop computes ``val_loss`` at each epoch end).

Reads ``<run.dir>/masks/masks.parquet`` (pair_id, prompt_ids, chosen_ids, rejected_ids, chosen_key,
rejected_key) and ``<run.dir>/sft/model`` (the stage-1 student, where stage 2 starts). Writes, under
``<run.dir>/tune/``:

    data/train.parquet, data/val.parquet   seeded split of the masks table (tune.val_fraction)
    sweep.json                             the grid and config of the sweep (a restore must match it)
    <run.name>/                            the Tune experiment (Tuner.restore reads it)
    trials/trial-<id>/                     one Train run per trial: metrics.jsonl, model/, ray/, trial.json
    results.csv, results.md                one row per trial: student, alpha, beta, lr, epochs, status,
                                           iterations, <metric>, <metric>_best, init_model, error
    plots/metric_vs_beta.png               the metric against β, one line per student
    best.yaml                              the run config with the best trial's values, for `edit-ray run`
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

from edit_ray import io
from edit_ray.config import ConfigError, RunConfig, TuneConfig, dump_config, result_values
from edit_ray.steps import digest

# Tune orders trials by the grid keys sorted by name, the first varying fastest (alpha ... student).
GRID_KEYS = ("student", "alpha", "beta", "lr", "epochs")
# Direction of each metric the training loop reports at validation time.
METRIC_MODE = {"val_chosen_key_nll": "min", "val_loss": "min", "val_accuracy": "max"}
# Metrics measured once, after training, rather than by the training loop at each validation.
AFTER_TRAINING = ("val_accuracy",)
# val_loss is the KRSL loss itself, so it is not neutral across α and β (see results.md).
VAL_LOSS_NOTE = (
    "Note: val_loss is the KRSL loss on held-out pairs; it subtracts β × NLL of the wrong CoT's key tokens, so at "
    "equal fit it is lower for larger β. Compare β values by dev accuracy (`edit-ray eval`) before trusting the β "
    "of best.yaml."
)
RESULT_COLUMNS = ("trial_id", *GRID_KEYS, "sample", "status", "iterations", "time_s", "init_model", "error")


def tune_dir(cfg: RunConfig) -> str:
    return io.local_path(io.join(cfg.run.dir, "tune"))


def students(cfg: RunConfig) -> list[str]:
    """The student models of the sweep: ``tune.students``, or the configured ``student.model``."""
    return list(cfg.tune.students) or [cfg.student.model]


# ------------------------------------------------------------------------------- search space
def build_param_space(tune_cfg: TuneConfig, default_student: str | None = None) -> dict[str, Any]:
    """The grid of a sweep: every combination of ``tune.{students, alpha, beta, lr, epochs}``.

    ``tune.num_samples`` repeats the whole grid (it is passed to ``tune.TuneConfig``, not here).

    Args:
        tune_cfg: the ``tune`` section.
        default_student: the student when ``tune_cfg.students`` is empty (``student.model``).
    Returns:
        ``{"student": grid_search([...]), "alpha": ..., "beta": ..., "lr": ..., "epochs": ...}``.
    """
    from ray import tune

    models = list(tune_cfg.students) or ([default_student] if default_student else [])
    if not models:
        raise ConfigError("tune.students is empty and no default student was given")
    # the other lists are checked non-empty by TuneConfig
    values = {"student": models, "alpha": tune_cfg.alpha, "beta": tune_cfg.beta, "lr": tune_cfg.lr,
              "epochs": tune_cfg.epochs}
    return {key: tune.grid_search(list(values[key])) for key in GRID_KEYS}


def n_trials(cfg: RunConfig) -> int:
    t = cfg.tune
    return len(students(cfg)) * len(t.alpha) * len(t.beta) * len(t.lr) * len(t.epochs) * t.num_samples


def apply_trial(base: RunConfig, params: dict[str, Any]) -> RunConfig:
    """The run config of one trial: ``base`` with the trial's α, β, lr, epochs and student, validated.

    Raises:
        ConfigError: a value the config rejects (e.g. a negative β), naming the key.
    """
    from pydantic import ValidationError

    tree = base.model_dump(mode="json")
    tree["krsl"].update({k: params[k] for k in ("alpha", "beta", "lr", "epochs")})
    tree["student"]["model"] = params["student"]
    tree["method"] = None  # named again from the trial's settings (beta = 0 is edit-no-wrong)
    try:
        return RunConfig.model_validate(tree)
    except ValidationError as e:
        raise ConfigError(f"trial {params}: {e}") from None


# Headroom over a worker's measured peak: trials train on other rows and lengths than the run did.
MEMORY_MARGIN = 1.25


def max_concurrent_trials(cfg: RunConfig, cluster_cpus: float | None = None, available_mb: float | None = None,
                          worker_peak_mb: float | None = None) -> int:
    """Trials that fit at once: GPUs, or CPU cores and memory, divided by what one trial's Train workers take,
    capped by the grid.

    ``tune.max_concurrent_trials`` wins when set. A local cluster counts this machine's cores, not
    ``resources.num_cpus`` (logical CPUs oversubscribed on purpose for waiting stage actors): trials that
    share cores only run slower each. Each also holds a model, optimizer and activations: on a local CPU
    cluster, the trials must fit this machine's available memory (``available_mb``, default: MemAvailable now)
    at the peak the run's own training workers reached (``worker_peak_mb``, default: ``measured_peak_mb``)
    times ``MEMORY_MARGIN``. The trial function itself (the Train driver) reserves almost nothing (0.01 CPU),
    so only the workers count.
    """
    if cfg.tune.max_concurrent_trials is not None:
        return max(1, min(cfg.tune.max_concurrent_trials, n_trials(cfg)))
    k = cfg.krsl
    if k.use_gpu:
        fit = cfg.resources.num_gpus // k.num_workers
    else:
        cores = os.cpu_count() or 1
        cpus = min(cfg.resources.num_cpus or cores, cores) if cfg.resources.address is None else cluster_cpus
        fit = int((cpus or 1) // (k.num_workers * k.cpus_per_worker))
        peak = worker_peak_mb if worker_peak_mb is not None else measured_peak_mb(cfg.run.dir)
        free = available_mb if available_mb is not None else _available_mb()
        if cfg.resources.address is None and peak and free:
            fit = min(fit, int(free // (peak * MEMORY_MARGIN * k.num_workers)))
    return max(1, min(fit, n_trials(cfg)))


def measured_peak_mb(run_dir: str) -> float | None:
    """The highest peak memory (MiB) a training worker of this run reached: KRSL's if it ran, else SFT's
    (from each stage's metrics.jsonl, ``peak_rss_mb``); None when neither recorded it."""
    from edit_ray.train.run import read_metrics

    for stage in ("krsl", "sft"):
        peaks = [r["peak_rss_mb"] for r in read_metrics(os.path.join(run_dir, stage, "metrics.jsonl"))
                 if r.get("peak_rss_mb")]
        if peaks:
            return max(peaks)
    return None


def _available_mb() -> float | None:
    """MemAvailable of this machine in MiB (Linux), None elsewhere."""
    try:
        with open("/proc/meminfo") as f:
            fields = dict(line.split(":", 1) for line in f)
        return int(fields["MemAvailable"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        return None


# ------------------------------------------------------------------------------------- data
def split_masks(cfg: RunConfig) -> tuple[str, str]:
    """Seeded train/val split of ``masks/masks.parquet`` into ``tune/data/{train,val}.parquet``.

    Written once: a restored sweep must train on the same rows, so existing files are kept.

    Raises:
        FileNotFoundError: no masks table (run the masks stage first).
        ValueError: fewer than two pairs (nothing to validate on).
    """
    import numpy as np

    train_path, val_path = (io.join(tune_dir(cfg), "data", f"{s}.parquet") for s in ("train", "val"))
    if io.exists(train_path) and io.exists(val_path):
        return train_path, val_path
    masks_path = io.join(cfg.run.dir, "masks", "masks.parquet")
    if not io.exists(masks_path):
        raise FileNotFoundError(f"{masks_path} not found: run the stages up to 'masks' before a sweep")
    table = io.read_table(masks_path)
    n = table.num_rows
    if n < 2:
        raise ValueError(f"{masks_path}: {n} pair(s); a sweep needs at least 2 (train and validation)")
    order = np.random.default_rng(cfg.run.seed).permutation(n)
    n_val = min(max(1, round(n * cfg.tune.val_fraction)), n - 1)
    io.write_table(table.take(np.sort(order[n_val:])), train_path)
    io.write_table(table.take(np.sort(order[:n_val])), val_path)
    print(f"[tune] {masks_path}: {n} pairs -> {n - n_val} train + {n_val} validation", flush=True)
    return train_path, val_path


def init_models(cfg: RunConfig) -> dict[str, str]:
    """Where stage 2 starts for each student.

    The configured student starts from its stage-1 model ``<run.dir>/sft/model``, as in ``edit-ray run``.
    Other students start from their base model: the pipeline has no stage-1 model for them, and SFT per
    student inside the sweep would repeat it in every trial. Their rows say so (``init_model``); for a fair
    size comparison, run the pipeline once per student and sweep each run.

    Raises:
        FileNotFoundError: the configured student has no ``sft/model`` (run the sft stage first).
        ConfigError: a student whose tokenizer differs from the configured student's: the key masks are
            token positions of that tokenizer, so they would not line up.
    """
    from edit_ray.models import load_tokenizer

    sft_model = io.local_path(io.join(cfg.run.dir, "sft", "model"))
    out: dict[str, str] = {}
    vocab = None
    for student in students(cfg):
        if student == cfg.student.model:
            if not io.exists(sft_model):
                raise FileNotFoundError(f"{sft_model} not found: run the sft stage before a sweep")
            out[student] = sft_model
            continue
        vocab = vocab if vocab is not None else load_tokenizer(cfg.student.model).get_vocab()
        if load_tokenizer(student).get_vocab() != vocab:
            raise ConfigError(
                f"tune.students: {student!r} has a different tokenizer from student.model {cfg.student.model!r}; "
                "the masks table holds token positions of the latter. Sweep students of one tokenizer family.")
        print(f"[tune] {student}: no stage-1 model in this run; its trials start KRSL from the base model",
              flush=True)
        out[student] = student
    return out


# ------------------------------------------------------------------------------------- trials
# ------------------------------------------------------------------ stopping a trial frees its workers
# Why this exists (Ray 2.60): when ASHA stops a trial, Tune calls the trial actor's stop() -> cleanup(), which
# only sets a stop event that our trial_fn never sees (its thread is blocked in trainer.fit()), and later the
# actor is killed. The Train V2 controller it owns dies with it without running its shutdown, and its worker
# group's placement group (non-detached, created by the controller) lives until the *job* ends. Ray's
# PlacementGroupCleaner would remove it, but it asks the State API, which needs the dashboard: with
# include_dashboard=False (laptops, tests) the stopped trials kept their CPUs. So the trial's cleanup aborts
# its Train run itself, the way Ray's own Ctrl-C handler does (controller.abort()).
_CONTROLLER = "_edit_ray_train_controller"  # metrics key carrying the controller's handle to the trial actor
_ABORTED: set[str] = set()  # trial ids whose Train run this process aborted (trial_fn must not mark them done)


class _AbortTrainOnStop:
    """Mixin of the trial actor class (``__mixins__``): remembers the Train controller, aborts it on stop."""

    _train_controller = None

    def step(self):
        result = super().step()
        handle = result.pop(_CONTROLLER, None)
        if handle is not None:
            self._train_controller = handle
        return result

    def cleanup(self):
        import time

        import ray

        if self._train_controller is not None:
            _ABORTED.add(self.trial_id)
            ref, deadline = self._train_controller.abort.remote(), time.monotonic() + 60
            while not ray.wait([ref], timeout=1)[0] and time.monotonic() < deadline:
                pass
            self._train_controller = None
        super().cleanup()


def _validation_callback(metric: str):
    """A ``TuneReportCallback`` that forwards only the reports that carry a fresh validation value.

    The training loop reports at epoch ends, checkpoints and its last step (``train.loop.report_kind``) and
    validates at epoch ends and at the last step (``val_step``); a checkpoint between them repeats the last
    value. Forwarding only fresh values (``val_step == step``) makes one Tune iteration one validation, so
    ASHA's ``grace_period`` and rungs count validations and never compare a stale value, and a run cut short by
    ``max_steps`` still reports its metric.
    """
    from ray.tune.integration.ray_train import TuneReportCallback

    class ValidationReport(TuneReportCallback):
        def after_report(self, run_context, metrics, checkpoint):
            m = metrics[0]
            if metric in m and m.get("val_step") == m.get("step") and m.get("step", 0) > 0:
                import ray

                # runs inside the Train controller: hand the trial its handle, so a stop can abort this run
                m = {**m, _CONTROLLER: ray.get_runtime_context().current_actor}
                super().after_report(run_context, [m, *metrics[1:]], checkpoint)

    return ValidationReport()


def trial_fn(config: dict[str, Any], setup: dict[str, Any]) -> None:
    """One Tune trial: apply the trial's values to the run config, build the KRSL ``TorchTrainer``, fit it.

    Args:
        config: the grid values of this trial (``GRID_KEYS``).
        setup: bound by ``tune.with_parameters`` in ``run_sweep`` (see ``sweep_setup``): the base run config,
            the data paths, the initial model per student and the trials directory.
    A failed fit raises, and Tune records the trial as errored.
    """
    from ray import tune

    from edit_ray.train.run import build_trainer, drop_checkpoints

    cfg = apply_trial(RunConfig.model_validate(setup["base"]), config)
    trial_id = tune.get_context().get_trial_id()
    name = f"trial-{trial_id}"
    out_dir = io.join(setup["trials_dir"], name)
    after = setup["metric"] in AFTER_TRAINING
    settings = ", ".join(f"{k}={config[k]}" for k in GRID_KEYS if k != "student" or len(setup["init_models"]) > 1)
    print(f"[tune] {name} started: {settings}", flush=True)
    trainer = build_trainer(cfg, "krsl", data_path=setup["train_path"], init_model=setup["init_models"][config["student"]],
                            out_dir=out_dir, name=name, val_path=setup["val_path"],
                            worker_memory_mb=setup.get("worker_memory_mb"),
                            callbacks=[] if after else [_validation_callback(setup["metric"])])
    try:
        result = trainer.fit()
    except Exception:
        if trial_id in _ABORTED:  # stopped by the scheduler: its run was aborted on purpose
            return
        raise
    if trial_id in _ABORTED:
        return
    if result.error is not None:
        raise result.error
    metrics = dict(result.metrics)
    if after:  # the trial's student answers the validation questions (one report: one Tune iteration)
        from edit_ray.evaluate import val_accuracy

        metrics["val_accuracy"] = val_accuracy(cfg, setup["run_dir"], io.join(out_dir, "model"), out_dir)
        tune.report({"val_accuracy": metrics["val_accuracy"], "step": metrics.get("step", 0)})
    # Reached only when training ran to the end (a stopped trial's run is aborted above).
    io.write_json({"completed": True, "metrics": metrics}, io.join(out_dir, "trial.json"))
    drop_checkpoints(cfg, "krsl", out_dir)
    value = metrics.get(setup["metric"])
    print(f"[tune] {name} finished: {settings}: {setup['metric']}={value if value is None else f'{value:.4g}'}",
          flush=True)


def sweep_setup(cfg: RunConfig) -> dict[str, Any]:
    """What every trial needs besides its grid values: data split, initial models, paths (all absolute)."""
    import ray

    train_path, val_path = split_masks(cfg)
    # Each trial's workers reserve their measured peak as Ray memory, where the cluster has that much per node
    # (asking for more than a node has would leave the trial waiting forever).
    peak = measured_peak_mb(cfg.run.dir)
    memory = peak * MEMORY_MARGIN if peak and not cfg.krsl.use_gpu else None
    node_mb = min((n["Resources"].get("memory", 0) / 2**20 for n in ray.nodes() if n.get("Alive")), default=0)
    return {"base": cfg.model_dump(mode="json"), "train_path": io.local_path(train_path), "val_path": io.local_path(val_path),
            "worker_memory_mb": memory if memory and memory < node_mb else None,
            "run_dir": io.local_path(cfg.run.dir),
            "init_models": init_models(cfg), "trials_dir": io.join(tune_dir(cfg), "trials"), "metric": cfg.tune.metric,
            "grid_size": n_trials(cfg) // cfg.tune.num_samples}


# ---------------------------------------------------------------------------------------- sweep
def _sweep_fingerprint(cfg: RunConfig) -> dict[str, Any]:
    """What a restored sweep must share with the original: the grid and everything trials train with
    (execution-only settings, such as max_concurrent_trials, may differ between machines)."""
    tree = result_values(cfg)
    return {"grid": tree["tune"], "config_sha": digest(tree)}


def _make_tuner(cfg: RunConfig, setup: dict[str, Any], restore: bool):
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler

    t = cfg.tune
    exp_dir = io.join(tune_dir(cfg), cfg.run.name)
    fn = tune.with_parameters(trial_fn, setup=setup)
    fn.__mixins__ = (_AbortTrainOnStop,)  # a stopped trial aborts its Train run (see _AbortTrainOnStop)
    trainable = tune.with_resources(fn, {"cpu": 0.01})
    if restore or tune.Tuner.can_restore(exp_dir):
        print(f"[tune] restoring {exp_dir}: finished trials are kept, unfinished ones resume", flush=True)
        # Errored trials resume from their last checkpoint: a restore usually follows a fix.
        return tune.Tuner.restore(exp_dir, trainable=trainable, resume_unfinished=True, resume_errored=True)

    import ray

    concurrent = max_concurrent_trials(cfg, ray.cluster_resources().get("CPU"))
    peak = measured_peak_mb(cfg.run.dir)
    print(f"[tune] {n_trials(cfg)} trial(s), at most {concurrent} at once "
          f"({os.cpu_count()} cores, {(_available_mb() or 0) / 1024:.1f} GiB available"
          + (f", {peak / 1024:.1f} GiB per training worker as measured in this run" if peak else "") + "), "
          f"{'one validation after training' if t.metric in AFTER_TRAINING else 'ASHA'} on {t.metric}", flush=True)
    # stop_last_trials=False: a trial that reaches max_t finishes its own fit() (and exports its model)
    # instead of being stopped at its last validation, so "completed" and "stopped early" stay distinct.
    if t.metric in AFTER_TRAINING:  # one value per trial, at its end: nothing to stop early on
        from ray.tune.schedulers import FIFOScheduler

        scheduler = FIFOScheduler()
    else:
        scheduler = ASHAScheduler(time_attr="training_iteration", metric=t.metric, mode=METRIC_MODE[t.metric],
                                  max_t=max(t.epochs), grace_period=t.grace_period,
                                  reduction_factor=t.reduction_factor, stop_last_trials=False)
    return tune.Tuner(
        trainable,
        param_space=build_param_space(t, cfg.student.model),
        tune_config=tune.TuneConfig(num_samples=t.num_samples, max_concurrent_trials=concurrent, scheduler=scheduler),
        # A failed trial is recorded and the sweep goes on (max_failures=0: no automatic retry of a trial;
        # Ray Train already retries worker failures inside it, krsl.max_failures).
        # verbose=1: Tune's status table now and then, not every few seconds; each trial prints its own
        # start and end line (trial_fn), and everything else stays in the trial's logs
        run_config=tune.RunConfig(name=cfg.run.name, storage_path=tune_dir(cfg), verbose=1,
                                  failure_config=tune.FailureConfig(max_failures=0, fail_fast=False)),
    )


def check_restorable(cfg: RunConfig, restore: bool) -> bool:
    """Whether a previous sweep of ``run.name`` exists (then it is resumed), after checking it matches.

    Raises:
        FileNotFoundError: ``restore`` asked for, but there is no sweep to resume.
        ConfigError: the previous sweep ran another grid or config (its ``sweep.json`` differs).
    """
    from ray import tune

    exp_dir = io.join(tune_dir(cfg), cfg.run.name)
    fingerprint_path = io.join(tune_dir(cfg), "sweep.json")
    if not tune.Tuner.can_restore(exp_dir):
        if restore:
            raise FileNotFoundError(f"--restore: no Tune experiment at {exp_dir}")
        io.write_json(_sweep_fingerprint(cfg), fingerprint_path)
        return False
    if io.exists(fingerprint_path) and io.read_json(fingerprint_path) != _sweep_fingerprint(cfg):
        raise ConfigError(
            f"{exp_dir} holds a sweep with a different grid or config ({fingerprint_path}); "
            "set another run.name, or delete that directory to start over")
    return True


def _trial_id(result) -> str:
    """Tune's trial id ("<experiment>_<index>"): from the last result, or the trial directory's name
    ("trial_fn_<experiment>_<index>_<params>_<date>") when the trial failed before reporting."""
    if (result.metrics or {}).get("trial_id"):
        return result.metrics["trial_id"]
    match = re.search(r"_([0-9a-f]+_\d{5})_", os.path.basename(result.path))
    return match.group(1) if match else os.path.basename(result.path)


def collect_results(result_grid, setup: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per trial (``RESULT_COLUMNS`` plus ``<metric>`` and ``<metric>_best``), from a ``ResultGrid``.

    ``status`` is ``completed`` (trained to the end), ``stopped`` (ASHA stopped it early) or ``error``.
    ``<metric>`` is the last validation value, ``<metric>_best`` the best over its validations.
    """
    metric = setup["metric"]
    pick = min if METRIC_MODE[metric] == "min" else max
    rows = []
    for r in result_grid:
        config, trial_id = r.config, _trial_id(r)
        history = r.metrics_dataframe
        values = history[metric].dropna().tolist() if history is not None and metric in history.columns else []
        if r.error is not None:
            status = "error"
        elif io.exists(io.join(setup["trials_dir"], f"trial-{trial_id}", "trial.json")):
            status = "completed"
        else:
            status = "stopped"
        index = int(trial_id.rsplit("_", 1)[-1]) if trial_id.rsplit("_", 1)[-1].isdigit() else 0
        rows.append({
            "trial_id": trial_id, **{k: config[k] for k in GRID_KEYS}, "sample": index // setup["grid_size"],
            "status": status, "iterations": int((r.metrics or {}).get("training_iteration") or 0),
            "time_s": round(float((r.metrics or {}).get("time_total_s") or 0.0), 1),
            "init_model": setup["init_models"][config["student"]],
            "error": "" if r.error is None else f"{type(r.error).__name__}: {r.error}"[:500],
            metric: values[-1] if values else math.nan,
            f"{metric}_best": pick(values) if values else math.nan,
        })
    return sort_rows(rows, metric)


def sort_rows(rows: list[dict], metric: str) -> list[dict]:
    """Best first by the last validation value; trials without a value (errors) last."""
    sign = 1 if METRIC_MODE[metric] == "min" else -1
    return sorted(rows, key=lambda r: (math.isnan(r[metric]), sign * r[metric] if not math.isnan(r[metric]) else 0,
                                       r["trial_id"]))


def best_row(rows: list[dict], metric: str) -> dict | None:
    """The best trial that trained to the end; trials ASHA stopped never saw their last epochs."""
    for pool in ([r for r in rows if r["status"] == "completed"], [r for r in rows if r["status"] == "stopped"]):
        ranked = [r for r in sort_rows(pool, metric) if not math.isnan(r[metric])]
        if ranked:
            return ranked[0]
    return None


# --------------------------------------------------------------------------------------- outputs
def write_results(rows: list[dict], metric: str, out_dir: str) -> dict[str, str]:
    """results.csv, results.md and plots/metric_vs_beta.png under ``out_dir``; returns their paths."""
    import csv
    import io as pyio

    columns = [*RESULT_COLUMNS[:-1], metric, f"{metric}_best", "error"]
    buf = pyio.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns)
    writer.writeheader()
    writer.writerows({c: r[c] for c in columns} for r in rows)
    paths = {"csv": io.join(out_dir, "results.csv"), "md": io.join(out_dir, "results.md"),
             "plot": io.join(out_dir, "plots", "metric_vs_beta.png")}
    io.write_text(buf.getvalue(), paths["csv"])
    io.write_text(results_markdown(rows, metric), paths["md"])
    plot_metric_vs_beta(rows, metric, paths["plot"])
    return paths


def results_markdown(rows: list[dict], metric: str) -> str:
    def fmt(v):
        return f"{v:.4g}" if isinstance(v, float) and not math.isnan(v) else ("" if v is None else str(v))

    columns = ["trial_id", *GRID_KEYS, "status", "iterations", "time_s", metric, f"{metric}_best", "error"]
    lines = [f"# Sweep results (sorted by {metric}, {METRIC_MODE[metric]} is best)", "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r[c]).replace("|", "\\|").replace("\n", " ") for c in columns) + " |"
              for r in rows]
    counts = {s: sum(r["status"] == s for r in rows) for s in ("completed", "stopped", "error")}
    summary = (f"{len(rows)} trials: {counts['completed']} completed, {counts['stopped']} stopped early by ASHA, "
               f"{counts['error']} failed.")
    lines += ["", summary, ""]
    if metric == "val_loss":
        lines += [VAL_LOSS_NOTE, ""]
    return "\n".join(lines)


def plot_metric_vs_beta(rows: list[dict], metric: str, path: str) -> None:
    """The metric against β, one line per student; each point is the best trial at that (student, β)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pick = min if METRIC_MODE[metric] == "min" else max
    fig, ax = plt.subplots(figsize=(6, 4))
    for student in dict.fromkeys(r["student"] for r in rows):
        points = {}
        for r in rows:
            if r["student"] == student and not math.isnan(r[metric]):
                points.setdefault(r["beta"], []).append(r[metric])
        if points:
            betas = sorted(points)
            ax.plot(betas, [pick(points[b]) for b in betas], marker="o", label=os.path.basename(str(student)))
    ax.set_xlabel("β (weight of the wrong CoT's key tokens)")
    ax.set_ylabel(f"{metric} (best trial at each β)")
    ax.set_title("KRSL sweep")
    ax.legend()
    fig.tight_layout()
    fs, p = io.filesystem(path)
    fs.create_dir(os.path.dirname(p), recursive=True)
    with fs.open_output_stream(p) as f:
        fig.savefig(f, format="png")
    plt.close(fig)


def run_sweep(cfg: RunConfig, restore: bool = False) -> dict[str, Any]:
    """Run (or resume) the sweep of ``cfg.tune`` and write its results; Ray must be initialised.

    A previous sweep of the same ``run.name`` is resumed (``Tuner.restore``) whether or not ``restore`` is
    set; ``restore=True`` with no previous sweep is an error. A failed trial is listed with its error.

    Returns:
        ``{"rows": [...], "best": row or None, "best_yaml": path or None, "results_csv", "results_md",
        "plot", "experiment": Tune experiment dir}``.
    """
    if cfg.tune.metric not in METRIC_MODE:
        raise ConfigError(f"tune.metric={cfg.tune.metric!r}; the training loop reports {sorted(METRIC_MODE)}")
    restoring = check_restorable(cfg, restore)
    setup = sweep_setup(cfg)
    grid = _make_tuner(cfg, setup, restoring).fit()
    rows = collect_results(grid, setup)
    n_err = sum(r["status"] == "error" for r in rows)
    for r in rows:
        if r["status"] == "error":
            print(f"[tune] trial {r['trial_id']} failed: {r['error']}", flush=True)
    io.report_counts("tune", len(rows), len(rows) - n_err, n_err,
                     extra={"stopped_early": sum(r["status"] == "stopped" for r in rows)})
    out = write_results(rows, cfg.tune.metric, tune_dir(cfg))
    best = best_row(rows, cfg.tune.metric)
    best_yaml = None
    if best is not None:
        best_yaml = io.join(tune_dir(cfg), "best.yaml")
        io.write_text(f"# best trial {best['trial_id']} of sweep {cfg.run.name}: "
                      f"{cfg.tune.metric}={best[cfg.tune.metric]:.6g}\n# launch: edit-ray run {best_yaml}\n"
                      + dump_config(apply_trial(cfg, best)), best_yaml)
    return {"rows": rows, "best": best, "best_yaml": best_yaml, "results_csv": out["csv"],
            "results_md": out["md"], "plot": out["plot"], "experiment": io.join(tune_dir(cfg), cfg.run.name)}
