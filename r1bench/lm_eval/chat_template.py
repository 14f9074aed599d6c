"""Which tokenizer a run uses, and whether its chat template pre-fills ``<think>``.

``starts_in_reasoning`` (the chat template pre-fills ``<think>``, so outputs hold only
``</think>``): ``true``/``false`` from ``--metadata`` or ``--model_args``; ``auto`` (the default)
reads the tokenizer's chat template. lm-eval 0.4.13 loads the dataset before it knows whether
``--apply_chat_template`` is set and never tells the task, so ``auto`` assumes the template is
applied: a run without the chat template must pass ``--metadata '{"starts_in_reasoning": false}'``
(``r1bench eval --no-chat-template`` does so).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["tokenizer_name", "load_tokenizer", "starts_in_reasoning"]

logger = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def tokenizer_name(kwargs: Mapping[str, Any]) -> str | None:
    """The tokenizer named in the run's metadata / model_args (``tokenizer``, else ``pretrained``)."""
    name = kwargs.get("tokenizer") or kwargs.get("pretrained")
    return str(name) if name else None


@functools.lru_cache(maxsize=8)
def load_tokenizer(name: str) -> Any | None:
    """The model's tokenizer when it is on disk (a folder or the HF cache), else None."""
    try:
        from transformers import AutoTokenizer

        local = Path(name).is_dir()
        return AutoTokenizer.from_pretrained(name, local_files_only=not local)
    except Exception as exc:  # noqa: BLE001 - any failure only means "estimate token counts"
        logger.warning("no tokenizer for %r (%s): token counts will be estimated", name, exc)
        return None


def starts_in_reasoning(value: Any, tokenizer: str | None) -> bool:
    """``auto``: true when the model's chat template pre-fills ``<think>`` (DeepSeek-R1 distills).

    ``auto`` cannot see whether the run applies the chat template (lm-eval does not tell the
    task); runs without it pass ``starts_in_reasoning=false`` (see the module docstring).
    """
    text = str(value).strip().lower() if value is not None else "auto"
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text != "auto":
        raise ValueError(f"starts_in_reasoning must be auto/true/false, got {value!r}")
    tok = load_tokenizer(tokenizer) if tokenizer else None
    if tok is None or not getattr(tok, "chat_template", None):
        return False
    try:
        prompt = tok.apply_chat_template(
            [{"role": "user", "content": "x"}], tokenize=False, add_generation_prompt=True
        )
    except Exception:  # noqa: BLE001 - a template that cannot render has no pre-fill
        return False
    return str(prompt).rstrip().endswith("<think>")
