"""`r1bench report`: breakdowns, length histogram, loops, pass@k / maj@k curves, valid PNGs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from r1bench.metrics import pass_at_k
from r1bench.results.ingest import SampleDoc, read_samples
from r1bench.results.plots import png_text_chunks
from r1bench.results.report import breakdown, curve_ks, main, maj_curve, pass_curve, render_report

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "lm_eval_output"


@pytest.fixture(scope="module")
def files():
    return render_report(FIXTURE)


@pytest.mark.parametrize("n,ks", [(1, [1]), (4, [1, 2, 4]), (8, [1, 2, 4, 8]), (6, [1, 2, 4, 6]), (64, [1, 2, 4, 8, 16, 32, 64])])
def test_curve_ks(n, ks):
    assert curve_ks(n) == ks


@pytest.mark.parametrize("heading", [
    "### By subject", "### By level", "### By domain", "### By category", "### Completion lengths",
    "### pass@k and maj@k over k", "### Truncated and looping samples",
])
def test_report_has_breakdowns(files, heading):
    assert heading in files["report.md"].decode()


def test_report_pngs_valid_and_referenced(files):
    md = files["report.md"].decode()
    pngs = [n for n in files if n.endswith(".png")]
    assert {"r1_math500_by_subject.png", "r1_math500_by_level.png", "r1_gpqa_diamond_by_domain.png",
            "r1_moleculeqa100_by_category.png", "r1_math500_lengths.png", "r1_math500_pass_maj_at_k.png"} <= set(pngs)
    for name in pngs:
        assert files[name].startswith(b"\x89PNG\r\n\x1a\n")
        assert png_text_chunks(files[name])["Comment"]
        assert f"({name})" in md


def test_loops_quoted_for_math_but_not_gpqa(files):
    md = files["report.md"].decode()
    math_part = md.split("## r1_math500")[1].split("## r1_moleculeqa100")[0]
    gpqa_part = md.split("## r1_gpqa_diamond")[1].split("## r1_math500")[0]
    assert "Looping: doc" in math_part and "recompute the sum" in math_part
    assert "Truncated: doc" in math_part
    assert "Looping: doc" not in gpqa_part and "not quoted for GPQA" in gpqa_part
    assert "Made-up" not in gpqa_part


def test_cap_marked_in_lengths_section(files):
    md = files["report.md"].decode()
    assert "reached the cap of 32768 tokens" in md


def _docs():
    return read_samples(next(FIXTURE.rglob("samples_r1_math500_*.jsonl")))


def test_pass_curve_matches_estimator():
    docs = _docs()
    got = pass_curve(docs, [1, 2, 4])
    for k, v in zip([1, 2, 4], got):
        want = 100 * sum(pass_at_k(len(d.records), sum(r["correct"] for r in d.records), k) for d in docs) / len(docs)
        assert v == pytest.approx(want)
    assert got == sorted(got)


def test_maj_curve_groups_equivalent_answers():
    def rec(ans, ok):
        return {"extracted": ans, "correct": ok, "truncated": False, "loop_detected": False, "completion_tokens": 1}

    doc = SampleDoc(0, {}, "3/4", [rec("7", False), rec("0.75", True), rec("\\frac{3}{4}", True), rec("7", False)])
    # first 1: "7" wins (wrong); first 3: 0.75 and \frac{3}{4} vote together (2) against "7" (1).
    assert maj_curve([doc], [1, 3], "math") == [0.0, 100.0]


@pytest.mark.parametrize("task,kind", [("r1_math500", "math"), ("r1_gpqa_diamond", "choice"),
                                       ("r1_moleculeqa100", "choice")])
def test_maj_curve_at_k_matches_the_results_json(task, kind):
    # maj@k over all k samples equals lm-eval's aggregated maj@k (numbers unchanged by the rewrite).
    results = json.loads(next(FIXTURE.rglob("results_*.json")).read_text())
    docs = read_samples(next(FIXTURE.rglob(f"samples_{task}_*.jsonl")))
    k = results["configs"][task]["metadata"]["k"]
    assert maj_curve(docs, [k], kind) == [pytest.approx(100 * results["results"][task]["maj@k,r1"])]


def test_maj_curve_calls_math_equal_pred_first(monkeypatch):
    # math_equal is asymmetric (prediction, gold): the report must not reorder its arguments.
    calls = []

    def fake(pred, gold, **_kw):
        calls.append((pred, gold))
        return pred == gold or (pred, gold) == ("y", "x")

    monkeypatch.setattr("r1bench.grading.equality.math_equal", fake)  # where answer_equality looks it up

    def rec(ans):
        return {"extracted": ans, "correct": False, "truncated": False, "loop_detected": False,
                "completion_tokens": 1, "gold": "x"}

    doc = SampleDoc(0, {"answer": "x"}, "x", [rec("y"), rec("y"), rec(None)])
    assert maj_curve([doc], [3], "math") == [100.0]
    assert ("y", "x") in calls and ("x", "y") not in calls


@pytest.mark.parametrize("answers,gold,want", [
    (["b", " B", "A"], "B", 100.0),
    (["A", "C", "C"], "B", 0.0),
    ([None, None, "d"], "D", 100.0),
])
def test_maj_curve_votes_letters(answers, gold, want):
    recs = [{"extracted": a, "correct": False, "truncated": False, "loop_detected": False, "completion_tokens": 1}
            for a in answers]
    assert maj_curve([SampleDoc(0, {"answer": gold}, gold, recs)], [3], "choice") == [want]


@pytest.mark.parametrize("field,values", [("subject", None), ("level", ["1", "2", "3", "4", "5"])])
def test_breakdown_rows(field, values):
    docs = _docs()
    rows = breakdown(docs, field)
    assert sum(r["questions"] for r in rows) == len(docs)
    if values:
        assert [r["value"] for r in rows] == values


def test_cli_writes_report(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main([str(FIXTURE), "--out", str(out), "--task", "r1_moleculeqa100"]) == 0
    assert (out / "report.md").exists()
    assert "### By category" in (out / "report.md").read_text()
    assert (out / "r1_moleculeqa100_lengths.png").read_bytes().startswith(b"\x89PNG")


def test_cli_missing_dir(tmp_path, capsys):
    assert main([str(tmp_path / "nope")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_render_is_deterministic():
    assert render_report(FIXTURE) == render_report(FIXTURE)


def test_two_runs_in_one_folder_keep_their_sections_and_plots_apart(tmp_path):
    import shutil

    src = next(FIXTURE.rglob("results_*.json")).parent
    dest = tmp_path / "out" / "model"
    dest.mkdir(parents=True)
    for ts in ("2025-02-01T10-00-00.000000", "2025-03-01T10-00-00.000000"):
        for f in src.iterdir():
            if f.suffix in (".json", ".jsonl") and "r1_math500" in f.name or f.name.startswith("results_"):
                shutil.copy(f, dest / f.name.replace("2025-02-01T10-00-00.000000", ts))
    files = render_report(tmp_path / "out", tasks=["r1_math500"])
    md = files["report.md"].decode()
    assert "## r1_math500 (run 2025-02-01T10-00-00.000000)" in md
    assert "## r1_math500 (run 2025-03-01T10-00-00.000000)" in md
    assert "2025-02-01T10-00-00.000000_r1_math500_lengths.png" in files
    assert "2025-03-01T10-00-00.000000_r1_math500_lengths.png" in files
    assert "](2025-03-01T10-00-00.000000_r1_math500_lengths.png)" in md
