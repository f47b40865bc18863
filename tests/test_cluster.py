"""cluster/: launcher YAML against Ray's own autoscaler schema, KubeRay manifests against KubeRay's required fields."""

from __future__ import annotations

import copy
import json
import shlex
from pathlib import Path

import jsonschema
import pytest
import ray
import yaml

from edit_ray.config import load_config

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ["aws.yaml", "gcp.yaml"]
SCHEMA = json.loads((Path(ray.__file__).parent / "autoscaler" / "ray-schema.json").read_text())


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / "cluster" / name).read_text())


# ------------------------------------------------------------------------------------- launcher YAML
@pytest.mark.parametrize("name", LAUNCHER)
def test_launcher_yaml_passes_rays_schema_and_config_checks(name):
    from ray.autoscaler._private.util import prepare_config, validate_config

    cfg = load(name)
    jsonschema.validate(cfg, SCHEMA)
    validate_config(prepare_config(copy.deepcopy(cfg)))  # what `ray up` runs: defaults filled, then checked


@pytest.mark.parametrize("name", LAUNCHER)
def test_launcher_has_autoscaling_cpu_and_gpu_worker_groups(name):
    cfg = load(name)
    assert cfg["idle_timeout_minutes"] > 0 and cfg["max_workers"] >= 1
    workers = {k: v for k, v in cfg["available_node_types"].items() if k != cfg["head_node_type"]}
    cpu = [v for v in workers.values() if v["resources"].get("CPU", 0) > 0 and not v["resources"].get("GPU")]
    gpu = [v for v in workers.values() if v["resources"].get("GPU", 0) > 0]
    assert cpu and gpu, "a CPU group for masking and a GPU group for vLLM and training"
    for group in workers.values():
        assert 0 <= group["min_workers"] < group["max_workers"]  # scales up from its minimum
    assert sum(g["max_workers"] for g in workers.values()) >= cfg["max_workers"] >= 1


@pytest.mark.parametrize("name", LAUNCHER)
def test_launcher_installs_the_project_without_local_junk(name):
    cfg = load(name)
    assert any("pip install" in c and "edit-ray" in c for c in cfg["setup_commands"])
    assert "." in cfg["file_mounts"].values()
    assert {".venv", "runs", ".git"} <= set(cfg["rsync_exclude"])
    assert any("--autoscaling-config" in c for c in cfg["head_start_ray_commands"])


def test_launcher_schema_check_catches_a_misspelt_key():
    cfg = load("aws.yaml")
    cfg["available_node_types"]["cpu_mask"]["max_worker"] = cfg["available_node_types"]["cpu_mask"].pop("max_workers")
    with pytest.raises(jsonschema.ValidationError, match="max_worker"):
        jsonschema.validate(cfg, SCHEMA)


# ------------------------------------------------------------------------------------ KubeRay
def check_cluster_spec(spec: dict) -> None:
    """Fields the KubeRay v1 CRDs require (and the ones autoscaling needs)."""
    assert spec["rayVersion"] == ray.__version__
    assert spec["enableInTreeAutoscaling"] is True
    head = spec["headGroupSpec"]
    assert "rayStartParams" in head
    head_containers = head["template"]["spec"]["containers"]
    assert head_containers and all(c["image"] and c["name"] for c in head_containers)
    groups = spec["workerGroupSpecs"]
    assert {g["groupName"] for g in groups} >= {"cpu-mask", "gpu"}
    for g in groups:
        assert "rayStartParams" in g
        assert 0 <= g["minReplicas"] <= g["replicas"] <= g["maxReplicas"] and g["minReplicas"] < g["maxReplicas"]
        containers = g["template"]["spec"]["containers"]
        assert containers and all(c["image"] and c["name"] for c in containers)
    gpu = next(g for g in groups if g["groupName"] == "gpu")
    assert int(gpu["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]) >= 1


def test_raycluster_manifest_has_kuberay_required_fields():
    m = load("kuberay-raycluster.yaml")
    assert (m["apiVersion"], m["kind"]) == ("ray.io/v1", "RayCluster")
    assert m["metadata"]["name"]
    check_cluster_spec(m["spec"])


def test_rayjob_manifest_runs_the_pipeline_job_with_a_valid_config():
    m = load("kuberay-rayjob.yaml")
    assert (m["apiVersion"], m["kind"]) == ("ray.io/v1", "RayJob")
    assert m["metadata"]["name"]
    spec = m["spec"]
    check_cluster_spec(spec["rayClusterSpec"])
    assert spec["shutdownAfterJobFinishes"] is True
    yaml.safe_load(spec["runtimeEnvYAML"])
    # the entrypoint names our job script and a config that loads, overrides included
    argv = shlex.split(spec["entrypoint"])
    assert argv[0] == "python" and argv[1] == "/app/jobs/edit_pipeline.py"
    assert (ROOT / "jobs" / "edit_pipeline.py").is_file()
    i = argv.index("--config")
    config = ROOT / argv[i + 1].removeprefix("/app/")
    cfg = load_config(config, argv[i + 2:])
    assert cfg.run.dir.startswith("gs://")


# ------------------------------------------------------------------ requests against the launcher's maximum
@pytest.mark.parametrize("name", LAUNCHER)
def test_launcher_maximum_holds_the_gpu_config_and_refuses_what_no_node_has(name):
    """edit_ray.cluster reads a launcher YAML as the cluster at its maximum; configs/quality-gpu.yaml fits,
    and a request that no node or not all nodes together can hold fails naming its setting."""
    from edit_ray.cluster import check_requests, launcher_cluster, placeable, requests

    raw = load(name)
    cluster = launcher_cluster(raw, source=name)
    types = raw["available_node_types"]
    workers = [t for k, t in types.items() if k != raw["head_node_type"]]
    max_gpus_one_node = max(t["resources"].get("GPU", 0) for t in workers)
    total_cpus = types[raw["head_node_type"]]["resources"]["CPU"] + sum(
        t["resources"]["CPU"] * t["max_workers"] for t in workers)  # the global cap equals the types' sum here
    assert raw["max_workers"] == sum(t["max_workers"] for t in workers)
    masking = next(r for r in requests(load_config(None, [f"masking.num_workers={total_cpus}", "resources.address=auto"]))
                   if r.setting == "masking.num_workers")
    assert placeable(masking, cluster) == total_cpus
    gpu = load_config(ROOT / "configs" / "quality-gpu.yaml", [f"resources.address=ray://{name}:10001"])
    check_requests(gpu, cluster)
    too_wide = load_config(None, ["eval.engine.kind=vllm", "eval.engine.use_gpu=true", "resources.address=auto",
                                  f"eval.engine.tensor_parallel_size={max_gpus_one_node * 2}"])
    with pytest.raises(ValueError, match=rf"eval.engine.concurrency / eval.engine.tensor_parallel_size: 1 replica\(s\) "
                       rf"x tensor_parallel_size {max_gpus_one_node * 2} GPUs on one node, but no node has"):
        check_requests(too_wide, cluster)
    too_many = load_config(None, [f"masking.num_workers={total_cpus + 1}", "resources.address=auto"])
    with pytest.raises(ValueError, match=rf"masking.num_workers: {total_cpus + 1} masking worker\(s\) x 1 CPU, "
                       rf"but at most {total_cpus} fit on the autoscaling cluster at its maximum \({name}\)"):
        check_requests(too_many, cluster)


def test_placing_counts_whole_bundles_per_node_and_the_autoscalers_global_cap():
    """Independent arithmetic: 2-GPU bundles on nodes of 3 and 4 GPUs fit 1 + 2; the autoscaler's global cap
    of 2 worker nodes lets only the best 2 of 3 types' nodes count."""
    from edit_ray.cluster import Cluster, Node, Request, placeable

    two_gpus = Request("x", "x", cpus=1, gpus=2, count=1)
    fixed = Cluster((Node(8, 3), Node(8, 4)))
    assert placeable(two_gpus, fixed) == 1 + 2
    capped = Cluster((Node(1, 0, name="head"), Node(4, 4, count=3, autoscaled=True), Node(2, 2, count=5, autoscaled=True)),
                     max_workers=2)
    assert placeable(two_gpus, capped) == 2 + 2  # two 4-GPU nodes; the 2-GPU type gets no node under the cap
    assert placeable(Request("c", "c", cpus=1, gpus=0, count=1), capped) == 1 + 4 + 4
