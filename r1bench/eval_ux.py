"""What ``r1bench eval`` tells a user before and after a run, kept apart from the lm-eval plumbing.

Before: the r1bench task list (k, size, token cap, data status), task-name checks with
"did you mean", backend and data checks that fail in one line before lm-eval starts, the model's
context length (to clamp a generation limit that cannot fit). After: the headline per task
(pass@1 with its 95% CI, pass@k / maj@k with their k, n, tokens/s), the paths written and the
next command.
"""

from __future__ import annotations

import difflib
import importlib.util
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["UsageError", "TaskInfo", "r1_tasks", "expand_tasks", "check_task_names", "task_table",
           "readable_model_name", "default_output_path", "model_context", "clamp_limit", "check_backend",
           "check_data", "headline_lines", "tasks_main", "PROMPT_ROOM", "QUICK_K", "QUICK_MAX_GEN_TOKS"]

log = logging.getLogger(__name__)

# Tokens left for the prompt when a generation limit is clamped to a short context. The R1 prompts
# (a question and one instruction line, chat template included) stay well under this.
PROMPT_ROOM = 1024
QUICK_K = 2
QUICK_MAX_GEN_TOKS = 512
# Backends and the module each needs (checked before lm-eval starts, so a missing one is one line).
_BACKEND_MODULES = {"vllm": ("vllm", "pip install -e '.[vllm]' (on a GPU machine)"),
                    "r1bench-vllm": ("vllm", "pip install -e '.[vllm]' (on a GPU machine)"),
                    "r1bench-chat": ("openai", "pip install openai"),
                    "sglang": ("sglang", "pip install sglang")}


class UsageError(Exception):
    """An expected failure (bad flag, unknown task, missing data or backend): one line, no traceback."""


@dataclass(frozen=True)
class TaskInfo:
    """An r1bench task as its YAML defines it (a group lists its tasks)."""

    name: str
    k: int | None
    max_gen_toks: int | None
    members: tuple[str, ...] = ()


def r1_tasks(folder: Path) -> dict[str, TaskInfo]:
    """The r1bench tasks and groups under ``folder`` (name -> info), read from their YAML."""
    import yaml

    out: dict[str, TaskInfo] = {}
    for path in sorted(folder.rglob("*.yaml")):
        try:
            cfg = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        meta = cfg.get("metadata") or {}
        if "group" in cfg:
            members = cfg.get("task") or []
            out[str(cfg["group"])] = TaskInfo(str(cfg["group"]), None, None,
                                              tuple(str(m) for m in members if isinstance(m, str)))
        elif isinstance(cfg.get("task"), str):
            gen = cfg.get("generation_kwargs") or {}
            cap = gen.get("max_gen_toks", meta.get("max_gen_toks"))
            out[cfg["task"]] = TaskInfo(cfg["task"], meta.get("k", cfg.get("repeats")),
                                        int(cap) if cap is not None else None)
    return out


def expand_tasks(names: Iterable[str], known: dict[str, TaskInfo]) -> list[str]:
    """Task names with r1bench groups replaced by their member tasks (order kept, no repeats)."""
    out: list[str] = []
    for name in names:
        info = known.get(name)
        for member in (info.members if info and info.members else (name,)):
            if member not in out:
                out.append(member)
    return out


def check_task_names(names: Sequence[str], known: dict[str, TaskInfo]) -> None:
    """Refuse names that look like r1bench tasks but are not one, suggesting the closest ones.

    Other names (lm-eval's own tasks) are left for lm-eval to resolve.
    """
    for name in names:
        if name in known or not name.lower().startswith("r1"):
            continue
        close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise UsageError(f"unknown task {name!r}{hint} (`r1bench tasks` lists them)")


def _data_status(task: str, data_dir: str | None) -> str:
    from r1bench.datasets import TASK_DATASETS
    from r1bench.datasets.files import _local_candidates, resolve_data_dir
    from r1bench.registry import TASK_SPECS

    if task in TASK_SPECS and TASK_SPECS[task].embedded:
        return "embedded"
    spec = TASK_DATASETS.get(task)
    if spec is None or not spec.all_files():
        return "no data files listed (r1bench/datasets/specs.py)"
    root = resolve_data_dir(data_dir)
    if root is None:
        return "hub (no --data-dir / $R1BENCH_DATA_DIR)"
    have = [f for f in spec.all_files() if _local_candidates(f, root)]
    main_ok = all(_local_candidates(f, root) for f in spec.files)
    if main_ok or (spec.alternatives and have):
        return f"local ({root})"
    return f"MISSING in {root}: `r1bench data fetch {task} --data-dir {root}`"


def task_table(known: dict[str, TaskInfo], data_dir: str | None = None) -> str:
    """A table of the r1bench tasks: k, questions, token cap, data status."""
    from r1bench.registry import TASK_SPECS

    rows = [["task", "k", "questions", "max gen tokens", "data"]]
    for name, info in sorted(known.items(), key=lambda kv: (bool(kv[1].members), kv[0])):
        if info.members:
            rows.append([name, "per task", "", "", "group of " + ", ".join(info.members)])
            continue
        spec = TASK_SPECS.get(name)
        size = str(spec.n_questions) if spec is not None else "?"
        rows.append([name, str(info.k or "?"), size, str(info.max_gen_toks or "?"), _data_status(name, data_dir)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _args_dict(model_args: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (model_args or "").split(","):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def readable_model_name(model: str | None, model_args: str | None) -> str:
    """A folder name for a model: the last part of ``pretrained`` / ``model`` (no cache path)."""
    args = _args_dict(model_args)
    name = args.get("pretrained") or args.get("model") or model or "model"
    name = name.rstrip("/").split("/")[-1] or "model"
    if args.get("peft"):
        name += "+" + args["peft"].rstrip("/").split("/")[-1]
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", name)[:100]


def default_output_path(model_name: str, now: datetime | None = None, root: str = "runs") -> str:
    """``runs/<model>/<timestamp>``: where a run goes when no --output_path is given."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%dT%H-%M-%S")
    return str(Path(root) / model_name / stamp)


def model_context(backend: str, model_args: str | None) -> int | None:
    """The model's context length in tokens for the local backends, else None (unknown)."""
    args = _args_dict(model_args)
    for key in ("max_model_len", "max_length"):
        if args.get(key, "").isdigit():
            return int(args[key])
    if backend not in ("hf", "vllm", "r1bench-hf", "r1bench-vllm", "huggingface") or not args.get("pretrained"):
        return None
    try:
        from lm_eval.models.utils import resolve_max_length
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(args["pretrained"], trust_remote_code=False)
        return int(resolve_max_length(config, default=0)) or None
    except Exception as exc:  # an unreadable config only means "no clamp": lm-eval reports it later
        log.debug("context length of %s unknown: %s", args["pretrained"], exc)
        return None


def clamp_limit(context: int | None) -> int | None:
    """The largest generation limit that fits ``context`` with room for the prompt."""
    if context is None:
        return None
    return max(16, context - min(PROMPT_ROOM, context // 2))


def check_backend(model: str | None) -> None:
    """Refuse a backend whose package is not installed, in one line, before lm-eval starts."""
    if model in _BACKEND_MODULES:
        module, how = _BACKEND_MODULES[model]
        if importlib.util.find_spec(module) is None:
            raise UsageError(f"--model {model} needs the {module!r} package, which is not installed: {how}")


def check_data(tasks: Sequence[str], data_dir: str | None) -> None:
    """Load each r1bench task's data once before lm-eval starts; a missing file is one line."""
    from r1bench.datasets import TASK_DATASETS, load_task_docs
    from r1bench.datasets.files import DataError

    for task in tasks:
        if task not in TASK_DATASETS or not TASK_DATASETS[task].all_files():
            continue
        try:
            load_task_docs(task, data_dir=data_dir)
        except DataError as exc:
            raise UsageError(str(exc)) from exc


def _fmt_rate(x: float) -> str:
    return f"{100 * x:.1f}%"


def headline_lines(output_path: str | Path, since: float, elapsed: float) -> list[str]:
    """The headline per task of the newest run under ``output_path`` (written after ``since``):
    pass@1 +- 95% CI, pass@k and maj@k with their k, n questions, rates, tokens/s; then the paths."""
    import numpy as np

    from r1bench.metrics import bootstrap_ci, budget_summary
    from r1bench.results.ingest import find_runs, load_task_runs, task_kind
    from r1bench.results.report import maj_curve, pass_curve

    try:
        runs = [r for r in find_runs(output_path) if r.results_path.stat().st_mtime >= since - 1]
    except FileNotFoundError:
        return []
    if not runs:
        return []
    files = runs[-1]
    lines, tokens = [], 0
    for run in load_task_runs(files.results_path):
        if not run.docs:
            continue
        recs = [r for d in run.docs for r in d.records]
        tokens += sum(int(r.get("completion_tokens") or 0) for r in recs)
        p1 = [float(np.mean([bool(r["correct"]) for r in d.records])) for d in run.docs]
        lo, hi = bootstrap_ci(p1)
        k = min(len(d.records) for d in run.docs)
        kind = task_kind(run.task, run.docs)
        pk, mk = pass_curve(run.docs, [k])[0], maj_curve(run.docs, [k], kind)[0]
        lines.append(f"{run.task}: pass@1 {100 * np.mean(p1):.1f}% (95% CI {100 * lo:.1f}–{100 * hi:.1f}), "
                     f"pass@{k} {pk:.1f}%, maj@{k} {mk:.1f}%, k={k}, n={len(run.docs)} questions; "
                     f"truncated {_fmt_rate(np.mean([bool(r['truncated']) for r in recs]))}, "
                     f"no answer {_fmt_rate(np.mean([r.get('extracted') is None for r in recs]))}, "
                     f"looping {_fmt_rate(np.mean([bool(r['loop_detected']) for r in recs]))}")
        budget = budget_summary(recs)
        if budget is not None:
            options = [f"{name} {budget[f'thinking_{name}']}" for name in ("budget", "extend")
                       if budget[f"thinking_{name}"]]
            lines.append("  thinking " + ", ".join(options)
                         + f": closed by force {_fmt_rate(budget['forced_close_share'])}, by the model "
                         f"{_fmt_rate(budget['natural_close_share'])}, extended {_fmt_rate(budget['extended_share'])}; "
                         f"mean thinking {budget['mean_thinking_tokens'] or 0:.1f} tokens")
    if lines and elapsed > 0:
        lines.append(f"{tokens} completion tokens in {elapsed:.0f} s of evaluation: {tokens / elapsed:.1f} tokens/s "
                     "(model loading included)")
    samples = sorted(files.samples.values())
    lines.append(f"results: {files.results_path}")
    if samples:
        lines.append("samples: " + ", ".join(str(p) for p in samples))
    return lines



def tasks_main(argv: list[str] | None = None) -> int:
    """``r1bench tasks``: the r1bench tasks with their k, size, token cap and data status.

    ``r1bench tasks write`` / ``check``: regenerate / check the task YAMLs from the task registry.
    """
    import argparse

    from r1bench.task_configs import tasks_dir

    argv = list(argv or [])
    if argv[:1] in (["write"], ["check"]):
        from r1bench.task_configs import main as configs_main

        return configs_main(argv, tasks_dir())
    p = argparse.ArgumentParser(prog="r1bench tasks", description=tasks_main.__doc__,
                                epilog="`r1bench tasks write` regenerates the task YAMLs from r1bench/registry.py; "
                                "`r1bench tasks check` exits 1 naming each file that differs.")
    p.add_argument("--data-dir", "--data_dir", dest="data_dir", help="local data folder (else $R1BENCH_DATA_DIR)")
    args = p.parse_args(argv)
    print(task_table(r1_tasks(tasks_dir()), args.data_dir))
    return 0
