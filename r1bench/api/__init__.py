"""OpenAI-compatible chat backend: concurrent, retried, resumable API evaluation.

``run_chat_requests(requests, config)`` sends chat requests with bounded concurrency, folds
``reasoning_content`` into ``<think>...</think>``, retries transient failures, and stores every
sample in a content-keyed SQLite store so a re-run resumes. ``import r1bench.lm_eval.chat``
registers the lm-eval model ``r1bench-chat`` built on it.
"""

from r1bench.api.client import resolve_api_key, run_chat_requests, summarize_results
from r1bench.api.store import SampleStore, request_key
from r1bench.api.types import ChatConfig, ChatRequest, ChatResult, RunSummary, default_store_path

__all__ = [
    "ChatConfig",
    "ChatRequest",
    "ChatResult",
    "RunSummary",
    "run_chat_requests",
    "summarize_results",
    "resolve_api_key",
    "SampleStore",
    "request_key",
    "default_store_path",
]
