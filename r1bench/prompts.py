"""Named prompt presets, each with a stable hash, so every score records exactly which prompt made it.

A preset renders one normalised doc (see :mod:`r1bench.datasets`) into the single user message of
the R1 protocol (no system prompt, no few-shot). A *spec* names one preset per answer kind, joined
with ``+`` (``"deepseek-r1+simple-evals-choice"``), so a mixed task such as ``r1_smoke`` has one
spec and one hash. The hash covers the template text and kind only: renaming a preset keeps its
hash, changing one character of a template changes it.

>>> render_prompt({"kind": "math", "problem": "1+1?"}, "deepseek-r1")
'1+1?\\nPlease reason step by step, and put your final answer within \\\\boxed{}.'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "PromptPreset",
    "PRESETS",
    "DEFAULT_SPEC",
    "get_preset",
    "resolve_spec",
    "render_prompt",
    "spec_hash",
]

Kind = Literal["math", "choice"]

_LETTERS = "ABCDEFGHIJ"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class PromptPreset:
    """A prompt template for one answer kind; ``{field}`` placeholders name doc fields."""

    name: str
    kind: Kind
    template: str
    description: str = ""

    @property
    def hash(self) -> str:
        """First 16 hex digits of sha256 over kind and template (stable across renames)."""
        payload = f"{self.kind}\n{self.template}".encode()
        return hashlib.sha256(payload).hexdigest()[:16]

    def render(self, doc: Mapping[str, Any]) -> str:
        """Fill the template from ``doc``; choice docs supply ``question`` and ``choices``."""
        if self.kind == "math":
            return _fill(self.template, {"problem": str(doc["problem"])})
        choices = list(doc["choices"])
        if len(choices) > len(_LETTERS):
            raise ValueError(f"{len(choices)} choices; at most {len(_LETTERS)} supported")
        values = {"question": str(doc["question"]).strip()}
        values.update({_LETTERS[i]: str(c).strip() for i, c in enumerate(choices)})
        values["letters"] = _LETTERS[: len(choices)]
        values["options"] = "\n".join(
            f"{_LETTERS[i]}) {values[_LETTERS[i]]}" for i in range(len(choices))
        )
        return _fill(self.template, values)


def _fill(template: str, values: Mapping[str, str]) -> str:
    # One regex pass, not str.format: templates contain literal braces (\boxed{}), and text
    # inserted for one placeholder must never be scanned for another.
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


PRESETS: dict[str, PromptPreset] = {
    p.name: p
    for p in (
        PromptPreset(
            name="deepseek-r1",
            kind="math",
            template="{problem}\nPlease reason step by step, and put your final answer within \\boxed{}.",
            description="DeepSeek-R1 README's recommended math prompt (used for AIME and MATH-500).",
        ),
        PromptPreset(
            name="simple-evals-choice",
            kind="choice",
            template=(
                "Answer the following multiple choice question. The last line of your response "
                "should be of the following format: 'Answer: $LETTER' (without quotes) where "
                "LETTER is one of {letters}. Think step by step before answering.\n\n"
                "{question}\n\n{options}"
            ),
            description="openai/simple-evals QUERY_TEMPLATE_MULTICHOICE (DeepSeek-R1's GPQA prompt).",
        ),
    )
}

#: Default preset per kind, used when a spec does not name one for a doc's kind.
DEFAULT_SPEC = "deepseek-r1+simple-evals-choice"


def get_preset(name: str) -> PromptPreset:
    """The preset called ``name``; a clear error lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(
            f"unknown prompt preset {name!r}; known: {', '.join(sorted(PRESETS))}"
        ) from None


def resolve_spec(spec: str) -> dict[str, PromptPreset]:
    """Map kind -> preset for a ``+``-joined spec; naming two presets of one kind is an error."""
    out: dict[str, PromptPreset] = {}
    for name in (s.strip() for s in spec.split("+")):
        if not name:
            continue
        preset = get_preset(name)
        if preset.kind in out:
            raise ValueError(f"prompt spec {spec!r} names two {preset.kind} presets")
        out[preset.kind] = preset
    if not out:
        raise ValueError("empty prompt spec")
    return out


def render_prompt(doc: Mapping[str, Any], spec: str = DEFAULT_SPEC) -> str:
    """Render ``doc`` with the spec's preset for ``doc["kind"]`` (default: the built-in one)."""
    kind = doc.get("kind", "math")
    presets = resolve_spec(spec)
    preset = presets.get(kind) or resolve_spec(DEFAULT_SPEC).get(kind)
    if preset is None:
        raise ValueError(f"no prompt preset for doc kind {kind!r}")
    return preset.render(doc)


def spec_hash(spec: str) -> str:
    """Stable hash of a spec: its single preset's hash, or a hash over the presets' hashes."""
    presets = resolve_spec(spec)
    if len(presets) == 1:
        return next(iter(presets.values())).hash
    joined = "+".join(presets[k].hash for k in sorted(presets))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]
