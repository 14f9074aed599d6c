"""Budget forcing options in a run's protocol: a budgeted run never lands on a board of unbudgeted
runs (nor the reverse), and boards written before the options existed mean "no budget"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from results_fixture import FIXTURE, seed_store

from r1bench.results.ingest import load_task_runs, task_protocol
from r1bench.results.leaderboard import (
    ProtocolMismatch,
    compare_protocol,
    default_protocol,
    load_board,
)
from r1bench.results.leaderboard_cli import add_run
from r1bench.results.schema import ResultsFileError


@pytest.fixture()
def run_dir(tmp_path):
    dest = tmp_path / "out"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return dest


def _set_gen_kwargs(run_dir: Path, task_gk: dict, cli=None) -> None:
    """As lm-eval writes a run with --gen_kwargs: merged into the task's generation_kwargs and kept in config."""
    path = next(run_dir.rglob("results_*.json"))
    data = json.loads(path.read_text())
    data["configs"]["r1_math500"]["generation_kwargs"].update(task_gk)
    if cli is not None:
        data["config"]["gen_kwargs"] = cli
    path.write_text(json.dumps(data))


def _protocol(run_dir: Path) -> dict:
    (run,) = load_task_runs(run_dir, tasks=["r1_math500"])
    return task_protocol(run)


THINKING = ("thinking_budget", "thinking_extend", "thinking_extend_str")


# (task generation_kwargs, config.gen_kwargs as lm-eval saved it, expected thinking fields)
CASES = [
    ({}, None, (None, None, None)),
    ({"thinking_budget": 16}, {"thinking_budget": 16}, (16, None, None)),
    ({}, "thinking_budget=512,temperature=0.6", (512, None, None)),
    ({"thinking_extend": 2}, None, (None, 2, "Wait")),  # the documented default string, spelled out
    ({"thinking_extend": 1, "thinking_extend_str": "Hmm"}, None, (None, 1, "Hmm")),
    ({"thinking_extend": 0, "thinking_extend_str": "Hmm"}, None, (None, None, None)),  # 0: no extension
    ({"thinking_budget": "1024", "thinking_extend": "1"}, None, (1024, 1, "Wait")),
]


@pytest.mark.parametrize("task_gk, cli, expected", CASES)
def test_protocol_carries_the_thinking_options(run_dir, task_gk, cli, expected):
    _set_gen_kwargs(run_dir, task_gk, cli)
    proto = _protocol(run_dir)
    assert tuple(proto[f] for f in THINKING) == expected


def test_a_non_integer_budget_is_refused_naming_the_field(run_dir):
    _set_gen_kwargs(run_dir, {"thinking_budget": "lots"})
    with pytest.raises(ResultsFileError, match="generation_kwargs.thinking_budget.*'lots' is not an integer"):
        _protocol(run_dir)


# (board protocol extras, run protocol extras, the field the refusal names or None)
COMPARE = [
    ({}, {"thinking_budget": None, "thinking_extend": None, "thinking_extend_str": None}, None),
    ({}, {"thinking_budget": 16}, "thinking_budget"),
    ({"thinking_budget": 16}, {"thinking_budget": None}, "thinking_budget"),
    ({"thinking_budget": 16}, {"thinking_budget": 32}, "thinking_budget"),
    ({"thinking_budget": 16}, {"thinking_budget": 16}, None),
    ({}, {"thinking_extend": 1, "thinking_extend_str": "Wait"}, "thinking_extend"),
    ({"thinking_extend": 1, "thinking_extend_str": "Wait"}, {"thinking_extend": 1, "thinking_extend_str": "Hmm"},
     "thinking_extend_str"),
]


@pytest.mark.parametrize("board_extra, run_extra, field", COMPARE)
def test_compare_protocol_on_thinking_fields(board_extra, run_extra, field):
    board = {**default_protocol("math500"), **board_extra}
    run = {**default_protocol("math500"), **run_extra}
    if field is None:
        compare_protocol(board, run, "b")
    else:
        with pytest.raises(ProtocolMismatch) as exc:
            compare_protocol(board, run, "b")
        assert exc.value.field == field


def test_default_board_protocol_is_unchanged_and_means_no_budget():
    # Existing boards have no thinking fields; the default protocol adds none (files stay byte-identical).
    assert not set(THINKING) & set(default_protocol("math500"))


def test_budgeted_run_is_refused_by_an_unbudgeted_board(run_dir, tmp_path):
    store = seed_store(tmp_path / "results")
    before = (store / "leaderboards" / "math500.json").read_bytes()
    _set_gen_kwargs(run_dir, {"thinking_budget": 16}, {"thinking_budget": 16})
    with pytest.raises(ProtocolMismatch, match="'thinking_budget'.*board has None, run has 16"):
        add_run(run_dir, results_dir=store, board=store / "leaderboards" / "math500.json", tasks=["r1_math500"])
    assert (store / "leaderboards" / "math500.json").read_bytes() == before
    # Without --board it goes on the budget's own board, never the unbudgeted one.
    add_run(run_dir, results_dir=store, tasks=["r1_math500"])
    assert (store / "leaderboards" / "math500.json").read_bytes() == before
    assert load_board(store / "leaderboards" / "math500_budget16.json")["protocol"]["thinking_budget"] == 16


def test_budgeted_run_gets_its_own_board_and_an_unbudgeted_run_is_refused_there(run_dir, tmp_path):
    store = seed_store(tmp_path / "results")
    plain = tmp_path / "plain"
    shutil.copytree(run_dir, plain)
    _set_gen_kwargs(run_dir, {"thinking_budget": 16})
    board = tmp_path / "math500_budget16.json"
    add_run(run_dir, results_dir=store, board=board, tasks=["r1_math500"])
    saved = load_board(board)
    assert saved["protocol"]["thinking_budget"] == 16
    assert saved["entries"][0]["protocol"]["thinking_budget"] == 16
    with pytest.raises(ProtocolMismatch, match="'thinking_budget'.*board has 16, run has None"):
        add_run(plain, results_dir=store, board=board, tasks=["r1_math500"])
    # ... while the unbudgeted run goes on the default board, its protocol saying "no budget".
    add_run(plain, results_dir=store, tasks=["r1_math500"])
    (entry,) = load_board(store / "leaderboards" / "math500.json")["entries"]
    assert {f: entry["protocol"][f] for f in THINKING} == dict.fromkeys(THINKING)
