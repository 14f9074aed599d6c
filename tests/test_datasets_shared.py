"""The real MATH-500 and AIME 2024 files in ../shared/data (skipped when that folder is absent)."""

from __future__ import annotations

import json

import pytest

from r1bench.datasets import TASK_DATASETS, load_task_docs
from r1bench.datasets.cli import main as data_main
from r1bench.datasets.files import sha256_file

# Every test here reads the shared data folder (tests/conftest.py's shared_data fixture).
pytestmark = pytest.mark.shared_data("HuggingFaceH4")


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("R1BENCH_DATA_DIR", raising=False)
    monkeypatch.delenv("R1BENCH_SKIP_SHA256", raising=False)


def test_math500_real(shared_data):
    path = shared_data / "HuggingFaceH4/MATH-500/test.jsonl"
    assert sha256_file(path) in TASK_DATASETS["r1_math500"].files[0].sha256
    docs = load_task_docs("r1_math500", data_dir=str(shared_data))
    assert len(docs) == 500 and len({d["id"] for d in docs}) == 500
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [d["answer"] for d in docs] == [r["answer"].strip() for r in rows]
    assert {d["level"] for d in docs} == {1, 2, 3, 4, 5}
    assert len({d["subject"] for d in docs}) == 7
    assert all(d["kind"] == "math" and d["problem"] for d in docs)


def test_aime_real_both_schemas(shared_data):
    h4 = load_task_docs("r1_aime24", data_dir=str(shared_data), source="HuggingFaceH4/aime_2024")
    mj = load_task_docs("r1_aime24", data_dir=str(shared_data), source="Maxwell-Jia/AIME_2024")
    assert len(h4) == len(mj) == 30
    assert sorted(int(d["id"]) for d in h4) == list(range(60, 90))
    raw = [
        json.loads(x)["answer"]
        for x in (shared_data / "HuggingFaceH4/aime_2024/train.jsonl").read_text().splitlines()
    ]
    assert any(a.startswith("0") for a in raw)  # zero-padded at the source...
    assert all(d["answer"] == str(int(d["answer"])) for d in h4 + mj)  # ...plain ints here
    assert {d["source_id"]: d["answer"] for d in h4} == {d["source_id"]: d["answer"] for d in mj}
    assert len({d["source_id"] for d in h4}) == 30


def test_verify_cli_on_real_data(shared_data, capsys):
    assert data_main(["verify", "r1_math500", "r1_aime24", "--data-dir", str(shared_data)]) == 0
    out = capsys.readouterr().out
    assert "ok (pinned)" in out and "500 docs" in out and "30 docs" in out
