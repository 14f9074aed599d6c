"""Adversarial: forged runs and hostile results files must be refused, naming what is wrong.

Each case starts from the synthetic lm-eval run (tests/fixtures/lm_eval_output), which the
leaderboard accepts as is, changes one thing the way a forger or a corrupt disk would, and checks
that ``leaderboard add`` / ``validate`` refuse it with a message naming the place, writing nothing.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest
from results_fixture import FIXTURE, seed_store

from r1bench.records import flatten_filtered_resps, parse_saved_record
from r1bench.results.leaderboard import load_board
from r1bench.results.leaderboard_cli import add_run
from r1bench.results.leaderboard_cli import main as lb_main
from r1bench.results.schema import ResultsFileError


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    dst = tmp_path / "out"
    shutil.copytree(FIXTURE, dst)
    return dst


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    return seed_store(tmp_path / "results")


def _results(run_dir: Path) -> Path:
    return next(run_dir.rglob("results_*.json"))


def _samples(run_dir: Path, task: str = "r1_math500") -> Path:
    return next(run_dir.rglob(f"samples_{task}_*.jsonl"))


def _edit_results(run_dir: Path, fn) -> None:
    path = _results(run_dir)
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


def _edit_samples(run_dir: Path, fn, task: str = "r1_math500") -> None:
    """``fn(doc_index, line, records)``; records written back as JSON strings, like the r1 filter."""
    path = _samples(run_dir, task)
    lines = []
    for i, raw in enumerate(path.read_text().splitlines()):
        ln = json.loads(raw)
        recs = [parse_saved_record(r) for r in flatten_filtered_resps(ln["filtered_resps"])]
        fn(i, ln, recs)
        ln["filtered_resps"] = [[json.dumps(r) for r in recs]]
        lines.append(ln)
    path.write_text("".join(json.dumps(ln) + "\n" for ln in lines))


def _all_correct(_i, _ln, recs):
    for r in recs:
        r["correct"] = True


def _set_field(field, value, doc=1, sample=1):
    def fn(i, _ln, recs):
        if i == doc:
            recs[sample][field] = value
    return fn


def _swap_output(i, ln, recs):
    # The saved raw output of a correct sample replaced by a wrong one, its verdict left "correct".
    if i == 0:
        ln["resps"][0][0] = "<think>guess</think>The answer is $\\boxed{6}$."
        recs[0]["raw_output"] = ln["resps"][0][0]


def _edit_gold(i, ln, recs):
    # Doc 5 (all four samples answered 7, gold 6): the gold edited to 7 and the verdicts flipped.
    if i == 5:
        ln["doc"]["answer"] = "7"
        ln["target"] = "7"
        for r in recs:
            r["gold"] = "7"
            r["correct"] = r["extracted"] == "7"


def _symlink_samples(run_dir: Path, tmp: Path) -> None:
    path = _samples(run_dir)
    outside = tmp / "elsewhere.jsonl"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)


def _nan_pass1(d):
    d["results"]["r1_math500"]["pass@1,r1"] = math.nan


# (case id, how the run is forged, what the refusal names). Each is refused; the board is untouched.
FORGED = [
    ("all-flags-true+pass1=1.0", lambda rd, t: (_edit_samples(rd, _all_correct), _edit_results(
        rd, lambda d: d["results"]["r1_math500"].update({"pass@1,r1": 1.0}))), "but r1bench's grader says False"),
    ("all-flags-true+pass1-deleted", lambda rd, t: (_edit_samples(rd, _all_correct), _edit_results(
        rd, lambda d: d["results"]["r1_math500"].pop("pass@1,r1"))), "but r1bench's grader says False"),
    ("pass1-deleted", lambda rd, t: _edit_results(rd, lambda d: d["results"]["r1_math500"].pop("pass@1,r1")),
     "no reported pass@1"),
    ("pass1-NaN", lambda rd, t: _edit_results(rd, _nan_pass1), "pass@1 nan disagrees"),
    ("pass1-string", lambda rd, t: _edit_results(
        rd, lambda d: d["results"]["r1_math500"].update({"pass@1,r1": "0.6"})), "pass@1 0.6 disagrees"),
    ("maj-edited", lambda rd, t: _edit_results(rd, lambda d: d["results"]["r1_math500"].update({"maj@k,r1": 1.0})),
     "maj@k 100.0 disagrees"),
    ('correct="no"', lambda rd, t: _edit_samples(rd, _set_field("correct", "no")), "'correct' is 'no', expected bool"),
    ("correct=1", lambda rd, t: _edit_samples(rd, _set_field("correct", 1)), "'correct' is 1, expected bool"),
    ("correct=null", lambda rd, t: _edit_samples(rd, _set_field("correct", None)), "'correct' is None"),
    ("truncated=str", lambda rd, t: _edit_samples(rd, _set_field("truncated", "false")), "'truncated' is 'false'"),
    ("tokens=str", lambda rd, t: _edit_samples(rd, _set_field("completion_tokens", "300")), "'completion_tokens' is '300'"),
    ("tokens<0", lambda rd, t: _edit_samples(rd, _set_field("completion_tokens", -5)), "'completion_tokens' is -5"),
    ("flag-flipped-wrong->right", lambda rd, t: _edit_samples(rd, _set_field("correct", True, doc=1, sample=1)),
     "doc 1 sample 1 is stored as correct=True"),
    ("flag-flipped-right->wrong", lambda rd, t: _edit_samples(rd, _set_field("correct", False, doc=0, sample=2)),
     "doc 0 sample 2 is stored as correct=False"),
    ("output-swapped", lambda rd, t: _edit_samples(rd, _swap_output), "doc 0 sample 0 is stored as correct=True"),
    # ... and pass@1 brought in line (3 of doc 5's 4 samples answered 7: 4.25 / 6), maj@k dropped.
    ("gold-edited", lambda rd, t: (_edit_samples(rd, _edit_gold), _edit_results(rd, lambda d: (
        d["results"]["r1_math500"].update({"pass@1,r1": 4.25 / 6}), d["results"]["r1_math500"].pop("maj@k,r1")))),
     "a gold answer was edited"),
    ("samples-symlink-outside", lambda rd, t: _symlink_samples(rd, t), "outside the run folder"),
    ("samples-bad-utf8", lambda rd, t: _samples(rd).write_bytes(_samples(rd).read_bytes().replace(b"Compute", b"Comp\xffte", 1)),
     "line 1: not UTF-8"),
    ("samples-deep-json", lambda rd, t: _samples(rd).write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n"),
     "line 1: JSON nested too deeply"),
    ("samples-NaN", lambda rd, t: _samples(rd).write_text(_samples(rd).read_text().replace('"doc_id": 0', '"doc_id": NaN', 1)),
     "NaN is not valid JSON"),
    ("doc_id-not-int", lambda rd, t: _samples(rd).write_text(_samples(rd).read_text().replace('"doc_id": 0', '"doc_id": "x"', 1)),
     "doc_id 'x' is not an integer"),
    ("results-bad-utf8", lambda rd, t: _results(rd).write_bytes(b'{"x": "\xff"}'), "line 1: not UTF-8"),
    ("results-deep-json", lambda rd, t: _results(rd).write_bytes(b"[" * 100_000 + b"]" * 100_000),
     "nested too deeply"),
    ("lineage-NaN", lambda rd, t: (_results(rd).parent / "lineage.json").write_text('{"base_model": NaN}'),
     "NaN is not valid JSON"),
]


@pytest.mark.parametrize("forge, refusal", [c[1:] for c in FORGED], ids=[c[0] for c in FORGED])
def test_forged_run_is_refused(run_dir, store, tmp_path, forge, refusal):
    before = {p: p.read_bytes() for p in store.rglob("*.json")}
    forge(run_dir, tmp_path)
    with pytest.raises((ResultsFileError, ValueError)) as exc:
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    assert refusal in str(exc.value)
    assert "\n" not in str(exc.value)
    assert {p: p.read_bytes() for p in store.rglob("*.json")} == before


def test_untouched_run_is_accepted_and_the_cli_names_the_sample(run_dir, store, capsys):
    # The control: the honest run goes in; the same run with one flag flipped is refused by the CLI
    # in one line naming the file, the line and the sample.
    assert lb_main(["add", str(run_dir), "--results-dir", str(store), "--task", "r1_math500", "--dry-run"]) == 0
    _edit_samples(run_dir, _set_field("correct", True, doc=5, sample=3))
    assert lb_main(["add", str(run_dir), "--results-dir", str(store), "--task", "r1_math500"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "samples_r1_math500_" in err and "entry line 6" in err and "doc 5 sample 3" in err


def test_stored_samples_path_is_relative_to_the_run_folder(run_dir, store):
    add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    (entry,) = load_board(store / "leaderboards" / "math500.json")["entries"]
    assert entry["samples_path"] == "samples_r1_math500_2025-02-01T10-00-00.000000.jsonl"


# --- hostile board / references files: `leaderboard validate` ------------------------------------

@pytest.fixture()
def board_with_entry(run_dir, store) -> Path:
    add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    return store / "leaderboards" / "math500.json"


def _edit_entry(path: Path, fn) -> None:
    doc = json.loads(path.read_text())
    fn(doc["entries"][0])
    path.write_text(json.dumps(doc, indent=2))


def _raw_replace(old: str, new: str):
    """Replace the first match of the regex ``old`` in the file's text."""
    def fn(path: Path) -> None:
        text, n = re.subn(old, new, path.read_text(), count=1)
        assert n == 1
        path.write_text(text)
    return fn


HOSTILE_BOARDS = [
    ("NaN-score", _raw_replace(r'"value": [0-9.]+', '"value": NaN'), "NaN is not valid JSON"),
    ("Infinity-score", _raw_replace(r'"value": [0-9.]+', '"value": Infinity'), "Infinity is not valid JSON"),
    ("-Infinity-stderr", _raw_replace(r'"stderr": [0-9.]+', '"stderr": -Infinity'), "-Infinity is not valid JSON"),
    ("samples_path-absolute", lambda p: _edit_entry(p, lambda e: e.update(samples_path="/etc/passwd")),
     "field 'samples_path'"),
    ("samples_path-traversal", lambda p: _edit_entry(p, lambda e: e.update(samples_path="../../etc/passwd")),
     "must be a path inside the run folder"),
    ("samples_path-windows", lambda p: _edit_entry(p, lambda e: e.update(samples_path="C:\\x\\s.jsonl")),
     "must be a path inside the run folder"),
    ("name-newline", lambda p: _edit_entry(p, lambda e: e["model"].update(name="evil\n| 99.9 |")),
     "field 'model.name'"),
    ("base_model-CR", lambda p: _edit_entry(p, lambda e: e["model"].update(base_model="a\rb")),
     "field 'model.base_model'"),
    ("bad-utf8", lambda p: p.write_bytes(p.read_bytes().replace(b'"kind"', b'"k\xc3ind"', 1)), "not UTF-8"),
    ("deep-json", lambda p: p.write_bytes(b"[" * 100_000 + b"]" * 100_000), "nested too deeply"),
]


@pytest.mark.parametrize("spoil, message", [c[1:] for c in HOSTILE_BOARDS], ids=[c[0] for c in HOSTILE_BOARDS])
def test_hostile_board_fails_validate_in_one_line(board_with_entry, store, capsys, spoil, message):
    assert lb_main(["validate", "--results-dir", str(store)]) == 0
    capsys.readouterr()
    spoil(board_with_entry)
    assert lb_main(["validate", "--results-dir", str(store)]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and str(board_with_entry) in err
    assert "\n" not in err and "Traceback" not in err


def test_nan_is_refused_by_build_not_ranked(board_with_entry, store, capsys):
    _raw_replace(r'"value": [0-9.]+', '"value": NaN')(board_with_entry)
    assert lb_main(["build", "--results-dir", str(store)]) == 1
    assert "NaN is not valid JSON" in capsys.readouterr().err


@pytest.mark.parametrize(("src_folder", "dst_folder", "expected"), [
    ("references", "leaderboards", "expected a leaderboard file, found kind 'references'"),
    ("leaderboards", "references", "expected a references file, found kind 'leaderboard'"),
])
def test_file_in_the_wrong_folder_fails_validate(tmp_path, capsys, src_folder, dst_folder, expected):
    repo = Path(__file__).resolve().parent.parent / "results"
    store = tmp_path / "results"
    shutil.copytree(repo, store)
    src = sorted((store / src_folder).glob("*.json"))[0]
    shutil.copy(src, store / dst_folder / "misplaced.json")
    assert lb_main(["validate", "--results-dir", str(store)]) == 1
    assert expected in capsys.readouterr().err


def test_model_name_with_newline_and_pipes_stays_one_table_row(run_dir, store):
    from r1bench.results.build import render

    add_run(run_dir, results_dir=store, tasks=["r1_math500"], model_name="evil\n| 99.9 | x")
    (entry,) = load_board(store / "leaderboards" / "math500.json")["entries"]
    assert entry["model"]["name"] == "evil | 99.9 | x"
    md = render(store)["LEADERBOARD.md"].decode()
    rows = [ln for ln in md.splitlines() if "evil" in ln]
    assert rows and all(ln.startswith("|") and "**evil \\| 99.9 \\| x" in ln for ln in rows)


# --- pinned selections: a tampered first run cannot fix a board's fingerprint --------------------

def test_committed_boards_record_the_pinned_fingerprints():
    from r1bench.datasets.specs import AIME24_FINGERPRINT, MATH500_FINGERPRINT

    repo = Path(__file__).resolve().parent.parent / "results" / "leaderboards"
    assert load_board(repo / "aime24.json")["protocol"]["dataset_fingerprint"] == AIME24_FINGERPRINT
    assert load_board(repo / "math500.json")["protocol"]["dataset_fingerprint"] == MATH500_FINGERPRINT


@pytest.mark.parametrize(("bench", "n", "fingerprint", "refused"), [
    ("aime24", 30, "f" * 64, True),     # a full AIME run on edited data
    ("aime24", 30, None, True),          # a full AIME run that stamped nothing
    ("math500", 500, "0" * 64, True),
    ("aime24", 3, "f" * 64, False),      # not the benchmark's size: compared with its board instead
])
def test_full_size_run_must_be_the_pinned_selection(tmp_path, bench, n, fingerprint, refused):
    from r1bench.results.leaderboard import ProtocolMismatch
    from r1bench.results.leaderboard_cli import _check_pinned_selection

    entry = {"protocol": {"dataset_fingerprint": fingerprint}, "partial": False, "n_questions": n}
    if refused:
        with pytest.raises(ProtocolMismatch, match="dataset_fingerprint"):
            _check_pinned_selection(entry, bench, tmp_path / "b.json")
    else:
        _check_pinned_selection(entry, bench, tmp_path / "b.json")

