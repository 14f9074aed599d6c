"""Reasoning efficiency aggregated per task: in the results JSON, the leaderboard entry and table,
and `r1bench report`, from responses whose first correct candidate position is known.

Each response below has a reasoning of exactly 100 characters (30 for the last) and an engine token
count; without a tokenizer a candidate's position is its character offset scaled to that count, so
the expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import json
import shutil

import pytest
from results_fixture import FIXTURE, seed_store

from r1bench.metrics import efficiency_summary
from r1bench.records import score_response
from r1bench.results.build import render
from r1bench.results.ingest import parse_record
from r1bench.results.leaderboard import load_board
from r1bench.results.leaderboard_cli import add_run
from r1bench.results.report import render_report
from r1bench.results.summary import EFFICIENCY_KEY, add_efficiency

GOLD = "7"
# (reasoning, engine reasoning tokens, expected first_correct_tokens, overthinking share, self-corrections)
SAMPLES = [
    # "So 3 + 4: the answer is 7" is 25 characters: correct at 25/100 of 100 tokens -> 25; 75 after it.
    ("So 3 + 4: the answer is 7. " + "Wait, " * 2 + "ok " * 20 + "!", 100, 25, 0.75, 2),
    # "answer is 6" is wrong; \boxed{7} ends at character 25 + 15 + 31 + 9 = 80 -> 160 of 200 tokens.
    ("I guess the answer is 6. " + "Alternatively, " + "ok " * 10 + " " + "\\boxed{7}" + "ok " * 6 + "ok",
     200, 160, 0.2, 1),
    # No candidate at all: no first correct position.
    ("ok " * 10, 50, None, None, 0),
    # "The answer is 7" is 15 characters: 15/100 of 1000 tokens -> 150; 850 of 1000 after it.
    ("The answer is 7. " + "ok " * 27 + "ok", 1000, 150, 0.85, 0),
]
# Over the four samples, by hand:
#   reasoning tokens 100, 200, 50, 1000 -> mean 337.5, median (100 + 200) / 2 = 150
#   answer tokens "\boxed{7}" = "\" + "boxed" (2) + "{" + "7" + "}" = 6 each -> 6, 6
#   first correct 25, 160, 150 -> mean 111.6667, median 150 (3 samples)
#   overthinking 0.75, 0.2, 0.85 -> mean 0.6, median 0.75 (3 samples)
#   self-corrections 2, 1, 0, 0 -> mean 0.75, median 0.5
EXPECTED = {
    "reasoning_tokens": (337.5, 150.0, 4),
    "answer_tokens": (6.0, 6.0, 4),
    "first_correct_tokens": (335 / 3, 150.0, 3),
    "overthinking_share": (0.6, 0.75, 3),
    "self_corrections": (0.75, 0.5, 4),
}


def _records() -> list[dict]:
    return [score_response(f"<think>{text}</think>\\boxed{{7}}", GOLD, reasoning_tokens=n).to_dict()
            for text, n, *_ in SAMPLES]


@pytest.mark.parametrize("i", range(len(SAMPLES)))
def test_each_sample_first_correct_position(i):
    text, n, first, share, corrections = SAMPLES[i]
    assert len(text) == (30 if first is None else 100)
    eff = _records()[i]["efficiency"]
    assert eff["reasoning_tokens"] == n
    assert eff["first_correct_tokens"] == first
    assert eff["overthinking_share"] == (None if share is None else pytest.approx(share))
    assert eff["self_corrections"] == corrections


def test_task_summary_means_and_medians():
    summary = efficiency_summary(_records())
    for name, (mean, median, n) in EXPECTED.items():
        assert summary[name] == {"mean": pytest.approx(mean), "median": pytest.approx(median), "n": n}, name


def test_records_without_efficiency_have_no_summary():
    old = [{k: v for k, v in r.items() if k != "efficiency"} for r in _records()]
    assert efficiency_summary(old) is None


@pytest.fixture()
def run_dir(tmp_path):
    """The fixture run with the four efficiency dicts on every MATH-500 question (k = 4), as a run made
    by this r1bench would carry them; the verdicts are untouched, so the run still verifies."""
    dest = tmp_path / "out"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    effs = [r["efficiency"] for r in _records()]
    path = next(dest.rglob("samples_r1_math500_*.jsonl"))
    lines = []
    for raw in path.read_text().splitlines():
        line = json.loads(raw)
        recs = [parse_record(r) for r in line["filtered_resps"][0]]
        assert len(recs) == len(effs)
        for rec, eff in zip(recs, effs):
            rec["efficiency"] = eff
        line["filtered_resps"] = [[json.dumps(r) for r in recs]]
        lines.append(line)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return dest


def test_results_json_gets_the_summary(run_dir):
    results = next(run_dir.rglob("results_*.json"))
    before = json.loads(results.read_text())
    (written,) = add_efficiency(run_dir).values()
    after = json.loads(results.read_text())
    assert set(after[EFFICIENCY_KEY]) == {"r1_math500"}  # the other tasks' records predate efficiency
    got = after[EFFICIENCY_KEY]["r1_math500"]
    for name, (mean, median, n) in EXPECTED.items():
        assert got[name] == {"mean": pytest.approx(mean), "median": pytest.approx(median), "n": 6 * n}, name
    assert {k: v for k, v in after.items() if k != EFFICIENCY_KEY} == before  # lm-eval's content kept
    assert add_efficiency(run_dir) == {str(results): written}  # idempotent


def test_entry_and_table_carry_efficiency(run_dir, tmp_path):
    store = seed_store(tmp_path / "results")
    add_run(run_dir, results_dir=store)
    (entry,) = load_board(store / "leaderboards" / "math500.json")["entries"]
    for name, (mean, median, n) in EXPECTED.items():
        assert entry["efficiency"][name] == {"mean": round(mean, 4), "median": median, "n": 6 * n}, name
    (gpqa,) = load_board(store / "leaderboards" / "gpqa_diamond.json")["entries"]
    assert "efficiency" not in gpqa  # records from before efficiency: no field, not zeros
    md = render(store)["LEADERBOARD.md"].decode()
    math_table = md.split("## MATH-500")[1].split("\n## ")[0]
    gpqa_table = md.split("## GPQA-Diamond")[1].split("\n## ")[0]
    assert "Thinking: median tokens · overthinking" in math_table
    assert "| 150 · 60% |" in math_table  # median reasoning tokens, mean overthinking share
    assert "Thinking" not in gpqa_table  # no entry there measured it: the table is as before
    html = render(store)["LEADERBOARD.html"].decode()
    assert "<td>150 · 60%</td>" in html


def test_report_has_an_efficiency_section(run_dir):
    md = render_report(run_dir, tasks=["r1_math500", "r1_gpqa_diamond"])["report.md"].decode()
    math = md.split("## r1_math500")[1]
    assert "### Reasoning efficiency" in math
    assert "| reasoning tokens | 337.5 | 150.0 | 24 |" in math
    assert "| tokens until the first correct candidate | 111.7 | 150.0 | 18 |" in math
    assert "| overthinking % (reasoning after it) | 60.0 | 75.0 | 18 |" in math
    assert "| self-corrections | 0.75 | 0.50 | 24 |" in math
    assert "A correct candidate appeared in the reasoning of 18 of 24 samples." in math
    assert "### Reasoning efficiency" not in md.split("## r1_gpqa_diamond")[1].split("## r1_math500")[0]


def test_r1bench_eval_writes_the_summary_into_its_run(run_dir, tmp_path, monkeypatch):
    """`r1bench eval` adds the summary to the results JSON lm-eval just wrote (a stand-in lm-eval
    writes the run above), so every run carries it without a separate command."""
    import lm_eval.__main__
    import lm_eval.utils

    from r1bench.lm_eval import cli

    monkeypatch.setattr(lm_eval.utils, "_LOGGING_CONFIGURED", True)  # keep stderr unbound
    out = tmp_path / "eval_out"

    def fake_lm_eval() -> None:
        shutil.copytree(run_dir, out / "model")
        for path in out.rglob("*.json*"):
            path.touch()  # written during this run

    monkeypatch.setattr(lm_eval.__main__, "cli_evaluate", fake_lm_eval)
    cli.main(["--model", "hf", "--model_args", "pretrained=/nonexistent/model", "--tasks", "r1_smoke",
              "--limit", "1", "--no-view", "--output_path", str(out)])
    got = json.loads(next(out.rglob("results_*.json")).read_text())[EFFICIENCY_KEY]["r1_math500"]
    for name, (mean, median, n) in EXPECTED.items():
        assert got[name] == {"mean": pytest.approx(mean), "median": pytest.approx(median), "n": 6 * n}, name
