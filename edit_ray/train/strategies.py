"""How the student is built and spread over Ray Train workers: DDP, FSDP2 or DeepSpeed ZeRO-2/3.

Each function branches on ``cfg.strategy`` (``Literal["ddp", "fsdp2", "deepspeed"]``); there is no class
per strategy. The student is a Hugging Face causal LM, either fully fine-tuned or with a LoRA adapter
(PEFT) when ``StudentConfig.lora`` is set. As in the paper, stage 1 trains a LoRA that is merged into the
weights at export; stage 2 starts a fresh LoRA on that merged model.

- DDP: torch's ``DistributedDataParallel`` (gradients averaged over ranks), as Ray's ``prepare_model`` does.
- FSDP2: ``torch.distributed.fsdp.fully_shard`` on each decoder layer, then on the root. (Ray's
  ``prepare_model(parallel_strategy="fsdp")`` is FSDP1, which fails on CPU.)
- DeepSpeed: ``deepspeed.initialize`` inside the worker (Ray has made the process group) with a config
  built from ``TrainConfig``; the local rank is passed explicitly (ray issue #37212).
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import torch
import torch.distributed as dist

from edit_ray.config import LoraConfig, TrainConfig


# ------------------------------------------------------------------------------------- building
def build_model(init_model: str, lora: LoraConfig | None, dtype: torch.dtype = torch.float32) -> torch.nn.Module:
    """The student from a local HF directory, with a fresh LoRA adapter when ``lora`` is set.

    Master weights stay in ``dtype`` (fp32); bf16 is applied by autocast in the loop.
    """
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(init_model, dtype=dtype)
    model.config.use_cache = False  # no KV cache while training
    if lora is not None:
        from peft import LoraConfig as PeftLoraConfig
        from peft import get_peft_model

        model = get_peft_model(model, PeftLoraConfig(
            r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=list(lora.target_modules),
            bias="none", task_type="CAUSAL_LM"))
    return model


def lr_factor(cfg: TrainConfig, steps_per_epoch: int, total_steps: int):
    """LR multiplier per optimizer step: StepLR (γ per epoch, the paper) or linear warm-up + cosine."""

    def step_lr(step: int) -> float:
        return cfg.step_gamma ** (step // max(steps_per_epoch, 1))

    def cosine(step: int) -> float:
        warm = int(cfg.warmup_ratio * total_steps)
        if step < warm:
            return (step + 1) / warm
        progress = (step - warm) / max(total_steps - warm, 1)
        return 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    match cfg.scheduler:
        case "step":
            return step_lr
        case "cosine":
            return cosine
        case other:
            raise ValueError(f"scheduler={other!r}; valid: 'step', 'cosine'")


def deepspeed_config(cfg: TrainConfig) -> dict:
    """A DeepSpeed config from our TrainConfig (one source of truth for lr, clipping, ZeRO stage)."""
    return {
        "train_micro_batch_size_per_gpu": cfg.batch_size,
        "gradient_accumulation_steps": cfg.grad_accum,
        "zero_optimization": {"stage": cfg.zero_stage},
        "optimizer": {"type": "AdamW", "params": {
            "lr": cfg.lr, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": cfg.weight_decay,
            "torch_adam": not cfg.use_gpu,  # DeepSpeed's fused Adam needs CUDA
        }},
        "gradient_clipping": cfg.max_grad_norm or 0.0,
        "bf16": {"enabled": cfg.bf16},
        "steps_per_print": 10**9,
        "wall_clock_breakdown": False,
    }


def _decoder_layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    names = set(getattr(base, "_no_split_modules", None) or [])
    layers = [m for m in model.modules() if type(m).__name__ in names]
    if not layers:
        raise ValueError(f"FSDP2: found no decoder layers ({sorted(names)}) in {type(base).__name__}")
    return layers


def wrap_for_strategy(model: torch.nn.Module, cfg: TrainConfig, steps_per_epoch: int, total_steps: int,
                      device: torch.device, local_rank: int):
    """Put the model on this worker's device under the strategy; build AdamW and the LR schedule.

    Returns:
        ``(model, optimizer, scheduler, engine)``; ``engine`` is the DeepSpeed engine (which then also is
        ``model`` and owns optimizer and scheduler) or None.
    """
    params = lambda m: [p for p in m.parameters() if p.requires_grad]
    schedule = lr_factor(cfg, steps_per_epoch, total_steps)
    adamw = {"lr": cfg.lr, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": cfg.weight_decay}
    match cfg.strategy:
        case "ddp":
            model.to(device)
            if dist.is_initialized() and dist.get_world_size() > 1:
                from torch.nn.parallel import DistributedDataParallel

                model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
        case "fsdp2":
            from torch.distributed.fsdp import fully_shard

            model.to(device)
            for layer in _decoder_layers(model):
                fully_shard(layer)
            fully_shard(model)
        case "deepspeed":
            import deepspeed

            engine, optimizer, _, scheduler = deepspeed.initialize(
                model=model, model_parameters=params(model), config=deepspeed_config(cfg),
                lr_scheduler=lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, schedule),
                dist_init_required=False, args=type("Args", (), {"local_rank": local_rank})())
            return engine, optimizer, scheduler, engine
        case other:
            raise ValueError(f"strategy={other!r}; valid: 'ddp', 'fsdp2', 'deepspeed'")
    optimizer = torch.optim.AdamW(params(model), **adamw)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    return model, optimizer, scheduler, None


# ------------------------------------------------------------------------------------ stepping
def no_grad_sync(model: torch.nn.Module, cfg: TrainConfig, last_micro: bool):
    """Skip the gradient all-reduce on all but the last micro-batch of an accumulation window."""
    if cfg.strategy == "ddp" and not last_micro and hasattr(model, "no_sync"):
        return model.no_sync()
    if cfg.strategy == "fsdp2":
        model.set_requires_gradient_sync(last_micro)
    return contextlib.nullcontext()  # DeepSpeed accumulates by itself (gradient_accumulation_steps)


def clip_grad_norm(model: torch.nn.Module, cfg: TrainConfig) -> float:
    """Global gradient norm (after an all-reduce/reduce-scatter), clipped when ``max_grad_norm`` is set."""
    params = [p for p in model.parameters() if p.grad is not None]
    norm = torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm or float("inf"))
    if hasattr(norm, "full_tensor"):  # FSDP2: a DTensor sharded over ranks
        norm = norm.full_tensor()
    return float(norm)


def unwrapped(model: torch.nn.Module) -> torch.nn.Module:
    """The HF (or PEFT) module under DDP/DeepSpeed wrappers (FSDP2 shards in place, no wrapper)."""
    return getattr(model, "module", model)


def full_state_dict(model: torch.nn.Module, cfg: TrainConfig) -> dict[str, Any] | None:
    """The whole (PEFT) model's state on CPU, on rank 0 (None elsewhere). Collective: call on every rank."""
    rank = dist.get_rank() if dist.is_initialized() else 0
    match cfg.strategy:
        case "ddp":
            sd = {k: v.detach().cpu() for k, v in unwrapped(model).state_dict().items()}
        case "fsdp2":
            from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

            sd = get_model_state_dict(model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
        case "deepspeed":
            if cfg.zero_stage == 3:
                sd = model._zero3_consolidated_16bit_state_dict()  # gathers partitions to rank 0
            else:
                sd = {k: v.detach().cpu() for k, v in model.module.state_dict().items()}
        case other:
            raise ValueError(f"strategy={other!r}")
    return sd if rank == 0 else None
