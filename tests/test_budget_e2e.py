"""End to end on CPU with the embedded model (SmolLM2-135M-Instruct through r1bench-hf): `r1bench eval
--gen_kwargs thinking_budget=16` forces closes and shortens the thinking; `thinking_extend=1` extends
it; `r1bench sweep` writes a table whose numbers a plain reading of the samples files gives back.

The embedded model is not a reasoning model: it never writes ``</think>``. Its runs here pass
``starts_in_reasoning=true`` so the records read its whole output as thinking, which is how budget
forcing sees it (everything before a close is thinking); without it an unbudgeted record has no
thinking at all to compare with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SMALL = ["--tasks", "r1_smoke", "--limit", "3", "--max-gen-toks", "48", "--metadata",
         '{"starts_in_reasoning": true}']

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


def _r1bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="2", R1BENCH_LOCAL_STORE=str(tmp_path / "store"),
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "training"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "r1bench.cli", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _records(folder: Path) -> list[dict]:
    (path,) = folder.glob("**/samples_r1_smoke_*.jsonl")
    return [json.loads(r) for line in path.read_text().splitlines() for r in json.loads(line)["filtered_resps"][0]]


def _mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs)


def test_budget_and_extend_through_r1bench_eval(tmp_path):
    runs = {}
    for name, extra in (("plain", []), ("b16", ["--gen_kwargs", "thinking_budget=16"]),
                        ("ext1", ["--gen_kwargs", "thinking_extend=1"])):
        _r1bench(tmp_path, "eval", *SMALL, *extra, "--output_path", str(tmp_path / name), "--no-view")
        runs[name] = _records(tmp_path / name)
    plain, b16, ext1 = runs["plain"], runs["b16"], runs["ext1"]
    assert len(plain) == len(b16) == len(ext1) == 6
    assert all(r["budget"] is None for r in plain)

    assert all(r["budget"]["thinking_budget"] == 16 for r in b16)
    forced = [r for r in b16 if r["budget"]["close"] == "forced"]
    assert forced, [r["budget"] for r in b16]
    for r in forced:  # the close and the answer cue are in the text; the thinking is the budget
        assert "\n</think>\n\nFinal answer:" in r["raw_output"]
        assert r["budget"]["thinking_tokens"] == 16 and r["reasoning_tokens"] == 16
        assert r["completion_tokens"] == 16 + r["budget"]["answer_tokens"] <= 48
    assert _mean(r["reasoning_tokens"] for r in b16) < _mean(r["reasoning_tokens"] for r in plain)

    assert any(r["budget"]["extensions"] >= 1 and "Wait" in r["raw_output"] for r in ext1)
    assert all(r["budget"]["extensions"] <= 1 for r in ext1)

    # The run's protocol: the results JSON's task config carries the option.
    (results,) = (tmp_path / "b16").glob("**/results_*.json")
    assert json.loads(results.read_text())["configs"]["r1_smoke"]["generation_kwargs"]["thinking_budget"] == 16


def test_sweep_on_r1_smoke_writes_the_table_of_its_records(tmp_path):
    sweep_dir = tmp_path / "sweep"
    args = ["sweep", "--budgets", "8,16,32", "--sweep-dir", str(sweep_dir), "--tasks", "r1_smoke", "--limit", "2",
            "--max-gen-toks", "40"]
    _r1bench(tmp_path, *args)
    table = json.loads((sweep_dir / "sweep.json").read_text())
    assert (sweep_dir / "sweep.png").read_bytes()[:8] == PNG_MAGIC
    assert [r["budget"] for r in table["rows"]] == [8, 16, 32]
    for row in table["rows"]:
        # Recomputed here by plain reading: per question the share correct, averaged.
        lines = [json.loads(x) for x in
                 next((sweep_dir / f"budget_{row['budget']}").glob("**/samples_r1_smoke_*.jsonl")).read_text().splitlines()]
        per_q = [[json.loads(r) for r in line["filtered_resps"][0]] for line in lines]
        flat = [r for q in per_q for r in q]
        assert row["pass@1"] == pytest.approx(_mean(_mean(1.0 if r["correct"] else 0.0 for r in q) for q in per_q))
        assert row["mean_thinking_tokens"] == pytest.approx(_mean(r["budget"]["thinking_tokens"] for r in flat))
        assert row["forced_close_share"] == pytest.approx(_mean(r["budget"]["close"] == "forced" for r in flat))
        assert row["n_samples"] == len(flat) == 4
        assert all(r["budget"]["thinking_tokens"] <= row["budget"] for r in flat)
        lo, hi = row["pass@1_ci"]
        assert lo <= row["pass@1"] <= hi
    # A second invocation finds every budget done and only rebuilds the table.
    proc = _r1bench(tmp_path, *args)
    assert proc.stderr.count("done already") == 3
    assert json.loads((sweep_dir / "sweep.json").read_text())["rows"] == table["rows"]
