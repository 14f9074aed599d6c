"""``r1bench sweep``: accuracy against the thinking budget, one ``r1bench eval`` run per budget.

    r1bench sweep --budgets 512,1024,2048,4096,8192,16384,32768 --tasks r1_math500 \\
        --model r1bench-vllm --model_args pretrained=deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B

Every other argument goes to ``r1bench eval`` unchanged; the sweep adds
``--gen_kwargs thinking_budget=B`` and ``--output_path <sweep dir>/budget_<B>``. A budget whose
folder already holds a finished run (a results file with its samples files) is skipped, and the
backends' sample stores make a half-finished budget resume, so an interrupted sweep is re-run with
the same command. Then ``sweep.json`` (per task and budget: pass@1 with its bootstrap CI, mean
thinking tokens, share of forced closes, from the per-sample records of the samples files) and
``sweep.png`` (pass@1 against the budget on a log axis, CIs as error bars) are written into the
sweep folder (default ``runs/<model>/sweep_<tasks>``).
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from r1bench.eval_ux import UsageError

__all__ = ["main", "parse_budgets", "sweep_table", "write_plot", "SWEEP_SCHEMA_VERSION"]

SWEEP_SCHEMA_VERSION = 1


def parse_budgets(text: str) -> list[int]:
    """``"512,1024,..."`` -> sorted distinct budgets; a one-line UsageError on anything else."""
    budgets = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise UsageError(f"--budgets: {part!r} is not a positive integer (e.g. --budgets 512,1024,2048)")
        budgets.append(int(part))
    if not budgets:
        raise UsageError("--budgets: give at least one budget (e.g. --budgets 512,1024,2048)")
    return sorted(set(budgets))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="r1bench sweep",
        description="Run r1bench eval once per thinking budget (resumable), then write the "
                    "accuracy-vs-budget table (sweep.json) and plot (sweep.png). Other options go to "
                    "r1bench eval unchanged (--tasks, --model, --model_args, --k, --limit, ...).",
    )
    parser.add_argument("--budgets", required=True, help="comma-separated thinking budgets in tokens")
    parser.add_argument("--sweep-dir", "--sweep_dir", dest="sweep_dir", metavar="DIR",
                        help="where the runs, sweep.json and sweep.png go (default runs/<model>/sweep_<tasks>)")
    parser.add_argument("--report-only", "--report_only", dest="report_only", action="store_true",
                        help="run nothing: rebuild the table and plot from the runs already there")
    return parser


def _default_dir(rest: Sequence[str]) -> Path:
    from r1bench.eval_checks import flag_value
    from r1bench.eval_ux import readable_model_name

    model, args = flag_value(rest, "--model"), flag_value(rest, "--model_args")
    if model is None and args is None:
        name = "SmolLM2-135M-Instruct"  # r1bench eval's embedded default model
    else:
        name = readable_model_name(model, args)
    tasks = (flag_value(rest, "--tasks") or "r1_smoke").replace(",", "+")
    return Path("runs") / name / f"sweep_{tasks}"


def complete_runs(folder: Path) -> list[Any]:
    """The runs in ``folder`` with samples files and no failed requests, oldest first (a run marked
    ``"incomplete": true`` by ``r1bench eval`` is resumed, never counted)."""
    from r1bench.results.ingest import find_runs, load_results_json
    from r1bench.results.schema import ResultsFileError

    try:
        runs = [r for r in find_runs(folder) if r.samples]
    except (FileNotFoundError, ValueError):
        return []
    out = []
    for run in runs:
        try:
            if not load_results_json(run.results_path).get("incomplete"):
                out.append(run)
        except (ResultsFileError, OSError, ValueError):
            continue  # an unreadable results file is not a finished run
    return out


def finished_run(folder: Path) -> bool:
    """Whether ``folder`` holds a complete run: a results file with its samples files and no failed
    requests (an incomplete run is re-run, which resends only the failed requests)."""
    return bool(complete_runs(folder))


def _budget_of(folder: Path) -> int | None:
    name = folder.name
    return int(name[len("budget_"):]) if name.startswith("budget_") and name[len("budget_"):].isdigit() else None


def sweep_table(sweep_dir: str | Path, budgets: Sequence[int] | None = None) -> dict[str, Any]:
    """The sweep's table from the samples files of each ``budget_<B>`` run (the newest run of each)."""
    from r1bench.metrics import score
    from r1bench.results.ingest import read_samples

    root = Path(sweep_dir)
    folders = sorted((p for p in root.glob("budget_*") if _budget_of(p) is not None), key=_budget_of)
    if budgets is not None:
        folders = [p for p in folders if _budget_of(p) in set(budgets)]
    rows: list[dict[str, Any]] = []
    for folder in folders:
        runs = complete_runs(folder)
        if not runs:
            continue
        run = runs[-1]
        for task, path in sorted(run.samples.items()):
            docs = read_samples(path)
            per_question = [[bool(r["correct"]) for r in d.records] for d in docs]
            records = [r for d in docs for r in d.records]
            pass1 = score([sum(q) / len(q) for q in per_question])
            budget_recs = [r.get("budget") for r in records]
            thinking = [b["thinking_tokens"] if isinstance(b, dict) else r.get("reasoning_tokens")
                        for r, b in zip(records, budget_recs)]
            thinking = [t for t in thinking if isinstance(t, int)]
            rows.append({
                "task": task,
                "budget": _budget_of(folder),
                "n_questions": len(docs),
                "n_samples": len(records),
                "pass@1": pass1.value,
                "pass@1_ci": list(pass1.ci95),
                "mean_thinking_tokens": statistics.fmean(thinking) if thinking else None,
                "mean_completion_tokens": statistics.fmean(r["completion_tokens"] for r in records),
                # over all samples (a sample without a budget record was not forced)
                "forced_close_share": sum(isinstance(b, dict) and b.get("close") == "forced"
                                          for b in budget_recs) / len(records),
                "budgeted_samples": sum(isinstance(b, dict) for b in budget_recs),
                "run": str(run.results_path.relative_to(root)),
            })
    return {"schema_version": SWEEP_SCHEMA_VERSION, "kind": "budget_sweep",
            "budgets": sorted({r["budget"] for r in rows}), "tasks": sorted({r["task"] for r in rows}),
            "ci": "95% percentile bootstrap over questions", "rows": rows}


def write_plot(table: dict[str, Any], path: str | Path) -> None:
    """pass@1 against the thinking budget (log axis), one line per task, CIs as error bars."""
    import matplotlib.pyplot as plt

    from r1bench.io import atomic_write_bytes
    from r1bench.results.plots import render_png

    def draw() -> Any:
        fig, ax = plt.subplots(figsize=(6, 4))
        for task in table["tasks"]:
            rows = sorted((r for r in table["rows"] if r["task"] == task), key=lambda r: r["budget"])
            xs = [r["budget"] for r in rows]
            ys = [100 * r["pass@1"] for r in rows]
            err = [[100 * (r["pass@1"] - r["pass@1_ci"][0]) for r in rows],
                   [100 * (r["pass@1_ci"][1] - r["pass@1"]) for r in rows]]
            ax.errorbar(xs, ys, yerr=err, marker="o", capsize=3, label=task)
        ax.set_xscale("log", base=2)
        if table["budgets"]:
            ax.set_xticks(table["budgets"], [str(b) for b in table["budgets"]])
        ax.set_xlabel("thinking budget (tokens)")
        ax.set_ylabel("pass@1 (%), 95% CI")
        ax.set_title("Accuracy vs thinking budget")
        ax.legend(loc="best")
        fig.tight_layout()
        return fig

    atomic_write_bytes(path, render_png(draw, table))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench sweep``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        build_parser().print_help()
        return 0
    try:
        return _run(argv)
    except UsageError as exc:
        print(f"r1bench sweep: error: {exc}", file=sys.stderr)
        return 2


def _run(argv: list[str]) -> int:
    from r1bench.io import atomic_write_json
    from r1bench.lm_eval import cli as evaluate

    opts, rest = build_parser().parse_known_args(argv)
    budgets = parse_budgets(opts.budgets)
    for flag in ("--output_path", "-o"):
        if any(a == flag or a.startswith(flag + "=") for a in rest):
            raise UsageError(f"{flag}: the sweep chooses each run's folder (use --sweep-dir)")
    if any("thinking_budget" in a for a in rest):
        raise UsageError("thinking_budget is set by --budgets, not --gen_kwargs")
    sweep_dir = Path(opts.sweep_dir) if opts.sweep_dir else _default_dir(rest)
    if not opts.report_only:
        for budget in budgets:
            out = sweep_dir / f"budget_{budget}"
            if finished_run(out):
                print(f"r1bench sweep: budget {budget}: done already ({out}), skipped", file=sys.stderr)
                continue
            print(f"r1bench sweep: budget {budget} -> {out}", file=sys.stderr)
            code = evaluate.main([*rest, "--gen_kwargs", f"thinking_budget={budget}", "--output_path", str(out),
                                  "--no-view"])
            if code != 0:
                print(f"r1bench sweep: budget {budget} failed (exit {code}); re-run the same command to resume",
                      file=sys.stderr)
                return code
    table = sweep_table(sweep_dir, budgets)
    if not table["rows"]:
        raise UsageError(f"{sweep_dir}: no finished budget runs to tabulate")
    table["command"] = "r1bench sweep " + " ".join(argv)
    atomic_write_json(sweep_dir / "sweep.json", table)
    write_plot(table, sweep_dir / "sweep.png")
    for row in table["rows"]:
        lo, hi = row["pass@1_ci"]
        think = row["mean_thinking_tokens"]
        print(f"{row['task']:<20} budget {row['budget']:>6}: pass@1 {100 * row['pass@1']:5.1f}% "
              f"[{100 * lo:.1f}, {100 * hi:.1f}]  thinking {think if think is None else round(think, 1)} tok  "
              f"forced {100 * row['forced_close_share']:.0f}%")
    print(f"table: {sweep_dir / 'sweep.json'}\nplot:  {sweep_dir / 'sweep.png'}")
    print(f"leaderboard: r1bench leaderboard add {shlex.quote(str(sweep_dir))}   (each budget on its own board)")
    return 0
