"""Helpers for tests that start a Ray cluster of their own (tests/test_jobs.py, tests/test_multinode.py)."""

from __future__ import annotations

import shutil
import signal
import socket

import psutil


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports



def stop_cluster(before: set[int], temp_dir: str) -> None:
    """Stop only the processes of our cluster (their command lines name its temp dir) and their children."""
    procs = [p for p in psutil.process_iter(["pid", "cmdline"])
             if p.pid not in before and temp_dir in " ".join(p.info["cmdline"] or [])]
    for p in list(procs):  # and what they spawned (vLLM engine cores, Train workers)
        try:
            procs.extend(c for c in p.children(recursive=True) if c.pid not in before)
        except psutil.NoSuchProcess:
            pass
    procs = list({p.pid: p for p in procs}.values())
    for p in procs:
        try:
            p.send_signal(signal.SIGTERM)
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=15)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    shutil.rmtree(temp_dir, ignore_errors=True)
