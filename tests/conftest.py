"""Shared test settings: one thread per model so tests behave the same on 2 cores and in CI."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# r1bench-hf/-vllm resume from a sample store: tests must not reuse samples from earlier runs.
os.environ.setdefault("R1BENCH_LOCAL_STORE", tempfile.mkdtemp(prefix="r1bench-test-store-"))

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
