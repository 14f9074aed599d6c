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


def _tiny_llama(path: Path, *, hidden: int = 64, layers: int = 2, heads: int = 4, kv_heads: int = 2,
                context: int = 1024, add_tokens: tuple[str, ...] = ()) -> Path:
    """A random LlamaForCausalLM with the embedded model's tokenizer and chat template (no hub)."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from r1bench.models.default import ensure_default_model

    tok = AutoTokenizer.from_pretrained(ensure_default_model())
    if add_tokens:
        tok.add_tokens(list(add_tokens))
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=hidden, intermediate_size=2 * hidden,
                      num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
                      max_position_embeddings=context, bos_token_id=tok.bos_token_id,
                      eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    LlamaForCausalLM(cfg).save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random LlamaForCausalLM (hidden 64, 2 layers) with the embedded model's tokenizer."""
    return _tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_llama_close(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Llama with ``</think>`` added to its tokenizer as one token (as R1 distills have it)."""
    return _tiny_llama(tmp_path_factory.mktemp("tiny-llama-close"), add_tokens=("</think>",))


@pytest.fixture(scope="session")
def tiny_llama_1layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1-layer Llama (hidden 16, ~10 MB) with the embedded model's tokenizer and chat template."""
    return _tiny_llama(tmp_path_factory.mktemp("tiny-llama-1"), hidden=16, layers=1, heads=2, kv_heads=1,
                       context=2048)
