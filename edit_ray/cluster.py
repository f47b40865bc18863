"""What a run's Ray cluster can hold, and the config's requests checked against it before any work starts.

A request is what one stage asks Ray for: a bundle (CPUs and GPUs that must sit on one node) times a count.
``check_requests(cfg, cluster)`` fails when a stage's bundles cannot all be placed, naming the setting
and what the cluster has. Stages run one after another, so each request is checked against the whole
cluster on its own.

``cluster`` comes from one of two places:
- ``local_cluster(cfg)``: the one node a run starts itself (``resources.num_cpus``/``num_gpus``), checked
  while the config is validated;
- ``cluster_nodes()``: the cluster a run joined (``resources.address`` or ``ray job submit``), read right
  after connecting. An autoscaling cluster counts at its maximum: the head plus every worker type at its
  ``max_workers`` (the worker nodes alive now are instances of those types). The maximum comes from the
  cluster config the autoscaler reports to the GCS (autoscaler v2, KubeRay; what Ray Train reads too), or
  from the launcher YAML the head's autoscaler v1 monitor runs with (``ray up``, the fake multi-node
  provider). Without an autoscaler, the alive nodes are the cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from edit_ray.config import RunConfig

UNBOUNDED = 10**6  # a node count or CPU count with no limit (KubeRay's max_count -1, resources.num_cpus null)


@dataclass(frozen=True)
class Node:
    """``count`` nodes of one shape; ``autoscaled`` ones count against the autoscaler's global max_workers."""
    cpus: float
    gpus: float
    count: int = 1
    name: str = "node"
    autoscaled: bool = False


@dataclass(frozen=True)
class Request:
    setting: str      # the config setting a user changes to fix it, e.g. "eval.engine.concurrency"
    what: str         # the request in words
    cpus: float       # per bundle, all on one node
    gpus: float
    count: int


@dataclass(frozen=True)
class Cluster:
    nodes: tuple[Node, ...]
    max_workers: int = UNBOUNDED  # the autoscaler's cap on worker nodes of all types together
    source: str = "the cluster"

    def describe(self) -> str:
        shapes = ", ".join(f"{n.count if n.count < UNBOUNDED else 'any number of'} x {n.name} "
                           f"({_num(n.cpus)} CPU, {_num(n.gpus)} GPU)" for n in self.nodes)
        cap = f", at most {self.max_workers} worker nodes" if self.max_workers < UNBOUNDED else ""
        return f"{self.source}: {shapes}{cap}"


def _num(x: float) -> str:
    return "unlimited" if x >= UNBOUNDED else f"{x:g}"


# ------------------------------------------------------------------------------------------- requests
def requests(cfg: RunConfig) -> list[Request]:
    """What each stage of ``cfg`` asks Ray for (the same bundles the stages pass to Ray Data and Ray Train)."""
    out = []
    for where, eng in (("teacher.engine", cfg.teacher.engine), ("eval.engine", cfg.eval.engine)):
        if eng.kind != "vllm":
            continue
        replicas = eng.concurrency if isinstance(eng.concurrency, int) else eng.concurrency[0]
        tp = eng.tensor_parallel_size
        if eng.use_gpu:  # a replica's tensor-parallel ranks share one node
            out.append(Request(f"{where}.concurrency / {where}.tensor_parallel_size",
                               f"{replicas} replica(s) x tensor_parallel_size {tp} GPUs on one node", 0, tp, replicas))
        else:  # vllm-cpu: one CPU bundle per rank (vllm_engine.processor_config)
            out.append(Request(f"{where}.concurrency", f"{replicas} replica(s) x {tp} CPU", 1, 0, replicas * tp))
    for where, tr in (("sft", cfg.sft), ("krsl", cfg.krsl)):
        out.append(Request(f"{where}.num_workers / {where}.cpus_per_worker",
                           f"{tr.num_workers} training worker(s) x ({tr.cpus_per_worker} CPU, {int(tr.use_gpu)} GPU)",
                           tr.cpus_per_worker, int(tr.use_gpu), tr.num_workers))
    out.append(Request("masking.num_workers", f"{cfg.masking.num_workers} masking worker(s) x 1 CPU", 1, 0,
                       cfg.masking.num_workers))
    return out


def placeable(request: Request, cluster: Cluster) -> int:
    """How many of the request's bundles the cluster can hold at once (the autoscaler's cap included)."""
    def per_node(n: Node) -> int:
        fit = [math.floor(n.cpus / request.cpus) if request.cpus else UNBOUNDED,
               math.floor(n.gpus / request.gpus) if request.gpus else UNBOUNDED]
        return min(fit)

    fixed = sum(per_node(n) * n.count for n in cluster.nodes if not n.autoscaled)
    # autoscaled nodes: the best types first, up to the global cap
    slots, left = 0, cluster.max_workers
    for n in sorted((n for n in cluster.nodes if n.autoscaled), key=per_node, reverse=True):
        take = min(n.count, left)
        slots, left = slots + per_node(n) * take, left - take
    return min(fixed + slots, UNBOUNDED)


def check_requests(cfg: RunConfig, cluster: Cluster) -> None:
    """Raise ValueError for the first request ``cluster`` cannot place, naming its setting and the cluster."""
    for req in requests(cfg):
        can = placeable(req, cluster)
        if can < req.count:
            fix = f"no node has {req.gpus:g} GPU(s) for one" if req.gpus and can == 0 else f"at most {can} fit"
            raise ValueError(f"{req.setting}: {req.what}, but {fix} on {cluster.describe()}")


# ------------------------------------------------------------------------------------------ clusters
def local_cluster(cfg: RunConfig) -> Cluster:
    """The one-node cluster a run starts itself."""
    res = cfg.resources
    cpus = res.num_cpus if res.num_cpus is not None else UNBOUNDED
    return Cluster((Node(cpus, res.num_gpus, name="local node"),),
                   source=f"the local cluster (resources.num_cpus = {res.num_cpus}, resources.num_gpus = {res.num_gpus})")


def cluster_nodes() -> Cluster | None:
    """The cluster this process is connected to, at its autoscaler's maximum (module docstring); None when an
    autoscaler runs whose maximum cannot be read from here (then nothing can be checked before placing)."""
    import ray

    reported = _reported_autoscaler()
    if reported is not None:
        return reported
    launcher = _monitor_autoscaler(ray.get_runtime_context().gcs_address)
    if launcher is not None:
        return launcher
    if _autoscaler_runs():
        return None
    alive = [n for n in ray.nodes() if n.get("Alive")]
    return Cluster(tuple(Node(n["Resources"].get("CPU", 0), n["Resources"].get("GPU", 0),
                              name=f"node {n['NodeManagerAddress']}") for n in alive),
                   source=f"the cluster ({len(alive)} alive node(s), no autoscaler)")


def _reported_autoscaler() -> Cluster | None:
    """Every node group (the head's too) of the cluster config the autoscaler reported to the GCS
    (autoscaler v2, KubeRay): the same numbers Ray Train checks its worker group against."""
    from ray._private.state import state

    config = state.get_cluster_config()
    if config is None or not config.node_group_configs:
        return None
    groups = tuple(Node(g.resources.get("CPU", 0), g.resources.get("GPU", 0), name=f"node group {g.name}",
                        count=UNBOUNDED if g.max_count < 0 else g.max_count) for g in config.node_group_configs)
    return Cluster(groups, source="the autoscaling cluster at the maximum its autoscaler reports")


def _autoscaler_runs() -> bool:
    """An autoscaler v1 publishes its status in the GCS wherever it runs (a KubeRay sidecar, another host)."""
    from ray.experimental.internal_kv import _internal_kv_get

    return _internal_kv_get("__autoscaling_status") is not None


def _monitor_autoscaler(gcs_address: str) -> Cluster | None:
    """The launcher YAML the autoscaler v1 monitor of this cluster runs with, read when the monitor runs on
    this node (the head, where `ray job submit` runs its driver); None when it does not run here."""
    import psutil
    import yaml

    port = gcs_address.rsplit(":", 1)[-1]
    for proc in psutil.process_iter(["cmdline"]):
        args = proc.info["cmdline"] or []
        if not any(a.endswith("monitor.py") for a in args):
            continue
        flags = dict(a.split("=", 1) for a in args if a.startswith("--") and "=" in a)
        if flags.get("--gcs-address", "").endswith(":" + port) and "--autoscaling-config" in flags:
            path = flags["--autoscaling-config"]
            with open(path) as f:
                return launcher_cluster(yaml.safe_load(f), source=path)
    return None


def launcher_cluster(config: dict, *, source: str) -> Cluster | None:
    """A launcher YAML (``cluster/aws.yaml``, the fake multi-node provider's) at its maximum: the head plus
    every worker type at its ``max_workers`` under the global cap. None when a type declares no ``resources``
    (a cloud instance type the autoscaler sizes itself)."""
    nodes = []
    for name, t in (config.get("available_node_types") or {}).items():
        if "resources" not in t:
            return None
        cpus, gpus = t["resources"].get("CPU", 0), t["resources"].get("GPU", 0)
        if name == config.get("head_node_type"):
            nodes.append(Node(cpus, gpus, name="head node" if name == "head" else f"head node ({name})"))
        elif t.get("max_workers", 0) > 0:
            nodes.append(Node(cpus, gpus, count=t["max_workers"], name=f"node type {name}", autoscaled=True))
    return Cluster(tuple(nodes), max_workers=config.get("max_workers", UNBOUNDED),
                   source=f"the autoscaling cluster at its maximum ({source})")
