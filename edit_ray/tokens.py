"""Tokenization of a (prompt, response) pair, shared by key-step masking and training.

EDIT's masks are per token (edit-method.md §2), so masking and training must cut the text into the same
tokens: both call ``tokenize_pair`` with the same tokenizer. The response gets EOS appended, which is a
training target (stage 1 and KRSL learn to stop).
"""

from __future__ import annotations


def tokenize_pair(tokenizer, prompt: str, response: str) -> tuple[list[int], list[int]]:
    """Token ids of a prompt and of its response.

    Args:
        tokenizer: a Hugging Face tokenizer with an ``eos_token_id``.
        prompt: the student prompt.
        response: the CoT that follows the prompt.
    Returns:
        ``(prompt_ids, response_ids)``: ``prompt_ids`` with the tokenizer's special tokens (BOS where it
        adds one); ``response_ids`` without special tokens, plus ``eos_token_id`` at the end.
    Raises:
        ValueError: the tokenizer has no EOS token.
    """
    if tokenizer.eos_token_id is None:
        raise ValueError(f"tokenizer {getattr(tokenizer, 'name_or_path', '?')!r} has no eos_token_id")
    prompt_ids = list(tokenizer(prompt, add_special_tokens=True).input_ids)
    response_ids = list(tokenizer(response, add_special_tokens=False).input_ids) + [tokenizer.eos_token_id]
    return prompt_ids, response_ids


def tokenize_pairs(tokenizer, prompts: list[str], responses: list[str]) -> tuple[list[list[int]], list[list[int]]]:
    """``tokenize_pair`` over many pairs with one batched tokenizer call per side (same ids, less overhead)."""
    if tokenizer.eos_token_id is None:
        raise ValueError(f"tokenizer {getattr(tokenizer, 'name_or_path', '?')!r} has no eos_token_id")
    if not prompts:
        return [], []
    prompt_ids = [list(x) for x in tokenizer(list(prompts), add_special_tokens=True).input_ids]
    eos = tokenizer.eos_token_id
    response_ids = [list(x) + [eos] for x in tokenizer(list(responses), add_special_tokens=False).input_ids]
    return prompt_ids, response_ids
