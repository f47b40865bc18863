"""The run report renders from a synthetic run directory, its numbers match the inputs, its plots are PNGs,
and every section degrades to "not run" when its input is absent."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from edit_ray import io
from edit_ray.cli import report_command
from edit_ray.evaluate import summarize
from edit_ray.report import headline_sentence, key_runs, render_key_text, write_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _rows(method: str, benchmark: str, task: str, n: int, n_correct: int) -> list[dict]:
    return [{"qid": f"{task}/{i}", "benchmark": benchmark, "task": task, "method": method,
             "correct": i < n_correct, "error": None} for i in range(n)]


def _summary() -> dict:
    # edit-stage1: ind 2/4, ood 1/2 -> average 50.0; edit: ind 3/4, ood 2/2 -> average 87.5
    rows = (_rows("edit-stage1", "ind", "arith", 4, 2) + _rows("edit-stage1", "ood", "logic", 2, 1)
            + _rows("edit", "ind", "arith", 4, 3) + _rows("edit", "ood", "logic", 2, 2)
            + _rows("zero-shot", "ind", "arith", 4, 0) + _rows("zero-shot", "ood", "logic", 2, 1))
    s = summarize(rows)
    s["notes"] = ["teacher: omitted (no CEP rows for held-out questions)"]
    s["settings"] = {"final_method": "edit"}
    s["engines"] = [{"kind": "vllm", "model": "/cache/models/smollm2-135m-instruct",
                     "methods": ["zero-shot", "edit-stage1", "edit"], "answers": 18, "resumed": 0}]
    return s


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, tiny_model_dir) -> Path:
    """A run directory as the pipeline would leave it, built by hand."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(tiny_model_dir) / "tokenizer.json"))
    d = tmp_path_factory.mktemp("run")
    (d / "config.yaml").write_text(f"student:\n  model: {tiny_model_dir}\n")
    io.write_json(_summary(), str(d / "eval" / "summary.json"))

    (d / "sft").mkdir()
    (d / "sft" / "metrics.jsonl").write_text(
        json.dumps({"step": 4, "loss": 9.0}) + "\n"  # a resumed run appends: the later row of step 4 wins
        + "\n".join(json.dumps({"step": s, "loss": 2.0 - 0.25 * s}) for s in range(1, 5)) + "\nnot json\n")
    (d / "krsl").mkdir()
    (d / "krsl" / "metrics.jsonl").write_text("\n".join(
        json.dumps({"step": s, "loss": 0.5 / s, "chosen_key_nll": 1.0 / s, "rejected_key_nll": 1.0 + s})
        for s in range(1, 4)))

    chosen = tok.encode(" so the answer is No.", add_special_tokens=False).ids
    rejected = tok.encode(" despite that, so the answer is Yes.", add_special_tokens=False).ids
    assert tok.decode(chosen[-2:-1]) == " No" and tok.decode(rejected[-2:-1]) == " Yes"
    chosen_key = [0] * len(chosen)
    chosen_key[-2] = 1  # " No"
    rejected_key = [0] * len(rejected)
    rejected_key[-2] = 1  # " Yes"
    rejected_key[0] = 1  # " despite"
    masks = [
        {"pair_id": "p0", "prompt_ids": [1, 2], "chosen_ids": chosen, "rejected_ids": rejected,
         "chosen_key": chosen_key, "rejected_key": rejected_key,
         "n_key_chosen": sum(chosen_key), "n_key_rejected": sum(rejected_key)},
        {"pair_id": "p1", "prompt_ids": [1], "chosen_ids": [5, 6, 7, 8], "rejected_ids": [5, 6, 9, 9],
         "chosen_key": [0, 0, 1, 1], "rejected_key": [0, 0, 1, 1], "n_key_chosen": 2, "n_key_rejected": 2},
    ]
    io.write_table(masks, str(d / "masks" / "masks.parquet"))
    io.write_table([{"pair_id": "p0", "origin": "dual+"}, {"pair_id": "p1", "origin": "dual-"}],
                   str(d / "dual" / "pairs.parquet"))
    io.write_json({"status": "done", "counts": {"stage": "teacher", "in": 10, "ok": 8, "errors": 2}, "seconds": 12.34},
                  str(d / "teacher" / "manifest.json"))
    io.write_errors([io.error_row("a", "teacher", "no_answer"), io.error_row("b", "teacher", "no_answer")],
                    str(d / "teacher" / "errors.parquet"))
    io.write_json({"in": 2, "ok": 2, "errors": 0}, str(d / "masks" / "stats.json"))
    for i, acc in ((1, 0.5), (2, 0.75)):
        io.write_json(summarize(_rows("edit-student", "ind", "arith", 4, int(4 * acc))),
                      str(d / f"round_{i}" / "eval" / "summary.json"))
    io.write_json({"before": {"split": "train", "wrong_samples": 7, "types": {"logic": 5, "calc": 2, "other": 0}},
                   "after": {"split": "eval", "wrong": 2, "n": 4, "types": {"logic": 2}}},
                  str(d / "round_1" / "mistakes.json"))
    return d


def _png_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        return im.size


def test_report_shows_the_numbers_and_valid_pngs(run_dir):
    md_path = write_report(str(run_dir))
    assert md_path == str(run_dir / "report.md")
    md = Path(md_path).read_text()
    page = (run_dir / "report.html").read_text()

    # the headline: the run's method against its stage 1, with the numbers (Std-CoT comes from edit-ray bench)
    assert "edit beat edit-stage1: average accuracy 87.5% vs 50.0% (+37.5 points over 2 benchmark(s)" in md
    assert "ind 75.0% vs 50.0%, ood 100.0% vs 50.0%) (the Std-CoT baseline over seeds, with CIs: `edit-ray bench`)" in md
    assert "Std-CoT (SFT)" not in md  # stage 1 is never called Std-CoT
    # benchmark table rows: method name, per-benchmark accuracy with n, average
    assert "| edit | 75.0 (n=4) | 100.0 (n=2) | 87.5 |" in md
    assert "| edit-stage1 | 50.0 (n=4) | 50.0 (n=2) | 50.0 |" in md
    assert "| zero-shot | 0.0 (n=4) | 50.0 (n=2) | 25.0 |" in md
    assert "| ind | arith | 4 | 0.0 | 50.0 | 75.0 |" in md  # per task: zero-shot, edit-stage1, edit
    assert "teacher: omitted" in md
    assert ("Answered by: a vllm engine of smollm2-135m-instruct for zero-shot, edit-stage1, edit (each student a "
            "LoRA adapter of that model, loaded per request).") in md
    # loss: 4 SFT steps 1.75 -> 1.0 (the bad line skipped, step 4 deduplicated), KRSL nll numbers
    assert "| SFT (stage 1) | 4 | 4 | 1.7500 | 1.0000 |" in md
    assert "| KRSL (stage 2) | 3 | 3 | 0.5000 | 0.1667 |" in md
    assert "last chosen key NLL 0.3333, rejected key NLL 4.0000" in md
    # key fractions: chosen 1/len(chosen) and 2/4; rejected 2/len(rejected) and 2/4
    masks = io.read_rows(str(run_dir / "masks" / "masks.parquet"))
    chosen_mean = 100 * (1 / len(masks[0]["chosen_ids"]) + 0.5) / 2
    assert f"| chosen | 2 | {chosen_mean:.2f} |" in md
    # key tokens of the example pair, decoded with the student's tokenizer
    assert "**No**" in md and "**Yes**" in md and "**despite**" in md
    assert '<span class="key-pos"> No</span>' in page and '<span class="key-neg"> Yes</span>' in page
    assert "pair p0 (dual+)" in md
    # stage counts from manifest.json / stats.json and errors.parquet
    assert ("| [teacher](teacher/) | 10 | 8 | 2 | [no_answer: 2](teacher/errors.parquet) | 12.3 | "
            "[teacher/manifest.json](teacher/manifest.json) |") in md
    assert "| [masks](masks/) | 2 | 2 | 0 | - | - | [masks/stats.json](masks/stats.json) |" in md
    # the HTML page links each stage's directory, errors table and counts file
    assert '<a href="teacher/">teacher</a>' in page and '<a href="teacher/errors.parquet">no_answer: 2</a>' in page
    assert '<a href="masks/stats.json">masks/stats.json</a>' in page
    assert "| sft | - | - | - | - | - | not run |" in md
    # ORION rounds
    assert re.search(r"\| 1 \| edit-student \| 50\.0 \| 50\.0 \|", md)
    assert re.search(r"\| 2 \| edit-student \| 75\.0 \| 75\.0 \|", md)
    assert "| 1 | 7 | calc: 2, logic: 5 | 2/4 | logic: 2 |" in md

    plots = ["accuracy_by_benchmark.png", "accuracy_by_task.png", "loss_curves.png", "key_fraction.png",
             "orion_rounds.png"]
    for name in plots:
        p = run_dir / "plots" / name
        assert p.read_bytes()[:8] == PNG_SIGNATURE, name
        w, h = _png_size(p)
        assert w > 0 and h > 0
        assert f"](plots/{name})" in md and f'src="plots/{name}"' in page


def test_report_of_an_empty_run_dir_says_not_run(tmp_path, capsys):
    assert report_command(str(tmp_path)) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == str(tmp_path / "report.md")
    md = (tmp_path / "report.md").read_text()
    assert "The run's method was not run through evaluation (eval/summary.json has no method)." in md
    for line in ("Evaluation not run", "Training not run", "Key-step masking not run", "ORION rounds not run"):
        assert line in md
    assert md.count("| not run |") == 7  # every stage row
    assert not (tmp_path / "plots").exists()
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_report_command_on_a_missing_dir_fails_cleanly(tmp_path, capsys):
    assert report_command(str(tmp_path / "nope")) == 2
    assert "run directory not found" in capsys.readouterr().err


def test_headline_when_edit_loses_or_ties():
    s = {**summarize(_rows("edit-stage1", "ind", "t", 4, 3) + _rows("edit", "ind", "t", 4, 1)),
         "settings": {"final_method": "edit"}}
    assert headline_sentence(s).startswith("edit did not beat edit-stage1: average accuracy 25.0% vs 75.0% "
                                           "(-50.0 points")
    s = {**summarize(_rows("edit-stage1", "ind", "t", 2, 1) + _rows("edit", "ind", "t", 2, 1)),
         "settings": {"final_method": "edit"}}
    assert "tied with" in headline_sentence(s)
    # with std-cot scored beside it (as in a bench cell's comparison), std-cot is the reference
    s = {**summarize(_rows("std-cot", "ind", "t", 4, 1) + _rows("edit-stage1", "ind", "t", 4, 3)
                     + _rows("edit", "ind", "t", 4, 2)), "settings": {"final_method": "edit"}}
    assert headline_sentence(s).startswith("edit beat std-cot: average accuracy 50.0% vs 25.0% (+25.0 points")


def test_key_runs_group_consecutive_tokens_and_render_both_formats():
    assert key_runs([1, 2, 3, 4, 5], [0, 1, 1, 0, 1]) == [(False, [1]), (True, [2, 3]), (False, [4]), (True, [5])]
    md, page = render_key_text([(False, "a*b is"), (True, " 12\n 13 "), (False, "<end>")], "key-pos")
    assert md == "a\\*b is **12**\n **13** \\<end\\>"
    assert page == 'a*b is<span class="key-pos"> 12\n 13 </span>&lt;end&gt;'


def test_teacher_scored_on_fewer_benchmarks_is_marked(tmp_path):
    rows = (_rows("edit-stage1", "ind", "t", 2, 1) + _rows("edit-stage1", "ood", "t", 2, 2)
            + _rows("teacher", "ind", "t", 2, 2))
    io.write_json({**summarize(rows), "settings": {"final_method": "edit"}}, str(tmp_path / "eval" / "summary.json"))
    md = Path(write_report(str(tmp_path))).read_text()
    assert "| teacher (CEP) | 100.0 (n=2) | - | 100.0* |" in md
    assert "| edit-stage1 | 50.0 (n=2) | 100.0 (n=2) | 75.0 |" in md
    assert "The run's method was not run through evaluation (eval/summary.json has no edit)." in md
    assert (tmp_path / "plots" / "accuracy_by_benchmark.png").read_bytes()[:8] == PNG_SIGNATURE


def test_a_broken_summary_does_not_stop_the_report(tmp_path):
    io.write_json({"methods": {"edit": {"benchmarks": {}}, "edit-stage1": {}}, "settings": {"final_method": "edit"}},
                  str(tmp_path / "eval" / "summary.json"))
    md = Path(write_report(str(tmp_path))).read_text()
    assert "Headline not determined (eval/summary.json unreadable: KeyError" in md
    assert "Could not render this section: KeyError" in md
    assert "ORION rounds not run" in md


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The page a browser opens next to report.html: it loads the report in a frame and writes what it finds there
# (each image's load state and decoded width, the first section and table, the key-token spans and their
# colour, the links) into its own DOM, which `chromium --dump-dom` prints.
_PROBE = """<html><body><pre id="out">not loaded</pre><iframe id="f" src="report.html" width="1200" height="900"></iframe>
<script>
document.getElementById("f").onload = function () {
  const d = this.contentDocument, key = d.querySelector(".key-pos");
  document.getElementById("out").textContent = "PROBE" + JSON.stringify({
    images: [...d.images].map(i => [i.getAttribute("src"), i.complete, i.naturalWidth]),
    first_section: d.querySelector("h2").textContent, first_table_rows: d.querySelector("table").rows.length,
    key_spans: d.querySelectorAll(".key-pos, .key-neg").length,
    key_colour: key ? getComputedStyle(key).backgroundColor : null,
    links: [...d.querySelectorAll("a")].map(a => a.getAttribute("href"))}) + "PROBE";
};
</script></body></html>"""


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true",
                    reason="no chromium on this machine (scripts/setup.sh installs it where it can; CI must have it)")
def test_report_html_in_headless_chromium_shows_tables_plots_key_tokens_and_links(run_dir):
    """The page as a browser renders it: every plot loads at its real size, the headline table comes first, the
    key tokens are highlighted, and the stage table links to the stages' artifacts."""
    write_report(str(run_dir))
    (run_dir / "probe.html").write_text(_PROBE)
    r = subprocess.run([CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom",
                        (run_dir / "probe.html").as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert "PROBE" in r.stdout, (r.returncode, r.stderr[-2000:])
    found = json.loads(html.unescape(r.stdout.split("PROBE")[1]))
    assert [(src, ok, width) for src, ok, width in found["images"]] == [
        (src, True, _png_size(run_dir / src)[0]) for src, _, _ in found["images"]]
    assert {src for src, _, _ in found["images"]} >= {"plots/accuracy_by_benchmark.png", "plots/loss_curves.png"}
    assert found["first_section"] == "Accuracy per benchmark and method"
    assert found["first_table_rows"] == 1 + 3  # header + zero-shot, edit-stage1, edit
    assert found["key_spans"] > 0 and found["key_colour"] == "rgb(200, 247, 197)"  # the CSS's #c8f7c5
    assert {"teacher/", "teacher/manifest.json", "teacher/errors.parquet", "masks/stats.json"} <= set(found["links"])
    for href in found["links"]:
        assert (run_dir / href).exists(), href
