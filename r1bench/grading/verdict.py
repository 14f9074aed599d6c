"""The verdict type every grader returns (a value, never an exception), and the length-cap rule
every grader applies to it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Verdict", "cut_at_length"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of grading one response.

    ``correct``: the verdict; ``extracted``: the answer taken from the response (None when nothing
    could be extracted); ``rule``: the extraction rule that produced it (``boxed``, ``answer_line``,
    ...); ``reason``: why, in a few words (which comparison stage accepted, or why it failed).
    ``bool(verdict)`` is ``correct``.
    """

    correct: bool
    extracted: str | None
    rule: str | None
    reason: str
    grader: str = "r1bench-math"

    def __bool__(self) -> bool:
        return self.correct

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cut_at_length(verdict: Verdict, *, dialect: str, truncated: bool = False,
                  finish_reason: str | None = None) -> Verdict:
    """The length-cap rule every grader applies last: an output cut at the generation limit
    (``finish_reason == "length"``, or ``truncated``: it used all its tokens) that has no reasoning
    tags at all (``dialect == "none"``) has no answer, whatever it seemed to state.

    Most often that is an R1 model whose template pre-filled ``<think>``, served without a
    reasoning parser: every box in the text is still reasoning, and an answer the model never
    finished is no answer. Outputs with tags are decided by their split (an unclosed block already
    has no answer; a closed one was cut after its answer).
    """
    if not (truncated or finish_reason == "length") or dialect != "none" or verdict.extracted is None:
        return verdict
    return Verdict(
        False, None, None,
        f"cut at the length limit without closing its reasoning (would have read "
        f"{verdict.extracted!r}): no answer",
        verdict.grader,
    )
