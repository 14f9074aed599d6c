"""How budget forcing ended the thinking, per task: in the metrics, `r1bench report` and the
`r1bench eval` headline, from samples whose budget records are written by hand."""

from __future__ import annotations

import json
import shutil

import pytest
from results_fixture import FIXTURE

from r1bench.eval_ux import headline_lines
from r1bench.metrics import budget_summary
from r1bench.results.ingest import parse_record
from r1bench.results.report import budget_lines


def _b(tokens: int, close: str, extensions: int = 0) -> dict:
    return {"thinking_budget": 16, "thinking_extend": 1, "thinking_tokens": tokens, "answer_tokens": 4,
            "close": close, "extensions": extensions}


# Four budget-forced samples and one without a budget record (e.g. a failed request).
RECORDS = [{"budget": _b(16, "forced")}, {"budget": _b(10, "natural")}, {"budget": _b(16, "forced", 1)},
           {"budget": _b(12, "natural", 1)}, {"budget": None}]
# By hand: 2 of 4 forced, 2 of 4 natural, 2 of 4 extended, thinking (16 + 10 + 16 + 12) / 4 = 13.5.


def test_budget_summary_by_hand():
    assert budget_summary(RECORDS) == {"thinking_budget": 16, "thinking_extend": 1, "n": 4,
                                       "forced_close_share": 0.5, "natural_close_share": 0.5,
                                       "extended_share": 0.5, "mean_thinking_tokens": 13.5}
    assert budget_summary([{"budget": None}, {}]) is None  # an unbudgeted run: no section anywhere
    assert budget_lines([{"budget": None}]) == []


def test_report_section():
    text = "\n".join(budget_lines(RECORDS))
    assert "thinking_budget=16, thinking_extend=1" in text
    for row in ("| thinking closed by force % | 50.0 |", "| thinking closed by the model % | 50.0 |",
                "| thinking extended % | 50.0 |", "| mean thinking tokens | 13.5 |", "| budgeted samples | 4 |"):
        assert row in text


@pytest.fixture()
def budget_run(tmp_path):
    """The fixture run with the first four records of every MATH-500 question budget-forced as above."""
    dest = tmp_path / "out"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = next(dest.rglob("samples_r1_math500_*.jsonl"))
    lines = []
    for raw in path.read_text().splitlines():
        line = json.loads(raw)
        recs = [parse_record(r) for r in line["filtered_resps"][0]]
        for rec, src in zip(recs, RECORDS):
            rec["budget"] = src["budget"]
        line["filtered_resps"] = [[json.dumps(r) for r in recs]]
        lines.append(line)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return dest


def test_eval_headline_says_the_run_was_budgeted(budget_run):
    lines = headline_lines(budget_run, since=0.0, elapsed=10.0)
    (i,) = [n for n, line in enumerate(lines) if line.startswith("r1_math500:")]
    assert lines[i + 1] == ("  thinking budget 16, extend 1: closed by force 50.0%, by the model 50.0%, "
                            "extended 50.0%; mean thinking 13.5 tokens")
    assert not any("thinking budget" in line for line in lines if line.startswith("r1_gpqa"))
