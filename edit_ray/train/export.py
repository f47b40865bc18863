"""Export of a trained student as a merged Hugging Face directory (safetensors + tokenizer) that vLLM loads.

Stage 1 of EDIT saves the student *merged*: the LoRA adapter is folded into the base weights
(edit-method.md §3.1), so stage 2 can start a fresh LoRA on it and the evaluation engine sees a plain
model. Writes ``<out_dir>/model.safetensors``, ``config.json``, ``generation_config.json`` and the tokenizer.

A LoRA student also gets ``<out_dir>/adapter/``: the same model as one PEFT adapter of the *untrained* base
(``models.adapter_of``), so evaluation can serve several students of one base from one vLLM engine with a
LoRA per request. A student trained from another LoRA student (KRSL after stage 1, ORION rounds) is a chain
of adapters, W = W0 + s1 B1 A1 + s2 B2 A2 (s = alpha / r); stacking them gives one adapter of rank r1 + r2,
A = [A1; A2] and B = [s1 B1, s2 B2] at scale 1, that computes exactly the same sum.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import torch

from edit_ray.config import LoraConfig
from edit_ray.models import ADAPTER_DIR


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
    chain = None
    if lora is not None:
        chain = adapter_chain(model, init_model, lora)
        model = model.merge_and_unload()
    model.config.use_cache = True
    local = out_dir if "://" not in out_dir else tempfile.mkdtemp(prefix="edit-ray-export-")
    if os.path.isdir(local):
        shutil.rmtree(local)
    model.save_pretrained(local, safe_serialization=True)
    AutoTokenizer.from_pretrained(tokenizer_dir).save_pretrained(local)
    if chain is not None:
        write_adapter(*chain, os.path.join(local, ADAPTER_DIR))
    if local != out_dir:  # upload to object storage
        import pyarrow.fs as pafs

        fs, path = pafs.FileSystem.from_uri(out_dir)
        pafs.copy_files(local, path, destination_filesystem=fs)
        shutil.rmtree(local, ignore_errors=True)
    return out_dir


def adapter_chain(model, init_model: str, lora: LoraConfig) -> tuple[str, list[str], dict[str, torch.Tensor]] | None:
    """``(base, target_modules, weights)``: the trained PEFT ``model`` as one adapter of the untrained base,
    stacked onto ``init_model``'s own adapter when it has one. None when there is no such adapter (the init
    model was fully fine-tuned, or its adapter targets other modules): evaluation then serves the merged model."""
    from peft import get_peft_model_state_dict
    from safetensors.torch import load_file

    from edit_ray.models import adapter_of

    scale = lora.alpha / lora.r
    trained = {k: v.detach().float() * (scale if ".lora_B." in k else 1.0)
               for k, v in get_peft_model_state_dict(model).items()}
    parent = adapter_of(init_model)
    if parent is None:
        base = os.path.abspath(init_model) if os.path.isdir(init_model) else init_model  # or a hub id
        return base, sorted(lora.target_modules), trained
    if parent["target_modules"] != sorted(lora.target_modules):
        return None
    earlier = load_file(os.path.join(parent["path"], "adapter_model.safetensors"))
    if earlier.keys() != trained.keys():
        return None
    # lora_A is (r, in): stack rows; lora_B is (out, r): stack columns
    return parent["base"], parent["target_modules"], {
        k: torch.cat([earlier[k].float(), v], dim=0 if ".lora_A." in k else 1) for k, v in trained.items()}


def write_adapter(base: str, target_modules: list[str], weights: dict[str, torch.Tensor], out_dir: str) -> None:
    """A PEFT adapter directory (what vLLM's ``LoRARequest`` loads) of rank ``weights``' at scale 1."""
    from peft import LoraConfig as PeftLoraConfig
    from safetensors.torch import save_file

    rank = next(v.shape[0] for k, v in weights.items() if ".lora_A." in k)
    os.makedirs(out_dir, exist_ok=True)
    PeftLoraConfig(r=rank, lora_alpha=rank, lora_dropout=0.0, target_modules=target_modules,
                   base_model_name_or_path=base, task_type="CAUSAL_LM").save_pretrained(out_dir)
    save_file({k: v.contiguous() for k, v in weights.items()}, os.path.join(out_dir, "adapter_model.safetensors"))
