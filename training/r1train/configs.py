"""Configuration dataclasses for ``r1train sft``: TRL's classes plus the fields r1train adds.

A YAML recipe gives the defaults and command-line flags override them (TRL's ``TrlParser``). The
extra fields live once each: data handling and lineage in :class:`R1ScriptArguments`, training
behaviour in :class:`R1SFTConfig`, model loading in :class:`R1ModelConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trl import ModelConfig, ScriptArguments, SFTConfig

__all__ = ["R1ScriptArguments", "R1SFTConfig", "R1ModelConfig"]

_ANSWER_CHECKS = ("nonempty", "math", "choice")
_TEMPLATE_MODES = ("auto", "stock", "chatml_think")


@dataclass
class R1ScriptArguments(ScriptArguments):
    """Where the traces come from, how they are converted and validated, and lineage labels."""

    data_format: str = field(
        default="auto",
        metadata={"help": "trace format of dataset_name (auto, sharegpt, messages, think_answer, alpaca, magpie, prompt_completion)"},
    )
    keep_system: bool = field(default=False, metadata={"help": "keep the source's system prompts"})
    answer_check: str = field(
        default="nonempty",
        metadata={"help": "drop traces without a final answer: any text (nonempty), a boxed answer (math), a letter (choice)"},
    )
    allow_empty_reasoning: bool = field(default=False, metadata={"help": "keep traces without reasoning"})
    max_train_rows: int | None = field(default=None, metadata={"help": "use only the first N kept rows"})
    teacher: str | None = field(default=None, metadata={"help": "the teacher that wrote the traces (lineage)"})
    stage_name: str | None = field(default=None, metadata={"help": "name of this stage in a multi-stage recipe"})
    merge_adapter: bool = field(
        default=False, metadata={"help": "after LoRA training, also save base+adapter merged in output_dir/merged"}
    )

    def __post_init__(self) -> None:
        if self.answer_check not in _ANSWER_CHECKS:
            raise ValueError(f"answer_check must be one of {_ANSWER_CHECKS}, got {self.answer_check!r}")
        if self.dataset_name is None:
            raise ValueError("dataset_name is required: a .jsonl/.json/.parquet file, a folder, or a hub dataset id")


@dataclass
class R1SFTConfig(SFTConfig):
    """TRL's SFTConfig with r1train's defaults: assistant-only loss, TensorBoard, bf16 only on GPUs."""

    assistant_only_loss: bool = field(
        default=True, metadata={"help": "compute the loss on the assistant turns only (the trace), not the prompt"}
    )
    report_to: None | str | list[str] = field(
        default="tensorboard", metadata={"help": "trackers: tensorboard (default), wandb, swanlab, none, all"}
    )
    bf16: bool | None = field(
        default=None, metadata={"help": "bf16 mixed precision; default: on when a bf16-capable GPU is present"}
    )
    activation_checkpointing: bool | None = field(
        default=True, metadata={"help": "recompute activations in the backward pass to save memory (gradient checkpointing)"}
    )
    gradient_checkpointing: bool | None = field(
        default=None, metadata={"help": "deprecated alias of activation_checkpointing"}
    )
    training_chat_template: str = field(
        default="auto",
        metadata={"help": "template for the loss mask: auto (stock if marked, else TRL's, else ChatML), stock, chatml_think"},
    )

    def __post_init__(self) -> None:
        if self.training_chat_template not in _TEMPLATE_MODES:
            raise ValueError(f"training_chat_template must be one of {_TEMPLATE_MODES}")
        if self.bf16 is None and not self.fp16:
            import torch

            self.bf16 = bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
        if isinstance(self.resume_from_checkpoint, str) and self.resume_from_checkpoint.lower() in {"false", "none", ""}:
            self.resume_from_checkpoint = None
        super().__post_init__()


@dataclass
class R1ModelConfig(ModelConfig):
    """TRL's ModelConfig plus a separate tokenizer path (default: the model's own)."""

    tokenizer_name_or_path: str | None = field(
        default=None, metadata={"help": "tokenizer folder or id (default: model_name_or_path)"}
    )
