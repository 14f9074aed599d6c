"""``r1bench eval``: a thin wrapper around lm-eval's own CLI with the R1 tasks and defaults.

It imports r1bench (and ``r1bench.api.lm_eval_model`` when present, which registers the
``r1bench-chat`` model), translates r1bench's own flags, fills in defaults, and hands every other
argument unchanged to lm-eval 0.4.13's CLI in this process, so ``--limit``, ``--output_path``,
``--log_samples``, ``--gen_kwargs``, ``--model_args``, ``--batch_size`` ... keep their spellings.

Defaults: ``--tasks r1_smoke``; ``--include_path`` = the r1bench tasks folder; ``--model`` = the
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
import contextlib
import importlib
import json
import logging
import os
import shlex
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from r1bench import eval_checks
from r1bench.eval_ux import UsageError

__all__ = ["tasks_dir", "build_parser", "translate_args", "main", "DEFAULT_HF_BATCH_SIZE"]

# The embedded model on CPU: 16 prompts per forward pass (measured: r1_smoke's 24 generations take
# 78 s at batch size 1 and about 31 s batched on 2 cores).
DEFAULT_HF_BATCH_SIZE = "16"

logger = logging.getLogger(__name__)


def tasks_dir() -> Path:
    """The r1bench lm-eval task folder: ``$R1BENCH_TASKS_DIR``, else the checkout's ``tasks/``
    (source tree, editable install), else the copy inside an installed wheel (``r1bench/tasks``).
    """
    env = os.environ.get("R1BENCH_TASKS_DIR")
    candidates = [Path(env)] if env else []
    package = Path(__file__).resolve().parent
    candidates += [package.parent / "tasks", package / "tasks"]
    for path in candidates:
        if (path / "_r1_template_yaml").is_file():
            return path
    raise FileNotFoundError(
        "r1bench task folder not found (looked in "
        + ", ".join(str(p) for p in candidates)
        + "); reinstall r1bench (`pip install -e .` from a checkout) or set "
        "R1BENCH_TASKS_DIR to a checkout's tasks/ folder"
    )


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


def _restamp(task: Any, fields: dict[str, Any]) -> None:
    """Set ``fields`` on every loaded doc of ``task`` (the records read k and the cap from the docs)."""
    data = getattr(task, "dataset", None)
    if data is None or not hasattr(data, "keys"):
        return
    import datasets

    for split in list(data.keys()):
        data[split] = datasets.Dataset.from_list([{**doc, **fields} for doc in data[split]])


@contextlib.contextmanager
def _r1_task_overrides(
    samples: int | None,
    extra_include: Path | None,
    *,
    quick: bool = False,
    clamp: int | None = None,
    context: int | None = None,
    user_cap: bool = False,
) -> Iterator[None]:
    """While lm-eval runs: set ``repeats`` of r1 tasks to ``samples``, check repeats == k before
    any generation, and add our task folder when the user gave their own ``--include_path``.

    ``quick`` caps k and the generation limit; ``clamp`` is the largest limit the model's
    ``context`` leaves room for (applied unless the user set the limit, ``user_cap``, which the
    caller clamps itself). Both are written into the task metadata and the docs' stamps.
    """
    from lm_eval.tasks import TaskManager

    from r1bench.eval_ux import QUICK_K, QUICK_MAX_GEN_TOKS

    orig_init, orig_load = TaskManager.__init__, TaskManager.load

    def init(self: Any, *args: Any, include_path: Any = None, **kwargs: Any) -> None:
        # repeats follow k right after loading (below), so the dataset hook's k == repeats check waits.
        kwargs["metadata"] = {**(kwargs.get("metadata") or {}), "r1_repeats_follow_k": True}
        if extra_include is not None:
            paths = (
                list(include_path) if isinstance(include_path, (list, tuple)) else [include_path]
            )
            include_path = [p for p in paths if p] + [extra_include]
        orig_init(self, *args, include_path=include_path, **kwargs)

    def load(self: Any, task_list: Any) -> Any:
        loaded = orig_load(self, task_list)
        for name, task in loaded.get("tasks", {}).items():
            cfg = task.config
            if not (cfg.dataset_kwargs or {}).get("r1_task"):
                continue
            if samples is not None:
                task.set_config(key="repeats", value=samples)
            meta = cfg.metadata if isinstance(cfg.metadata, dict) else {}
            k = int(meta.get("k", 0))
            stamps: dict[str, Any] = {}
            if quick and samples is None and k > QUICK_K and cfg.repeats == k:
                task.set_config(key="repeats", value=QUICK_K)
                meta["k"] = k = QUICK_K
                stamps["r1_k"] = QUICK_K
            if cfg.repeats != k:
                raise SystemExit(
                    f"r1bench eval: task {name} has repeats={cfg.repeats} but metadata k={k}; "
                    "use --k K to set both"
                )
            gen = cfg.generation_kwargs if isinstance(cfg.generation_kwargs, dict) else None
            cap = gen.get("max_gen_toks") if gen else None
            if gen is not None and cap is not None and not user_cap:
                new = min(int(cap), QUICK_MAX_GEN_TOKS) if quick else int(cap)
                if clamp is not None and new > clamp:
                    new = clamp
                    meta["max_gen_toks_clamped"] = {"requested": int(cap), "model_context": context}
                    stamps["r1_max_gen_toks_requested"] = int(cap)
                    print(f"r1bench eval: warning: {name}: generation limit {cap} does not fit the model's "
                          f"context of {context} tokens; clamped to {new}", file=sys.stderr)
                if new != int(cap):
                    gen["max_gen_toks"] = new
                    meta["max_gen_toks"] = new
                    stamps["r1_max_gen_toks"] = new
            if stamps:
                _restamp(task, stamps)
        return loaded

    TaskManager.__init__, TaskManager.load = init, load  # type: ignore[method-assign]
    try:
        yield
    finally:
        TaskManager.__init__, TaskManager.load = orig_init, orig_load  # type: ignore[method-assign]


def _register_models() -> None:
    """Import the r1bench lm-eval model (``r1bench-chat``) when that module exists.

    lm-eval 0.4.13 fills its model registry with the built-in models only when the registry is
    empty at the first lookup; registering ours first would hide ``hf``/``vllm``. So the
    built-ins are imported first.
    """
    importlib.import_module("lm_eval.models")
    importlib.import_module("r1bench.local")  # r1bench-hf, r1bench-vllm (lazy placeholders)
    try:
        importlib.import_module("r1bench.api.lm_eval_model")
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
    eval_checks.preflight(lm_argv)  # secrets, unknown model args, unwritable output: before any work
    if not _has_flag(argv, "--model", "--model_args") and not (opts.quick or opts.full) and expanded != ["r1_smoke"]:
        # The embedded 135M model is a demo: 64 samples x 7,000 tokens of AIME on CPU is hours of noise.
        opts.quick = True
        print("r1bench eval: note: the embedded demo model runs a quick look (k <= 2, <= 512 generated tokens); "
              "--full runs the whole protocol, --model runs yours", file=sys.stderr)
    context = eval_ux.model_context(model or "hf", model_args)
    clamp = eval_ux.clamp_limit(context)
    _clamp_user_limit(lm_argv, opts, clamp, context)
    _register_models()
    from lm_eval._cli import HarnessCLI
    from lm_eval.utils import setup_logging

    import r1bench.lm_eval_glue  # noqa: F401 - registers the `r1` filter

    setup_logging()
    cli = HarnessCLI()
    saved_argv = sys.argv
    sys.argv = ["lm-eval", "run", *lm_argv]
    try:
        ns = cli.parse_args()
    finally:
        sys.argv = saved_argv
    try:  # budget forcing (thinking_budget / thinking_extend): bad values, unsupported backends
        from r1bench.budget import check_backend as check_budget

        check_budget(_flag_value(lm_argv, "--model"), getattr(ns, "gen_kwargs", None))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    meta = _r1_metadata(ns, opts)
    if meta:
        ns.metadata = {**(getattr(ns, "metadata", None) or {}), **meta}
    user_include = _has_flag(argv, "--include_path")
    print(f"r1bench eval: {_reproduce_command(eval_checks.redact_argv(argv), opts)}", file=sys.stderr)
    echo = list(lm_argv)
    if meta and not _has_flag(lm_argv, "--metadata"):
        echo += ["--metadata", json.dumps(meta, sort_keys=True)]
    print(f"r1bench eval -> lm_eval run {shlex.join(eval_checks.redact_argv(echo))}", file=sys.stderr)
    output = _flag_value(lm_argv, "--output_path")
    saved_env = os.environ.get("R1BENCH_UNSCORED_DIR")
    if output and saved_env is None:  # raw outputs that fail scoring land beside the run, not in cwd
        os.environ["R1BENCH_UNSCORED_DIR"] = str(Path(output).resolve())
    start_wall, start = time.time(), time.perf_counter()
    try:
        with _r1_task_overrides(opts.samples, tasks_dir() if user_include else None, quick=opts.quick,
                                clamp=clamp, context=context, user_cap=opts.max_gen_toks is not None):
            cli.execute(ns)
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench eval``; expected failures are one line (``--debug``: traceback)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        build_parser().print_help()
        print("\nlm-eval's own options (all accepted here): `lm_eval run --help`")
        return 0
    debug = "--debug" in argv or os.environ.get("R1BENCH_DEBUG", "") not in ("", "0")
    argv = [a for a in argv if a != "--debug"]
    try:
        return _run(argv)
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
