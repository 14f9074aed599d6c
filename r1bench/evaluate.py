"""``r1bench eval``: a thin wrapper around lm-eval's own CLI with the R1 tasks and defaults.

It imports r1bench (and ``r1bench.api.lm_eval_model`` when present, which registers the
``r1bench-chat`` model), translates r1bench's own flags, fills in defaults, and hands every other
argument unchanged to lm-eval 0.4.13's CLI in this process, so ``--limit``, ``--output_path``,
``--log_samples``, ``--gen_kwargs``, ``--model_args``, ``--batch_size`` ... keep their spellings.

Defaults: ``--tasks r1_smoke``; ``--include_path`` = the r1bench tasks folder; ``--model`` = the
embedded SmolLM2-135M-Instruct on CPU (r1bench-hf, float32) when neither ``--model`` nor
``--model_args`` is given; ``--apply_chat_template`` (no system prompt).

    r1bench eval --tasks r1_smoke
    r1bench eval --model vllm --model_args pretrained=deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B \\
        --tasks r1_suite --samples 8 --max-gen-toks 16384 --output_path runs --log_samples
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["tasks_dir", "build_parser", "translate_args", "main"]

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
            "and the embedded SmolLM2-135M-Instruct on CPU when no --model/--model_args is given."
        ),
    )
    parser.add_argument("--tasks", default="r1_smoke", help="task or group names, comma separated")
    parser.add_argument(
        "--samples",
        type=int,
        metavar="K",
        help="samples per question (k); sets repeats and metadata k",
    )
    parser.add_argument("--max-gen-toks", type=int, metavar="N", help="generation limit in tokens")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="local data folder (else $R1BENCH_DATA_DIR, else the hub)"
    )
    parser.add_argument(
        "--no-chat-template",
        action="store_true",
        help="do not add --apply_chat_template (and set metadata starts_in_reasoning=false)",
    )
    parser.add_argument("--allow-incomplete", "--allow_incomplete", dest="allow_incomplete", action="store_true",
                        help="exit 0 even when requests failed (the results JSON still says incomplete)")
    return parser


def _has_flag(argv: Sequence[str], *names: str) -> bool:
    return any(a == n or a.startswith(n + "=") for a in argv for n in names)


def translate_args(
    argv: Sequence[str], *, default_model: Path | None = None
) -> tuple[list[str], argparse.Namespace]:
    """Split r1bench flags from lm-eval's and return (lm-eval argv, r1bench options).

    ``default_model`` is the embedded model folder, used only when no model is named.
    """
    opts, rest = build_parser().parse_known_args(list(argv))
    if opts.samples is not None and opts.samples < 1:
        raise SystemExit("r1bench eval: --samples must be >= 1")
    if opts.max_gen_toks is not None and opts.max_gen_toks < 1:
        raise SystemExit("r1bench eval: --max-gen-toks must be >= 1")
    out = ["--tasks", opts.tasks, *rest]
    if not _has_flag(rest, "--model", "--model_args"):
        if default_model is None:
            from r1bench.models.default import ensure_default_model

            default_model = ensure_default_model()
        out += ["--model", "r1bench-hf", "--model_args", f"pretrained={default_model}", "dtype=float32"]
        if not _has_flag(rest, "--device"):
            out += ["--device", "cpu"]
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


@contextlib.contextmanager
def _r1_task_overrides(samples: int | None, extra_include: Path | None) -> Iterator[None]:
    """While lm-eval runs: set ``repeats`` of r1 tasks to ``samples``, check repeats == k before
    any generation, and add our task folder when the user gave their own ``--include_path``."""
    from lm_eval.tasks import TaskManager

    orig_init, orig_load = TaskManager.__init__, TaskManager.load

    def init(self: Any, *args: Any, include_path: Any = None, **kwargs: Any) -> None:
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
            k = int((cfg.metadata or {}).get("k", 0))
            if cfg.repeats != k:
                raise SystemExit(
                    f"r1bench eval: task {name} has repeats={cfg.repeats} but metadata k={k}; "
                    "use --samples K to set both"
                )
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench eval``; returns lm-eval's exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        build_parser().print_help()
        print("\nlm-eval's own options (all accepted here): `lm_eval run --help`")
        return 0
    lm_argv, opts = translate_args(argv)
    from r1bench import eval_checks

    eval_checks.preflight(lm_argv)  # secrets, unknown model args, unwritable output: before any work
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
    meta = _r1_metadata(ns, opts)
    if meta:
        ns.metadata = {**(getattr(ns, "metadata", None) or {}), **meta}
    user_include = _has_flag(argv, "--include_path")
    print(f"r1bench eval -> lm_eval run {' '.join(eval_checks.redact_argv(lm_argv))}", file=sys.stderr)
    start = time.time()
    with _r1_task_overrides(opts.samples, tasks_dir() if user_include else None):
        cli.execute(ns)
    return eval_checks.finish(lm_argv, since=start, allow_incomplete=opts.allow_incomplete)


if __name__ == "__main__":
    sys.exit(main())
