"""The ``r1bench`` command: a list of subcommands, each imported only when used.

Each entry maps a name to ``module:function``; the function takes the remaining argv and returns
an exit code. Adding a command is one line here (TRL's CLI pattern), and ``r1bench --help`` stays
instant because nothing heavy (torch, lm-eval) is imported until a command runs.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["main", "COMMANDS"]

# name -> (module:function, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "eval": ("r1bench.evaluate:main", "run tasks through lm-eval (default: embedded model on r1_smoke)"),
    "grade": ("r1bench.grading.cli:main", "grade responses from a JSONL file or the command line"),
    "leaderboard": ("r1bench.results.leaderboard_cli:main", "add runs to and build the leaderboards"),
    "report": ("r1bench.results.report:main", "write a Markdown report with plots for one run"),
    "data": ("r1bench.datasets.cli:main", "fetch, verify and list benchmark data for offline use"),
}


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [
        "usage: r1bench <command> [options]",
        "",
        "Evaluate R1-style reasoning models: long generations, think-tag stripping, symbolic",
        "answer grading, pass@1 over k samples, resumable API runs, leaderboards.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run `r1bench <command> --help` for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    if argv[0] in {"-V", "--version"}:
        from r1bench import __version__

        print(f"r1bench {__version__}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"r1bench: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, func_name = COMMANDS[name][0].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return int(func(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
