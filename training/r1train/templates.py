"""Chat templates for assistant-only loss: TRL masks the loss with ``{% generation %}`` markers.

Many stock templates lack the markers (SmolLM2's does), and some mangle ``<think>`` (DeepSeek-R1
distill templates drop the reasoning from assistant turns). :func:`ensure_training_template` keeps
a template that already has markers, else takes TRL's training variant for its family, else falls
back to :data:`CHATML_THINK_TRAINING` for ChatML tokenizers. The chosen template is saved with the
trained model, so evaluation renders prompts exactly as training did.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

__all__ = ["CHATML_THINK_TRAINING", "TemplateMode", "ensure_training_template", "has_generation_markers"]

logger = logging.getLogger(__name__)

TemplateMode = Literal["auto", "stock", "chatml_think"]

# ChatML with the assistant content and its <|im_end|> inside {% generation %}, so the student is
# trained on the whole trace and on stopping. Content is written verbatim: <think> survives.
CHATML_THINK_TRAINING = (
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}"
    "{{- '\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def has_generation_markers(template: str | None) -> bool:
    """True when a template marks assistant output with ``{% generation %}``."""
    return bool(template) and "generation" in template and "endgeneration" in template


def ensure_training_template(tokenizer: Any, mode: TemplateMode = "auto") -> str:
    """Give ``tokenizer`` a chat template usable for assistant-only loss; returns what was chosen.

    ``stock``: keep the tokenizer's template as is (TRL then patches or fails by itself);
    ``chatml_think``: always use :data:`CHATML_THINK_TRAINING`; ``auto``: keep a template that has
    markers, else TRL's training template for the family, else ChatML when the tokenizer speaks it.
    """
    if mode == "stock":
        return "stock"
    vocab = tokenizer.get_vocab()
    chatml = "<|im_start|>" in vocab and "<|im_end|>" in vocab
    if mode == "chatml_think":
        if not chatml:
            raise ValueError("training_chat_template=chatml_think needs <|im_start|>/<|im_end|> in the vocabulary")
        tokenizer.chat_template = CHATML_THINK_TRAINING
        return "chatml_think"
    if has_generation_markers(tokenizer.chat_template):
        return "stock"
    if tokenizer.chat_template:
        try:
            from trl.chat_template_utils import get_training_chat_template

            patched = get_training_chat_template(tokenizer)
        except (ValueError, ImportError) as err:
            logger.info("TRL has no training template for this tokenizer (%s)", err)
        else:
            if patched is not None:
                tokenizer.chat_template = patched
                return "trl"
    if chatml:
        tokenizer.chat_template = CHATML_THINK_TRAINING
        return "chatml_think"
    raise ValueError(
        "the tokenizer's chat template has no {% generation %} markers and none can be supplied: pass a "
        "template with markers (chat_template_path), or set assistant_only_loss: false and train on "
        "prompt/completion rows (TRL then trains on the completion only)"
    )
