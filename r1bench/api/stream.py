"""Streamed chat completions: read server-sent events, rebuild the response, time its phases.

With ``stream=true`` r1bench-chat sends ``"stream": true, "stream_options": {"include_usage":
true}`` and reads the SSE chunks as they arrive. Per sample it records (seconds from the start of
the attempt that succeeded):

- ``ttft_s``: the first token of any kind;
- ``first_reasoning_s``: the first reasoning token (the first ``reasoning_content`` / ``reasoning``
  delta, or, for a server without a reasoning parser, the first content delta while inside
  ``<think>``; a template that pre-fills ``<think>`` shows up as content before a lone ``</think>``);
- ``first_answer_s``: the first non-blank answer token (content after the reasoning ended);
- ``total_s``; ``reasoning_tokens`` / ``answer_tokens`` and their rates ``reasoning_tok_s``
  (reasoning tokens over [first reasoning token, first answer token]) and ``answer_tok_s``
  (answer tokens over [first answer token, end of stream]);
- ``token_counts``: where the counts come from: ``usage`` (the final usage chunk gives
  completion and reasoning tokens), ``usage+chunks`` (usage gives only the completion total, split
  between the phases in proportion to their delta chunks: estimated), or ``chunks`` (no usage
  chunk: one delta counted as one token, as vLLM and SGLang stream them: estimated).

The rebuilt body goes through :func:`r1bench.api.payload.parse_response`, so a streamed sample is
judged exactly like a non-streamed one (empty answers are retried, ``reasoning_content`` folded
into ``<think>``). A stream that ends without a ``finish_reason`` (the connection cut mid-way), or
that carries an error event, raises a transient :class:`~r1bench.api.payload.ResponseError`: the
whole request is retried and the partial text is never recorded as a finished sample.

Written by hand rather than through the ``openai`` client for the same reasons as
:mod:`r1bench.api.client` (our own retries, raw errors, non-standard ``reasoning_content`` fields),
plus per-chunk arrival times, which the client's stream object does not expose.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from typing import Any

from r1bench.api.payload import ParsedResponse, ResponseError, parse_response
from r1bench.reasoning import THINK_CLOSE, THINK_OPEN

__all__ = ["stream_payload", "read_sse", "phase_latency", "latency_percentiles", "format_latency", "LATENCY_METRICS"]

#: The per-sample figures whose percentiles the run summary reports.
LATENCY_METRICS = ("ttft_s", "first_reasoning_s", "first_answer_s", "total_s", "reasoning_tok_s", "answer_tok_s")

_MAX_LINE = 1 << 24  # one SSE line; a longer one is a broken server, not a sample


def stream_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The body of a streamed request: the same request with ``stream`` and the usage chunk on."""
    out = dict(payload)
    out["stream"] = True
    out["stream_options"] = {"include_usage": True}
    return out


def _delta_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # content parts
        return "".join(p.get("text", "") for p in value if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


async def read_sse(resp: Any, started: float) -> ParsedResponse:
    """Read one SSE response (an aiohttp response with status 200) into a :class:`ParsedResponse`
    whose ``latency`` holds the phase timings. ``started``: ``time.monotonic()`` when the request
    was sent. Raises :class:`ResponseError` (transient) for a cut, broken or error stream."""
    events: list[tuple[float, str, str]] = []  # (seconds since start, "reasoning"|"content", text)
    reasoning_field = "reasoning_content"
    finish_reason: str | None = None
    usage: Any = None
    done = False
    chunks = 0
    buffer = b""

    def take(raw: bytes, now: float) -> None:
        nonlocal reasoning_field, finish_reason, usage, done, chunks
        line = raw.strip()
        if not line or line.startswith(b":") or not line.startswith(b"data:"):
            return  # blank separators, comments (keep-alives), event:/id: fields
        body = line[5:].strip()
        if body == b"[DONE]":
            done = True
            return
        try:
            chunk = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ResponseError(f"malformed JSON in stream chunk {chunks + 1}: {body[:80]!r}") from None
        chunks += 1
        if not isinstance(chunk, dict):
            raise ResponseError(f"malformed stream chunk {chunks}: not an object")
        if chunk.get("error"):
            raise ResponseError(f"server sent an error event mid-stream: {str(chunk['error'])[:300]}")
        if isinstance(chunk.get("usage"), dict):
            usage = chunk["usage"]
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return  # the usage chunk has no choices
        choice = choices[0]
        delta = choice.get("delta") if isinstance(choice.get("delta"), dict) else {}
        for name, channel in (("reasoning_content", "reasoning"), ("reasoning", "reasoning"), ("content", "content")):
            text = _delta_text(delta.get(name))
            if text:
                if channel == "reasoning":
                    reasoning_field = name
                events.append((now, channel, text))
        if isinstance(choice.get("finish_reason"), str):
            finish_reason = choice["finish_reason"]

    async for data in resp.content.iter_any():
        buffer += data
        if len(buffer) > _MAX_LINE and b"\n" not in buffer:
            raise ResponseError(f"stream line longer than {_MAX_LINE} bytes")
        *lines, buffer = buffer.split(b"\n")
        now = time.monotonic() - started
        for raw in lines:
            take(raw, now)
    if buffer.strip():  # a last line without its newline
        take(buffer, time.monotonic() - started)
    total = time.monotonic() - started
    if finish_reason is None:
        state = "after [DONE]" if done else "without [DONE]"
        raise ResponseError(f"stream ended {state} before a finish_reason (cut mid-way after {chunks} chunks)")
    content = "".join(t for _, c, t in events if c == "content")
    reasoning = "".join(t for _, c, t in events if c == "reasoning")
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning:
        message[reasoning_field] = reasoning
    body = {"choices": [{"index": 0, "message": message, "finish_reason": finish_reason}]}
    if usage is not None:
        body["usage"] = usage
    parsed = parse_response(json.dumps(body))
    latency = phase_latency(events, total, parsed.usage)
    return dataclasses.replace(parsed, latency=latency)


def _first_nonblank(events: Sequence[tuple[float, str, str]], channel: str) -> float | None:
    for t, c, text in events:
        if c == channel and text.strip():
            return t
    return None


def phase_latency(events: Sequence[tuple[float, str, str]], total_s: float, usage: dict[str, Any]) -> dict[str, Any]:
    """Phase timings and token rates of one stream (see the module docstring).

    ``events``: ``(seconds since start, "reasoning" | "content", text)`` per delta, in order."""
    t_first = next((t for t, _, text in events if text.strip()), None)
    reasoning_chunks = answer_chunks = 0
    t_reason = t_answer = None
    if any(c == "reasoning" for _, c, _ in events):  # a reasoning parser split the phases
        t_reason = _first_nonblank(events, "reasoning")
        t_answer = _first_nonblank(events, "content")
        reasoning_chunks = sum(1 for _, c, _ in events if c == "reasoning")
        answer_chunks = sum(1 for _, c, _ in events if c == "content")
    else:  # inline tags: reasoning is the content up to the last </think>
        content = "".join(text for _, _, text in events)
        close = content.rfind(THINK_CLOSE)
        opened = content.lstrip().startswith(THINK_OPEN)
        if close == -1 and not opened:  # no reasoning at all: everything is answer
            t_answer = t_first
            answer_chunks = len(events)
        else:
            answer_from = close + len(THINK_CLOSE) if close != -1 else len(content)
            offset = 0
            for t, _, text in events:
                start, offset = offset, offset + len(text)
                if start < answer_from:  # (part of) this delta is reasoning
                    reasoning_chunks += 1
                    inside = content[start:min(offset, answer_from)].replace(THINK_OPEN, "").replace(THINK_CLOSE, "")
                    if t_reason is None and inside.strip():
                        t_reason = t
                if offset > answer_from:
                    if start >= answer_from:
                        answer_chunks += 1
                    if t_answer is None and content[max(start, answer_from):offset].strip():
                        t_answer = t
    completion = usage.get("completion_tokens")
    reasoning_tokens = usage.get("reasoning_tokens")
    if isinstance(completion, int) and isinstance(reasoning_tokens, int):
        source, r_tok, a_tok = "usage", reasoning_tokens, max(completion - reasoning_tokens, 0)
    elif isinstance(completion, int):
        chunks = reasoning_chunks + answer_chunks
        r_tok = round(completion * reasoning_chunks / chunks) if chunks else 0
        source, a_tok = "usage+chunks", completion - r_tok
    else:
        source, r_tok, a_tok = "chunks", reasoning_chunks, answer_chunks

    def rate(tokens: int, start: float | None, end: float | None) -> float | None:
        if start is None or end is None or end <= start or tokens <= 0:
            return None
        return round(tokens / (end - start), 3)

    def r3(x: float | None) -> float | None:
        return None if x is None else round(x, 6)

    return {
        "ttft_s": r3(t_first),
        "first_reasoning_s": r3(t_reason),
        "first_answer_s": r3(t_answer),
        "total_s": r3(total_s),
        "reasoning_tokens": r_tok,
        "answer_tokens": a_tok,
        "reasoning_tok_s": rate(r_tok, t_reason, t_answer if t_answer is not None else total_s),
        "answer_tok_s": rate(a_tok, t_answer, total_s),
        "token_counts": source,
    }


def latency_percentiles(latencies: Sequence[dict[str, Any] | None]) -> dict[str, Any]:
    """p50/p90/p99 (and n) of each :data:`LATENCY_METRICS` figure over the samples that have it;
    ``{}`` when no sample was streamed. ``token_counts`` says how the token counts were obtained
    (``usage``, or the estimated ``usage+chunks`` / ``chunks``, with how many samples each)."""
    import numpy as np

    rows = [x for x in latencies if isinstance(x, dict)]
    if not rows:
        return {}
    out: dict[str, Any] = {"samples": len(rows)}
    for name in LATENCY_METRICS:
        values = [float(r[name]) for r in rows if isinstance(r.get(name), (int, float))]
        if values:
            p50, p90, p99 = np.percentile(values, [50, 90, 99])
            out[name] = {"n": len(values), "p50": round(float(p50), 4), "p90": round(float(p90), 4),
                         "p99": round(float(p99), 4)}
    sources: dict[str, int] = {}
    for r in rows:
        sources[str(r.get("token_counts"))] = sources.get(str(r.get("token_counts")), 0) + 1
    out["token_counts"] = sources
    return out


def format_latency(summary: dict[str, Any]) -> str:
    """One log line of :func:`latency_percentiles` (empty when nothing was streamed)."""
    if not summary:
        return ""
    labels = (("first_reasoning_s", "first reasoning token", "s"), ("first_answer_s", "first answer token", "s"),
              ("reasoning_tok_s", "reasoning", "tok/s"), ("answer_tok_s", "answer", "tok/s"))
    parts = []
    for key, label, unit in labels:
        p = summary.get(key)
        if p:
            parts.append(f"{label} p50/p90/p99 {p['p50']:g}/{p['p90']:g}/{p['p99']:g} {unit}")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary.get("token_counts", {}).items()))
    return f"phase latency over {summary['samples']} streamed samples: " + "; ".join(parts) + f" (token counts: {counts})"
