"""Ingest of a synthetic lm-eval output directory and the refusal cases of `leaderboard add`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from results_fixture import FIXTURE, seed_store

from r1bench.results.ingest import find_runs, load_task_runs, parse_record, read_samples
from r1bench.results.leaderboard import load_board, new_board, save_board
from r1bench.results.leaderboard_cli import add_run
from r1bench.results.leaderboard_cli import main as lb_main
from r1bench.results.schema import ResultsFileError

RECORD = {"task": "t", "sample_index": 0, "correct": True, "extracted": "4", "truncated": False,
          "loop_detected": False, "completion_tokens": 10}


@pytest.fixture()
def run_dir(tmp_path):
    dest = tmp_path / "out"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return dest


# Questions per task in the synthetic fixture (the real benchmarks are larger).
@pytest.fixture()
def store(tmp_path):
    return seed_store(tmp_path / "results")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("value", [RECORD, json.dumps(RECORD), str(RECORD), [str(RECORD)]],
                         ids=["dict", "json-string", "python-repr", "nested"])
def test_parse_record_forms(value):
    from r1bench.records import flatten_filtered_resps as _flatten

    recs = [parse_record(v) for v in _flatten(value)]
    assert recs == [RECORD]


@pytest.mark.parametrize("bad", ["lol", "__import__('os').system('true')", "[1, 2]", str({"correct": True})])
def test_parse_record_rejects_non_records_without_running_code(bad):
    with pytest.raises(ValueError):
        parse_record(bad)


def test_fixture_layout_matches_lm_eval():
    runs = find_runs(FIXTURE)
    assert len(runs) == 1
    run = runs[0]
    assert run.results_path.parent.name == "HuggingFaceTB__SmolLM2-135M-Instruct"
    assert set(run.samples) == {"r1_math500", "r1_gpqa_diamond", "r1_moleculeqa100"}
    data = json.loads(run.results_path.read_text())
    for key in ("results", "configs", "config", "versions", "n-samples", "date", "model_name", "lm_eval_version"):
        assert key in data
    assert data["configs"]["r1_math500"]["metadata"]["k"] == 4
    docs = read_samples(run.samples["r1_math500"])
    assert [len(d.records) for d in docs] == [4] * 6


def test_add_fixture_creates_entries(run_dir, store):
    done = add_run(run_dir, results_dir=store, lineage={"teacher": "deepseek-ai/DeepSeek-R1", "recipe": "r.yaml"})
    assert sorted(p.name for p, _, _ in done) == ["gpqa_diamond.json", "math500.json", "moleculeqa100.json"]
    board = load_board(store / "leaderboards" / "math500.json")
    (entry,) = board["entries"]
    docs = load_task_runs(run_dir, tasks=["r1_math500"])[0].docs
    expected = 100 * sum(sum(r["correct"] for r in d.records) / len(d.records) for d in docs) / len(docs)
    assert entry["metrics"]["pass@1"]["value"] == pytest.approx(expected, abs=1e-3)
    lo, hi = entry["metrics"]["pass@1"]["ci95"]
    assert lo <= entry["metrics"]["pass@1"]["value"] <= hi
    assert entry["model"] == {"name": "HuggingFaceTB/SmolLM2-135M-Instruct", "revision": "abc1234",
                              "adapter": None, "base_model": None}
    assert entry["dtype"] == "bfloat16" and entry["backend"]["name"] == "hf"
    assert entry["protocol"]["k"] == 4 and entry["protocol"]["max_gen_toks"] == 32768
    assert entry["lineage"] == {"base_model": None, "teacher": "deepseek-ai/DeepSeek-R1", "data_hash": None,
                                "recipe": "r.yaml", "method": None, "rewards": None}
    assert entry["rates"]["truncated"] > 0 and entry["samples_path"].endswith(".jsonl")
    assert board["protocol"]["prompt_hash"] == entry["protocol"]["prompt_hash"]


def test_add_twice_never_duplicates(run_dir, store):
    add_run(run_dir, results_dir=store)
    before = _snapshot(store)
    done = add_run(run_dir, results_dir=store)
    assert all(not added and dups for _, added, dups in done)
    assert _snapshot(store) == before
    assert len(load_board(store / "leaderboards" / "math500.json")["entries"]) == 1


def _rewrite_results(run_dir: Path, fn) -> None:
    path = next(run_dir.rglob("results_*.json"))
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


def _drop_samples(run_dir: Path, task: str, keep: int) -> None:
    path = next(run_dir.rglob(f"samples_{task}_*.jsonl"))
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    for ln in lines:
        ln["filtered_resps"] = [ln["filtered_resps"][0][:keep]]
    path.write_text("".join(json.dumps(ln) + "\n" for ln in lines))


def test_refuses_fewer_samples_than_protocol_k(run_dir, store):
    # The run claims k=4 but holds 2 samples per question.
    before = _snapshot(store)
    _drop_samples(run_dir, "r1_math500", 2)
    with pytest.raises(ResultsFileError, match="below k = 4"):
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    assert _snapshot(store) == before


def test_refuses_k_below_the_boards_default(run_dir, store):
    # A run that honestly declares k=2 is still below MATH-500's protocol k of 4.
    before = _snapshot(store)
    _drop_samples(run_dir, "r1_math500", 2)
    _rewrite_results(run_dir, lambda d: d["configs"]["r1_math500"]["metadata"].update(k=2))
    with pytest.raises(ValueError, match="below the protocol's k = 4"):
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    assert _snapshot(store) == before


def _rewrite_samples(run_dir: Path, task: str, fn) -> None:
    """Apply ``fn(line_dict, records)`` to every line of a samples file; records are rewritten as JSON."""
    path = next(run_dir.rglob(f"samples_{task}_*.jsonl"))
    lines = []
    for raw in path.read_text().splitlines():
        ln = json.loads(raw)
        recs = [parse_record(r) for r in ln["filtered_resps"][0]]
        fn(ln, recs)
        ln["filtered_resps"] = [[json.dumps(r) for r in recs]]
        lines.append(ln)
    path.write_text("".join(json.dumps(ln) + "\n" for ln in lines))


def _other_prompt(run_dir: Path) -> None:
    """A run made with another prompt: records, doc stamps and metadata all say ffff..."""
    def fn(ln, recs):
        ln["doc"]["r1_prompt_hash"] = "ffff000011112222"
        for r in recs:
            r["prompt_hash"] = "ffff000011112222"
    _rewrite_samples(run_dir, "r1_math500", fn)
    _rewrite_results(run_dir, lambda d: d["configs"]["r1_math500"]["metadata"].update(prompt_hash="ffff000011112222"))


@pytest.mark.parametrize("field,change", [
    ("temperature", lambda d: d["configs"]["r1_math500"]["generation_kwargs"].update(temperature=1.0)),
    ("max_gen_toks", lambda d: d["configs"]["r1_math500"]["generation_kwargs"].update(max_gen_toks=4096)),
    ("prompt_hash", None),
    ("grader_version", lambda d: d["configs"]["r1_math500"]["metadata"].update(grader_version="2")),
])
def test_refuses_protocol_change_naming_field(run_dir, store, field, change):
    add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    before = _snapshot(store)
    if change is None:
        _other_prompt(run_dir)
    else:
        _rewrite_results(run_dir, change)
    with pytest.raises(ValueError, match=f"protocol field '{field}' differs"):
        add_run(run_dir, results_dir=store, tasks=["r1_math500"], model_name="other")
    assert _snapshot(store) == before


def test_refusal_of_one_task_writes_nothing_for_the_others(run_dir, store):
    before = _snapshot(store)
    _rewrite_results(run_dir, lambda d: d["configs"]["r1_moleculeqa100"]["generation_kwargs"].update(top_p=0.5))
    with pytest.raises(ValueError, match="top_p"):
        add_run(run_dir, results_dir=store)
    assert _snapshot(store) == before


def test_refuses_partial_runs(run_dir, store):
    _rewrite_results(run_dir, lambda d: d["n-samples"]["r1_math500"].update(original=500))
    with pytest.raises(ResultsFileError, match="partial run"):
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])


def test_refuses_inconsistent_results_and_samples(run_dir, store):
    _rewrite_results(run_dir, lambda d: d["results"]["r1_math500"].update({"pass@1,r1": 0.99}))
    with pytest.raises(ResultsFileError, match="disagrees with its samples"):
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])


def test_missing_samples_file_is_refused(run_dir, store):
    next(run_dir.rglob("samples_r1_math500_*.jsonl")).unlink()
    with pytest.raises(ResultsFileError, match="--log_samples"):
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])


def test_corrupt_board_is_reported_and_left_alone(run_dir, store):
    path = store / "leaderboards" / "math500.json"
    board = new_board("math500")
    board["schema_version"] = 7
    path.write_text(json.dumps(board))
    before = path.read_bytes()
    with pytest.raises(ResultsFileError, match="unknown schema_version 7"):
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    assert path.read_bytes() == before


def test_cli_add_with_lineage_file_and_custom_board(run_dir, store, tmp_path, capsys):
    lineage = tmp_path / "lineage.json"
    lineage.write_text(json.dumps({"base_model": "Qwen/Qwen2.5-Math-1.5B", "data_hash": "abc"}))
    board = tmp_path / "custom" / "math500_student.json"
    rc = lb_main(["add", str(run_dir), "--results-dir", str(store), "--task", "r1_math500", "--board", str(board),
                  "--lineage", str(lineage), "--teacher", "deepseek-ai/DeepSeek-R1"])
    assert rc == 0, capsys.readouterr().err
    (entry,) = load_board(board)["entries"]
    assert entry["lineage"]["base_model"] == "Qwen/Qwen2.5-Math-1.5B"
    assert entry["lineage"]["teacher"] == "deepseek-ai/DeepSeek-R1"
    assert "added entry" in capsys.readouterr().out


def test_cli_add_error_exit_code(run_dir, store, capsys):
    _drop_samples(run_dir, "r1_gpqa_diamond", 3)
    assert lb_main(["add", str(run_dir), "--results-dir", str(store)]) == 1
    assert "below k = 8" in capsys.readouterr().err


def test_entry_ids_are_stable(run_dir, store, tmp_path):
    add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    other = seed_store(tmp_path / "results2")
    add_run(run_dir, results_dir=other, tasks=["r1_math500"])
    ids = [load_board(r / "leaderboards" / "math500.json")["entries"][0]["id"] for r in (store, other)]
    assert ids[0] == ids[1]


def test_save_board_is_atomic_on_invalid(tmp_path):
    path = tmp_path / "b.json"
    save_board(path, new_board("aime24"))
    before = path.read_bytes()
    bad = new_board("aime24")
    bad["protocol"]["k"] = 0
    with pytest.raises(ResultsFileError):
        save_board(path, bad)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]
