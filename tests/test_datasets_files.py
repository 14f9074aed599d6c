"""Locating data: local dir vs hub, sha256 pins, missing-file messages, record readers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from r1bench.datasets import (
    TASK_DATASETS,
    ChecksumError,
    DataNotFoundError,
    SchemaError,
    dataset_fingerprint,
    load_task_docs,
)
from r1bench.datasets import files as files_mod
from r1bench.datasets.files import read_records, resolve_data_dir, sha256_file

FIXTURES = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("R1BENCH_DATA_DIR", raising=False)
    monkeypatch.delenv("R1BENCH_SKIP_SHA256", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture data dir."""
    dst = tmp_path / "data"
    shutil.copytree(FIXTURES, dst)
    return dst


def test_resolve_data_dir_precedence(monkeypatch, tmp_path):
    assert resolve_data_dir(None) is None
    monkeypatch.setenv("R1BENCH_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None) == tmp_path / "env"
    assert resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"


def test_env_data_dir_is_used(monkeypatch, data_dir):
    monkeypatch.setenv("R1BENCH_DATA_DIR", str(data_dir))
    docs = load_task_docs("r1_gpqa_diamond")
    assert len(docs) == 4


def test_local_dir_never_falls_back_to_hub(monkeypatch, tmp_path):
    def boom(*a, **k):
        raise AssertionError("hub must not be contacted when a data dir is set")

    monkeypatch.setattr(files_mod, "download", boom)
    with pytest.raises(DataNotFoundError):
        load_task_docs("r1_gpqa_diamond", data_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("task", "missing"),
    [
        ("r1_math500", "HuggingFaceH4/MATH-500/test.jsonl"),
        ("r1_gpqa_diamond", "Idavidrein/gpqa/gpqa_diamond.csv"),
        ("r1_moleculeqa100", "hcaoaf/MoleculeQA/JSON/All/test.json"),
        ("r1_aime24", "HuggingFaceH4/aime_2024/train.jsonl"),
    ],
)
def test_missing_local_file_message(tmp_path, task, missing):
    with pytest.raises(DataNotFoundError) as err:
        load_task_docs(task, data_dir=str(tmp_path))
    msg = str(err.value)
    assert str(tmp_path / missing) in msg
    assert f"r1bench data fetch {task} --data-dir" in msg
    assert ("HF_TOKEN" in msg) == (task == "r1_gpqa_diamond")


def test_missing_second_file_is_named(data_dir):
    (data_dir / "hcaoaf/MoleculeQA/qid2category.json").unlink()
    with pytest.raises(DataNotFoundError, match="qid2category.json"):
        load_task_docs("r1_moleculeqa100", data_dir=str(data_dir))


@pytest.mark.parametrize("task", ["r1_math500", "r1_gpqa_diamond", "r1_aime24"])
def test_hub_failure_message(monkeypatch, task):
    def offline(file, root=None):
        raise OSError("no network")

    monkeypatch.setattr(files_mod, "download", offline)
    with pytest.raises(DataNotFoundError) as err:
        load_task_docs(task)
    msg = str(err.value)
    assert TASK_DATASETS[task].files[0].rel_path in msg
    assert "no network" in msg
    assert f"r1bench data fetch {task}" in msg
    if task == "r1_gpqa_diamond":
        assert "gated" in msg and "HF_TOKEN" in msg


def test_hub_path_checks_pins(monkeypatch, tmp_path):
    fake = tmp_path / "test.jsonl"
    shutil.copy(FIXTURES / "HuggingFaceH4/MATH-500/test.jsonl", fake)
    monkeypatch.setattr(files_mod, "download", lambda file, root=None: fake)
    with pytest.raises(ChecksumError):
        load_task_docs("r1_math500")
    assert len(load_task_docs("r1_math500", verify=False)) == 3


def test_sha256_mismatch_is_a_clear_error(data_dir):
    path = data_dir / "HuggingFaceH4/MATH-500/test.jsonl"
    with pytest.raises(ChecksumError) as err:
        load_task_docs("r1_math500", data_dir=str(data_dir))
    msg = str(err.value)
    assert str(path) in msg and sha256_file(path) in msg
    assert TASK_DATASETS["r1_math500"].files[0].sha256[0] in msg


def test_sha256_mismatch_on_pinned_alternative(data_dir):
    with pytest.raises(ChecksumError, match="aime_2024_problems.parquet"):
        load_task_docs("r1_aime24", data_dir=str(data_dir), source="Maxwell-Jia/AIME_2024")


def test_skip_sha256_env(monkeypatch, data_dir):
    monkeypatch.setenv("R1BENCH_SKIP_SHA256", "1")
    assert len(load_task_docs("r1_math500", data_dir=str(data_dir))) == 3


def test_pinned_file_with_matching_digest_loads(monkeypatch, data_dir):
    path = data_dir / "HuggingFaceH4/MATH-500/test.jsonl"
    spec = TASK_DATASETS["r1_math500"]
    pinned = type(spec.files[0])(
        spec.files[0].repo_id, spec.files[0].filename, sha256=(sha256_file(path),)
    )
    monkeypatch.setitem(
        # (the real selection's fingerprint pin is dropped too: the fixture is 3 made-up rows)
        TASK_DATASETS, "r1_math500", type(spec)(**{**spec.__dict__, "files": (pinned,), "fingerprints": ()})
    )
    assert len(load_task_docs("r1_math500", data_dir=str(data_dir))) == 3


def test_bad_jsonl_names_file_and_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n{"a": \n')
    with pytest.raises(SchemaError, match=r"x\.jsonl:2: invalid JSON"):
        read_records(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.json", '[{"a": 1}, {"a": 2}]'),
        ("b.json", '{"a": 1}\n{"a": 2}\n'),
        ("c.jsonl", '{"a": 1}\n\n{"a": 2}\n'),
        ("d.json", '{"data": [{"a": 1}, {"a": 2}]}'),
        ("e.csv", "a\n1\n2\n"),
    ],
)
def test_read_records_formats(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    assert [str(r["a"]) for r in read_records(path)] == ["1", "2"]


def test_unknown_task():
    with pytest.raises(KeyError, match="known tasks"):
        load_task_docs("r1_nope")


def test_dataset_fingerprint_properties():
    docs = [{"id": "1", "answer": "5"}, {"id": "2", "answer": "B"}]
    fp = dataset_fingerprint(docs)
    assert len(fp) == 64
    assert dataset_fingerprint(list(reversed(docs))) == fp
    assert dataset_fingerprint([{"id": "1", "answer": "6"}, docs[1]]) != fp
    assert dataset_fingerprint([{"id": "3", "answer": "5"}, docs[1]]) != fp
