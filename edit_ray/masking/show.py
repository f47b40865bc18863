"""``edit-ray mask show``: one pair with its key tokens highlighted, like the paper's Figure 3.

Reads one row of a masks table (``pair_id, prompt_ids, chosen_ids, rejected_ids, chosen_key,
rejected_key``) and decodes it token by token with the tokenizer recorded in the table's schema metadata
(or the one given). Key tokens of the correct CoT are shown green, those of the wrong CoT red; in the
terminal with rich, and optionally as a standalone HTML file.
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


def mask_show_command(masks_path: str, *, pair_id: str, html: str | None = None, tokenizer: str | None = None) -> int:
    """Print one pair with highlighted key tokens; with ``html`` also write it as an HTML page.

    Returns:
        0, or 2 when the file, the pair or a tokenizer is missing (the message says which).
    """
    from rich.console import Console
    from rich.text import Text

    from edit_ray.models import load_tokenizer

    err = Console(stderr=True)
    if masks_path is None or pair_id is None:
        err.print("edit-ray mask show: give the masks Parquet and --pair ID")
        return 2
    try:
        table = io.read_table(masks_path)
    except FileNotFoundError as e:
        err.print(f"edit-ray mask show: {e}")
        return 2
    tokenizer = tokenizer or (table.schema.metadata or {}).get(_TOKENIZER_KEY, b"").decode() or None
    if tokenizer is None:
        err.print(f"edit-ray mask show: {masks_path} records no tokenizer; pass --tokenizer MODEL")
        return 2
    rows = table.filter(pc.equal(table["pair_id"], str(pair_id))).to_pylist()
    if not rows:
        err.print(f"edit-ray mask show: no pair_id {pair_id!r} in {masks_path} ({table.num_rows} pairs)")
        return 2
    row, tok = rows[0], load_tokenizer(tokenizer)
    prompt = tok.decode(row["prompt_ids"], skip_special_tokens=False)
    sides = {s: (token_pieces(tok, row[f"{s}_ids"]), list(row[f"{s}_key"])) for s in ("chosen", "rejected")}

    out = Console()
    out.rule(f"pair {pair_id}")
    out.print(Text(prompt, style="dim"))
    for side, style in (("chosen", "bold black on green"), ("rejected", "bold white on red")):
        pieces, key = sides[side]
        out.rule(f"{side}: {sum(key)} key tokens of {len(key)}")
        text = Text()
        for p, k in zip(pieces, key):
            text.append(p, style=style if k else None)
        out.print(text)
    if html:
        with open(html, "w", encoding="utf-8") as f:
            f.write(render_html(str(pair_id), prompt, sides))
        out.print(f"wrote {html}")
    return 0
