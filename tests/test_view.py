"""``r1bench view``: the page's embedded data, its safety against model text, and the CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from results_fixture import FIXTURE

from r1bench.results.view import _clip, _json_for_script, main, write_views


def _blob(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="r1-data">(.*?)</script>', page, re.S)
    assert m
    return json.loads(m.group(1))


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "run")
    return tmp_path / "run"


@pytest.mark.parametrize("text", [
    "</script><script>alert(1)</script>",
    "<!-- <script>",
    "line\u2028separator\u2029para",
    "plain \\boxed{5}",
])
def test_json_for_script_cannot_end_the_script_element(text: str) -> None:
    blob = _json_for_script({"t": text})
    assert "<" not in blob and "\u2028" not in blob
    assert json.loads(blob) == {"t": text}


@pytest.mark.parametrize("text,limit,left_out", [
    ("abcdef", 10, 0),
    ("a" * 100, 40, 60),
])
def test_clip_counts_what_it_leaves_out(text: str, limit: int, left_out: int) -> None:
    clipped, cut = _clip(text, limit)
    assert cut == left_out
    if left_out:
        assert clipped.startswith("a" * 10) and clipped.endswith("a" * 30)
        assert f"{left_out} characters left out" in clipped
    else:
        assert clipped == text


def test_page_holds_every_sample_and_hides_gpqa_text(run_dir: Path) -> None:
    (page_path,) = write_views(run_dir)
    page = page_path.read_text(encoding="utf-8")
    data = _blob(page)
    by_task = {t["task"]: t for t in data["tasks"]}
    assert sorted(by_task) == ["r1_gpqa_diamond", "r1_math500", "r1_moleculeqa100"]
    # The fixture: MATH-500 6 questions x 4, GPQA 4 x 8, MoleculeQA 4 x 4.
    assert [len(by_task["r1_math500"]["questions"]), {len(q[4]) for q in by_task["r1_math500"]["questions"]}] == [6, {4}]
    assert [len(by_task["r1_gpqa_diamond"]["questions"]), {len(q[4]) for q in by_task["r1_gpqa_diamond"]["questions"]}] == [4, {8}]
    first = by_task["r1_math500"]["questions"][0]
    assert first[1] == "test/algebra/0.json" and first[2] == "What is $2+3$?" and first[3] == "5"
    fields = data["fields"]
    assert first[4][0][fields.index("answer")] == "The answer is $\\boxed{5}$."
    gpqa = by_task["r1_gpqa_diamond"]
    assert gpqa["quoted"] is False
    assert all(q[2] == "" and all(s[fields.index("reasoning")] == "" for s in q[4]) for q in gpqa["questions"])
    assert "http://" not in page and "https://" not in page  # nothing to fetch
    assert "default-src 'none'" in page


def test_page_is_deterministic(run_dir: Path, tmp_path: Path) -> None:
    (a,) = write_views(run_dir, tmp_path / "a.html")
    (b,) = write_views(run_dir, tmp_path / "b.html")
    assert a.read_bytes() == b.read_bytes()


def test_cli_writes_page_and_says_how_to_open_it(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "wrote " in out and "file://" in out and "view_2025-02-01T10-00-00.000000.html" in out


@pytest.mark.parametrize("make,expected", [
    (lambda p: p / "missing", "no such file or directory"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no lm-eval results"),
])
def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], make, expected: str) -> None:
    assert main([str(make(tmp_path))]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("r1bench view: error:") and expected in err and "\n" not in err
