"""The verdict type every grader returns: a value, never an exception."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Verdict"]


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
