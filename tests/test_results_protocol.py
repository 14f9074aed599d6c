"""Protocol and provenance of ingested runs: prompt hash from the records, dataset fingerprint,
board size, lineage.json, backend versions and failed API samples."""

from __future__ import annotations

import importlib.metadata
import json
import logging
import shutil
from pathlib import Path

import pytest
from results_fixture import FIXTURE, seed_store

from r1bench.datasets import dataset_fingerprint
from r1bench.prompts import spec_hash
from r1bench.results.ingest import (
    build_entry,
    load_task_runs,
    model_info,
    parse_record,
    task_protocol,
)
from r1bench.results.leaderboard import (
    BENCHMARKS,
    PROTOCOL_FIELDS,
    ProtocolMismatch,
    load_board,
    new_board,
    save_board,
)
from r1bench.results.leaderboard_cli import add_run
from r1bench.results.leaderboard_cli import main as lb_main
from r1bench.results.schema import ResultsFileError

# The lineage.json `r1train eval` writes beside the results (trimmed; same keys and shapes).
R1TRAIN_LINEAGE = {
    "base_model": "Qwen/Qwen2.5-1.5B-Instruct",
    "teacher": "deepseek-ai/DeepSeek-R1",
    "train_data_sha256": "19f3625d516cef10f2f75b8012209975b066cac84ac51cf581b8480309efc944",
    "recipe": {"name": "Qwen2.5-1.5B-Instruct/lora/config_alpaca",
               "path": "training/recipes/Qwen2.5-1.5B-Instruct/lora/config_alpaca.yaml",
               "sha256": "6040dc93aeb3c4d69612337f2ff3ba10c2b10676e825fbb6bc4f72b15eed054f"},
    "stages": [{"name": "sft", "method": "lora", "rows": 12}],
    "adapter": True,
    "pretrained": "Qwen/Qwen2.5-1.5B-Instruct",
    "eval_command": "r1bench eval --model hf ...",
    "r1train_version": "0.1.0",
    "created": "2026-11-21T05:54:54+00:00",
    "evaluated_model": "/tmp/student/lora",
}
R1TRAIN_MAPPED = {
    "base_model": "Qwen/Qwen2.5-1.5B-Instruct",
    "teacher": "deepseek-ai/DeepSeek-R1",
    "data_hash": "19f3625d516cef10f2f75b8012209975b066cac84ac51cf581b8480309efc944",
    "recipe": "Qwen2.5-1.5B-Instruct/lora/config_alpaca@6040dc93aeb3c4d69612337f2ff3ba10c2b10676e825fbb6bc4f72b15eed054f",
    "method": "lora",  # from the stages
    "rewards": None,
}


@pytest.fixture()
def run_dir(tmp_path):
    dest = tmp_path / "out"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return dest


@pytest.fixture()
def store(tmp_path):
    return seed_store(tmp_path / "results")


def _results_path(run_dir: Path) -> Path:
    return next(run_dir.rglob("results_*.json"))


def _rewrite_results(run_dir: Path, fn) -> None:
    path = _results_path(run_dir)
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


def _rewrite_samples(run_dir: Path, task: str, fn) -> None:
    """Apply ``fn(line_number, line_dict, records)`` to every line; records are written back as JSON."""
    path = next(run_dir.rglob(f"samples_{task}_*.jsonl"))
    lines = []
    for i, raw in enumerate(path.read_text().splitlines()):
        ln = json.loads(raw)
        recs = [parse_record(r) for r in ln["filtered_resps"][0]]
        fn(i, ln, recs)
        ln["filtered_resps"] = [[json.dumps(r) for r in recs]]
        lines.append(ln)
    path.write_text("".join(json.dumps(ln) + "\n" for ln in lines))


def _math_run(run_dir: Path):
    (run,) = load_task_runs(run_dir, tasks=["r1_math500"])
    return run


# --- 1. prompt hash: the records say what was used ------------------------------------------------

def test_prompt_hash_comes_from_the_records(run_dir):
    _rewrite_results(run_dir, lambda d: d["configs"]["r1_math500"]["metadata"].pop("prompt_hash"))
    assert task_protocol(_math_run(run_dir))["prompt_hash"] == spec_hash("deepseek-r1")


def test_stale_metadata_prompt_hash_is_refused_naming_both(run_dir, store):
    # lm-eval merged --metadata over the YAML: the metadata claims a hash the records were not made with.
    _rewrite_results(run_dir, lambda d: d["configs"]["r1_math500"]["metadata"].update(prompt_hash="0123456789abcdef"))
    with pytest.raises(ResultsFileError) as exc:
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    msg = str(exc.value)
    assert "0123456789abcdef" in msg and spec_hash("deepseek-r1") in msg
    assert "metadata.prompt_hash" in msg


def test_records_disagreeing_with_the_yaml_are_refused(run_dir, store):
    def fn(_i, ln, recs):
        for r in recs:
            r["prompt_hash"] = "aaaabbbbccccdddd"
    _rewrite_samples(run_dir, "r1_math500", fn)
    with pytest.raises(ResultsFileError, match="aaaabbbbccccdddd"):
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])


@pytest.mark.parametrize("choice_every", [2, 0], ids=["both-kinds", "math-only-limit-run"])
def test_mixed_kind_task_uses_the_spec_hash(run_dir, choice_every):
    # r1_smoke-like: one preset per kind, so records carry two hashes (or one, when a --limit run met
    # only math docs); either way the run's hash is the spec's, as in the YAML metadata.
    spec = "deepseek-r1+simple-evals-choice"

    def fn(i, ln, recs):
        ln["doc"]["r1_prompt_spec"] = spec
        if choice_every and i % choice_every:
            for r in recs:
                r["prompt_hash"] = spec_hash("simple-evals-choice")
    _rewrite_samples(run_dir, "r1_math500", fn)
    _rewrite_results(run_dir, lambda d: d["configs"]["r1_math500"]["metadata"].update(
        prompt_hash=spec_hash(spec), prompt_preset=spec))
    proto = task_protocol(_math_run(run_dir))
    assert proto["prompt_hash"] == spec_hash(spec) and proto["prompt_preset"] == spec


def test_report_protocol_is_lenient_on_stale_metadata(run_dir, caplog):
    _rewrite_results(run_dir, lambda d: d["configs"]["r1_math500"]["metadata"].update(prompt_hash="0123456789abcdef"))
    with caplog.at_level(logging.WARNING):
        proto = task_protocol(_math_run(run_dir), strict=False)
    assert proto["prompt_hash"] == spec_hash("deepseek-r1")
    assert "0123456789abcdef" in caplog.text


# --- 2. dataset fingerprint ----------------------------------------------------------------------

def test_fingerprint_is_part_of_the_protocol():
    assert "dataset_fingerprint" in PROTOCOL_FIELDS
    assert all(new_board(b)["protocol"]["dataset_fingerprint"] is None for b in BENCHMARKS)


def test_fingerprint_read_from_the_stamp_and_fixed_by_the_first_run(run_dir, store):
    run = _math_run(run_dir)
    stamp = run.docs[0].doc["r1_dataset_fingerprint"]
    assert stamp == dataset_fingerprint([d.doc for d in run.docs])
    add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    board = load_board(store / "leaderboards" / "math500.json")
    assert board["protocol"]["dataset_fingerprint"] == stamp
    assert board["entries"][0]["protocol"]["dataset_fingerprint"] == stamp


def test_fingerprint_computed_when_docs_are_not_stamped(run_dir):
    def fn(_i, ln, _recs):
        ln["doc"].pop("r1_dataset_fingerprint")
    _rewrite_samples(run_dir, "r1_math500", fn)
    run = _math_run(run_dir)
    assert task_protocol(run)["dataset_fingerprint"] == dataset_fingerprint([d.doc for d in run.docs])


@pytest.mark.parametrize("how", ["other-stamp", "other-selection-unstamped"])
def test_run_on_another_selection_is_refused_naming_the_field(run_dir, store, how):
    # e.g. MoleculeQA drawn proportionally / with another seed, or AIME from another source.
    add_run(run_dir, results_dir=store, tasks=["r1_moleculeqa100"])

    def fn(i, ln, recs):
        if how == "other-stamp":
            ln["doc"]["r1_dataset_fingerprint"] = "f" * 64
        else:
            ln["doc"].pop("r1_dataset_fingerprint")
            ln["doc"]["id"] = f"mqa-other-{i}"
    _rewrite_samples(run_dir, "r1_moleculeqa100", fn)
    with pytest.raises(ProtocolMismatch, match="protocol field 'dataset_fingerprint' differs"):
        add_run(run_dir, results_dir=store, tasks=["r1_moleculeqa100"], model_name="other")


def test_mixed_fingerprint_stamps_are_refused(run_dir):
    def fn(i, ln, _recs):
        if i == 0:
            ln["doc"]["r1_dataset_fingerprint"] = "e" * 64
    _rewrite_samples(run_dir, "r1_math500", fn)
    with pytest.raises(ResultsFileError, match="different r1_dataset_fingerprint"):
        task_protocol(_math_run(run_dir))


# --- 3. board size: known, never fixed by a partial run ------------------------------------------

def test_default_board_size_is_the_benchmarks(tmp_path, run_dir):
    assert {b: new_board(b)["protocol"]["n_questions"] for b in BENCHMARKS} == {
        b: BENCHMARKS[b].n_questions for b in BENCHMARKS}
    # The 6-question fixture is not MATH-500: a default board refuses it as a full run.
    with pytest.raises(ProtocolMismatch, match="'n_questions'.*500.*6"):
        add_run(run_dir, results_dir=tmp_path / "fresh", tasks=["r1_math500"])


def _make_partial(run_dir: Path) -> None:
    _rewrite_results(run_dir, lambda d: d["n-samples"]["r1_math500"].update(original=500))


@pytest.mark.parametrize("board_size", [None, 500], ids=["board-unfixed", "board-default"])
def test_partial_first_run_does_not_fix_n_questions(run_dir, tmp_path, board_size):
    root = seed_store(tmp_path / "results", {"math500": board_size})
    _make_partial(run_dir)
    add_run(run_dir, results_dir=root, tasks=["r1_math500"], allow_partial=True)
    board = load_board(root / "leaderboards" / "math500.json")
    assert board["protocol"]["n_questions"] == board_size
    (entry,) = board["entries"]
    assert entry["partial"] is True and entry["n_questions"] == 6
    # The stamped fingerprint names the whole selection, so even a partial run may fix it.
    assert board["protocol"]["dataset_fingerprint"] == entry["protocol"]["dataset_fingerprint"]


def test_partial_run_on_a_new_custom_board_leaves_n_questions_open(run_dir, tmp_path):
    _make_partial(run_dir)
    board = tmp_path / "custom.json"
    add_run(run_dir, results_dir=tmp_path / "r", tasks=["r1_math500"], board=board, allow_partial=True)
    assert load_board(board)["protocol"]["n_questions"] is None


def test_partial_unstamped_run_has_no_fingerprint(run_dir):
    _make_partial(run_dir)

    def fn(_i, ln, _recs):
        ln["doc"].pop("r1_dataset_fingerprint")
    _rewrite_samples(run_dir, "r1_math500", fn)
    assert task_protocol(_math_run(run_dir))["dataset_fingerprint"] is None


# --- 4. lineage ----------------------------------------------------------------------------------

def test_lineage_json_beside_the_results_is_read(run_dir, store):
    (_results_path(run_dir).parent / "lineage.json").write_text(json.dumps(R1TRAIN_LINEAGE))
    add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    (entry,) = load_board(store / "leaderboards" / "math500.json")["entries"]
    assert entry["lineage"] == R1TRAIN_MAPPED


def test_cli_lineage_accepts_r1train_file_and_flags_override(run_dir, store, tmp_path, capsys):
    lin = tmp_path / "lineage.json"
    lin.write_text(json.dumps(R1TRAIN_LINEAGE))
    rc = lb_main(["add", str(run_dir), "--results-dir", str(store), "--task", "r1_math500",
                  "--lineage", str(lin), "--teacher", "someone/else"])
    assert rc == 0, capsys.readouterr().err
    (entry,) = load_board(store / "leaderboards" / "math500.json")["entries"]
    assert entry["lineage"] == {**R1TRAIN_MAPPED, "teacher": "someone/else"}


def test_explicit_lineage_overrides_the_run_file(run_dir):
    (_results_path(run_dir).parent / "lineage.json").write_text(json.dumps(R1TRAIN_LINEAGE))
    entry = build_entry(_math_run(run_dir), lineage={"recipe": "my-recipe.yaml", "data_hash": None})
    assert entry["lineage"] == {**R1TRAIN_MAPPED, "recipe": "my-recipe.yaml"}


@pytest.mark.parametrize("data,field,want", [
    ({"recipe": "plain.yaml"}, "recipe", "plain.yaml"),
    ({"recipe": {"name": "sft"}}, "recipe", "sft"),
    ({"recipe": {"path": "r.yaml", "sha256": "ab"}}, "recipe", "r.yaml@ab"),
    ({"data_hash": "x", "train_data_sha256": "y"}, "data_hash", "x"),
])
def test_lineage_normalisation(data, field, want):
    from r1bench.results.ingest import normalize_lineage

    assert normalize_lineage(data)[field] == want


def test_grpo_lineage_names_the_method_and_reward_weights():
    from r1bench.results.ingest import normalize_lineage

    lineage = {"base_model": "b", "stages": [{"name": "sft", "method": "full"},
                                             {"name": "grpo", "method": "grpo",
                                              "rewards": {"accuracy": 1.0, "format": 0.2}}]}
    got = normalize_lineage(lineage)
    assert got["method"] == "full+grpo"
    assert got["rewards"] == "accuracy=1.0,format=0.2"


def test_unknown_lineage_keys_are_ignored_with_a_warning(caplog):
    from r1bench.results.ingest import normalize_lineage

    with caplog.at_level(logging.WARNING):
        got = normalize_lineage({"teacher": "t", "teachr": "typo", "stages": []})
    assert got == {"base_model": None, "teacher": "t", "data_hash": None, "recipe": None, "method": None,
                   "rewards": None}
    assert "teachr" in caplog.text and "stages" not in caplog.text


# --- 5. backend version --------------------------------------------------------------------------

def _fake_versions(monkeypatch, installed: dict[str, str]) -> None:
    def version(name: str) -> str:
        if name in installed:
            return installed[name]
        raise importlib.metadata.PackageNotFoundError(name)
    monkeypatch.setattr(importlib.metadata, "version", version)


@pytest.mark.parametrize("backend,model_args,installed,version,endpoint", [
    ("hf", "pretrained=m,dtype=bfloat16", {}, "5.23.0", None),
    ("vllm", "pretrained=m,tensor_parallel_size=2", {"vllm": "0.11.0"}, "0.11.0", None),
    ("vllm", "pretrained=m", {}, None, None),
    ("r1bench-chat", "base_url=http://127.0.0.1:8000/v1,model=deepseek-reasoner", {}, "RECORDS", "deepseek-reasoner"),
])
def test_backend_version(run_dir, monkeypatch, backend, model_args, installed, version, endpoint):
    _fake_versions(monkeypatch, installed)
    _rewrite_results(run_dir, lambda d: d["config"].update(model=backend, model_args=model_args))
    run = _math_run(run_dir)
    info = model_info(run.results)
    assert info["backend"]["endpoint_model"] == endpoint
    entry = build_entry(run)
    want = run.docs[0].records[0]["r1bench_version"] if version == "RECORDS" else version
    assert entry["backend"]["version"] == want
    if backend == "r1bench-chat":
        assert entry["model"]["name"] == "deepseek-reasoner"


# --- 6. failed API samples -----------------------------------------------------------------------

def _fail_two(run_dir: Path) -> None:
    # A failed request is recorded the way score_doc records it: no output, no answer, wrong.
    def fn(i, ln, recs):
        if i in (1, 3):
            recs[2]["extra"] = {**(recs[2].get("extra") or {}), "api_error": "HTTP 503 after 6 attempts"}
            recs[2].update(raw_output="", correct=False, extracted=None)
            ln["resps"][0][2] = "[r1bench api failure] HTTP 503 after 6 attempts"
    _rewrite_samples(run_dir, "r1_math500", fn)
    # Doc 1's sample 2 was right: pass@1 per doc 1, 2/4, 1/4, 3/4, 3/4, 0 -> 3.25 / 6.
    _rewrite_results(run_dir, lambda d: d["results"]["r1_math500"].update({"pass@1,r1": 3.25 / 6}))


def test_failed_api_samples_are_refused(run_dir, store):
    _fail_two(run_dir)
    before = {p: p.read_bytes() for p in store.rglob("*.json")}
    with pytest.raises(ResultsFileError) as exc:
        add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    msg = str(exc.value)
    assert "2 of 24 samples failed" in msg and "HTTP 503" in msg
    assert "re-run the same" in msg.lower() and "--allow-failures" in msg
    assert {p: p.read_bytes() for p in store.rglob("*.json")} == before


def test_allow_failures_records_the_count(run_dir, store, capsys):
    _fail_two(run_dir)
    assert lb_main(["add", str(run_dir), "--results-dir", str(store), "--task", "r1_math500",
                    "--allow-failures"]) == 0, capsys.readouterr().err
    (entry,) = load_board(store / "leaderboards" / "math500.json")["entries"]
    assert entry["failed_samples"] == 2


def test_clean_run_has_no_failures_and_is_not_partial(run_dir, store):
    add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    (entry,) = load_board(store / "leaderboards" / "math500.json")["entries"]
    assert entry["failed_samples"] == 0 and entry["partial"] is False


# --- schema ----------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("bm", sorted(BENCHMARKS))
def test_committed_boards_carry_size_and_open_fingerprint(bm):
    # An empty committed board takes any honest full run: the benchmark's size, and the pinned
    # question-set fingerprint where r1bench pins one (open otherwise). It used to be open always,
    # which let a tampered first run fix it and lock honest runs out (issue 11, finding 5).
    from r1bench.datasets.specs import pinned_fingerprints

    board = load_board(ROOT / "results" / "leaderboards" / f"{bm}.json")
    if not board["entries"]:
        assert board["protocol"]["n_questions"] == BENCHMARKS[bm].n_questions
        pins = pinned_fingerprints(BENCHMARKS[bm].task)
        assert board["protocol"]["dataset_fingerprint"] == (pins[0] if pins else None)


@pytest.mark.parametrize("value,ok", [(None, True), ("a" * 64, True), ("abc", False), ("G" * 64, False)])
def test_schema_checks_the_fingerprint(tmp_path, value, ok):
    board = new_board("aime24")
    board["protocol"]["dataset_fingerprint"] = value
    if ok:
        save_board(tmp_path / "b.json", board)
    else:
        with pytest.raises(ResultsFileError, match="protocol.dataset_fingerprint"):
            save_board(tmp_path / "b.json", board)
