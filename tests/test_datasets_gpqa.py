"""GPQA-Diamond loader on an invented fixture: whitespace cleaning and stable option permutations."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from r1bench.datasets import SchemaError, load_task_docs
from r1bench.datasets.gpqa import LETTERS, clean_text, normalise, option_permutation

FIXTURES = Path(__file__).parent / "fixtures" / "data"
# option_permutation("recFAKE0000000001") as released (salt r1bench-gpqa-v1); see the contract test
GOLDEN = [0, 2, 3, 1]
CSV = FIXTURES / "Idavidrein/gpqa/gpqa_diamond.csv"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("R1BENCH_DATA_DIR", raising=False)


def _rows() -> list[dict]:
    with open(CSV, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_docs_shape_and_gold_letter():
    docs = load_task_docs("r1_gpqa_diamond", data_dir=str(FIXTURES))
    rows = _rows()
    assert [d["id"] for d in docs] == [r["Record ID"] for r in rows]
    for doc, row in zip(docs, rows):
        assert doc["kind"] == "choice" and len(doc["choices"]) == 4
        original = [
            row["Correct Answer"],
            row["Incorrect Answer 1"],
            row["Incorrect Answer 2"],
            row["Incorrect Answer 3"],
        ]
        assert doc["choices"] == [original[i].strip() for i in doc["permutation"]]
        assert doc["choices"][LETTERS.index(doc["answer"])] == row["Correct Answer"].strip()
        assert doc["permutation"][LETTERS.index(doc["answer"])] == 0
        assert sorted(doc["permutation"]) == [0, 1, 2, 3]
        assert doc["domain"] == row["High-level domain"].strip()
        assert doc["subdomain"] == row["Subdomain"].strip()


def test_stray_whitespace_is_stripped():
    docs = load_task_docs("r1_gpqa_diamond", data_dir=str(FIXTURES))
    for doc in docs:
        for text in [doc["question"], *doc["choices"], doc["subdomain"]]:
            assert text == text.strip() and "\r" not in text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("a\n", "a"), ("  a b ", "a b"), ("a\r\nb", "a\nb"), ("line  \nnext", "line\nnext")],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_permutation_depends_only_on_record_id():
    rows = _rows()
    first = normalise(rows, CSV)
    again = normalise(list(reversed(rows)), CSV)[::-1]
    assert [d["permutation"] for d in first] == [d["permutation"] for d in again]
    assert option_permutation("recX") == option_permutation("recX")
    perms = {tuple(option_permutation(f"rec{i}")) for i in range(200)}
    assert len(perms) > 12  # it really shuffles: many of the 24 orders occur
    golds = {option_permutation(f"rec{i}").index(0) for i in range(200)}
    assert golds == {0, 1, 2, 3}


def test_permutation_is_stable_across_processes_and_hash_seeds():
    code = (
        "import json; from r1bench.datasets.gpqa import option_permutation;"
        "print(json.dumps([option_permutation(f'recFAKE{i}') for i in range(20)]))"
    )
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.append(json.loads(out.stdout))
    assert outputs[0] == outputs[1] == [option_permutation(f"recFAKE{i}") for i in range(20)]


def test_permutation_contract_vector():
    # The shown order is part of the benchmark definition: if this changes, every GPQA result
    # changes meaning. Update only together with PERMUTATION_SALT and the task versions.
    assert option_permutation("recFAKE0000000001") == GOLDEN


def test_duplicate_record_id_rejected():
    rows = _rows()
    with pytest.raises(SchemaError, match="duplicate Record ID"):
        normalise([rows[0], rows[0]], CSV)


def test_missing_column_rejected():
    row = dict(_rows()[0])
    del row["Incorrect Answer 3"]
    with pytest.raises(SchemaError, match="Incorrect Answer 3"):
        normalise([row], CSV)
