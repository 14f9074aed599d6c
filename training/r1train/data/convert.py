"""Convert the common reasoning-trace formats to chat ``messages`` with ``<think>...</think>``.

Every format ends as ``[{"role": "user", ...}, {"role": "assistant", "content":
"<think>\\n{reasoning}\\n</think>\\n\\n{answer}"}]``, so one chat template and one loss mask serve all
of them. Reasoning and answer are separated by :func:`r1bench.reasoning.split_reasoning` (the same
function the evaluation uses), never by a second tag parser. Formats (``FORMATS``):

* ``sharegpt``: ``conversations`` of ``{"from", "value"}`` turns: Bespoke-Stratos / Sky-T1
  (``<|begin_of_thought|>`` ... ``<|begin_of_solution|>``) and Magpie-Reasoning conversations.
* ``messages``: OpenAI-style ``{"role", "content"}`` turns; an assistant ``reasoning_content`` field
  (what a DeepSeek-R1 API returns) becomes the think block.
* ``think_answer``: ``question``/``problem``/``prompt`` with a ``response``/``output``/``completion``
  holding ``<think>...</think><answer>...</answer>``, or separate ``reasoning`` and ``answer`` fields.
* ``alpaca``: ``instruction`` / ``input`` / ``output``.
* ``magpie``: ``instruction`` / ``response`` (Magpie-Reasoning rows).
* ``prompt_completion``: ``prompt`` / ``completion`` strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from r1bench.reasoning import (
    SOLUTION_CLOSE,
    SOLUTION_OPEN,
    THINK_CLOSE,
    THINK_OPEN,
    split_reasoning,
)

__all__ = [
    "FORMATS",
    "Format",
    "ConversionError",
    "ConvertedRow",
    "detect_format",
    "convert_row",
    "format_assistant",
]

Format = Literal["sharegpt", "messages", "think_answer", "alpaca", "magpie", "prompt_completion"]
FORMATS: tuple[str, ...] = ("sharegpt", "messages", "think_answer", "alpaca", "magpie", "prompt_completion")

_PROMPT_KEYS = ("question", "problem", "prompt", "query", "instruction")
_RESPONSE_KEYS = ("response", "output", "completion", "generation", "model_output")
_REASONING_KEYS = ("reasoning", "reasoning_content", "think", "thinking", "thought", "thoughts")
_ANSWER_KEYS = ("answer", "final_answer", "content", "solution")
_GOLD_KEYS = ("gold", "ground_truth", "answer", "expected_answer")
_ROLE_OF = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
            "system": "system", "model": "assistant", "bot": "assistant"}
_ANSWER_TAG_RE = re.compile(r"<\s*answer\s*>(.*?)(?:<\s*/\s*answer\s*>|$)", re.IGNORECASE | re.DOTALL)
_ANY_TAG_RE = re.compile(r"<\s*/?\s*(?:think|answer)\s*>|<\|(?:begin|end)_of_(?:thought|solution)\|>", re.IGNORECASE)


class ConversionError(ValueError):
    """A row that does not fit its format (missing fields, no assistant turn)."""


@dataclass(frozen=True)
class ConvertedRow:
    """One trace in the common shape, with what validation needs to judge it."""

    prompt: list[dict[str, str]]
    reasoning: str
    answer: str
    think_closed: bool
    source_format: str
    tags_ok: bool = True
    gold: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, str]]:
        return [*self.prompt, {"role": "assistant", "content": format_assistant(self.reasoning, self.answer)}]

    def to_training_row(self) -> dict[str, Any]:
        """The row written to a training JSONL: ``messages`` only (TRL's conversational format)."""
        return {"messages": self.messages}


def format_assistant(reasoning: str, answer: str) -> str:
    """The assistant turn the student learns: ``<think>`` reasoning ``</think>`` then the answer."""
    return f"{THINK_OPEN}\n{reasoning.strip()}\n{THINK_CLOSE}\n\n{answer.strip()}"


def detect_format(row: dict[str, Any]) -> Format:
    """Guess a row's format from its keys; raises :class:`ConversionError` when nothing fits."""
    if not isinstance(row, dict):
        raise ConversionError(f"expected a JSON object, got {type(row).__name__}")
    if isinstance(row.get("conversations"), list):
        return "sharegpt"
    if isinstance(row.get("messages"), list):
        return "messages"
    if "instruction" in row and "output" in row:
        return "alpaca"
    if "instruction" in row and "response" in row:
        return "magpie"
    if "prompt" in row and "completion" in row and isinstance(row["prompt"], str):
        return "prompt_completion"
    has_prompt = any(k in row for k in _PROMPT_KEYS)
    if has_prompt and (any(k in row for k in _RESPONSE_KEYS) or any(k in row for k in _REASONING_KEYS)):
        return "think_answer"
    raise ConversionError(f"cannot tell the format of a row with keys {sorted(row)}")


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConversionError(f"field {name!r} should be a string, got {type(value).__name__}")
    return value


def _first(row: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for k in keys:
        if k in row and row[k] is not None:
            return k, row[k]
    return None, None


def _from_text(prompt: list[dict[str, str]], text: str, fmt: str, **kw: Any) -> ConvertedRow:
    """Split one raw assistant text into reasoning and answer with r1bench's splitter."""
    split = split_reasoning(text)
    answer = split.answer_text
    tags_ok = True
    m = _ANSWER_TAG_RE.search(answer)
    if m is not None:
        tags_ok = bool(re.search(r"<\s*/\s*answer\s*>", answer, re.IGNORECASE))
        answer = m.group(1)
    if SOLUTION_OPEN in text and SOLUTION_CLOSE not in text:
        tags_ok = False
    # Stray tags left in either part (a second <think>, a lone </answer>) mean a malformed trace.
    if _ANY_TAG_RE.search(answer) or _ANY_TAG_RE.search(split.reasoning):
        tags_ok = False
    return ConvertedRow(prompt, split.reasoning, answer.strip(), split.think_closed, fmt, tags_ok, **kw)


def _turns(turns: list[Any], role_key: str, content_key: str) -> list[dict[str, Any]]:
    out = []
    for i, t in enumerate(turns):
        if not isinstance(t, dict) or role_key not in t:
            raise ConversionError(f"turn {i} has no {role_key!r}")
        role = _ROLE_OF.get(str(t[role_key]).lower())
        if role is None:
            raise ConversionError(f"turn {i} has unknown role {t[role_key]!r}")
        out.append({**t, "role": role, "content": _text(t.get(content_key), content_key)})
    return out


def _from_turns(turns: list[dict[str, Any]], fmt: str, system: str | None, keep_system: bool,
                gold: str | None) -> ConvertedRow:
    last = max((i for i, t in enumerate(turns) if t["role"] == "assistant"), default=None)
    if last is None:
        raise ConversionError("no assistant turn")
    prompt = [{"role": t["role"], "content": t["content"]} for t in turns[:last]]
    if not keep_system:
        prompt = [t for t in prompt if t["role"] != "system"]
    elif system:
        prompt = [{"role": "system", "content": system}, *prompt]
    if not any(t["role"] == "user" for t in prompt):
        raise ConversionError("no user turn before the assistant's")
    final = turns[last]
    text = final["content"]
    reasoning = final.get("reasoning_content") or final.get("reasoning")
    if reasoning:
        text = f"{THINK_OPEN}{reasoning}{THINK_CLOSE}{text}"
    return _from_text(prompt, text, fmt, gold=gold)


def convert_row(row: dict[str, Any], fmt: str = "auto", *, keep_system: bool = False) -> ConvertedRow:
    """Convert one row of format ``fmt`` (``"auto"``: :func:`detect_format`) to a :class:`ConvertedRow`.

    Source system prompts are dropped unless ``keep_system``: Stratos' system prompt asks for the
    thought/solution tags this conversion replaces. Raises :class:`ConversionError` on a bad row.
    """
    fmt = detect_format(row) if fmt == "auto" else fmt
    if fmt not in FORMATS:
        raise ConversionError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    _, gold_value = _first(row, ("gold", "ground_truth", "expected_answer"))
    gold = None if gold_value is None else str(gold_value)
    if fmt == "sharegpt":
        turns = _turns(row.get("conversations") or [], "from", "value")
        system = row.get("system") if isinstance(row.get("system"), str) else None
        return _from_turns(turns, fmt, system, keep_system, gold)
    if fmt == "messages":
        turns = _turns(row.get("messages") or [], "role", "content")
        return _from_turns(turns, fmt, None, keep_system, gold)
    if fmt == "alpaca":
        instruction = _text(row.get("instruction"), "instruction").strip()
        extra = _text(row.get("input"), "input").strip()
        user = f"{instruction}\n\n{extra}" if extra else instruction
        return _from_text(_user(user), _text(row.get("output"), "output"), fmt, gold=gold)
    if fmt == "magpie":
        user = _text(row.get("instruction"), "instruction").strip()
        return _from_text(_user(user), _text(row.get("response"), "response"), fmt, gold=gold)
    if fmt == "prompt_completion":
        user = _text(row.get("prompt"), "prompt").strip()
        return _from_text(_user(user), _text(row.get("completion"), "completion"), fmt, gold=gold)
    # think_answer
    pkey, prompt_value = _first(row, _PROMPT_KEYS)
    if pkey is None:
        raise ConversionError(f"no prompt field (one of {', '.join(_PROMPT_KEYS)})")
    user = _text(prompt_value, pkey).strip()
    rkey, response = _first(row, _RESPONSE_KEYS)
    if rkey is not None:
        _, gold_value = _first(row, _GOLD_KEYS)
        gold = None if gold_value is None else str(gold_value)
        return _from_text(_user(user), _text(response, rkey), fmt, gold=gold)
    tkey, reasoning = _first(row, _REASONING_KEYS)
    akey, answer = _first(row, _ANSWER_KEYS)
    if tkey is None or akey is None:
        raise ConversionError("a think_answer row needs a response, or both reasoning and answer fields")
    text = f"{THINK_OPEN}{_text(reasoning, tkey)}{THINK_CLOSE}{_text(answer, akey)}"
    return _from_text(_user(user), text, fmt, gold=gold)


def _user(text: str) -> list[dict[str, str]]:
    if not text:
        raise ConversionError("empty prompt")
    return [{"role": "user", "content": text}]
