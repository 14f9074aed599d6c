"""What a sample's output says about how it ended: finish_reason, token usage, API error.

A live run reads it from the response object (:class:`r1bench.response.Response`, which carries
it from the backend); a rescoring reads it from the record saved in the samples file, since a new
process has only the text. Never a global keyed by text: two identical texts keep their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from r1bench.api.failures import failure_error
from r1bench.response import response_metadata

__all__ = ["live_metadata", "sentinel_error", "saved_metadata", "shown_options"]


def shown_options(doc: Mapping[str, Any], saved: Mapping[str, Any] | None) -> list[str] | None:
    """The option texts of a choice doc in the shown order (the doc's ``choices``), else those a
    saved record kept; None for math docs or when unknown."""
    if doc.get("kind") != "choice":
        return None
    choices = doc.get("choices")
    if isinstance(choices, list) and choices and all(isinstance(c, str) for c in choices):
        return list(choices)
    extra = saved.get("extra") if saved is not None and isinstance(saved.get("extra"), Mapping) else {}
    kept = extra.get("options")
    if isinstance(kept, list) and kept and all(isinstance(c, str) for c in kept):
        return list(kept)
    return None


def live_metadata(text: str) -> dict[str, Any]:
    """finish_reason / usage / error carried by the response object itself
    (:class:`r1bench.response.Response`, returned by r1bench-chat, r1bench-hf and r1bench-vllm);
    ``{}`` for a plain string (another backend, or lm-eval's cache)."""
    return response_metadata(text)


def sentinel_error(text: str) -> str | None:
    """The error of an r1bench-chat failure sentinel (works in any process), else None."""
    return failure_error(text)


def saved_metadata(record: Mapping[str, Any]) -> dict[str, Any]:
    """finish_reason / API usage / API error of a saved record, in :func:`live_metadata`'s shape.

    API token counts are those in ``extra["api_usage"]``; older records without it count as API
    counts when they were neither estimated nor retokenized.
    """
    extra = record.get("extra") if isinstance(record.get("extra"), Mapping) else {}
    meta: dict[str, Any] = {"finish_reason": record.get("finish_reason")}
    if isinstance(record.get("budget"), Mapping):  # a budget-forced sample keeps its record
        meta["budget"] = dict(record["budget"])
    if extra.get("api_error"):
        meta["error"] = extra["api_error"]
    usage = extra.get("api_usage")
    if isinstance(extra.get("engine_usage"), Mapping):
        usage, meta["source"] = extra["engine_usage"], "engine"
    if isinstance(extra.get("api_latency"), Mapping):
        meta["latency"] = dict(extra["api_latency"])
    if isinstance(usage, Mapping):
        meta["usage"] = {k: v for k, v in usage.items() if isinstance(v, int)}
    elif (
        record.get("tokens_estimated") is False
        and not str(extra.get("token_count", "")).startswith("retokenized:")
        and isinstance(record.get("completion_tokens"), int)
    ):
        meta["usage"] = {"completion_tokens": record["completion_tokens"]}
    return meta
