"""MATH-500 and AIME loaders on made-up fixtures in the real schemas (both AIME schemas)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from r1bench.datasets import SchemaError, load_task_docs
from r1bench.datasets.aime24 import normalise, normalise_answer

FIXTURES = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("R1BENCH_DATA_DIR", raising=False)
    monkeypatch.delenv("R1BENCH_SKIP_SHA256", raising=False)


def test_math500_fixture_docs():
    # the fixture is made up, so it cannot match the pinned digest of the real file
    docs = load_task_docs("r1_math500", data_dir=str(FIXTURES), verify=False)
    rows = [
        json.loads(x)
        for x in (FIXTURES / "HuggingFaceH4/MATH-500/test.jsonl").read_text().splitlines()
    ]
    assert [d["id"] for d in docs] == [r["unique_id"] for r in rows]
    for doc, row in zip(docs, rows):
        assert doc["kind"] == "math"
        assert doc["problem"] == row["problem"] and doc["answer"] == row["answer"]
        assert doc["subject"] == row["subject"] and doc["level"] == row["level"]


def test_math500_missing_field(tmp_path):
    path = tmp_path / "HuggingFaceH4/MATH-500/test.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"problem": "p", "answer": "1"}) + "\n")
    with pytest.raises(SchemaError, match=r"test\.jsonl: row 1: missing field"):
        load_task_docs("r1_math500", data_dir=str(tmp_path), verify=False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("025", "25"), ("000", "0"), (33, "33"), (" 107 ", "107"), ("999", "999"), ("7", "7")],
)
def test_aime_answer_normalisation(raw, expected):
    assert normalise_answer(raw, "here") == expected


@pytest.mark.parametrize("raw", ["1000", "-3", "12.5", "", "abc", True, None])
def test_aime_answer_rejects_non_integers(raw):
    with pytest.raises(SchemaError, match="here"):
        normalise_answer(raw, "here")


def test_aime_h4_schema():
    # verify=False: the 3-row fixture is not the pinned 30-problem file (as for MATH-500 above).
    docs = load_task_docs("r1_aime24", data_dir=str(FIXTURES), verify=False)
    rows = [
        json.loads(x)
        for x in (FIXTURES / "HuggingFaceH4/aime_2024/train.jsonl").read_text().splitlines()
    ]
    assert [d["id"] for d in docs] == [str(r["id"]) for r in rows]
    assert [d["answer"] for d in docs] == [str(int(r["answer"])) for r in rows]
    assert all(d["kind"] == "math" and d["year"] == "2024" for d in docs)
    assert [d["source_id"] for d in docs] == ["2024-I-1", "2024-I-2", "2024-II-1"]


def test_aime_maxwell_schema_matches_h4(monkeypatch):
    monkeypatch.setenv("R1BENCH_SKIP_SHA256", "1")  # made-up parquet vs the pinned real digests
    h4 = load_task_docs("r1_aime24", data_dir=str(FIXTURES), source="HuggingFaceH4/aime_2024")
    mj = load_task_docs("r1_aime24", data_dir=str(FIXTURES), source="Maxwell-Jia/AIME_2024")
    assert [d["id"] for d in mj] == ["2024-I-1", "2024-I-2", "2024-II-1"]
    assert {d["source_id"]: d["answer"] for d in mj} == {d["source_id"]: d["answer"] for d in h4}
    assert set(mj[0]) == set(h4[0])  # one doc shape whatever the source


def test_aime_falls_back_to_maxwell_in_a_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("R1BENCH_SKIP_SHA256", "1")
    src = FIXTURES / "Maxwell-Jia/AIME_2024/aime_2024_problems.parquet"
    dst = tmp_path / "Maxwell-Jia/AIME_2024/aime_2024_problems.parquet"
    dst.parent.mkdir(parents=True)
    dst.write_bytes(src.read_bytes())
    docs = load_task_docs("r1_aime24", data_dir=str(tmp_path))
    assert [d["answer"] for d in docs] == ["25", "107", "9"]


def test_aime_unknown_schema(tmp_path):
    with pytest.raises(SchemaError, match="neither the HuggingFaceH4 schema"):
        normalise([{"q": "x", "a": 1}], tmp_path / "f.jsonl")


def test_aime_unknown_source():
    with pytest.raises(ValueError, match="unknown source"):
        load_task_docs("r1_aime24", data_dir=str(FIXTURES), source="someone/else")
