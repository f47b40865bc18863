"""The one place edit-ray starts or joins Ray: ``ray_session(cfg)``, used by every command.

Library code never calls ``ray.init``; a command (``edit-ray run``, ``eval``, ``train``, ``generate``, ``mask``,
``sweep``, ``bench``, the job entry points) wraps its work in ``with ray_session(cfg):``, which also keeps
the terminal to edit-ray's own lines unless ``run.verbose`` (``edit_ray.logs``). It connects to
``resources.address``, to the job's cluster under ``ray job submit`` (Ray sets ``RAY_ADDRESS``), or starts a
local cluster with ``resources.num_cpus`` logical CPUs; a Ray already initialised (a test session, a
notebook) is used as it is and left running. Every worker gets ``WORKER_ENV`` unless the submitted job
sets those variables itself. A cluster it joins is checked against the config's requests at once
(``edit_ray.cluster``): a request it cannot meet fails before any work.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator

from edit_ray.config import ConfigError, RunConfig, joined_address

# Environment every Ray worker needs: vLLM's CPU KV cache in GiB, and no tokenizer threads fighting
# Ray's workers for the cores.
WORKER_ENV = {"VLLM_CPU_KVCACHE_SPACE": "1", "TOKENIZERS_PARALLELISM": "false"}


def job_env_keys() -> set[str]:
    """Env var names the submitted job's runtime_env already sets (Ray refuses to merge a second value)."""
    raw = os.environ.get("RAY_JOB_CONFIG_JSON_ENV_VAR")
    if not raw:
        return set()
    try:
        return set((json.loads(raw).get("runtime_env") or {}).get("env_vars") or {})
    except ValueError:
        return set()


def init_ray(cfg: RunConfig) -> None:
    """Connect to the configured cluster, to the job's cluster (under `ray job submit`), or start a local one."""
    import ray

    taken = job_env_keys()
    env = {k: os.environ.get(k, v) for k, v in WORKER_ENV.items() if k not in taken}
    runtime_env = {"env_vars": env} if env else None
    address = joined_address(cfg.resources)
    if address is not None:
        ray.init(address=address, runtime_env=runtime_env, log_to_driver=True)
        check_joined_cluster(cfg)
    else:
        ray.init(num_cpus=cfg.resources.num_cpus, num_gpus=cfg.resources.num_gpus or None,
                 include_dashboard=False, runtime_env=runtime_env, log_to_driver=True)


def check_joined_cluster(cfg: RunConfig) -> None:
    """The config's requests against the cluster just joined (``edit_ray.cluster``), before any work starts."""
    from edit_ray.cluster import check_requests, cluster_nodes

    cluster = cluster_nodes()
    if cluster is None:
        print("[edit-ray] cluster: an autoscaler runs whose maximum is not readable from this node; "
              "requests are not checked before placing", flush=True)
        return
    print(f"[edit-ray] cluster: {cluster.describe()}", flush=True)
    try:
        check_requests(cfg, cluster)
    except ValueError as e:
        import ray

        ray.shutdown()
        raise ConfigError(str(e)) from None


@contextlib.contextmanager
def ray_session(cfg: RunConfig | None = None) -> Iterator[None]:
    """Ray for the duration of one command (see the module docstring); ``cfg`` None = the default config's
    resources. Shutting down at the end flushes the workers' logs before the command's last line."""
    import ray

    from edit_ray import logs

    started = not ray.is_initialized()
    directory = logs.log_dir(cfg.run.dir) if cfg is not None and started and not cfg.run.verbose else None
    with logs.quiet_driver(directory) if directory else contextlib.nullcontext():
        if started:
            init_ray(cfg if cfg is not None else RunConfig())
        if directory:
            logs.filter_worker_lines(directory)
            print(f"[edit-ray] Ray, vLLM and worker logs: {directory}/ (--verbose or run.verbose=true prints them here)",
                  flush=True)
        try:
            yield
        finally:
            if started:
                ray.shutdown()
