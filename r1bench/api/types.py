"""Plain data types of the API backend: run options, one request, one result, one run's summary.

They are frozen dataclasses so a config can be shared between tasks and hashed into store keys
without surprises. No API key lives in any of them: the key is read from the environment at send
time (see :func:`r1bench.api.client.resolve_api_key`).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ChatConfig",
    "ChatRequest",
    "ChatResult",
    "RunSummary",
    "DEFAULT_MAX_TOKENS",
    "default_store_path",
]

#: Generation limit used when a request's gen_kwargs give none (the R1 protocol's 32k).
DEFAULT_MAX_TOKENS = 32768


def default_store_path() -> Path:
    """Where samples are stored when no path is given: ``$R1BENCH_API_STORE``, else
    ``~/.cache/r1bench/api_store``."""
    env = os.environ.get("R1BENCH_API_STORE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "r1bench" / "api_store"


@dataclass(frozen=True)
class ChatConfig:
    """Options of one API run.

    ``base_url`` is what the ``openai`` client takes (``http://host:port/v1``); requests go to
    ``{base_url}/chat/completions``. ``seed`` is a base seed: sample ``i`` is sent ``seed + i``
    (``None`` sends no seed). ``timeout`` bounds one attempt in seconds (reasoning models are
    slow, so the default is an hour). ``max_retries`` counts retries after the first attempt.
    ``store_path`` is a directory (``samples.sqlite`` inside) or a ``.sqlite``/``.db`` file;
    ``fresh`` re-sends everything and overwrites stored samples; ``retry_failed`` (default) re-sends
    samples that failed in an earlier run, ``False`` returns them as stored.

    ``stream``: read each response as server-sent events and record its phase latency
    (:mod:`r1bench.api.stream`); the store key does not depend on it, so a streamed run resumes a
    non-streamed one. ``budget_mode`` (``completions`` or ``prefix``) and ``tokenizer``: how
    budget-forced requests continue a partial answer (:mod:`r1bench.api.budget_client`).
    """

    base_url: str
    model: str
    api_key_env: str | None = None
    num_concurrent: int = 8
    max_retries: int = 6
    timeout: float = 3600.0
    seed: int | None = None
    store_path: str | None = None
    fresh: bool = False
    price_input_per_m: float | None = None
    price_output_per_m: float | None = None
    retry_failed: bool = True
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 600.0
    default_max_tokens: int = DEFAULT_MAX_TOKENS
    max_tokens_field: str = "max_tokens"
    stream: bool = False
    budget_mode: str | None = None
    tokenizer: str | None = None

    def __post_init__(self) -> None:
        if not self.base_url:
            raise ValueError("ChatConfig.base_url is required, e.g. http://127.0.0.1:8000/v1")
        if not self.model:
            raise ValueError("ChatConfig.model is required (the model name the server expects)")
        if int(self.num_concurrent) < 1:
            raise ValueError(f"num_concurrent must be >= 1, got {self.num_concurrent}")
        if int(self.max_retries) < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if float(self.timeout) <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")
        if self.max_tokens_field not in ("max_tokens", "max_completion_tokens"):
            raise ValueError(
                "max_tokens_field must be 'max_tokens' or 'max_completion_tokens', "
                f"got {self.max_tokens_field!r}"
            )
        if self.budget_mode not in (None, "completions", "prefix"):
            raise ValueError(f"budget_mode must be completions or prefix, got {self.budget_mode!r}")
        if self.budget_mode == "completions" and not self.tokenizer:
            raise ValueError(
                "budget_mode=completions renders the chat template locally: pass tokenizer=NAME_OR_PATH "
                "(the served model's tokenizer)"
            )

    @property
    def endpoint(self) -> str:
        """The full chat-completions URL (accepts a base URL that already ends with it)."""
        url = self.base_url.rstrip("/")
        if url.endswith("/chat/completions"):
            return url
        return url + "/chat/completions"

    @property
    def completions_endpoint(self) -> str:
        """The text-completions URL (``{base_url}/completions``), used by ``budget_mode=completions``."""
        url = self.base_url.rstrip("/")
        if url.endswith("/chat/completions"):
            url = url[: -len("/chat/completions")]
        return url + "/completions"

    @property
    def store_file(self) -> Path:
        """The SQLite file of the sample store."""
        path = Path(self.store_path).expanduser() if self.store_path else default_store_path()
        if path.suffix in (".sqlite", ".db", ".sqlite3"):
            return path
        return path / "samples.sqlite"

    @property
    def priced(self) -> bool:
        return self.price_input_per_m is not None or self.price_output_per_m is not None


@dataclass(frozen=True)
class ChatRequest:
    """One chat request: the messages, lm-eval style generation kwargs (``max_gen_toks``,
    ``until``, ``temperature``, ``top_p``...), and which of the k samples of this prompt it is."""

    messages: list[dict[str, Any]]
    gen_kwargs: dict[str, Any] = field(default_factory=dict)
    sample_index: int = 0


@dataclass
class ChatResult:
    """What came back for one request. ``text`` is what gets scored: the answer, preceded by the
    reasoning in ``<think>...</think>`` when the server returned it separately. A failed sample
    has ``error`` set and empty ``text``."""

    request: ChatRequest
    text: str
    content: str | None
    reasoning_content: str | None
    finish_reason: str | None
    usage: dict[str, Any]
    error: str | None
    attempts: int
    key: str = ""
    from_store: bool = False
    budget: dict[str, Any] | None = None
    latency: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form without the request (the store keeps the payload apart)."""
        data = asdict(self)
        data.pop("request")
        return data


@dataclass
class RunSummary:
    """Counts of one run: a run with any failed sample is ``incomplete``; re-running the same
    command re-sends only the failed and unfinished samples."""

    total: int
    ok: int
    failed: int
    from_store: int
    sent: int
    retried: int
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    elapsed_s: float
    cost_usd: float | None
    cost_usd_this_run: float | None
    model: str
    endpoint: str
    store: str
    failures: list[dict[str, Any]] = field(default_factory=list)
    # Percentiles of the streamed samples' phase latency (r1bench.api.stream.latency_percentiles).
    latency: dict[str, Any] = field(default_factory=dict)

    @property
    def incomplete(self) -> bool:
        return self.failed > 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["incomplete"] = self.incomplete
        return data
