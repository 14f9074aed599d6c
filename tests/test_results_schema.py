"""Results store files: every committed JSON validates; bad files fail naming file, entry and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from r1bench.results.leaderboard import BENCHMARKS, new_board
from r1bench.results.leaderboard_cli import main as lb_main
from r1bench.results.schema import SCHEMA_VERSION, ResultsFileError, load_document, load_schema

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = sorted((ROOT / "results" / "references").glob("*.json")) + sorted(
    (ROOT / "results" / "leaderboards").glob("*.json"))


def test_store_is_not_empty():
    assert len(COMMITTED) >= 4 + 3


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_file_validates(path):
    doc = load_document(path)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["kind"] in {"references", "leaderboard"}


@pytest.mark.parametrize("kind", ["references", "leaderboard"])
def test_schemas_are_valid_json_schema(kind):
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(load_schema(kind))


def _ref_doc():
    return json.loads((ROOT / "results" / "references" / "deepseek_r1.json").read_text())


def _mutations():
    def missing_value(d):
        del d["entries"][2]["value"]
        return "#2", "value", "required"

    def wrong_type(d):
        d["entries"][3]["value"] = "83.9"
        return "#3", "value", "not of type"

    def unknown_version(d):
        d["schema_version"] = 99
        return None, "schema_version", "unknown schema_version 99"

    def bad_benchmark(d):
        d["entries"][0]["benchmark"] = "aime2099"
        return "#0", "benchmark", "is not one of"

    def unknown_source(d):
        d["entries"][1]["source"] = "nowhere"
        return "#1", "source", "not listed"

    def duplicate_id(d):
        d["entries"][1]["id"] = d["entries"][0]["id"]
        return "#1", "id", "duplicate"

    return [missing_value, wrong_type, unknown_version, bad_benchmark, unknown_source, duplicate_id]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_bad_reference_file_names_file_entry_field(tmp_path, mutate):
    doc = _ref_doc()
    entry, field, words = mutate(doc)
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ResultsFileError) as err:
        load_document(path)
    msg = str(err.value)
    assert str(path) in msg
    assert f"field '{field}'" in msg
    assert words in msg
    if entry is not None:
        assert f"entry {entry}" in msg


def test_invalid_json_names_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "schema_version": 1,\n  "kind": \n}\n')
    with pytest.raises(ResultsFileError, match=r"broken\.json: invalid JSON at line 4"):
        load_document(path)


def test_bad_board_field_in_entry(tmp_path):
    board = new_board("math500")
    board["entries"].append({"id": "zz"})
    path = tmp_path / "math500.json"
    path.write_text(json.dumps(board))
    with pytest.raises(ResultsFileError) as err:
        load_document(path)
    assert "entry #0 (id=zz)" in str(err.value)


def test_validate_cli_reports_bad_file_and_changes_nothing(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(new_board("aime24")))
    bad = tmp_path / "bad.json"
    doc = new_board("aime24")
    doc["protocol"]["k"] = "sixty-four"
    bad.write_text(json.dumps(doc))
    before = {p: p.read_bytes() for p in (good, bad)}
    assert lb_main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.json" in err and "field 'protocol.k'" in err
    assert {p: p.read_bytes() for p in (good, bad)} == before


def test_committed_boards_cover_every_benchmark():
    names = {p.stem for p in (ROOT / "results" / "leaderboards").glob("*.json")}
    assert set(BENCHMARKS) <= names
