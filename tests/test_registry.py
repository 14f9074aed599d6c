"""The task registry: each task's facts as a human wrote them down, and the views other modules read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from r1bench.datasets import TASK_DATASETS, TASKS, load_task_docs
from r1bench.registry import GROUPS, TASK_SPECS, TaskSpec, get_task
from r1bench.results.leaderboard import BENCHMARKS, TASK_TO_BENCHMARK
from r1bench.results.report import BREAKDOWNS

# Written by hand from docs/design.md section 2 and the task READMEs (open-r1's k; benchmark sizes).
# task: (kind, k, prompt preset, questions, max gen tokens, board id, title, breakdown fields)
EXPECTED = {
    "r1_aime24": ("math", 64, "deepseek-r1", 30, 32768, "aime24", "AIME 2024", ("year",)),
    "r1_math500": ("math", 4, "deepseek-r1", 500, 32768, "math500", "MATH-500", ("subject", "level")),
    "r1_gpqa_diamond": ("choice", 8, "simple-evals-choice", 198, 32768, "gpqa_diamond", "GPQA-Diamond",
                        ("domain", "subdomain")),
    "r1_moleculeqa100": ("choice", 4, "simple-evals-choice", 100, 32768, "moleculeqa100", "MoleculeQA-100",
                         ("category",)),
    "r1_smoke": ("mixed", 2, "deepseek-r1+simple-evals-choice", 12, 128, None, "Smoke (embedded)", ()),
}
PROMPT_HASHES = {"deepseek-r1": "ddf728e6a28024d4", "simple-evals-choice": "000a829962b4f8ac",
                 "deepseek-r1+simple-evals-choice": "cb9fdcfb1813cc62"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_task_facts(name: str) -> None:
    t = get_task(name)
    kind, k, preset, size, max_toks, board, title, breakdown = EXPECTED[name]
    assert (t.kind, t.k, t.prompt_preset, t.n_questions, t.max_gen_toks) == (kind, k, preset, size, max_toks)
    assert (t.leaderboard, t.title, t.breakdown) == (board, title, breakdown)
    assert t.prompt_hash == PROMPT_HASHES[preset]


def test_registry_holds_exactly_these_tasks_and_the_suite() -> None:
    assert set(TASK_SPECS) == set(EXPECTED)
    assert GROUPS == {"r1_suite": ("r1_math500", "r1_aime24", "r1_gpqa_diamond", "r1_moleculeqa100")}


def test_unknown_task_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(KeyError) as err:
        get_task("r1_math5000")
    msg = str(err.value.args[0])
    assert "\n" not in msg and "'r1_math5000'" in msg and "r1_math500" in msg and "r1_smoke" in msg
    with pytest.raises(KeyError, match="unknown task 'nope'"):
        load_task_docs("nope")


def test_views_read_the_registry() -> None:
    # Every view is EXPECTED (the one hand-written table above), seen from its own side; the
    # leaderboard order is the column order of results/LEADERBOARD.md.
    boards = {name: row for name, row in EXPECTED.items() if row[5] is not None}
    assert list(BENCHMARKS) == [row[5] for row in boards.values()]
    assert TASK_TO_BENCHMARK == {name: row[5] for name, row in boards.items()}
    assert {b: (BENCHMARKS[b].default_k, BENCHMARKS[b].n_questions, BENCHMARKS[b].kind) for b in BENCHMARKS} == {
        row[5]: (row[1], row[3], row[0]) for row in boards.values()}
    assert BREAKDOWNS == {name: row[7] for name, row in EXPECTED.items() if row[7]}
    assert TASKS["r1_math500"] == "r1bench.datasets.math500:load"
    assert {t: TASK_DATASETS[t].rows for t in EXPECTED} == {name: row[3] for name, row in EXPECTED.items()}


@pytest.mark.parametrize(("change", "message"), [
    ({"k": 0}, "must be >= 1"),
    ({"loader": "r1bench.datasets.math500"}, "module:function"),
    ({"prompt_preset": "simple-evals-choice"}, "covers"),
    ({"prompt_preset": "no-such-preset"}, "unknown prompt preset"),
])
def test_a_wrong_spec_fails_at_definition(change: dict, message: str) -> None:
    base = dict(name="r1_x", title="X", loader="r1bench.datasets.math500:load", kind="math", k=4,
                prompt_preset="deepseek-r1", n_questions=10)
    with pytest.raises((ValueError, KeyError), match=message):
        TaskSpec(**{**base, **change})


def test_smoke_takes_no_options() -> None:
    assert len(load_task_docs("r1_smoke")) == 12
    with pytest.raises(TypeError, match="r1_smoke takes no options, got verify"):
        load_task_docs("r1_smoke", verify=False)


def test_every_task_has_its_data_spec_under_the_same_name() -> None:
    assert set(TASK_DATASETS) == set(EXPECTED)
    assert all(TASK_DATASETS[name].task == name for name in EXPECTED)
    # Only the embedded task ships without data files.
    assert [name for name in EXPECTED if not TASK_DATASETS[name].files] == ["r1_smoke"]
    assert [name for name in EXPECTED if get_task(name).embedded] == ["r1_smoke"]


def test_the_front_page_task_table_names_every_task_with_its_k() -> None:
    # README.md's table is hand-written prose (sources, what is graded); its tasks and k must still
    # be the registry's, so a new or changed task cannot leave the front page stale.
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(r1_\w+)` \| [^|]+ \|\s*(\d*)\s*\|", readme, flags=re.MULTILINE)
    table = dict(rows)
    assert set(table) == set(TASK_SPECS) | set(GROUPS)
    assert {name: int(k) for name, k in table.items() if name in TASK_SPECS} == {
        name: spec.k for name, spec in TASK_SPECS.items()}


@pytest.mark.parametrize(("task", "quotable"), [
    ("r1_gpqa_diamond", False), ("r1_math500", True), ("r1_smoke", True), ("r1_moleculeqa100", True),
    ("my_gpqa_main", False), ("my_task", True),  # outside the registry: by name
])
def test_which_tasks_reports_may_quote(task: str, quotable: bool) -> None:
    from r1bench.registry import may_quote

    assert may_quote(task) is quotable
