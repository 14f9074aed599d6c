"""Split a reasoning model's raw output into its reasoning and its answer.

Grading must only ever see the answer: a ``\\boxed{7}`` the model wrote inside ``<think>`` and later
rejected is not its answer. The rules (docs/design.md, section 2):

* ``<think>...</think>``: the answer is what follows the *last* ``</think>``.
* Output that starts inside the reasoning because the prompt pre-filled ``<think>\\n`` has only a
  closing tag: everything before it is reasoning.
* ``<|begin_of_thought|>...<|end_of_thought|>`` with ``<|begin_of_solution|>...<|end_of_solution|>``
  (Bespoke-Stratos / Sky-T1): the answer is the solution block (or the text after the thought).
* No tags at all (a server that strips reasoning, a non-reasoning model): all of it is answer.
* Opened and never closed (truncated, or an endless loop): there is no answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["ReasoningSplit", "split_reasoning", "THINK_OPEN", "THINK_CLOSE"]

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
THOUGHT_OPEN = "<|begin_of_thought|>"
THOUGHT_CLOSE = "<|end_of_thought|>"
SOLUTION_OPEN = "<|begin_of_solution|>"
SOLUTION_CLOSE = "<|end_of_solution|>"

Dialect = Literal["think", "prefilled_think", "thought_solution", "none"]

# Tags are matched case-insensitively and tolerate inner spaces (`</ think>`), which some
# tokenizers' detokenisation produces.
_THINK_OPEN_RE = re.compile(r"<\s*think\s*>", re.IGNORECASE)
_THINK_CLOSE_RE = re.compile(r"<\s*/\s*think\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class ReasoningSplit:
    """The parts of one raw output. ``answer_text`` is ``""`` when the reasoning never closed."""

    reasoning: str
    answer_text: str
    think_closed: bool
    dialect: Dialect

    @property
    def answer(self) -> str:
        """The earlier name of :attr:`answer_text` (kept for existing callers)."""
        return self.answer_text

    @property
    def has_answer(self) -> bool:
        return bool(self.answer_text.strip())


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    last = None
    for last in pattern.finditer(text):  # noqa: B007 - we want the final match
        pass
    return last


def split_reasoning(text: str | None, *, starts_in_reasoning: bool = False) -> ReasoningSplit:
    """Split ``text`` into (reasoning, answer, think_closed, dialect).

    ``think_closed`` is True when there was reasoning and it was closed, and also when there was no
    reasoning block at all (nothing was left open). It is False only for an open, unclosed block.
    Pass ``starts_in_reasoning=True`` when the prompt pre-filled ``<think>``: output without any
    ``</think>`` is then an unclosed reasoning block (truncated), not an answer.
    """
    if not text:
        return ReasoningSplit("", "", not starts_in_reasoning, "none")
    if starts_in_reasoning and not _THINK_OPEN_RE.match(text.lstrip()):
        text = THINK_OPEN + text

    # Bespoke-Stratos / Sky-T1 dialect.
    if THOUGHT_OPEN in text or THOUGHT_CLOSE in text or SOLUTION_OPEN in text:
        end = text.rfind(THOUGHT_CLOSE)
        if end == -1:
            start = text.find(THOUGHT_OPEN)
            if SOLUTION_OPEN in text and start == -1:
                # Only a solution block: treat the text before it as reasoning.
                sol = text.rfind(SOLUTION_OPEN)
                return ReasoningSplit(
                    text[:sol].strip(), _solution_body(text[sol:]), True, "thought_solution"
                )
            body = text[start + len(THOUGHT_OPEN) :] if start != -1 else text
            return ReasoningSplit(body.strip(), "", False, "thought_solution")
        start = text.find(THOUGHT_OPEN)
        reasoning = text[(start + len(THOUGHT_OPEN)) if start != -1 else 0 : end]
        rest = text[end + len(THOUGHT_CLOSE) :]
        if SOLUTION_OPEN in rest:
            rest = _solution_body(rest[rest.rfind(SOLUTION_OPEN) :])
        return ReasoningSplit(reasoning.strip(), rest.strip(), True, "thought_solution")

    close = _last_match(_THINK_CLOSE_RE, text)
    if close is not None:
        opener = _THINK_OPEN_RE.search(text, 0, close.start())
        dialect: Dialect = "think" if opener is not None else "prefilled_think"
        start = opener.end() if opener is not None else 0
        reasoning = text[start : close.start()]
        reopened = _THINK_OPEN_RE.search(text, close.end())
        if reopened is not None:
            # Reasoning opened again after the last </think> and never closed: truncated.
            return ReasoningSplit(text[start:].strip(), "", False, dialect)
        return ReasoningSplit(reasoning.strip(), text[close.end() :].strip(), True, dialect)

    opener = _THINK_OPEN_RE.search(text)
    if opener is not None:
        # Opened, never closed: truncated or looping. No answer, whatever the text contains.
        return ReasoningSplit(text[opener.end() :].strip(), "", False, "think")

    return ReasoningSplit("", text.strip(), True, "none")


def _solution_body(block: str) -> str:
    """The text of a ``<|begin_of_solution|>`` block, without its tags."""
    body = block[len(SOLUTION_OPEN) :] if block.startswith(SOLUTION_OPEN) else block
    end = body.find(SOLUTION_CLOSE)
    if end != -1:
        body = body[:end]
    return body.strip()
