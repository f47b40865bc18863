"""An OpenAI-compatible endpoint as the engine (the paper's teacher was gpt-3.5-turbo over the OpenAI API).

Rows flow through Ray Data: ``check_batch`` (length checks when the model has a local tokenizer), then an
actor pool of ``HttpGenerator`` (``engine.concurrency`` actors, each with at most
``engine.max_concurrent_requests`` requests in flight, through a thread pool over one ``httpx.Client``).

- Endpoint: ``{base_url}/chat/completions`` when ``engine.use_chat_template`` (the server applies its chat
  template to one user message), else ``{base_url}/completions`` with the raw prompt.
- Model: ``engine.model`` is sent as the request's ``model``. When it is also a local directory or an alias
  (``edit_ray.models.resolve``), its tokenizer checks prompt lengths and gives ``token_ids``; otherwise
  ``token_ids``/``prompt_token_ids`` are empty and ``n_tokens`` comes from the response's ``usage``.
- Key: read from the environment variable named by ``engine.api_key_env`` (on the driver, handed to the
  actors inside a ``Secret`` whose repr is masked) and sent only as the ``Authorization`` header; it is
  never logged, printed, or written to a row.
- Retries: 429, 5xx, timeouts and connection errors are retried up to ``engine.max_retries`` times with
  exponential backoff (``engine.backoff_s`` doubled per retry, with jitter; a ``Retry-After`` header wins).
  Other 4xx answers fail at once. A request that still fails becomes an error row
  (``"{Type}: {message}"``), and the other rows go on.
- Truncation: ``finish_reason == "length"`` or ``n_tokens >= max_tokens``.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pyarrow as pa
import ray

from edit_ray import models
from edit_ray.config import HttpEngineConfig
from edit_ray.engines.guard import (
    ENGINE_PROMPT,
    check_batch,
    error_text,
    failed_outputs,
    load_tokenizer,
    to_table,
)


class Secret:
    """A string that never shows itself in a repr, a log line or a traceback."""

    def __init__(self, value: str | None):
        self._value = value

    def get(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)" if self._value else "Secret(None)"

    __str__ = __repr__


class RetryableHTTPError(Exception):
    """A 429 or 5xx answer (the server may do better on a later try)."""

    def __init__(self, status: int, body: str, retry_after: float | None):
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status
        self.retry_after = retry_after


def _retry_after(resp: httpx.Response) -> float | None:
    try:
        return float(resp.headers["retry-after"])
    except (KeyError, ValueError):
        return None


def post_with_retries(client: httpx.Client, path: str, payload: dict, *, max_retries: int, backoff_s: float,
                      sleep: Callable[[float], None] = time.sleep) -> dict:
    """POST ``payload`` as JSON and return the decoded answer, retrying 429/5xx/timeouts/connection errors.

    Raises:
        httpx.HTTPStatusError: a 4xx answer other than 429 (not retried).
        RetryableHTTPError | httpx.TimeoutException | httpx.TransportError: still failing after retries.
    """
    for attempt in range(max_retries + 1):
        try:
            resp = client.post(path, json=payload)
            if resp.status_code == 429 or resp.status_code >= 500:
                raise RetryableHTTPError(resp.status_code, resp.text, _retry_after(resp))
            resp.raise_for_status()
            return resp.json()
        except (RetryableHTTPError, httpx.TimeoutException, httpx.TransportError) as e:
            if attempt == max_retries:
                raise
            delay = getattr(e, "retry_after", None)
            if delay is None:
                delay = backoff_s * 2**attempt * (1 + 0.25 * random.random())
            sleep(delay)
    raise AssertionError("unreachable")


def request_payload(row: dict[str, Any], cfg: HttpEngineConfig) -> tuple[str, dict]:
    """(path, JSON body) of one row's request."""
    body: dict[str, Any] = {"model": cfg.model, "temperature": float(row["temperature"]), "top_p": cfg.top_p,
                            "max_tokens": int(row["max_tokens"]), "seed": int(row["seed"])}
    if cfg.stop:
        body["stop"] = list(cfg.stop)
    if cfg.use_chat_template:
        return "/chat/completions", {**body, "messages": [{"role": "user", "content": row["prompt"]}]}
    return "/completions", {**body, "prompt": row["prompt"]}


def parse_answer(answer: dict, row: dict[str, Any], tokenizer) -> dict[str, Any]:
    """The engine contract columns from one chat/completions answer."""
    choice = answer["choices"][0]
    text = choice["message"]["content"] if "message" in choice else choice["text"]
    text = text or ""
    token_ids = list(tokenizer(text, add_special_tokens=False).input_ids) if tokenizer is not None else []
    n_tokens = int((answer.get("usage") or {}).get("completion_tokens") or len(token_ids))
    truncated = choice.get("finish_reason") == "length" or n_tokens >= int(row["max_tokens"])
    return {"text": text, "token_ids": token_ids, "n_tokens": n_tokens, "truncated": bool(truncated),
            "error": None}


class HttpGenerator:
    """Ray Data actor: one ``httpx.Client`` and a thread pool of ``max_concurrent_requests`` per actor."""

    def __init__(self, cfg: HttpEngineConfig, api_key: Secret, tokenizer_source: str | None):
        # httpx logs each request at INFO; URLs only, but keep worker logs quiet.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.cfg = cfg
        headers = {"Authorization": f"Bearer {api_key.get()}"} if api_key.get() else {}
        self.client = httpx.Client(base_url=cfg.base_url.rstrip("/"), headers=headers, timeout=cfg.timeout_s,
                                   limits=httpx.Limits(max_connections=cfg.max_concurrent_requests))
        self.pool = ThreadPoolExecutor(max_workers=cfg.max_concurrent_requests)
        self.tokenizer = load_tokenizer(tokenizer_source)

    def _one(self, row: dict[str, Any]) -> dict[str, Any]:
        row = {k: v for k, v in row.items() if k != ENGINE_PROMPT}
        if row.get("error"):
            return failed_outputs(row, row["error"])
        path, payload = request_payload(row, self.cfg)
        try:
            answer = post_with_retries(self.client, path, payload, max_retries=self.cfg.max_retries,
                                       backoff_s=self.cfg.backoff_s)
            return {**row, **parse_answer(answer, row, self.tokenizer)}
        except (httpx.HTTPError, RetryableHTTPError, KeyError, IndexError, TypeError, ValueError) as e:
            # One failed request is one error row; the batch and the job go on.
            return failed_outputs(row, error_text(type(e).__name__, str(e)))

    def __call__(self, batch: pa.Table) -> pa.Table:
        return to_table(list(self.pool.map(self._one, batch.to_pylist())))


def local_tokenizer_source(model: str) -> str | None:
    """A local model directory for ``model`` (alias or path), or None for a name only the server knows."""
    try:
        path = models.resolve(model)
    except Exception:  # noqa: BLE001 - an alias that cannot be built here just means "no local tokenizer"
        return None
    return path if os.path.isdir(path) else None


def generate(rows: ray.data.Dataset, cfg: HttpEngineConfig) -> ray.data.Dataset:
    """One chat/completions request per row (see the module docstring)."""
    if not cfg.base_url:
        raise ValueError("engine.kind=http needs engine.base_url (e.g. http://127.0.0.1:8000/v1)")
    source = local_tokenizer_source(cfg.model)
    checked = rows.map_batches(check_batch, fn_kwargs={"cfg": cfg, "tokenizer_source": source},
                               batch_format="pyarrow", num_cpus=0.5, compute=ray.data.TaskPoolStrategy(size=1))
    return checked.map_batches(
        HttpGenerator,
        fn_constructor_kwargs={"cfg": cfg, "api_key": Secret(os.environ.get(cfg.api_key_env)),
                               "tokenizer_source": source},
        batch_size=cfg.batch_size, batch_format="pyarrow", num_cpus=0.25,
        compute=ray.data.ActorPoolStrategy(size=cfg.concurrency) if isinstance(cfg.concurrency, int)
        else ray.data.ActorPoolStrategy(min_size=cfg.concurrency[0], max_size=cfg.concurrency[1]),
    )
