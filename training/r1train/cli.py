"""The ``r1train`` command: a list of subcommands, each imported only when used (TRL's CLI pattern).

Each entry maps a name to ``module:function``; the function takes the remaining argv and returns an
exit code, so adding a command is one line here and ``r1train --help`` never imports torch.
"""

from __future__ import annotations

import sys

__all__ = ["main", "COMMANDS"]

# name -> (module:function, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "convert": ("r1train.data.cli:convert_main", "convert trace files (Stratos, <think>/<answer>, Alpaca, Magpie, messages) to chat JSONL"),
    "validate": ("r1train.data.cli:validate_main", "report rows kept / dropped and why; --contamination: overlap with the benchmarks' questions"),
    "distill": ("r1train.distill:main", "ask an OpenAI-compatible teacher k times per question; keep only graded-correct traces"),
    "sft": ("r1train.sft:main", "supervised fine-tuning (full or LoRA, one or more stages) from a YAML recipe"),
    "grpo": ("r1train.grpo:main", "reinforcement learning (GRPO) with r1bench's verifier as the reward, from a YAML recipe"),
    "merge": ("r1train.merge:main", "merge a LoRA adapter into its base model and save it"),
    "eval": ("r1train.evaluate:main", "evaluate a checkpoint or adapter with r1bench / lm-eval and keep its lineage"),
}


_DESCRIPTION = (
    "Distil reasoning students: convert and validate traces, collect graded teacher traces,\n"
    "fine-tune (full / LoRA, multi-stage) with TRL, merge adapters, evaluate with lineage."
)


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``argv`` to a subcommand; returns its exit code."""
    from r1bench.cli import dispatch
    from r1train import __version__

    return dispatch("r1train", _DESCRIPTION, COMMANDS, __version__, argv)


if __name__ == "__main__":
    sys.exit(main())
