"""``r1bench data``: list, verify (presence, sha256, loadability), fetch (hub mocked), --help."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from r1bench.datasets import TASK_DATASETS
from r1bench.datasets import cli as data_cli
from r1bench.datasets import files as files_mod

FIXTURES = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("R1BENCH_DATA_DIR", raising=False)
    monkeypatch.delenv("R1BENCH_SKIP_SHA256", raising=False)


def test_list(capsys):
    assert data_cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for task, spec in TASK_DATASETS.items():
        assert task in out and spec.hub_id in out


@pytest.mark.parametrize(
    "argv", [["--help"], ["fetch", "--help"], ["verify", "--help"], ["list", "--help"]]
)
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        data_cli.main(argv)
    assert exc.value.code == 0
    assert "data" in capsys.readouterr().out


def test_verify_fixture_tasks_ok(capsys):
    rc = data_cli.main(
        ["verify", "r1_gpqa_diamond", "r1_moleculeqa100", "--data-dir", str(FIXTURES)]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "4 docs" in out and "100 docs" in out and "ok (unpinned)" in out


def test_verify_reports_mismatch_and_missing(tmp_path, capsys):
    shutil.copytree(FIXTURES / "HuggingFaceH4", tmp_path / "HuggingFaceH4")
    rc = data_cli.main(["verify", "--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 1
    assert "MISMATCH" in out  # the made-up MATH-500 file against the real pin
    assert "Idavidrein/gpqa/gpqa_diamond.csv" in out and "missing" in out


def test_verify_uses_env(monkeypatch, capsys):
    monkeypatch.setenv("R1BENCH_DATA_DIR", str(FIXTURES))
    assert data_cli.main(["verify", "r1_gpqa_diamond"]) == 0
    assert str(FIXTURES) in capsys.readouterr().out


def test_verify_without_dir(capsys):
    assert data_cli.main(["verify"]) == 2


def test_fetch_writes_hub_layout(monkeypatch, tmp_path, capsys):
    calls = []

    def fake_download(file, root=None):
        calls.append(file.rel_path)
        target = Path(root) / file.rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / file.rel_path, target)
        return target

    monkeypatch.setattr(data_cli, "download", fake_download)
    assert (
        data_cli.main(["fetch", "r1_gpqa_diamond", "r1_moleculeqa100", "--data-dir", str(tmp_path)])
        == 0
    )
    assert calls == [
        "Idavidrein/gpqa/gpqa_diamond.csv",
        "hcaoaf/MoleculeQA/JSON/All/test.json",
        "hcaoaf/MoleculeQA/qid2category.json",
    ]
    assert "R1BENCH_DATA_DIR" in capsys.readouterr().out
    # present and unpinned: a second fetch keeps them
    calls.clear()
    assert data_cli.main(["fetch", "r1_gpqa_diamond", "--data-dir", str(tmp_path)]) == 0
    assert calls == []


def test_fetch_reports_failures(monkeypatch, tmp_path, capsys):
    def offline(file, root=None):
        raise OSError("401 gated repo")

    monkeypatch.setattr(data_cli, "download", offline)
    assert data_cli.main(["fetch", "r1_gpqa_diamond", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "gpqa_diamond.csv" in err and "HF_TOKEN" in err


def test_fetch_flags_checksum_mismatch(monkeypatch, tmp_path, capsys):
    def fake_download(file, root=None):
        target = Path(root) / file.rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / file.rel_path, target)
        return target

    monkeypatch.setattr(data_cli, "download", fake_download)
    assert data_cli.main(["fetch", "r1_math500", "--data-dir", str(tmp_path)]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_download_unknown_network_is_wrapped(monkeypatch):
    # files.download itself needs the hub; locate() turns any failure into DataNotFoundError
    monkeypatch.setattr(
        files_mod, "download", lambda file, root=None: (_ for _ in ()).throw(RuntimeError("x"))
    )
    with pytest.raises(files_mod.DataNotFoundError):
        files_mod.locate(TASK_DATASETS["r1_moleculeqa100"].files[1], "r1_moleculeqa100")


def test_unknown_task(tmp_path):
    with pytest.raises(SystemExit, match="unknown task"):
        data_cli.main(["fetch", "r1_nope", "--data-dir", str(tmp_path)])
