"""edit-ray on a multi-node autoscaling cluster: requests checked against its maximum, masking that scales
up and releases its nodes, and a node lost mid-masking and mid-training.

The cluster is Ray's own fake multi-node autoscaler (``ray start --head --autoscaling-config`` with the
``fake_multinode`` provider): the real autoscaler v1 monitor launches and terminates real raylets on this
machine, as it would cloud instances. Its node types are shaped like ``cluster/aws.yaml``'s, scaled down:
a 1-CPU head, up to 2 CPU workers of 2 CPUs, and one "GPU" worker (1 CPU, 2 GPU resources: only the
request check uses it; nothing here runs on a GPU). Its own temp dir and free ports keep it apart from
every other test's Ray; it is stopped by the ids of the processes it started (tests/test_jobs.py).

Drivers run as subprocesses with RAY_ADDRESS set, as `ray job submit` runs them (tests/test_jobs.py
submits the pipeline itself). A node is lost by killing its raylet and that node's workers: a real node
death, not a fake.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest
import yaml
from tests_support import free_ports, stop_cluster

HEAD_CPUS, CPU_WORKER, CPU_WORKERS_MAX, GPU_WORKER = 1, {"CPU": 2}, 2, {"CPU": 1, "GPU": 2}
IDLE_TIMEOUT_S = 6
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def launcher_yaml(gcs_port: int) -> dict:
    return {
        "cluster_name": "er-fake", "max_workers": CPU_WORKERS_MAX + 1, "upscaling_speed": 1.0,
        "idle_timeout_minutes": IDLE_TIMEOUT_S / 60,
        "provider": {"type": "fake_multinode", "use_node_id_as_ip": True, "disable_node_updaters": True,
                     "disable_launch_config_check": True, "gcs_address": f"127.0.0.1:{gcs_port}"},
        "available_node_types": {
            "ray.head.default": {"resources": {"CPU": HEAD_CPUS}, "max_workers": 0, "node_config": {}},
            "cpu_worker": {"resources": CPU_WORKER, "min_workers": 0, "max_workers": CPU_WORKERS_MAX,
                           "node_config": {}},
            "gpu_worker": {"resources": GPU_WORKER, "min_workers": 0, "max_workers": 1, "node_config": {}},
        },
        "head_node_type": "ray.head.default",
        "auth": {"ssh_user": "ubuntu"}, "docker": {}, "file_mounts": {}, "cluster_synced_files": [],
        "file_mounts_sync_continuously": False, "initialization_commands": [], "setup_commands": [],
        "head_setup_commands": [], "worker_setup_commands": [], "head_start_ray_commands": [],
        "worker_start_ray_commands": [],
    }


@pytest.fixture(scope="module")
def autoscaling_cluster(tmp_path_factory):
    temp_dir = tempfile.mkdtemp(prefix="er-mn-", dir="/tmp")  # short: Ray's socket paths must fit 107 chars
    gcs, client, node_mgr, obj_mgr, metrics, rt_env, agent, agent_grpc = free_ports(8)
    config = Path(temp_dir) / "autoscaler.yaml"
    config.write_text(yaml.safe_dump(launcher_yaml(gcs)))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "RAY_FAKE_CLUSTER": "1",
           "AUTOSCALER_UPDATE_INTERVAL_S": "1", "RAY_AUTH_MODE": "disabled", "PYTHONPATH": str(ROOT)}
    env.pop("RAY_ADDRESS", None)
    before = {p.pid for p in psutil.process_iter()}
    try:
        start = subprocess.run(
            [str(BIN / "ray"), "start", "--head", f"--num-cpus={HEAD_CPUS}", f"--temp-dir={temp_dir}",
             f"--port={gcs}", f"--autoscaling-config={config}", "--include-dashboard=false",
             f"--ray-client-server-port={client}", f"--node-manager-port={node_mgr}",
             f"--object-manager-port={obj_mgr}", f"--metrics-export-port={metrics}",
             f"--runtime-env-agent-port={rt_env}", f"--dashboard-agent-listen-port={agent}",
             f"--dashboard-agent-grpc-port={agent_grpc}", "--disable-usage-stats"],
            env=env, capture_output=True, text=True, timeout=180, check=False)
        assert start.returncode == 0, f"ray start failed:\n{start.stdout[-2000:]}\n{start.stderr[-3000:]}"
        yield {"env": {**env, "RAY_ADDRESS": f"127.0.0.1:{gcs}"}, "config": str(config), "temp_dir": temp_dir}
    finally:
        stop_cluster(before, temp_dir)


NODES_SCRIPT = textwrap.dedent("""
    import json, ray
    ray.init(logging_level="ERROR")
    print("NODES", json.dumps([{"id": n["NodeID"], "alive": n["Alive"], "cpu": n["Resources"].get("CPU", 0),
                       "death": n.get("DeathReasonMessage", ""),
                       "head": "node:__internal_head__" in n["Resources"]} for n in ray.nodes()]))
""")


def nodes(cluster) -> list[dict]:
    """Every node the cluster has had (dead ones too), read from the GCS by a driver of its own."""
    out = subprocess.run([sys.executable, "-c", NODES_SCRIPT], env=cluster["env"], capture_output=True,
                         text=True, timeout=120, check=True)
    # the driver's stdout also carries the cluster's autoscaler events ("Resized to 1 CPUs.")
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("NODES "))
    return json.loads(line.removeprefix("NODES "))


def idle_terminations(cluster) -> set[str]:
    """Ids of the nodes the autoscaler terminated for being idle, from its monitor log. (A node it releases
    dies as "Terminated by autoscaler." or, when its raylet reports the provider's SIGTERM first, as
    "received SIGTERM": the death message alone cannot tell an idle release from another SIGTERM.)"""
    logs = Path(cluster["temp_dir"]) / "session_latest" / "logs"
    text = "".join(p.read_text(errors="replace") for p in logs.glob("monitor*.log"))
    return set(re.findall(r"Terminating the node with id (\S+) and ip \S+ \(idle\)", text))


def kill_node(node_id: str) -> int:
    """A node's death: its raylet and everything it started (workers, actors) are SIGKILLed. The fake
    provider names each raylet's node with RAY_OVERRIDE_NODE_ID_FOR_TESTING, which its cmdline carries."""
    raylets = [p for p in psutil.process_iter(["cmdline"])
               if any("raylet" in a for a in (p.info["cmdline"] or [])[:1]) and
               any(node_id in a for a in p.info["cmdline"] or [])]
    assert len(raylets) == 1, f"no single raylet for node {node_id}: {raylets}"
    victims = [raylets[0], *raylets[0].children(recursive=True)]
    for p in victims:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    return len(victims)


def wait_for(predicate, timeout_s: float, what: str, every_s: float = 2.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")


# --------------------------------------------------------------------------------- masking on the cluster
PROMPT = "Task Description:\nCompute.\nQ: What is the value?\n\nA:"


def arithmetic_pair(i: int) -> dict:
    a, b = i % 17 + 2, i % 13 + 3
    good = f"(1) {a} * {b} = {a * b}.\n(2) {a * b} + {i} = {a * b + i}.\nTherefore, the answer is {a * b + i}."
    bad = f"(1) {a} * {b} = {a * b + 1}.\n(2) {a * b + 1} + {i} = {a * b + i + 1}.\nTherefore, the answer is {a * b + i + 1}."
    return {"pair_id": f"p{i:05d}", "prompt": PROMPT, "chosen": good, "rejected": bad}


@pytest.fixture(scope="module")
def pairs_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("mn-pairs") / "pairs.jsonl"
    path.write_text("".join(json.dumps(arithmetic_pair(i)) + "\n" for i in range(3000)))
    return str(path)


def mask_cli(cluster, pairs: str, out: str, tokenizer: str, workers: int, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "edit_ray.cli", "mask", "--pairs", pairs, "--tokenizer", tokenizer, "--out", out,
         "--workers", str(workers), "--json"],
        cwd=ROOT, env=cluster["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def finish(proc: subprocess.Popen, timeout_s: int = 600) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout_s)
    return proc.returncode, out, err


def reference_masks(pairs: str, tokenizer: str) -> list[tuple]:
    """Masks computed here, without Ray: the tokenizer and the kernel on each pair, in input order."""
    from edit_ray.masking.kernel import key_masks
    from edit_ray.models import load_tokenizer
    from edit_ray.tokens import tokenize_pair

    tok = load_tokenizer(tokenizer)
    rows = []
    for line in Path(pairs).read_text().splitlines():
        pair = json.loads(line)
        _, c = tokenize_pair(tok, pair["prompt"], pair["chosen"])
        _, r = tokenize_pair(tok, pair["prompt"], pair["rejected"])
        ck, rk = key_masks(c, r)
        rows.append((pair["pair_id"], ck.tolist(), rk.tolist()))
    return rows


def read_masks(path: str) -> list[tuple]:
    import pyarrow.parquet as pq

    t = pq.read_table(path, columns=["pair_id", "chosen_key", "rejected_key"]).to_pylist()
    return [(r["pair_id"], r["chosen_key"], r["rejected_key"]) for r in t]


def test_requests_are_checked_against_the_autoscaling_maximum(autoscaling_cluster, pairs_file, tiny_model_dir,
                                                               tmp_path):
    """The head has 1 CPU now; at its maximum the cluster has 1 + 2x2 + 1 = 6 CPUs and 2 GPUs on one node.
    7 masking workers and a tensor-parallel-4 engine fail before any work, naming the setting and the
    cluster; no node is launched for them."""
    max_cpus = HEAD_CPUS + CPU_WORKERS_MAX * CPU_WORKER["CPU"] + GPU_WORKER["CPU"]
    rc, _, err = finish(mask_cli(autoscaling_cluster, pairs_file, str(tmp_path / "m.parquet"), tiny_model_dir,
                                   workers=max_cpus + 1))
    assert rc == 2, err[-3000:]
    assert (f"masking.num_workers: {max_cpus + 1} masking worker(s) x 1 CPU, but at most {max_cpus} fit on the "
            f"autoscaling cluster at its maximum ({autoscaling_cluster['config']})") in err
    assert "2 x node type cpu_worker (2 CPU, 0 GPU), 1 x node type gpu_worker (1 CPU, 2 GPU)" in err
    assert not (tmp_path / "m.parquet").exists()
    run = subprocess.run(
        [sys.executable, "-m", "edit_ray.cli", "run", "configs/demo.yaml", f"run.dir={tmp_path / 'run'}",
         "eval.engine.use_gpu=true", "eval.engine.tensor_parallel_size=4"],
        cwd=ROOT, env=autoscaling_cluster["env"], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 2, run.stderr[-3000:]
    assert ("eval.engine.concurrency / eval.engine.tensor_parallel_size: 1 replica(s) x tensor_parallel_size 4 "
            "GPUs on one node, but no node has 4 GPU(s) for one") in run.stderr
    assert not (tmp_path / "run" / "data").exists()
    assert [n["head"] for n in nodes(autoscaling_cluster)] == [True]


@pytest.fixture(scope="module")
def undisturbed_masking(autoscaling_cluster, pairs_file, tiny_model_dir, tmp_path_factory):
    """4 masking workers on a cluster whose head has 1 CPU: the autoscaler must add both CPU workers."""
    out = str(tmp_path_factory.mktemp("mn-mask") / "masks.parquet")
    t0 = time.monotonic()
    rc, stdout, err = finish(mask_cli(autoscaling_cluster, pairs_file, out, tiny_model_dir, workers=4))
    assert rc == 0, err[-4000:]
    return {"out": out, "result": json.loads(stdout.strip().splitlines()[-1]), "wall_s": time.monotonic() - t0,
            "nodes": nodes(autoscaling_cluster)}


def test_masking_scales_up_on_new_nodes_and_releases_them_when_idle(autoscaling_cluster, undisturbed_masking,
                                                                     pairs_file, tiny_model_dir):
    assert undisturbed_masking["result"]["pairs"] == 3000 and undisturbed_masking["result"]["errors"] == 0
    assert read_masks(undisturbed_masking["out"]) == reference_masks(pairs_file, tiny_model_dir)
    # 4 one-CPU actors do not fit the 1-CPU head: they were granted on nodes the autoscaler added (the
    # autoscaler picks the types; it may try the 1-CPU "GPU" type too), CPU workers among them
    added = [n for n in undisturbed_masking["nodes"] if not n["head"]]
    assert len(added) >= 2 and any(n["cpu"] == CPU_WORKER["CPU"] for n in added), added

    def released() -> list[dict] | None:
        now = nodes(autoscaling_cluster)
        return now if all(n["alive"] == n["head"] for n in now) else None

    # released once idle for idle_timeout_minutes: every added node ends terminated by the autoscaler
    after = wait_for(released, timeout_s=IDLE_TIMEOUT_S + 90, what="the idle worker nodes to be terminated")
    released_ids = {n["id"] for n in after if not n["head"]}
    assert released_ids <= idle_terminations(autoscaling_cluster), (released_ids, after)


def test_a_node_lost_mid_masking_loses_and_doubles_no_row(autoscaling_cluster, undisturbed_masking, pairs_file,
                                                           tiny_model_dir, tmp_path):
    """Kill the first worker node a few seconds after it joins (its masking actors are starting or working):
    Ray Data restarts the actors and retries their batches on other nodes; the masks equal the undisturbed
    run's, every pair exactly once."""
    seen = {n["id"] for n in nodes(autoscaling_cluster)}
    out = str(tmp_path / "masks.parquet")
    proc = mask_cli(autoscaling_cluster, pairs_file, out, tiny_model_dir, workers=4)
    try:
        new = wait_for(lambda: [n for n in nodes(autoscaling_cluster) if n["alive"] and n["id"] not in seen],
                       timeout_s=180, what="a new worker node", every_s=1.0)
        time.sleep(3)
        assert proc.poll() is None, "the stage finished before the node could be lost; give it more pairs"
        assert kill_node(new[0]["id"]) >= 1
        rc, stdout, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, err[-4000:]
    dead = {n["id"]: n["alive"] for n in nodes(autoscaling_cluster)}
    assert dead[new[0]["id"]] is False
    result = json.loads(stdout.strip().splitlines()[-1])
    assert (result["pairs"], result["errors"]) == (3000, 0)
    got = read_masks(out)
    assert len({pid for pid, *_ in got}) == len(got) == 3000
    assert got == read_masks(undisturbed_masking["out"])


# -------------------------------------------------------------------------------- training loses a node
TRAIN_DRIVER = textwrap.dedent('''
    """Stage 1 on the cluster; rank 0 waits after step 2 (a marker file names its node) until the test
    kills that node. FailureConfig then restarts the worker group from the step-2 checkpoint."""
    import os, sys, time

    from edit_ray.config import load_config
    from edit_ray.session import ray_session
    from edit_ray.train.run import build_trainer

    config, data, model, out, marker = sys.argv[1:]

    def after_step(step, rank):
        if rank == 0 and step == 2 and not os.path.exists(marker):
            import ray

            with open(marker + ".tmp", "w") as f:
                f.write(ray.get_runtime_context().get_node_id())
            os.rename(marker + ".tmp", marker)
            time.sleep(600)  # until this node is killed

    cfg = load_config(config, [])
    with ray_session(cfg):
        result = build_trainer(cfg, "sft", data_path=data, init_model=model, out_dir=out, name="lost",
                               loop_overrides={"after_step": after_step}).fit()
    print("training:", "failed" if result.error else "finished")
''')


def test_a_node_lost_mid_training_resumes_from_its_checkpoint_to_the_same_model(autoscaling_cluster, tiny_model_dir,
                                                                                  tmp_path):
    """One 2-CPU training worker (so it runs on an added node, never the 1-CPU head) checkpoints every step;
    its node is killed after step 2. The job finishes, steps 1..6 are each logged once, and the losses and
    the exported weights equal an undisturbed run of the same loop (`python -m edit_ray.train`, no Ray)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from safetensors.torch import load_file

    from edit_ray.config import RunConfig, dump_config
    from edit_ray.train.run import read_metrics

    rows = [{"row_id": f"r{i}", "qid": f"add/{i}", "task": "add", "prompt": f"Q: {a} plus {b}?\nA:",
             "response": f" {a} plus {b} is {a + b}. The answer is {a + b}."}
            for i, (a, b) in enumerate([(1, 2), (3, 4), (5, 6), (7, 8), (2, 9), (4, 4), (6, 1), (8, 3)])]
    data = str(tmp_path / "sft.parquet")
    pq.write_table(pa.Table.from_pylist(rows), data)
    cfg = RunConfig.model_validate({
        "run": {"seed": 0}, "resources": {"address": "auto"},
        "student": {"model": tiny_model_dir, "lora": {"r": 8, "alpha": 16, "dropout": 0.1}},
        "sft": {"lr": 5e-3, "epochs": 3, "batch_size": 2, "grad_accum": 2, "max_length": 64, "num_workers": 1,
                "cpus_per_worker": CPU_WORKER["CPU"], "checkpoint_every": 1, "max_failures": 1}})
    config = tmp_path / "sft.yaml"
    config.write_text(dump_config(cfg))

    ref = tmp_path / "undisturbed"
    undisturbed = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "1", "-m", "edit_ray.train",
         str(config), "--stage", "sft", "--data", data, "--out", str(ref)],
        cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}, capture_output=True, text=True,
        timeout=300, check=False)
    assert undisturbed.returncode == 0, undisturbed.stderr[-3000:]

    driver = tmp_path / "driver.py"
    driver.write_text(TRAIN_DRIVER)
    out, marker = tmp_path / "lost", tmp_path / "paused-at-step-2"
    proc = subprocess.Popen([sys.executable, str(driver), str(config), data, tiny_model_dir, str(out), str(marker)],
                            cwd=ROOT, env=autoscaling_cluster["env"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for(marker.exists, timeout_s=300, what="rank 0 to pause after step 2", every_s=1.0)
        node = marker.read_text()
        assert not next(n for n in nodes(autoscaling_cluster) if n["id"] == node)["head"]
        assert kill_node(node) >= 1
        rc, stdout, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0 and "training: finished" in stdout, err[-4000:]
    assert next(n for n in nodes(autoscaling_cluster) if n["id"] == node)["alive"] is False

    got, want = read_metrics(str(out / "metrics.jsonl")), read_metrics(str(ref / "metrics.jsonl"))
    assert [r["step"] for r in got] == [1, 2, 3, 4, 5, 6]  # none repeated, none skipped
    assert [r["loss"] for r in got] == pytest.approx([r["loss"] for r in want], rel=1e-4)
    lost, clean = load_file(out / "model" / "model.safetensors"), load_file(ref / "model" / "model.safetensors")
    assert lost.keys() == clean.keys()
    for name, tensor in clean.items():
        assert (lost[name] - tensor).abs().max().item() < 1e-5, name
