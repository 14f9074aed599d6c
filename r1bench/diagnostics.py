"""Diagnostics on a raw output: truncation, unclosed reasoning, repetition loops, token counts.

A "reasoning explosion" is a model that repeats the same span until it hits the length cap. It
costs the whole generation budget and yields no answer; r1bench counts it instead of hiding it in
a low score.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LoopReport", "detect_loop", "count_tokens", "is_truncated"]

# Rough subword estimate when no tokenizer is at hand: words, numbers and single symbols, with long
# words split every 4 characters (BPE vocabularies average ~4 characters per token on English/LaTeX).
_PIECE_RE = re.compile(r"[A-Za-z]+|\d|\s+|[^\sA-Za-z\d]")


@dataclass(frozen=True)
class LoopReport:
    """``looping``: the output ends in (or contains) a span repeated at least ``repeats`` times."""

    looping: bool
    period: int = 0
    repeats: int = 0
    span: str = ""


def detect_loop(
    text: str,
    *,
    min_repeats: int = 8,
    min_period: int = 8,
    max_period: int = 2000,
    window: int = 40_000,
    min_line_repeats: int = 12,
    min_line_share: float = 0.3,
) -> LoopReport:
    """Find a span repeated back to back at the end of ``text``, or a long line repeated often.

    Tail check: the last ``period * min_repeats`` characters are periodic for some period in
    ``[min_period, max_period]`` (each check is one C-level string compare, so a 1 MB output costs
    milliseconds). Line check: a line of 20+ characters that occurs ``min_line_repeats`` times and
    makes up at least ``min_line_share`` of the long lines in the window.
    """
    if not text:
        return LoopReport(False)
    tail = text[-window:].rstrip()
    n = len(tail)
    for period in range(min_period, min(max_period, n // min_repeats) + 1):
        # Cheap rejection first: the last span must equal the one before it.
        if tail[n - period :] != tail[n - 2 * period : n - period]:
            continue
        span_len = period * min_repeats
        seg = tail[-span_len:]
        if seg[period:] == seg[:-period]:
            # Count how far back the period extends.
            repeats = min_repeats
            while (repeats + 1) * period <= n:
                seg = tail[-(repeats + 1) * period :]
                if seg[period:] != seg[:-period]:
                    break
                repeats += 1
            span = tail[-period:]
            if span.strip():
                return LoopReport(True, period, repeats, span)
    lines = [ln.strip() for ln in tail.splitlines() if len(ln.strip()) >= 20]
    if lines:
        line, count = Counter(lines).most_common(1)[0]
        # Long reasoning says "Let me double-check." many times; a loop is when one line is a
        # large share of what the model writes.
        if count >= min_line_repeats and count >= min_line_share * len(lines):
            return LoopReport(True, len(line), count, line)
    return LoopReport(False)


def count_tokens(text: str, tokenizer: Callable[[str], list] | None = None) -> int:
    """Token count of ``text``: exact with a tokenizer's ``encode``-like callable, else an estimate."""
    if not text:
        return 0
    if tokenizer is not None:
        return len(tokenizer(text))
    total = 0
    for piece in _PIECE_RE.findall(text):
        if piece[0].isalpha():
            total += (len(piece) + 3) // 4
        elif piece.isspace():
            continue
        else:
            total += 1
    return total


def is_truncated(
    *,
    think_closed: bool,
    finish_reason: str | None = None,
    completion_tokens: int | None = None,
    max_gen_toks: int | None = None,
) -> bool:
    """True when the reasoning never closed, the backend said ``length``, or the cap was reached."""
    if not think_closed or finish_reason == "length":
        return True
    return bool(max_gen_toks and completion_tokens is not None and completion_tokens >= max_gen_toks)
