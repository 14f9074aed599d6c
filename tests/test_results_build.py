"""`r1bench leaderboard build`: deterministic output, committed output up to date, conflicts flagged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from results_fixture import FIXTURE, FIXTURE_SIZES

from r1bench.results.build import benchmark_rows, build, check, load_store, render
from r1bench.results.leaderboard import BENCHMARKS, load_board, save_board
from r1bench.results.leaderboard_cli import add_run
from r1bench.results.leaderboard_cli import main as lb_main
from r1bench.results.plots import png_text_chunks

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"


@pytest.fixture()
def store(tmp_path):
    """A copy of the committed store whose boards take the fixture's (small) question counts (and,
    as it is not the real question set, not the pinned real fingerprints)."""
    dest = tmp_path / "results"
    shutil.copytree(RESULTS / "references", dest / "references")
    shutil.copytree(RESULTS / "leaderboards", dest / "leaderboards")
    for bm, n in FIXTURE_SIZES.items():
        path = dest / "leaderboards" / f"{bm}.json"
        board = load_board(path)
        board["protocol"]["n_questions"] = n
        board["protocol"]["dataset_fingerprint"] = None
        save_board(path, board)
    return dest


def _tracked_results(dest: Path) -> Path:
    """A copy of the git-tracked files under results/ (a user's own untracked boards left out)."""
    import subprocess

    try:
        listed = subprocess.run(["git", "ls-files", "-z", "results"], cwd=RESULTS.parent, capture_output=True,
                                check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        return RESULTS  # not a git checkout: the folder as it is
    for rel in filter(None, listed):
        target = dest / Path(rel).relative_to("results")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(RESULTS.parent / rel, target)
    return dest


def test_committed_output_is_up_to_date(tmp_path):
    diffs = check(_tracked_results(tmp_path / "results"))
    assert diffs == [], "run `r1bench leaderboard build`: " + ", ".join(f"{d.path} ({d.reason})" for d in diffs)


def test_build_twice_is_byte_identical(store, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    add_run(run, results_dir=store)
    assert build(store)  # first build writes everything
    first = {p: p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}
    assert build(store) == []
    assert {p: p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()} == first
    assert render(store) == render(store)
    assert check(store) == []


def test_generated_files_and_png_limits(store):
    build(store)
    md = (store / "LEADERBOARD.md").read_text()
    for title in ("## Suite", "## AIME 2024", "## MATH-500", "## GPQA-Diamond", "## MoleculeQA-100",
                  "## Conflicting reports", "## Sources"):
        assert title in md
    pngs = sorted((store / "plots").glob("*.png"))
    assert len(pngs) == len(BENCHMARKS) + 1  # a score plot per benchmark, and accuracy vs tokens
    for p in pngs:
        data = p.read_bytes()
        chunks = png_text_chunks(data)
        assert "Comment" in chunks and "Creation Time" not in chunks
        assert len(data) < 200_000


def test_ours_and_references_marked_with_ci_and_noise(store, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    add_run(run, results_dir=store)
    build(store)
    md = (store / "LEADERBOARD.md").read_text()
    ours = [ln for ln in md.splitlines() if "| **ours** |" in ln and ln.startswith("| ") and "entry `" in ln]
    assert len(ours) == 3
    assert all("–" in ln for ln in ours)  # a CI range on every row of ours
    assert "≈ above" in md
    assert "~" in md  # approximate CIs of references


@pytest.mark.parametrize("model,values", [
    ("QwQ-32B-Preview", {44.0, 50.0}),
    ("DeepSeek-R1-Distill-Llama-8B", {50.4, 41.7}),
])
def test_conflicts_are_kept_side_by_side_and_flagged(model, values):
    store = load_store(RESULTS)
    groups = [g for g in store.conflicts if g[0].model == model and g[0].benchmark == "aime24"]
    assert len(groups) == 1
    assert {r.value for r in groups[0]} == values
    rows = [r for r in benchmark_rows(store, "aime24") if r.model == model and r.conflict]
    assert {r.pass1 for r in rows} == values


def test_reproductions_are_not_conflicts():
    store = load_store(RESULTS)
    flagged = {(g[0].model, g[0].benchmark) for g in store.conflicts}
    assert ("DeepSeek-R1-Distill-Qwen-7B", "math500") not in flagged  # 92.8 (DeepSeek) vs 94.5 (open-r1)


def test_check_detects_stale_output(store, capsys):
    build(store)
    (store / "LEADERBOARD.md").write_text("stale\n")
    assert lb_main(["build", "--results-dir", str(store), "--check"]) == 1
    assert "LEADERBOARD.md: content differs" in capsys.readouterr().err
    assert lb_main(["build", "--results-dir", str(store)]) == 0
    assert lb_main(["build", "--results-dir", str(store), "--check"]) == 0


@pytest.mark.parametrize("argv", [["--help"], ["add", "--help"], ["build", "--help"], ["validate", "--help"]])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        lb_main(argv)
    assert exc.value.code == 0
    assert "usage: r1bench leaderboard" in capsys.readouterr().out


def _main_tables(md: str) -> str:
    return md.split("## Partial and off-protocol runs")[0]


def test_partial_and_off_protocol_runs_are_shown_apart_with_a_badge(store, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    add_run(run, results_dir=store)
    md = render(store)["LEADERBOARD.md"].decode()
    assert "## Partial and off-protocol runs" not in md  # full runs only: no side section
    path = store / "leaderboards" / "math500.json"
    board = load_board(path)
    board["entries"][0]["partial"] = True
    elsewhere = tmp_path / "elsewhere" / "math500_short.json"
    elsewhere.parent.mkdir()
    shutil.move(path, elsewhere)
    save_board(path, {**board, "entries": []})
    save_board(elsewhere, board)
    files = render(store, [elsewhere])
    md = files["LEADERBOARD.md"].decode()
    side = md.split("## Partial and off-protocol runs")[1].split("## Conflicting reports")[0]
    assert "| **partial** | MATH-500 |" in side
    assert "board `math500:math500_short`;" in side
    assert "board `math500:math500_short`;" not in _main_tables(md)  # its entries are not ranked there
    assert "Partial and off-protocol runs" in files["LEADERBOARD.html"].decode()


def test_no_unset_in_protocol_lines():
    assert "unset" not in (RESULTS / "LEADERBOARD.md").read_text(encoding="utf-8")


def test_build_outside_a_results_store_says_so(tmp_path, capsys):
    assert lb_main(["build", "--results-dir", str(tmp_path / "results")]) == 1
    assert "not an r1bench results store" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()
