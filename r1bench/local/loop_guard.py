"""Opt-in loop guard (``loop_guard=true``): stop a sample whose last tokens repeat one span.

A sample is looping when its last ``repeats * p`` generated tokens are periodic with some period
``p`` in ``[1, max_period]``, where ``repeats = max(min_repeats, ceil(min_tokens / p))``: a span of
16 tokens must come 8 times back to back, a single token 128 times. Such a sample would almost
surely go on to the length cap (the "reasoning explosion" of small students); stopping it saves
those tokens and records ``finish_reason="loop"``. Checked on token ids (exact, no decoding), every
``check_every`` tokens. hf: :class:`LoopGuardCriteria`, a transformers ``StoppingCriteria`` that
stops each looping row of a batch. vLLM: checked between chunks of generation
(:mod:`r1bench.local.vllm_core`). The settings are part of every sample's store key and of the
run's protocol (``r1_loop_guard`` on each doc), so guarded and unguarded runs are never mixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["LoopGuard", "find_token_loop", "LoopGuardCriteria"]


@dataclass(frozen=True)
class LoopGuard:
    """Loop guard settings (model_args ``loop_guard_repeats``, ``loop_guard_min_tokens``,
    ``loop_guard_max_period``, ``loop_guard_check_every``)."""

    min_repeats: int = 8
    min_tokens: int = 128
    max_period: int = 512
    check_every: int = 16

    def __post_init__(self) -> None:
        if self.min_repeats < 2 or self.min_tokens < 2 or self.max_period < 1 or self.check_every < 1:
            raise ValueError(f"loop guard settings out of range: {self}")

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_args(cls, enabled: Any, **kwargs: Any) -> LoopGuard | None:
        """None when ``enabled`` is false; else the guard with the given (or default) settings."""
        from r1bench.local.sampling import parse_bool

        if not parse_bool(enabled):
            return None
        return cls(**{k: int(v) for k, v in kwargs.items() if v is not None})


def find_token_loop(ids: Sequence[int], guard: LoopGuard) -> int | None:
    """The period of the loop ``ids`` ends in, or None. Each period costs one C-level slice
    compare of the last two spans first, so a 32k-token sample is checked in microseconds."""
    n = len(ids)
    for period in range(1, min(guard.max_period, n // 2) + 1):
        repeats = max(guard.min_repeats, -(-guard.min_tokens // period))
        span = repeats * period
        if span > n:
            continue
        if ids[n - period :] != ids[n - 2 * period : n - period]:
            continue
        seg = ids[n - span :]
        if seg[period:] == seg[:-period]:
            return period
    return None


def _criteria_base() -> type:
    from transformers import StoppingCriteria

    return StoppingCriteria


class LoopGuardCriteria(_criteria_base()):  # type: ignore[misc]
    """transformers StoppingCriteria: per row, True once its generated tokens loop.

    ``fired[row]`` is the number of generated tokens when the guard stopped that row (None if it
    did not), so the caller can record ``finish_reason="loop"`` and the exact token count.
    """

    def __init__(self, guard: LoopGuard, prompt_len: int, batch_size: int) -> None:
        self.guard = guard
        self.prompt_len = prompt_len
        self.fired: list[int | None] = [None] * batch_size

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        n_gen = input_ids.shape[1] - self.prompt_len
        done = [f is not None for f in self.fired]
        if n_gen > 0 and n_gen % self.guard.check_every == 0:
            window = self.guard.max_period * self.guard.min_repeats + self.guard.min_tokens
            tails = input_ids[:, max(self.prompt_len, input_ids.shape[1] - window):].tolist()
            for row, tail in enumerate(tails):
                if not done[row] and find_token_loop(tail, self.guard) is not None:
                    self.fired[row] = n_gen
                    done[row] = True
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)
