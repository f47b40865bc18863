"""Export of a trained student as a merged Hugging Face directory (safetensors + tokenizer) that vLLM loads.

Stage 1 of EDIT saves the student *merged*: the LoRA adapter is folded into the base weights
(edit-method.md §3.1), so stage 2 can start a fresh LoRA on it and the evaluation engine sees a plain
model. Writes ``<out_dir>/model.safetensors``, ``config.json``, ``generation_config.json`` and the tokenizer.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import torch

from edit_ray.config import LoraConfig


def export_merged(state: dict[str, torch.Tensor], init_model: str, lora: LoraConfig | None, tokenizer_dir: str,
                  out_dir: str) -> str:
    """Load ``state`` (the full state dict of the trained, possibly PEFT-wrapped model) into a fresh copy of
    ``init_model``, merge the LoRA, and save a plain HF directory at ``out_dir`` (local path or URI).

    Args:
        state: from ``strategies.full_state_dict`` (keys of the PEFT model when ``lora`` is set).
        init_model: local HF directory the stage started from.
        lora: the adapter config used in training, or None for full fine-tuning.
        tokenizer_dir: directory whose tokenizer is saved next to the weights.
        out_dir: destination; replaced if it exists.
    Returns:
        ``out_dir``.
    Raises:
        ValueError: ``state`` does not match the model (keys missing other than a tied ``lm_head``, or extra).
    """
    from transformers import AutoTokenizer

    from edit_ray.train.strategies import build_model

    model = build_model(init_model, lora)
    missing, unexpected = model.load_state_dict(state, strict=False)
    # a tied lm_head shares the embedding; some gathers (ZeRO-3) list it once
    missing = [k for k in missing if not (k.endswith("lm_head.weight") and model.config.tie_word_embeddings)]
    if missing or unexpected:
        raise ValueError(f"export: state does not match {init_model}: missing {missing[:5]}, unexpected {unexpected[:5]}")
    if lora is not None:
        model = model.merge_and_unload()
    model.config.use_cache = True
    local = out_dir if "://" not in out_dir else tempfile.mkdtemp(prefix="edit-ray-export-")
    if os.path.isdir(local):
        shutil.rmtree(local)
    model.save_pretrained(local, safe_serialization=True)
    AutoTokenizer.from_pretrained(tokenizer_dir).save_pretrained(local)
    if local != out_dir:  # upload to object storage
        import pyarrow.fs as pafs

        fs, path = pafs.FileSystem.from_uri(out_dir)
        pafs.copy_files(local, path, destination_filesystem=fs)
        shutil.rmtree(local, ignore_errors=True)
    return out_dir
