"""Configuration dataclasses for ``r1train sft`` and ``r1train grpo``: TRL's classes plus r1train's fields.

A YAML recipe gives the defaults and command-line flags override them (TRL's ``TrlParser``). The
extra fields live once each: data handling and lineage in :class:`R1ScriptArguments`, training
behaviour in :class:`R1SFTConfig`, model loading in :class:`R1ModelConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trl import GRPOConfig, ModelConfig, ScriptArguments, SFTConfig

__all__ = ["R1ScriptArguments", "R1SFTConfig", "R1ModelConfig", "R1GRPOScriptArguments", "R1GRPOConfig"]

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
class _R1TrainingDefaults:
    """r1train's defaults shared by its trainer configs: TensorBoard, bf16 only on GPUs, activation
    checkpointing on, ``resume_from_checkpoint: false`` read as "do not resume". A mixin placed
    before TRL's config class, so these fields override TRL's."""

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

    def __post_init__(self) -> None:
        if self.bf16 is None and not self.fp16:
            self.bf16 = _default_bf16()
        if isinstance(self.resume_from_checkpoint, str) and self.resume_from_checkpoint.lower() in {"false", "none", ""}:
            self.resume_from_checkpoint = None
        super().__post_init__()


@dataclass
class R1SFTConfig(_R1TrainingDefaults, SFTConfig):
    """TRL's SFTConfig with r1train's defaults: assistant-only loss, TensorBoard, bf16 only on GPUs."""

    assistant_only_loss: bool = field(
        default=True, metadata={"help": "compute the loss on the assistant turns only (the trace), not the prompt"}
    )
    training_chat_template: str = field(
        default="auto",
        metadata={"help": "template for the loss mask: auto (stock if marked, else TRL's, else ChatML), stock, chatml_think"},
    )

    def __post_init__(self) -> None:
        if self.training_chat_template not in _TEMPLATE_MODES:
            raise ValueError(f"training_chat_template must be one of {_TEMPLATE_MODES}")
        super().__post_init__()


@dataclass
class R1ModelConfig(ModelConfig):
    """TRL's ModelConfig plus a separate tokenizer path (default: the model's own)."""

    tokenizer_name_or_path: str | None = field(
        default=None, metadata={"help": "tokenizer folder or id (default: model_name_or_path)"}
    )


def _default_bf16() -> bool:
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


@dataclass
class R1GRPOScriptArguments(ScriptArguments):
    """Where the questions come from, how they are prompted, and which r1bench rewards score them."""

    reward_funcs: list[str] = field(
        default_factory=lambda: ["accuracy", "format"],
        metadata={"help": "rewards from r1bench.rewards: accuracy, format, loop, cosine (weights: reward_weights)"},
    )
    prompt_column: str | None = field(
        default=None, metadata={"help": "question column (default: prompt, else problem, else question/choices)"}
    )
    answer_column: str | None = field(
        default=None, metadata={"help": "gold column (default: answer, else solution's last boxed, gold, ground_truth)"}
    )
    prompt_spec: str = field(
        default="deepseek-r1+simple-evals-choice",
        metadata={"help": "r1bench prompt presets for math / choice rows (the evaluation's prompt)"},
    )
    system_prompt: str | None = field(default=None, metadata={"help": "a system message before each question"})
    max_train_rows: int | None = field(default=None, metadata={"help": "use only the first N usable rows"})
    starts_in_reasoning: str = field(
        default="auto",
        metadata={"help": "the generation prompt pre-fills <think> (auto: read from the chat template), true, false"},
    )
    reward_timeout: float = field(default=2.0, metadata={"help": "seconds per symbolic comparison in accuracy"})
    reward_time_limit: float = field(default=10.0, metadata={"help": "wall seconds per completion for a reward"})
    reward_workers: int | None = field(default=None, metadata={"help": "grading threads (default: CPUs, at most 8)"})
    format_answer: str = field(
        default="auto", metadata={"help": "what the format reward wants after </think>: auto, boxed, choice, any"}
    )
    loop_penalty: float = field(default=-1.0, metadata={"help": "reward of a looping completion (loop reward)"})
    cosine_min_value_wrong: float = field(default=-1.0, metadata={"help": "cosine: wrong answer at length 0"})
    cosine_max_value_wrong: float = field(default=-0.5, metadata={"help": "cosine: wrong answer at max length"})
    cosine_min_value_correct: float = field(default=0.5, metadata={"help": "cosine: right answer at max length"})
    cosine_max_value_correct: float = field(default=1.0, metadata={"help": "cosine: right answer at length 0"})
    cosine_max_len: int = field(default=1000, metadata={"help": "cosine: length (tokens) of the full schedule"})
    merge_adapter: bool = field(
        default=False, metadata={"help": "after LoRA training, also save base+adapter merged in output_dir/merged"}
    )

    def __post_init__(self) -> None:
        from r1bench.rewards import REWARD_FUNCS

        if self.dataset_name is None:
            raise ValueError("dataset_name is required: a .jsonl/.json/.parquet file or a hub dataset id")
        unknown = [r for r in self.reward_funcs if r not in REWARD_FUNCS]
        if unknown or not self.reward_funcs:
            raise ValueError(f"reward_funcs: unknown {unknown or 'empty list'}; known: {', '.join(REWARD_FUNCS)}")
        if self.starts_in_reasoning.lower() not in {"auto", "true", "false"}:
            raise ValueError("starts_in_reasoning must be auto, true or false")

    def reward_params(self) -> dict[str, dict]:
        """Factory keyword arguments per selected reward (what the lineage records too)."""
        acc = {"timeout": self.reward_timeout, "time_limit": self.reward_time_limit, "workers": self.reward_workers}
        params = {
            "accuracy": acc,
            "format": {"answer": self.format_answer},
            "loop": {"penalty": self.loop_penalty},
            "cosine": {
                **acc,
                "min_value_wrong": self.cosine_min_value_wrong,
                "max_value_wrong": self.cosine_max_value_wrong,
                "min_value_correct": self.cosine_min_value_correct,
                "max_value_correct": self.cosine_max_value_correct,
                "max_len": self.cosine_max_len,
            },
        }
        return {name: params[name] for name in self.reward_funcs}


@dataclass
class R1GRPOConfig(_R1TrainingDefaults, GRPOConfig):
    """TRL's GRPOConfig with r1train's defaults: TensorBoard, bf16 only on GPUs."""


