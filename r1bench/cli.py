"""The ``r1bench`` command: a list of subcommands, each imported only when used.

Each entry maps a name to ``module:function``; the function takes the remaining argv and returns
an exit code. Adding a command is one line here (TRL's CLI pattern), and ``r1bench --help`` stays
instant because nothing heavy (torch, lm-eval) is imported until a command runs.
:func:`dispatch` is shared with the ``r1train`` command.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping

__all__ = ["main", "dispatch", "COMMANDS"]

# name -> (module:function, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "eval": ("r1bench.lm_eval.cli:main", "run tasks through lm-eval (default: embedded model on r1_smoke)"),
    "sweep": ("r1bench.sweep:main", "one eval run per thinking budget, then accuracy vs budget (JSON + plot)"),
    "tasks": ("r1bench.eval_ux:tasks_main", "list the r1bench tasks (k, size, data status); `tasks write|check`: the YAMLs"),
    "grade": ("r1bench.grading_cli:main", "grade responses from a JSONL file or the command line"),
    "leaderboard": ("r1bench.results.leaderboard_cli:main", "add runs to and build the leaderboards"),
    "report": ("r1bench.results.report:main", "write a Markdown report with plots for one run"),
    "view": ("r1bench.results.view:main", "write a self-contained HTML page to browse one run's samples"),
    "data": ("r1bench.datasets.cli:main", "fetch, verify and list benchmark data for offline use"),
    "model": ("r1bench.models.cli:main", "`model path`: the embedded model's folder (for plain lm_eval)"),
    "api": ("r1bench.api.__main__:main", "`api status`: the API sample store's counts and failures"),
}

_DESCRIPTION = (
    "Evaluate R1-style reasoning models: long generations, think-tag stripping, symbolic\n"
    "answer grading, pass@1 over k samples, resumable API runs, leaderboards."
)


def _usage(prog: str, description: str, commands: Mapping[str, tuple[str, str]]) -> str:
    width = max(map(len, commands))
    lines = [f"usage: {prog} <command> [options]", "", description, "", "commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in commands.items()]
    lines += ["", f"Run `{prog} <command> --help` for a command's options; add --debug anywhere to see "
              "tracebacks instead of one-line errors."]
    return "\n".join(lines)


def dispatch(
    prog: str,
    description: str,
    commands: Mapping[str, tuple[str, str]],
    version: str,
    argv: list[str] | None = None,
) -> int:
    """Run the subcommand named by ``argv[0]`` (importing its module only now); return its code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # --debug anywhere on the line (or R1BENCH_DEBUG=1): tracebacks instead of one-line errors.
    debug = "--debug" in argv or os.environ.get("R1BENCH_DEBUG") == "1"
    argv = [a for a in argv if a != "--debug"]
    usage = _usage(prog, description, commands)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        try:
            print(usage)
            sys.stdout.flush()
        except BrokenPipeError:  # `r1bench --help | head`: the reader left, nothing is wrong
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    if argv[0] in {"-V", "--version"}:
        print(f"{prog} {version}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in commands:
        print(f"{prog}: unknown command {name!r}\n\n{usage}", file=sys.stderr)
        return 2
    module_name, func_name = commands[name][0].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    if debug:
        saved = os.environ.get("R1BENCH_DEBUG")
        os.environ["R1BENCH_DEBUG"] = "1"  # for commands with their own handling (r1bench eval)
        try:
            return int(func(rest) or 0)
        finally:
            if saved is None:
                os.environ.pop("R1BENCH_DEBUG", None)
            else:
                os.environ["R1BENCH_DEBUG"] = saved
    try:
        return int(func(rest) or 0)
    except KeyboardInterrupt:
        print(f"{prog} {name}: interrupted (finished work is kept; the same command resumes where "
              "it can)", file=sys.stderr)
        return 130
    except _EXPECTED as exc:
        print(f"{prog} {name}: error: {_one_line(exc)} (--debug shows the traceback)", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - anything else is a bug: one line, and how to report it
        print(f"{prog} {name}: internal error: {type(exc).__name__}: {_one_line(exc)}; please report it "
              f"with the output of the same command plus --debug", file=sys.stderr)
        return 1


# Failures a user can fix (bad file, bad value, missing path): their messages name the file/field.
_EXPECTED = (ValueError, OSError, KeyError, RecursionError, LookupError)


def _one_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    if isinstance(exc, OSError) and exc.filename is not None:
        text = f"{exc.filename}: {exc.strerror or text}"
    if isinstance(exc, RecursionError):
        text = "input nested too deeply to read (corrupt or hostile file?)"
    return " ".join(text.split()) or type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    from r1bench import __version__

    return dispatch("r1bench", _DESCRIPTION, COMMANDS, __version__, argv)


if __name__ == "__main__":
    sys.exit(main())
