"""Shared test settings (one thread per model so tests behave the same on 2 cores and in CI) and the
one place the real benchmark files are found: the ``shared_data`` fixture and marker."""

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# r1bench-hf/-vllm resume from a sample store: tests must not reuse samples from earlier runs.
os.environ.setdefault("R1BENCH_LOCAL_STORE", tempfile.mkdtemp(prefix="r1bench-test-store-"))

REPO_ROOT = Path(__file__).resolve().parent.parent
# The real MATH-500 and AIME 2024 files, never copied into the repository: ../shared/data beside the
# checkout, or where $R1BENCH_SHARED_DATA says (e.g. from a worktree). They are optional.
SHARED_DATA = Path(os.environ.get("R1BENCH_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "shared_data(*files): needs these files (paths under the shared data "
                            "folder; none: the folder) and is skipped without them")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("shared_data"):
        missing = [f for f in (mark.args or ("",)) if not (SHARED_DATA / f).exists()]
        if missing:
            pytest.skip(f"{SHARED_DATA / missing[0]} not present (real benchmark files are optional)")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder (:data:`SHARED_DATA`); mark a test ``shared_data(...)`` to skip without it."""
    return SHARED_DATA
