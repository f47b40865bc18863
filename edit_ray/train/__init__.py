"""Student training on Ray Train (or plain torchrun): stage 1 SFT and stage 2 KRSL (edit-method.md §3).

losses.py (pure loss functions), objectives.py (SFT and KRSL: batches, divisor, loss, metrics), data.py
(examples and batches), strategies.py (DDP / FSDP2 / DeepSpeed, LoRA), checkpoint.py (training state in a
checkpoint directory), loop.py (the per-worker loop), worker.py (its rank, rows, checkpoints and reports,
from Ray Train or torchrun), __main__.py (``python -m edit_ray.train``: one stage under torchrun, no Ray),
export.py (merged HF directory), run.py (TorchTrainer construction, ``train_stage``, ``stage_inputs`` and
``train_in_run_dir`` for ``edit-ray train``), steps.py (the pipeline's sft and krsl steps).
"""
