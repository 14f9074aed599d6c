"""Request bodies and response parsing for OpenAI-compatible chat completions.

:func:`build_payload` turns lm-eval style generation kwargs into a request body (``max_gen_toks``
-> ``max_tokens``, ``until`` -> server-side ``stop``, a per-sample seed); :func:`parse_response`
reads a response body and folds ``reasoning_content`` / ``reasoning`` into ``<think>...</think>``
so API models and local models share one scoring path. Both are pure functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from r1bench.api.types import ChatConfig, ChatRequest
from r1bench.budget import BUDGET_KEYS

__all__ = [
    "ResponseError",
    "ParsedResponse",
    "build_payload",
    "parse_response",
    "fold_reasoning",
]

# lm-eval generation kwargs that are not API parameters (handled or dropped here).
_LM_EVAL_ONLY = {"max_gen_toks", "until", "do_sample"}
# Budget-forcing options: handled by the client, never sent.
_BUDGET_ONLY = frozenset(BUDGET_KEYS)


class ResponseError(Exception):
    """A response that cannot be used; ``transient`` says whether a retry may help."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class ParsedResponse:
    """The useful parts of one chat-completions response."""

    text: str
    content: str | None
    reasoning_content: str | None
    finish_reason: str | None
    usage: dict[str, Any]
    # Set by the streaming reader (r1bench.api.stream): the sample's phase latency.
    latency: dict[str, Any] | None = None


def sample_seed(config: ChatConfig, sample_index: int) -> int | None:
    """The seed sent for sample ``sample_index``: base + index, so k samples are never k copies."""
    if config.seed is None:
        return None
    return int(config.seed) + int(sample_index)


def build_payload(request: ChatRequest, config: ChatConfig) -> dict[str, Any]:
    """The JSON body for one request. Unknown gen_kwargs (top_k, min_p, presence_penalty...) pass
    through; the prompt is never truncated here (the server decides what fits)."""
    if not isinstance(request.messages, list) or not all(
        isinstance(m, dict) and "role" in m for m in request.messages
    ):
        raise ValueError("ChatRequest.messages must be a list of {'role': ..., 'content': ...} dicts")
    gen = dict(request.gen_kwargs or {})
    payload: dict[str, Any] = {"model": config.model, "messages": request.messages}

    if "max_tokens" in gen:
        max_tokens = gen.pop("max_tokens")
    elif "max_completion_tokens" in gen:
        max_tokens = gen.pop("max_completion_tokens")
    else:
        max_tokens = gen.get("max_gen_toks", config.default_max_tokens)
    if max_tokens is not None:
        payload[config.max_tokens_field] = int(max_tokens)

    do_sample = gen.get("do_sample")
    if do_sample is False and "temperature" not in gen:
        payload["temperature"] = 0.0

    until = gen.get("until")
    if isinstance(until, str):
        until = [until]
    if until:
        payload["stop"] = list(until)

    for name, value in gen.items():
        if name in _LM_EVAL_ONLY or name in _BUDGET_ONLY or value is None:
            continue
        payload[name] = value

    seed = sample_seed(config, request.sample_index)
    if seed is not None:
        payload["seed"] = seed
    else:
        payload.pop("seed", None)
    return payload


def fold_reasoning(content: str | None, reasoning: str | None, finish_reason: str | None) -> str:
    """``<think>reasoning</think>content``; without reasoning, the content alone. When the
    generation was cut inside the reasoning (``finish_reason == "length"`` and no content), the
    think block is left open, so the scorer sees unclosed (truncated) reasoning, not an empty
    answer after finished reasoning."""
    content = content or ""
    if not reasoning:
        return content
    if not content and finish_reason == "length":
        return "<think>" + reasoning
    return "<think>" + reasoning + "</think>" + content


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # content parts: [{"type": "text", "text": ...}]
        parts = [p.get("text", "") for p in value if isinstance(p, dict)]
        return "".join(p for p in parts if isinstance(p, str))
    raise ResponseError(f"malformed response: message text has type {type(value).__name__}")


def _usage(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    usage: dict[str, Any] = {}
    for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
        if isinstance(raw.get(name), int):
            usage[name] = raw[name]
    details = raw.get("completion_tokens_details")
    if isinstance(details, dict) and isinstance(details.get("reasoning_tokens"), int):
        usage["reasoning_tokens"] = details["reasoning_tokens"]
    elif isinstance(raw.get("reasoning_tokens"), int):
        usage["reasoning_tokens"] = raw["reasoning_tokens"]
    return usage


def first_choice(body: bytes | str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The decoded body and its first choice; a transient :class:`ResponseError` for invalid JSON,
    an error object or a body without choices."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ResponseError(f"malformed JSON in response: {exc}") from None
    if not isinstance(data, dict):
        raise ResponseError("malformed response: top level is not an object")
    if data.get("error") and not data.get("choices"):
        raise ResponseError(f"server returned an error object: {str(data['error'])[:300]}")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ResponseError("malformed response: no choices")
    return data, choices[0]


def parse_response(body: bytes | str) -> ParsedResponse:
    """Parse one response body. Raises :class:`ResponseError` (transient) for invalid JSON, a
    body without choices, an error object, or empty content (with or without reasoning) whose
    ``finish_reason`` is not ``length`` (a generation cut by the length limit, even inside the
    reasoning, is a real, scoreable sample)."""
    data, choice = first_choice(body)
    message = choice.get("message")
    if not isinstance(message, dict):
        raise ResponseError("malformed response: choice has no message")
    content = _as_text(message.get("content"))
    reasoning = _as_text(message.get("reasoning_content")) or _as_text(message.get("reasoning"))
    finish_reason = choice.get("finish_reason")
    if not isinstance(finish_reason, str):
        finish_reason = None
    if not content and finish_reason != "length":
        # No answer although the generation was not cut: retry it (a server hiccup or a
        # reasoning parser that swallowed the answer); after the retries it is a recorded failure.
        what = "empty content after reasoning" if reasoning else "empty response"
        raise ResponseError(f"{what} (finish_reason={finish_reason!r})")
    text = fold_reasoning(content, reasoning, finish_reason)
    return ParsedResponse(
        text=text,
        content=content,
        reasoning_content=reasoning or None,
        finish_reason=finish_reason,
        usage=_usage(data.get("usage")),
    )
