"""``r1bench eval`` (also ``python -m r1bench.lm_eval``): lm-eval's own CLI with the R1 tasks and defaults.

It registers r1bench's models (``r1bench-chat``, ``r1bench-hf``, ``r1bench-vllm``), translates
r1bench's own flags, fills in defaults, and runs lm-eval 0.4.13's public entry point
(``lm_eval.__main__.cli_evaluate``) in this process with every other argument unchanged, so
``--limit``, ``--output_path``, ``--log_samples``, ``--gen_kwargs``, ``--model_args``,
``--batch_size`` ... keep their spellings. What r1bench decides about the tasks (k, quick look,
context clamp) reaches them as ``--metadata`` (see :mod:`r1bench.lm_eval.task`); nothing of
lm-eval is patched. A failure inside lm-eval is one line and a non-zero exit.

Defaults: ``--tasks r1_smoke``; ``--include_path`` = the r1bench tasks folder (with the user's own
``--include_path``, r1bench tasks are named by their YAML files); ``--model`` = the
embedded SmolLM2-135M-Instruct on CPU (r1bench-hf, float32, ``--batch_size 16``) when neither
``--model`` nor ``--model_args`` is given; ``--apply_chat_template`` (no system prompt);
``--output_path runs/<model>/<timestamp>`` and ``--log_samples``. A generation limit longer than
the model's context allows is clamped (with a one-line warning, recorded in the task metadata and
the records). The run ends with the headline per task, the paths written and the next command.

    r1bench eval --tasks r1_smoke
    r1bench eval --model vllm --model_args pretrained=deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B \\
        --tasks r1_suite --k 8 --max-gen-toks 16384
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import logging
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from r1bench import eval_checks
from r1bench.eval_ux import UsageError
from r1bench.task_configs import tasks_dir

__all__ = ["tasks_dir", "build_parser", "translate_args", "main", "DEFAULT_HF_BATCH_SIZE", "LmEvalFailed",
           "run_lm_eval"]

# The embedded model on CPU: 16 prompts per forward pass (measured: r1_smoke's 24 generations take
# 78 s at batch size 1 and about 31 s batched on 2 cores).
DEFAULT_HF_BATCH_SIZE = "16"

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """r1bench's own flags; everything else is lm-eval's (see ``lm_eval run --help``)."""
    parser = argparse.ArgumentParser(
        prog="r1bench eval",
        description=(
            "Run R1-protocol benchmarks through lm-eval. Unknown options go to lm-eval's CLI "
            "unchanged (--limit, --output_path, --log_samples, --gen_kwargs, --model_args, "
            "--batch_size, --device, --seed, ...)."
        ),
        epilog=(
            "Defaults: --tasks r1_smoke, --include_path <r1bench tasks>, --apply_chat_template, "
            "--output_path runs/<model>/<timestamp>, --log_samples, and the embedded "
            "SmolLM2-135M-Instruct on CPU (--batch_size 16) when no --model/--model_args is given. "
            "r1bench's own flags take - or _ spellings."
        ),
    )
    parser.add_argument("--tasks", default="r1_smoke", help="task or group names, comma separated")
    parser.add_argument(
        "--k",
        type=int,
        metavar="K",
        help="samples per question (sets repeats and metadata k; lm-eval's own --samples is untouched)",
    )
    parser.add_argument("--max-gen-toks", "--max_gen_toks", dest="max_gen_toks", type=int, metavar="N",
                        help="generation limit in tokens (clamped to what the model's context allows)")
    parser.add_argument(
        "--data-dir", "--data_dir", dest="data_dir", metavar="DIR",
        help="local data folder (else $R1BENCH_DATA_DIR, else the hub)",
    )
    parser.add_argument(
        "--no-chat-template", "--no_chat_template",
        dest="no_chat_template",
        action="store_true",
        help="do not add --apply_chat_template (and set metadata starts_in_reasoning=false)",
    )
    parser.add_argument("--allow-incomplete", "--allow_incomplete", dest="allow_incomplete", action="store_true",
                        help="exit 0 even when requests failed (the results JSON still says incomplete)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a quick look: at most k=2 samples and {512} generated tokens per task")
    parser.add_argument("--full", action="store_true",
                        help="the embedded demo model on a real benchmark: run the full protocol (k, limit), "
                        "not the quick look it defaults to")
    parser.add_argument("--no-view", "--no_view", dest="no_view", action="store_true",
                        help="do not write the HTML page of the run at the end (r1bench view writes it later)")
    parser.add_argument("--list", action="store_true", help="list the r1bench tasks (k, size, data) and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of expected errors too")
    return parser


def _has_flag(argv: Sequence[str], *names: str) -> bool:
    return any(a == n or a.startswith(n + "=") for a in argv for n in names)


_flag_value = eval_checks.flag_value


def translate_args(
    argv: Sequence[str], *, default_model: Path | None = None
) -> tuple[list[str], argparse.Namespace]:
    """Split r1bench flags from lm-eval's and return (lm-eval argv, r1bench options).

    ``default_model`` is the embedded model folder, used only when no model is named.
    """
    opts, rest = build_parser().parse_known_args(list(argv))
    if opts.k is not None and opts.k < 1:
        raise SystemExit("r1bench eval: --k must be >= 1")
    if opts.max_gen_toks is not None and opts.max_gen_toks < 1:
        raise SystemExit("r1bench eval: --max-gen-toks must be >= 1")
    opts.samples = opts.k  # the name the task overrides use
    out = ["--tasks", opts.tasks, *rest]
    if not _has_flag(rest, "--model", "--model_args"):
        if default_model is None:
            from r1bench.models.default import ensure_default_model

            default_model = ensure_default_model()
        out += ["--model", "r1bench-hf", "--model_args", f"pretrained={default_model}", "dtype=float32"]
        if not _has_flag(rest, "--device"):
            out += ["--device", "cpu"]
        if not _has_flag(rest, "--batch_size"):
            out += ["--batch_size", DEFAULT_HF_BATCH_SIZE]
    if not _has_flag(rest, "--output_path", "-o"):
        from r1bench.eval_ux import default_output_path, readable_model_name

        opts.default_output = default_output_path(
            readable_model_name(_flag_value(out, "--model"), _flag_value(out, "--model_args")))
        out += ["--output_path", opts.default_output]
    else:
        opts.default_output = None
    if not _has_flag(rest, "--log_samples", "-s", "--predict_only"):
        out.append("--log_samples")
    if not _has_flag(rest, "--include_path"):
        out += ["--include_path", str(tasks_dir())]
    else:
        out[1] = _task_specs(opts.tasks, _flag_value(rest, "--include_path"))
    if not opts.no_chat_template and not _has_flag(rest, "--apply_chat_template"):
        out.append("--apply_chat_template")
    if opts.max_gen_toks is not None:
        out += ["--gen_kwargs", f"max_gen_toks={opts.max_gen_toks}"]
    return out, opts


def _r1_metadata(ns: argparse.Namespace, opts: argparse.Namespace) -> dict[str, Any]:
    """Metadata that reaches every task's loader: k, the effective token limit, the data dir."""
    meta: dict[str, Any] = {}
    if opts.samples is not None:
        meta["k"] = opts.samples
    gen = getattr(ns, "gen_kwargs", None) or {}
    max_toks = gen.get("max_gen_toks") if isinstance(gen, dict) else None
    if max_toks is not None:
        meta["max_gen_toks"] = int(max_toks)
    if opts.data_dir:
        meta["data_dir"] = str(Path(opts.data_dir).resolve())
    if getattr(opts, "no_chat_template", False) and not _sets_starts_in_reasoning(ns):
        # No chat template, so no pre-filled <think>: `auto` cannot see this (lm-eval does not
        # tell the task), so say it explicitly unless the user did.
        meta["starts_in_reasoning"] = False
    return meta


def _sets_starts_in_reasoning(ns: argparse.Namespace) -> bool:
    """True when --metadata or --model_args already name starts_in_reasoning."""
    for value in (getattr(ns, "metadata", None), getattr(ns, "model_args", None)):
        if isinstance(value, dict) and "starts_in_reasoning" in value:
            return True
        if isinstance(value, str) and "starts_in_reasoning" in value:
            return True
    return False


def _r1_controls(opts: argparse.Namespace, *, clamp: int | None = None, context: int | None = None) -> dict[str, Any]:
    """What ``r1bench eval`` asks of the tasks (:class:`r1bench.lm_eval.task.R1Task`), as metadata:
    repeats follow ``--k``; the quick look caps k and the limit; a short model context clamps the
    limit (a user's own ``--max-gen-toks`` is clamped here instead, and quick leaves it alone)."""
    from r1bench.eval_ux import QUICK_K, QUICK_MAX_GEN_TOKS
    from r1bench.lm_eval.task import RUN_KEY

    run: dict[str, Any] = {}
    if opts.samples is not None:
        run["k_sets_repeats"] = True
    user_cap = opts.max_gen_toks is not None
    if getattr(opts, "quick", False):
        quick = {"k": QUICK_K} if opts.samples is None else {}
        if not user_cap:
            quick["max_gen_toks"] = QUICK_MAX_GEN_TOKS
        if quick:
            run["quick"] = quick
    if clamp is not None and not user_cap:
        run["context"] = {"limit": clamp, "model_context": context}
    return {RUN_KEY: run} if run else {}


def _yaml_paths(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    """r1bench task and group names under ``folder`` -> (YAML path, group members)."""
    import yaml

    out: dict[str, tuple[Path, list[str]]] = {}
    for path in sorted(folder.rglob("*.yaml")):
        try:
            cfg = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        if "group" in cfg:
            out[str(cfg["group"])] = (path, [str(m) for m in cfg.get("task") or [] if isinstance(m, str)])
        elif isinstance(cfg.get("task"), str):
            out[cfg["task"]] = (path, [])
    return out


def _task_specs(tasks: str, include_path: str | None) -> str:
    """``--tasks`` for a run with the user's own ``--include_path``: lm-eval's CLI takes one include
    path, so r1bench tasks are named by their YAML files (lm-eval accepts a path as a task; a group
    becomes its member tasks). Unchanged when the user's path is r1bench's task folder."""
    ours = tasks_dir().resolve()
    if include_path and Path(include_path).resolve() == ours:
        return tasks
    known = _yaml_paths(ours)
    specs: list[str] = []
    for name in (t.strip() for t in tasks.split(",") if t.strip()):
        if name not in known:
            specs.append(name)
            continue
        path, members = known[name]
        specs += [str(known[m][0]) for m in members if m in known] if members else [str(path)]
    return ",".join(dict.fromkeys(specs))


def _lm_eval_options(lm_argv: Sequence[str]) -> argparse.Namespace:
    """The lm-eval options r1bench reads (gen_kwargs as a dict; metadata, model_args as given).

    ``--gen_kwargs`` takes ``k=v,k2=v2``, ``k=v k2=v2`` or JSON and may repeat (lm-eval merges them).
    """
    from lm_eval.utils import simple_parse_args_string

    gen: dict[str, Any] = {}
    for i, arg in enumerate(lm_argv):
        if arg.startswith("--gen_kwargs="):
            values = [arg.split("=", 1)[1]]
        elif arg == "--gen_kwargs":
            values = list(itertools.takewhile(lambda a: not a.startswith("-"), lm_argv[i + 1:]))
        else:
            continue
        for value in values:
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = simple_parse_args_string(value)
            if isinstance(parsed, dict):
                gen.update(parsed)
    return argparse.Namespace(gen_kwargs=gen, metadata=_flag_value(lm_argv, "--metadata"),
                              model_args=_flag_value(lm_argv, "--model_args"))


def _register_models() -> None:
    """Register r1bench's lm-eval models (``r1bench-chat``, ``r1bench-hf``, ``r1bench-vllm``).

    lm-eval 0.4.13 fills its model registry with the built-in models only when the registry is
    empty at the first lookup; registering ours first would hide ``hf``/``vllm``. So the
    built-ins are imported first.
    """
    importlib.import_module("lm_eval.models")
    importlib.import_module("r1bench.local")  # r1bench-hf, r1bench-vllm (lazy placeholders)
    try:
        importlib.import_module("r1bench.lm_eval.chat")
    except ImportError as exc:
        logger.debug("r1bench-chat model not registered: %s", exc)


def _reproduce_command(argv: Sequence[str], opts: argparse.Namespace) -> str:
    """The command that reproduces this run: the user's own flags plus the output folder chosen."""
    extra = ["--output_path", opts.default_output] if opts.default_output else []
    return "r1bench eval " + " ".join(shlex.quote(a) for a in [*argv, *extra])


def _clamp_user_limit(lm_argv: list[str], opts: argparse.Namespace, clamp: int | None, context: int | None) -> None:
    """Clamp an explicit --max-gen-toks that the model's context cannot hold (in place)."""
    if clamp is None or opts.max_gen_toks is None or opts.max_gen_toks <= clamp:
        return
    print(f"r1bench eval: warning: --max-gen-toks {opts.max_gen_toks} does not fit the model's context of "
          f"{context} tokens; clamped to {clamp}", file=sys.stderr)
    i = lm_argv.index(f"max_gen_toks={opts.max_gen_toks}")
    lm_argv[i] = f"max_gen_toks={clamp}"
    opts.max_gen_toks = clamp


def _write_page(output: str, since: float, *, skip: bool) -> None:
    """Write the run's HTML page (``r1bench view``) and say how to open it; or name the command."""
    from r1bench.results.ingest import find_runs

    runs = [r for r in find_runs(output) if r.results_path.stat().st_mtime >= since - 1 and r.samples]
    if skip or not runs:
        print(f"next: r1bench view {shlex.quote(output)}   (an HTML page to browse the samples)")
        return
    from r1bench.results.view import write_views

    try:
        (page,) = write_views(runs[-1].results_path)
    except Exception as exc:  # the run is saved whatever happens to its page
        print(f"r1bench eval: warning: no HTML page ({type(exc).__name__}: {exc}); "
              f"try `r1bench view {shlex.quote(output)}`", file=sys.stderr)
        return
    print(f"page: {page}\nopen it: file://{page.resolve()}  (any browser, offline; "
          f"rebuild with `r1bench view {shlex.quote(output)}`)")


def _run(argv: list[str]) -> int:
    from r1bench import eval_ux

    opts, _ = build_parser().parse_known_args(argv)
    known = eval_ux.r1_tasks(tasks_dir())
    if opts.list:
        print(eval_ux.task_table(known, opts.data_dir))
        return 0
    names = [t.strip() for t in opts.tasks.split(",") if t.strip()]
    if any(n == "list" for n in names):
        print(eval_ux.task_table(known, opts.data_dir))
        return 0
    eval_ux.check_task_names(names, known)
    lm_argv, opts = translate_args(argv)
    expanded = eval_ux.expand_tasks(names, known)
    model, model_args = _flag_value(lm_argv, "--model"), _flag_value(lm_argv, "--model_args")
    eval_ux.check_backend(model)
    eval_ux.check_data(expanded, opts.data_dir)
    try:  # secrets, unknown model args, unwritable output: before any work
        from r1bench.lm_eval.chat import model_arg_names

        eval_checks.preflight(lm_argv, {"r1bench-chat": model_arg_names()})
    except ValueError as exc:  # preflight's refusals are one line by design
        raise UsageError(str(exc)) from None
    if not _has_flag(argv, "--model", "--model_args") and not (opts.quick or opts.full) and expanded != ["r1_smoke"]:
        # The embedded 135M model is a demo: 64 samples x 7,000 tokens of AIME on CPU is hours of noise.
        opts.quick = True
        print("r1bench eval: note: the embedded demo model runs a quick look (k <= 2, <= 512 generated tokens); "
              "--full runs the whole protocol, --model runs yours", file=sys.stderr)
    context = eval_ux.model_context(model or "hf", model_args)
    clamp = eval_ux.clamp_limit(context)
    _clamp_user_limit(lm_argv, opts, clamp, context)
    _register_models()
    lm_options = _lm_eval_options(lm_argv)
    try:  # budget forcing (thinking_budget / thinking_extend): bad values, unsupported backends
        from r1bench.budget import check_backend as check_budget

        check_budget(_flag_value(lm_argv, "--model"), lm_options.gen_kwargs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    meta = {**_r1_metadata(lm_options, opts), **_r1_controls(opts, clamp=clamp, context=context)}
    if meta:  # after the user's own --metadata: lm-eval merges both, ours winning on the same key
        lm_argv += ["--metadata", json.dumps(meta, sort_keys=True)]
    print(f"r1bench eval: {_reproduce_command(eval_checks.redact_argv(argv), opts)}", file=sys.stderr)
    print(f"r1bench eval -> lm_eval run {shlex.join(eval_checks.redact_argv(lm_argv))}", file=sys.stderr)
    output = _flag_value(lm_argv, "--output_path")
    saved_env = os.environ.get("R1BENCH_UNSCORED_DIR")
    if output and saved_env is None:  # raw outputs that fail scoring land beside the run, not in cwd
        os.environ["R1BENCH_UNSCORED_DIR"] = str(Path(output).resolve())
    start_wall, start = time.time(), time.perf_counter()
    try:
        run_lm_eval(lm_argv)
    finally:
        if saved_env is None:
            os.environ.pop("R1BENCH_UNSCORED_DIR", None)
    elapsed = time.perf_counter() - start
    if output:
        lines = eval_ux.headline_lines(output, start_wall, elapsed)
        if lines:
            print("\n" + "\n".join(lines))
            _write_page(output, start_wall, skip=opts.no_view)
    return eval_checks.finish(lm_argv, since=start_wall, allow_incomplete=opts.allow_incomplete)


class LmEvalFailed(RuntimeError):
    """lm-eval stopped the run: an exception inside it (the ``__cause__``) or its own non-zero exit."""


def run_lm_eval(lm_argv: Sequence[str]) -> None:
    """Run lm-eval's public CLI entry point on ``lm_argv`` in this process.

    Raises :class:`LmEvalFailed` when lm-eval raises or exits non-zero (its argument errors exit 2
    after printing their own message), so the caller can say so in one line.
    """
    from lm_eval.__main__ import cli_evaluate

    saved = sys.argv
    sys.argv = ["lm-eval", "run", *lm_argv]
    try:
        cli_evaluate()
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise LmEvalFailed(f"lm-eval exited with status {exc.code}") from exc
    except Exception as exc:
        raise LmEvalFailed(f"lm-eval failed: {_one_line(exc)}") from exc
    finally:
        sys.argv = saved


def _one_line(exc: BaseException) -> str:
    """``Type: first line of the message`` plus any notes (where unscored outputs were saved)."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    notes = [str(n) for n in getattr(exc, "__notes__", ())]
    return "; ".join([text, *notes])


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench eval``; expected failures and lm-eval's failures are one line and a
    non-zero exit (``--debug``: the traceback)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        build_parser().print_help()
        print("\nlm-eval's own options (all accepted here): `lm_eval run --help`")
        return 0
    debug = "--debug" in argv or os.environ.get("R1BENCH_DEBUG", "") not in ("", "0")
    argv = [a for a in argv if a != "--debug"]
    try:
        return _run(argv)
    except LmEvalFailed as exc:
        cause = exc.__cause__
        if debug:
            raise
        message = _expected_failure(cause) if isinstance(cause, Exception) else None
        if message is not None:
            print(f"r1bench eval: error: {message}", file=sys.stderr)
            return 2
        hint = "its message is above" if isinstance(cause, SystemExit) else "--debug shows the traceback"
        print(f"r1bench eval: error: {exc} ({hint})", file=sys.stderr)
        return 1
    except Exception as exc:
        message = _expected_failure(exc)
        if message is None or debug:
            raise
        print(f"r1bench eval: error: {message}", file=sys.stderr)
        return 2


def _expected_failure(exc: BaseException) -> str | None:
    """One line for a failure a user can fix (else None: a bug, shown with its traceback)."""
    from r1bench.datasets.files import DataError

    if isinstance(exc, UsageError):
        return str(exc)
    if isinstance(exc, DataError):
        return str(exc).splitlines()[0]
    text = str(exc)
    if "Tasks not found" in text or "not found" in text.lower() and "task" in text.lower():
        return text.splitlines()[0] + " (`r1bench tasks` lists r1bench's; `lm_eval ls tasks` lm-eval's)"
    if isinstance(exc, ModuleNotFoundError):
        return f"{text}: install it (backends: pip install -e '.[vllm]' for vllm)"
    if "must be less than model's maximum sequence length" in text:
        return text.splitlines()[0] + " (lower --max-gen-toks, or use --quick)"
    return None


if __name__ == "__main__":
    sys.exit(main())
