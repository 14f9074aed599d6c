"""What a live sample's output says about how it ended: finish_reason, token usage, API error.

A live run reads it from the response object (:class:`r1bench.response.Response`, which carries
it from the backend); a rescoring reads it from the record saved in the samples file
(:func:`r1bench.scoring.saved_metadata`), since a new process has only the text. Never a global
keyed by text: two identical texts keep their own.
"""

from __future__ import annotations

from typing import Any

from r1bench.response import response_metadata

__all__ = ["live_metadata"]


def live_metadata(text: str) -> dict[str, Any]:
    """finish_reason / usage / error carried by the response object itself
    (:class:`r1bench.response.Response`, returned by r1bench-chat, r1bench-hf and r1bench-vllm);
    ``{}`` for a plain string (another backend, or lm-eval's cache)."""
    return response_metadata(text)
