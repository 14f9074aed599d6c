"""One sample of a stamped doc -> its :class:`~r1bench.records.SampleRecord`: the one place that
turns (doc, output metadata, raw text, sample index) into the :func:`~r1bench.records.score_response`
call.

The ``r1`` filter (a live run and a rescoring, :mod:`r1bench.lm_eval.filter`) and the leaderboard's
re-grade (:mod:`r1bench.results.verify`) both call :func:`score_sample`, so a stored verdict and its
re-grade see the same options, token counts, cap and finish reason and cannot drift apart. The
output metadata is live (the :class:`~r1bench.response.Response` object) or read back from a saved
record by :func:`saved_metadata`; nothing here knows lm-eval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from r1bench.api.failures import failure_error
from r1bench.diagnostics import count_tokens
from r1bench.records import SampleRecord, score_response

__all__ = ["shown_options", "saved_metadata", "score_sample"]


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


def saved_metadata(record: Mapping[str, Any], *, retokenized: bool = False) -> dict[str, Any]:
    """finish_reason / API usage / API error of a saved record, in the live metadata's shape
    (:meth:`r1bench.response.Response.metadata`).

    API token counts are those in ``extra["api_usage"]``; older records without it count as API
    counts when they were neither estimated nor retokenized. ``retokenized``: also keep counts a
    tokenizer made (source ``retokenized:<name>``), for a re-grade that does not load the tokenizer
    (the filter loads it and counts again).
    """
    extra = record.get("extra") if isinstance(record.get("extra"), Mapping) else {}
    finish = record.get("finish_reason")
    meta: dict[str, Any] = {"finish_reason": finish if isinstance(finish, str) else None}
    if isinstance(record.get("budget"), Mapping):  # a budget-forced sample keeps its record
        meta["budget"] = dict(record["budget"])
    if extra.get("api_error"):
        meta["error"] = extra["api_error"]
    usage = extra.get("api_usage")
    if isinstance(extra.get("engine_usage"), Mapping):
        usage, meta["source"] = extra["engine_usage"], "engine"
    if isinstance(extra.get("api_latency"), Mapping):
        meta["latency"] = dict(extra["api_latency"])
    counted_by = str(extra.get("token_count", ""))
    if isinstance(usage, Mapping):
        meta["usage"] = {k: v for k, v in usage.items() if isinstance(v, int)}
    elif record.get("tokens_estimated") is False and isinstance(record.get("completion_tokens"), int):
        if not counted_by.startswith("retokenized:"):
            meta["usage"] = {"completion_tokens": record["completion_tokens"]}
        elif retokenized:
            meta["usage"] = {k: record[k] for k in ("completion_tokens", "reasoning_tokens")
                             if isinstance(record.get(k), int) and not isinstance(record.get(k), bool)}
            meta["source"] = counted_by
    return meta


def score_sample(
    doc: Mapping[str, Any],
    text: str | None,
    sample_index: int,
    meta: Mapping[str, Any],
    *,
    saved: Mapping[str, Any] | None = None,
    encode: Callable[[str], list] | None = None,
    gold: str | None = None,
    kind: str | None = None,
    timeout: float = 5.0,
) -> SampleRecord:
    """Score sample ``sample_index`` of ``doc`` (an r1bench doc with its ``r1_*`` stamps).

    ``meta``: the output's metadata, live or :func:`saved_metadata`; ``saved``: the record of an
    earlier scoring (its kept options); ``encode``: the run's tokenizer (``doc["r1_tokenizer"]``)
    when loaded, else token counts are the metadata's or estimated. ``gold`` and ``kind`` default
    to the doc's ``answer`` and ``kind``; a re-grade passes those it trusts. A failed API request
    (an error in ``meta``, or a failure sentinel as the text) is scored as no output.
    """
    text = text if isinstance(text, str) else ""
    kind = kind or doc.get("kind", "math")
    extra: dict[str, Any] = {}
    if isinstance(doc.get("permutation"), (list, tuple)):
        extra["permutation"] = list(doc["permutation"])
    if encode is not None:
        extra["token_count"] = f"retokenized:{doc.get('r1_tokenizer')}"
    usage = meta.get("usage") or {}
    error = meta.get("error") or failure_error(text)
    if error:
        # A failed request: no model output. Score it as empty (no answer, no tokens) and
        # record why; the samples file's raw `resps` still show the failure sentinel.
        extra["api_error"] = str(error)
        # (Not split as prefilled reasoning: no output is not an unfinished, truncated one.)
        text, usage, meta = "", {"completion_tokens": 0, "reasoning_tokens": 0}, {}
    elif usage and meta.get("source") == "engine":
        # Counted by the local engine on the generated token ids (r1bench-hf / r1bench-vllm).
        extra["engine_usage"] = dict(usage)
        extra["token_count"] = "engine"
    elif usage and str(meta.get("source", "")).startswith("retokenized:"):
        extra["token_count"] = meta["source"]  # a re-grade reusing the saved tokenizer counts
    elif usage:
        extra["api_usage"] = dict(usage)
    if meta.get("latency") and not error:  # a streamed API sample's phase latency
        extra["api_latency"] = dict(meta["latency"])
    completion_tokens = usage.get("completion_tokens")
    if completion_tokens is None and encode is not None:
        completion_tokens = count_tokens(text, encode)
    max_gen_toks = doc.get("r1_max_gen_toks")
    choices = doc.get("choices")
    return score_response(
        text,
        str(doc["answer"]) if gold is None else gold,
        kind=kind,
        task=str(doc.get("r1_task") or ""),
        doc_id=doc.get("id"),
        sample_index=sample_index,
        prompt_hash=doc.get("r1_prompt_hash"),
        finish_reason=meta.get("finish_reason"),
        reasoning_tokens=usage.get("reasoning_tokens"),
        completion_tokens=completion_tokens,
        max_gen_toks=max_gen_toks if isinstance(max_gen_toks, int) and not isinstance(max_gen_toks, bool) else None,
        starts_in_reasoning=bool(doc.get("r1_starts_in_reasoning")) and not error,
        num_choices=(len(choices) if isinstance(choices, (list, tuple)) else 0) or None,
        options=shown_options(doc, saved) if kind == "choice" else None,
        tokenizer=encode,
        extra=extra,
        budget=meta.get("budget"),
        timeout=timeout,
    )
