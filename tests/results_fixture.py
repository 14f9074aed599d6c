"""The synthetic lm-eval run in tests/fixtures/lm_eval_output and a results store that accepts it."""

from __future__ import annotations

from pathlib import Path

from r1bench.results.leaderboard import new_board, save_board

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "lm_eval_output"

# Questions per task in the synthetic fixture (the real benchmarks are larger).
FIXTURE_SIZES: dict[str, int | None] = {"math500": 6, "gpqa_diamond": 4, "moleculeqa100": 4}


def seed_store(root: Path, sizes: dict[str, int | None] | None = None) -> Path:
    """A results store whose boards take the fixture's question counts (else they'd refuse it)."""
    for bm, n in (sizes or FIXTURE_SIZES).items():
        board = new_board(bm)
        board["protocol"]["n_questions"] = n
        save_board(root / "leaderboards" / f"{bm}.json", board)
    return root
