"""MoleculeQA-100: quotas, determinism, fingerprint, placeholders, option parsing, category map."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from r1bench.datasets import SchemaError, load_task_docs
from r1bench.datasets.moleculeqa import (
    DEFAULT_QUOTAS,
    allocate,
    parse_category_map,
    parse_question,
    select_ids,
)

FIXTURES = Path(__file__).parent / "fixtures" / "data"
ROOT = FIXTURES / "hcaoaf/MoleculeQA"
MAP = ROOT / "qid2category.json"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("R1BENCH_DATA_DIR", raising=False)


def _load(**options):
    return load_task_docs("r1_moleculeqa100", data_dir=str(FIXTURES), **options)


def _rows() -> dict[str, dict]:
    return {str(r["id"]): r for r in json.loads((ROOT / "JSON/All/test.json").read_text())}


def test_default_quotas():
    docs = _load()
    assert len(docs) == 100
    assert Counter(d["category"] for d in docs) == Counter(DEFAULT_QUOTAS)
    assert len({d["id"] for d in docs}) == 100


def test_deterministic_and_seeded():
    ids = [d["id"] for d in _load()]
    assert ids == [d["id"] for d in _load()]
    assert set(ids) != {d["id"] for d in _load(seed=1)}


def test_selection_is_lowest_hash_per_category():
    cat_map = parse_category_map(json.loads(MAP.read_text()), MAP)
    rows = _rows()
    chosen = {d["id"] for d in _load()}
    for category, quota in DEFAULT_QUOTAS.items():
        pool = [q for q in rows if cat_map[q] == category]
        ranked = sorted(pool, key=lambda q: hashlib.sha256(f"0:{q}".encode()).hexdigest())
        assert set(ranked[:quota]) == {q for q in chosen if cat_map[q] == category}


def test_fingerprint_on_every_doc():
    docs = _load()
    expected = hashlib.sha256("\n".join(sorted(d["id"] for d in docs)).encode()).hexdigest()
    assert {d["selection_fingerprint"] for d in docs} == {expected}
    assert _load(seed=1)[0]["selection_fingerprint"] != expected


def test_placeholders_and_options():
    rows = _rows()
    for doc in _load():
        row = rows[doc["id"]]
        assert "<BIO-SEQ" not in doc["question"]
        assert f"SMILES: {row['smiles']}" in doc["question"]
        assert "Option" not in doc["question"] and "Your answer" not in doc["question"]
        assert len(doc["choices"]) == 4 and all(doc["choices"])
        assert doc["choices"][0].endswith("-0") and doc["choices"][3].endswith("-3")
        assert doc["answer"] == row["answer"] and doc["kind"] == "choice"


def test_selfies_option():
    rows = _rows()
    for doc in _load(molecule="selfies"):
        assert f"SELFIES: {rows[doc['id']]['selfies']}" in doc["question"]


@pytest.mark.parametrize(
    ("text", "stem", "options"),
    [
        (
            "Q?\nOption A: a\nOption B: b\nOption C: c\nOption D: d\nYour answer: ",
            "Q?",
            ["a", "b", "c", "d"],
        ),
        ("Q? Option A: a Option B: b Option C: c Option D: d", "Q?", ["a", "b", "c", "d"]),
        (
            "Q?\nOption A:x, y\nOption B: 2\nOption C: 3.\nOption D: it is D.",
            "Q?",
            ["x, y", "2", "3.", "it is D."],
        ),
    ],
)
def test_parse_question(text, stem, options):
    assert parse_question(text, "w") == (stem, options)


@pytest.mark.parametrize(
    "text",
    [
        "Q?\nOption A: a\nOption B: b\nOption C: c",
        "Q?\nOption B: b\nOption A: a\nOption C: c\nOption D: d",
        "no options",
    ],
)
def test_parse_question_rejects(text):
    with pytest.raises(SchemaError, match="w: expected options"):
        parse_question(text, "w")


@pytest.mark.parametrize(
    "data",
    [
        {"Structure": [1, 2], "usage": ["3"], "Application": [4]},
        {"1": "Structure", "2": "structure", "3": "Usage", "4": "Application"},
    ],
)
def test_category_map_shapes(data, tmp_path):
    mapping = parse_category_map(data, tmp_path / "m.json")
    assert mapping == {"1": "Structure", "2": "Structure", "3": "Usage", "4": "Usage"}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([1, 2, 3], "top level is list"),
        ({}, "top level is dict"),
        ({"Structure": [1], "Colour": [2]}, "unknown category 'Colour'"),
        ({"1": "Structure", "2": "Taste"}, "unknown category 'Taste'"),
        ({"1": {"category": "Structure"}}, "unexpected category map shape"),
        ({"Structure": [1], "Usage": [1]}, "in both"),
    ],
)
def test_category_map_rejects(data, match, tmp_path):
    with pytest.raises(SchemaError, match=match) as err:
        parse_category_map(data, tmp_path / "qid2category.json")
    assert "qid2category.json" in str(err.value)


def test_bad_category_map_file_fails_naming_it(tmp_path):
    dst = tmp_path / "hcaoaf/MoleculeQA"
    shutil.copytree(ROOT, dst)
    (dst / "qid2category.json").write_text(json.dumps([["1000", "Structure"]]))
    with pytest.raises(SchemaError, match=str(dst / "qid2category.json")):
        load_task_docs("r1_moleculeqa100", data_dir=str(tmp_path))


def test_unmapped_ids_fail(tmp_path):
    dst = tmp_path / "hcaoaf/MoleculeQA"
    shutil.copytree(ROOT, dst)
    data = json.loads(MAP.read_text())
    data["Usage"] = data["Usage"][1:]
    (dst / "qid2category.json").write_text(json.dumps(data))
    with pytest.raises(SchemaError, match="have no category"):
        load_task_docs("r1_moleculeqa100", data_dir=str(tmp_path))


def test_quota_exceeding_category_fails():
    with pytest.raises(ValueError, match="quota 10 for Source exceeds the 5"):
        _load(quotas={"Structure": 1, "Source": 10})


def test_custom_quotas_accept_application_alias():
    docs = _load(quotas={"Structure": 2, "Application": 3})
    assert Counter(d["category"] for d in docs) == {"Structure": 2, "Usage": 3}


def test_proportional_allocation():
    docs = _load(allocation="proportional", n=20)
    counts = Counter(d["category"] for d in docs)
    assert sum(counts.values()) == 20
    assert counts == allocate({"Structure": 34, "Property": 9, "Usage": 62, "Source": 5}, 20)


@pytest.mark.parametrize(
    ("sizes", "n"),
    [
        ({"Structure": 3113, "Property": 731, "Usage": 599, "Source": 1343}, 100),
        ({"Structure": 1, "Property": 1, "Usage": 1, "Source": 1}, 3),
        ({"Structure": 10, "Property": 0, "Usage": 5, "Source": 5}, 7),
    ],
)
def test_allocate_sums_and_bounds(sizes, n):
    quotas = allocate(sizes, n)
    assert sum(quotas.values()) == n
    assert all(quotas[c] <= sizes[c] for c in sizes)
    total = sum(sizes.values())
    assert all(abs(quotas[c] - n * sizes[c] / total) < 1 for c in sizes)


def test_select_ids_order_independent():
    pool = {"Structure": [str(i) for i in range(50)]}
    a = select_ids(pool, {"Structure": 5})
    b = select_ids({"Structure": pool["Structure"][::-1]}, {"Structure": 5})
    assert a == b and len(a) == 5
