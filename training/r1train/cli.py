"""The ``r1train`` command: a list of subcommands, each imported only when used (TRL's CLI pattern).

Each entry maps a name to ``module:function``; the function takes the remaining argv and returns an
exit code, so adding a command is one line here and ``r1train --help`` never imports torch.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["main", "COMMANDS"]

# name -> (module:function, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "convert": ("r1train.data.cli:convert_main", "convert trace files (Stratos, <think>/<answer>, Alpaca, Magpie, messages) to chat JSONL"),
    "validate": ("r1train.data.cli:validate_main", "report rows kept / dropped and why (empty reasoning, unclosed tags, too long)"),
    "distill": ("r1train.distill:main", "ask an OpenAI-compatible teacher k times per question; keep only graded-correct traces"),
    "sft": ("r1train.sft:main", "supervised fine-tuning (full or LoRA, one or more stages) from a YAML recipe"),
    "merge": ("r1train.merge:main", "merge a LoRA adapter into its base model and save it"),
    "eval": ("r1train.evaluate:main", "evaluate a checkpoint or adapter with r1bench / lm-eval and keep its lineage"),
}


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [
        "usage: r1train <command> [options]",
        "",
        "Distil reasoning students: convert and validate traces, collect graded teacher traces,",
        "fine-tune (full / LoRA, multi-stage) with TRL, merge adapters, evaluate with lineage.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run `r1train <command> --help` for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``argv`` to a subcommand; returns its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    if argv[0] in {"-V", "--version"}:
        from r1train import __version__

        print(f"r1train {__version__}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"r1train: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, func_name = COMMANDS[name][0].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return int(func(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
