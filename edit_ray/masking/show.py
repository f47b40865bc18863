"""One pair with its key tokens highlighted, like the paper's Figure 3 (for ``edit-ray mask show``).

``read_pair`` reads one row of a masks table (``pair_id, prompt_ids, chosen_ids, rejected_ids, chosen_key,
rejected_key``) and decodes it token by token with the tokenizer recorded in the table's schema metadata
(or the one given). Key tokens of the correct CoT are shown green, those of the wrong CoT red; in the
terminal with rich (``edit_ray.cli.mask_show_command``), and optionally as a standalone HTML file
(``render_html``).
"""

from __future__ import annotations

import html as html_lib

import pyarrow.compute as pc

from edit_ray import io

_TOKENIZER_KEY = b"edit_ray.tokenizer"
_CSS = """body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto}
.cot{white-space:pre-wrap;font-family:ui-monospace,monospace;border:1px solid #ccc;border-radius:6px;padding:.8em}
.chosen .key{background:#b7f0b1}.rejected .key{background:#f7b9b9}.prompt{color:#666}
h3{margin-bottom:.3em}"""


def token_pieces(tokenizer, ids: list[int]) -> list[str]:
    """Text of each token such that ``"".join(pieces)`` is the decoded sequence (special tokens kept)."""
    pieces, prev = [], ""
    for t in range(1, len(ids) + 1):
        # decoding prefixes keeps multi-byte characters split across tokens intact
        text = tokenizer.decode(ids[:t], skip_special_tokens=False)
        pieces.append(text[len(prev):] if text.startswith(prev) else tokenizer.decode(ids[t - 1:t]))
        prev = text
    return pieces


def render_html(pair_id: str, prompt: str, sides: dict[str, tuple[list[str], list[int]]]) -> str:
    """A standalone HTML page with the prompt and both CoTs, key tokens highlighted."""
    titles = {"chosen": "Correct CoT (chosen): key tokens", "rejected": "Wrong CoT (rejected): key tokens"}
    parts = [f"<!doctype html><meta charset='utf-8'><title>{html_lib.escape(pair_id)}</title><style>{_CSS}</style>",
             (f"<h2>pair {html_lib.escape(pair_id)}</h2><h3>Prompt</h3><div class='cot prompt'>"
              f"{html_lib.escape(prompt)}</div>")]
    for side, (pieces, key) in sides.items():
        spans = "".join(f"<span class='key'>{html_lib.escape(p)}</span>" if k else html_lib.escape(p)
                        for p, k in zip(pieces, key))
        parts.append(f"<h3>{titles[side]} {sum(key)}</h3><div class='cot {side}'>{spans}</div>")
    return "\n".join(parts) + "\n"


class ShowError(Exception):
    """The masks file, the pair or a tokenizer is missing; the message says which."""


def read_pair(masks_path: str, pair_id: str, tokenizer: str | None = None) -> tuple[str, dict]:
    """The prompt of one pair and, per side, its token pieces and 0/1 key mask.

    Args:
        tokenizer: model alias or dir; default: the one recorded in the masks table.
    Returns:
        ``(prompt, {"chosen": (pieces, key), "rejected": (pieces, key)})``, as ``render_html`` takes them.
    Raises:
        ShowError: no such file, no tokenizer recorded or given, or no such pair_id.
    """
    from edit_ray.models import load_tokenizer

    try:
        table = io.read_table(masks_path)
    except FileNotFoundError as e:
        raise ShowError(str(e)) from e
    tokenizer = tokenizer or (table.schema.metadata or {}).get(_TOKENIZER_KEY, b"").decode() or None
    if tokenizer is None:
        raise ShowError(f"{masks_path} records no tokenizer; pass --tokenizer MODEL")
    rows = table.filter(pc.equal(table["pair_id"], str(pair_id))).to_pylist()
    if not rows:
        raise ShowError(f"no pair_id {pair_id!r} in {masks_path} ({table.num_rows} pairs)")
    row, tok = rows[0], load_tokenizer(tokenizer)
    prompt = tok.decode(row["prompt_ids"], skip_special_tokens=False)
    return prompt, {s: (token_pieces(tok, row[f"{s}_ids"]), list(row[f"{s}_key"])) for s in ("chosen", "rejected")}
