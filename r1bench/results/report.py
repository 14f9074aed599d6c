"""``r1bench report <lm-eval output dir>``: a Markdown report with plots for one run.

Per task: scores with CI; breakdowns by subject and level (MATH-500), domain (GPQA), category
(MoleculeQA); the completion-length histogram with the token cap marked; truncated and looping
samples ("reasoning explosions") counted, the worst few quoted; pass@k and maj@k curves over k,
computed from the per-sample records with :func:`r1bench.metrics.pass_at_k` and
:func:`r1bench.metrics.maj_at_k`; reasoning efficiency (tokens until the first correct candidate,
overthinking, self-corrections) as means and medians over samples. GPQA outputs are not quoted unless asked (they may echo
the question, and GPQA text must not leak).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from r1bench.grading import answer_equality
from r1bench.metrics import bootstrap_ci, budget_summary, efficiency_summary, maj_at_k, pass_at_k
from r1bench.registry import TASK_SPECS
from r1bench.registry import may_quote as task_may_quote
from r1bench.results.ingest import (
    SampleDoc,
    TaskRun,
    load_task_runs,
    model_info,
    task_kind,
    task_protocol,
)
from r1bench.results.plots import render_png
from r1bench.results.schema import ResultsFileError, atomic_write_bytes, atomic_write_text

__all__ = ["main", "build_parser", "BREAKDOWNS", "curve_ks", "pass_curve", "maj_curve", "breakdown",
           "efficiency_lines", "render_report", "write_report"]

log = logging.getLogger(__name__)

# task -> doc fields to break scores down by (other tasks: whichever of these the docs carry); a view
# of the task registry (TaskSpec.breakdown).
BREAKDOWNS: dict[str, tuple[str, ...]] = {t.name: t.breakdown for t in TASK_SPECS.values() if t.breakdown}
_GENERIC = ("subject", "level", "domain", "category")


def curve_ks(n: int) -> list[int]:
    """k values for the curves: 1, 2, 4, ... up to n, and n itself."""
    ks, k = [], 1
    while k < n:
        ks.append(k)
        k *= 2
    return ks + [n]


def pass_curve(docs: list[SampleDoc], ks: list[int]) -> list[float]:
    """Mean unbiased pass@k over questions (percent) for each k."""
    return [100.0 * float(np.mean([pass_at_k(len(d.records), sum(bool(r["correct"]) for r in d.records), k)
                                   for d in docs])) for k in ks]


def _gold(doc: SampleDoc) -> str:
    """The gold the records were graded against (their ``gold``), else the doc's answer or target."""
    for r in doc.records:
        if r.get("gold") not in (None, ""):
            return str(r["gold"])
    return str(doc.doc.get("answer") or doc.target)


def maj_curve(docs: list[SampleDoc], ks: list[int], kind: str) -> list[float]:
    """maj@k (percent) over the first k samples of each question, by :func:`r1bench.metrics.maj_at_k`."""
    equal = answer_equality(kind)
    golds = [_gold(d) for d in docs]
    return [100.0 * float(np.mean([maj_at_k([r.get("extracted") for r in d.records[:k]], gold, equal)
                                   for d, gold in zip(docs, golds)])) for k in ks]


def breakdown(docs: list[SampleDoc], fieldname: str) -> list[dict[str, Any]]:
    """Per-value scores of one doc field: questions, samples, pass@1 %, truncated %, mean tokens."""
    groups: dict[str, list[SampleDoc]] = defaultdict(list)
    for d in docs:
        groups[str(d.doc.get(fieldname, "unknown"))].append(d)

    def order(key: str) -> tuple[int, float | str]:
        try:
            return (0, float(key))
        except ValueError:
            return (1, key)

    rows = []
    for key in sorted(groups, key=order):
        ds = groups[key]
        recs = [r for d in ds for r in d.records]
        rows.append({
            "value": key, "questions": len(ds), "samples": len(recs),
            "pass@1": 100.0 * float(np.mean([np.mean([bool(r["correct"]) for r in d.records]) for d in ds])),
            "truncated": 100.0 * float(np.mean([bool(r["truncated"]) for r in recs])),
            "tokens": float(np.mean([r["completion_tokens"] for r in recs])),
        })
    return rows


# (efficiency field, label, scale, decimals) of the report's efficiency table.
_EFFICIENCY_ROWS = (
    ("reasoning_tokens", "reasoning tokens", 1.0, 1),
    ("answer_tokens", "answer tokens", 1.0, 1),
    ("first_correct_tokens", "tokens until the first correct candidate", 1.0, 1),
    ("overthinking_share", "overthinking % (reasoning after it)", 100.0, 1),
    ("self_corrections", "self-corrections", 1.0, 2),
)


def efficiency_lines(records: list[dict[str, Any]]) -> list[str]:
    """The report's efficiency section: means and medians over samples
    (:func:`r1bench.metrics.efficiency_summary`); nothing for records that predate efficiency."""
    summary = efficiency_summary(records)
    if summary is None:
        return []
    lines = ["### Reasoning efficiency", "",
             "Over every sample: where a correct candidate answer first appeared in the reasoning, and how much "
             "thinking followed it (r1bench.efficiency).", "",
             "| figure | mean | median | samples |", "|---|---:|---:|---:|"]
    for name, label, scale, nd in _EFFICIENCY_ROWS:
        v = summary[name]
        mean = "—" if v["mean"] is None else f"{scale * v['mean']:.{nd}f}"
        median = "—" if v["median"] is None else f"{scale * v['median']:.{nd}f}"
        lines.append(f"| {label} | {mean} | {median} | {v['n']} |")
    found = summary["first_correct_tokens"]["n"]
    return lines + ["", f"A correct candidate appeared in the reasoning of {found} of {len(records)} samples.", ""]


def budget_lines(records: list[dict[str, Any]]) -> list[str]:
    """The report's budget-forcing section (:func:`r1bench.metrics.budget_summary`); nothing for an
    unbudgeted run."""
    b = budget_summary(records)
    if b is None:
        return []
    options = ", ".join(f"{name}={b[name]}" for name in ("thinking_budget", "thinking_extend") if b[name])
    return ["### Budget forcing", "",
            f"A budgeted run ({options}): compare it only with runs under the same options.", "",
            "| figure | value |", "|---|---:|",
            f"| thinking closed by force % | {100 * b['forced_close_share']:.1f} |",
            f"| thinking closed by the model % | {100 * b['natural_close_share']:.1f} |",
            f"| thinking extended % | {100 * b['extended_share']:.1f} |",
            "| mean thinking tokens | " + ("—" if b["mean_thinking_tokens"] is None
                                          else f"{b['mean_thinking_tokens']:.1f}") + " |",
            f"| budgeted samples | {b['n']} |", ""]


def _fence(text: str, limit: int) -> list[str]:
    t = text if len(text) <= limit else "…" + text[-limit:]
    t = t.replace("~~~~", "~ ~ ~ ~")
    return ["~~~~text", t, "~~~~"]


@dataclass
class _Plot:
    name: str
    data: bytes


def _bar_plot(title: str, rows: list[dict[str, Any]]) -> bytes:
    import matplotlib.pyplot as plt

    data = [[r["value"], r["pass@1"], r["questions"]] for r in rows]

    def draw():
        fig, ax = plt.subplots(figsize=(6.0, 0.25 * max(len(rows), 3) + 1.0))
        y = range(len(rows))
        ax.barh(list(y), [r["pass@1"] for r in rows], color="tab:blue")
        for i, r in enumerate(rows):  # a 0% bar has no width: its label says so
            ax.annotate(f"{r['pass@1']:.1f}", (r["pass@1"], i), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=7)
        ax.set_yticks(list(y))
        ax.set_yticklabels([f"{r['value']} (n={r['questions']})" for r in rows], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("pass@1 %")
        ax.set_title(title)
        fig.tight_layout()
        return fig

    return render_png(draw, data)


def _length_plot(task: str, tokens: list[int], cap: int | None) -> bytes:
    import matplotlib.pyplot as plt

    def draw():
        fig, ax = plt.subplots(figsize=(6.0, 3.2))
        top = max(tokens + [cap or 0]) or 1
        ax.hist(tokens, bins=np.linspace(0, top * 1.02, 31), color="tab:blue")
        if cap:
            ax.axvline(cap, color="tab:red", ls="--", lw=1)
            ax.annotate(f"cap {cap}", (cap, 0.95), xycoords=("data", "axes fraction"), ha="right",
                        fontsize=7, color="tab:red")
        ax.set_xlabel("completion tokens per sample")
        ax.set_ylabel("samples")
        ax.set_title(f"{task}: completion lengths (red: max generated tokens)")
        fig.tight_layout()
        return fig

    return render_png(draw, [tokens, cap])


def _curve_plot(task: str, ks: list[int], passk: list[float], majk: list[float]) -> bytes:
    import matplotlib.pyplot as plt

    def draw():
        fig, ax = plt.subplots(figsize=(5.0, 3.2))
        ax.plot(ks, passk, "o-", label="pass@k (unbiased)", ms=3)
        ax.plot(ks, majk, "s-", label="maj@k (first k samples)", ms=3)
        ax.set_xscale("log", base=2)
        ax.set_xticks(ks)
        ax.set_xticklabels([str(k) for k in ks])
        ax.set_ylim(0, 100)
        ax.set_xlabel("k")
        ax.set_ylabel("%")
        ax.set_title(f"{task}: pass@k and maj@k")
        ax.legend(fontsize=7)
        fig.tight_layout()
        return fig

    return render_png(draw, [ks, passk, majk])


def _task_section(run: TaskRun, *, quotes: int, quote_chars: int, quote_gpqa: bool) -> tuple[list[str], list[_Plot]]:
    from r1bench.diagnostics import detect_loop

    task, docs = run.task, run.docs
    proto = task_protocol(run, strict=False)  # a report shows a run even if its metadata is stale
    kind = task_kind(task, docs)
    recs = [r for d in docs for r in d.records]
    n_min = min(len(d.records) for d in docs)
    p1 = [float(np.mean([bool(r["correct"]) for r in d.records])) for d in docs]
    lo, hi = bootstrap_ci(p1)
    ks = curve_ks(n_min)
    passk, majk = pass_curve(docs, ks), maj_curve(docs, ks, kind)
    plots: list[_Plot] = []
    lines = [f"## {task}", "",
             f"{len(docs)} questions, {n_min} samples per question (protocol k = {proto['k']}); temperature "
             f"{proto['temperature']}, top_p {proto['top_p']}, max {proto['max_gen_toks']} generated tokens, prompt "
             f"`{proto['prompt_preset']}` (`{proto['prompt_hash']}`), grader {proto['grader_version']}.", "",
             "| metric | value |", "|---|---:|",
             f"| pass@1 % (95% CI) | {100 * np.mean(p1):.1f} ({100 * lo:.1f}–{100 * hi:.1f}) |",
             f"| pass@{ks[-1]} % | {passk[-1]:.1f} |",
             f"| maj@{ks[-1]} % | {majk[-1]:.1f} |",
             f"| truncated % | {100 * np.mean([bool(r['truncated']) for r in recs]):.1f} |",
             f"| no answer % | {100 * np.mean([r.get('extracted') is None for r in recs]):.1f} |",
             f"| looping % | {100 * np.mean([bool(r['loop_detected']) for r in recs]):.1f} |",
             f"| mean completion tokens | {np.mean([r['completion_tokens'] for r in recs]):.0f} |", ""]
    lines += budget_lines(recs)
    lines += efficiency_lines(recs)
    fields = BREAKDOWNS.get(task) or tuple(f for f in _GENERIC if any(f in d.doc for d in docs))
    for f in fields:
        if not any(f in d.doc for d in docs):
            continue
        rows = breakdown(docs, f)
        png = f"{task}_by_{f}.png"
        plots.append(_Plot(png, _bar_plot(f"{task}: pass@1 by {f}", rows)))
        lines += [f"### By {f}", "", f"![pass@1 by {f}]({png})", "",
                  f"| {f} | questions | samples | pass@1 % | truncated % | mean tokens |",
                  "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['value']} | {r['questions']} | {r['samples']} | {r['pass@1']:.1f} | {r['truncated']:.1f} | "
                  f"{r['tokens']:.0f} |" for r in rows]
        lines.append("")
    tokens = [int(r["completion_tokens"]) for r in recs]
    png = f"{task}_lengths.png"
    plots.append(_Plot(png, _length_plot(task, tokens, proto["max_gen_toks"])))
    at_cap = sum(1 for t in tokens if proto["max_gen_toks"] and t >= proto["max_gen_toks"])
    lines += ["### Completion lengths", "", f"![completion lengths]({png})", "",
              f"{at_cap} of {len(tokens)} samples reached the cap of {proto['max_gen_toks']} tokens; median "
              f"{int(np.median(tokens))}, max {max(tokens)}.", ""]
    png = f"{task}_pass_maj_at_k.png"
    plots.append(_Plot(png, _curve_plot(task, ks, passk, majk)))
    lines += ["### pass@k and maj@k over k", "", f"![pass@k and maj@k]({png})", "",
              "| k | " + " | ".join(map(str, ks)) + " |", "|---|" + "---:|" * len(ks),
              "| pass@k % | " + " | ".join(f"{v:.1f}" for v in passk) + " |",
              "| maj@k % | " + " | ".join(f"{v:.1f}" for v in majk) + " |", ""]
    truncated = [(d, r) for d in docs for r in d.records if r["truncated"]]
    looping = []
    for d in docs:
        for r in d.records:
            if r["loop_detected"]:
                rep = detect_loop(r.get("raw_output") or "")
                looping.append((rep.repeats, d, r, rep))
    truncated.sort(key=lambda x: (-x[1]["completion_tokens"], x[0].doc_id, x[1].get("sample_index", 0)))
    looping.sort(key=lambda x: (-x[0], x[1].doc_id, x[2].get("sample_index", 0)))
    may_quote = quote_gpqa or task_may_quote(task)
    lines += ["### Truncated and looping samples", "",
              f"{len(truncated)} truncated (no closed reasoning or stopped at the cap), {len(looping)} looping "
              "(the same span repeated many times: a reasoning explosion).", ""]
    if not may_quote and (truncated or looping):
        lines += ["_Outputs not quoted for GPQA (they may repeat question text); use --quote-gpqa locally._", ""]
    if may_quote:
        for d, r in truncated[:quotes]:
            lines += [f"Truncated: doc {d.doc_id} (question `{d.doc.get('id', d.doc_id)}`), sample "
                      f"{r.get('sample_index', 0)}, {r['completion_tokens']} "
                      f"tokens, finish reason {r.get('finish_reason')}; last characters:", ""]
            lines += _fence(r.get("raw_output") or "", quote_chars) + [""]
        for _, d, r, rep in looping[:quotes]:
            lines += [f"Looping: doc {d.doc_id} (question `{d.doc.get('id', d.doc_id)}`), sample "
                      f"{r.get('sample_index', 0)}: a {rep.period}-character span "
                      f"repeated {rep.repeats} times:", ""]
            lines += _fence(rep.span or "", quote_chars) + [""]
    return lines, plots


def _prefix_line(line: str, plots: list[_Plot], prefix: str) -> str:
    for p in plots:
        line = line.replace(f"]({p.name})", f"]({prefix}{p.name})")
    return line


def render_report(path: str | Path, *, tasks: list[str] | None = None, quotes: int = 3, quote_chars: int = 400,
                  quote_gpqa: bool = False) -> dict[str, bytes]:
    """The report files (name -> bytes): ``report.md`` and its PNGs, for every task with samples."""
    runs = [r for r in load_task_runs(path, tasks=tasks) if r.docs]
    if not runs:
        raise ResultsFileError(path, "no task with a samples file found (run lm-eval with --log_samples)")
    info = model_info(runs[0].results)
    m = info["model"]
    lines = [f"# r1bench report: {m['name']}" + (f"@{m['revision']}" if m["revision"] else ""), "",
             f"Backend `{info['backend']['name']}` ({info['backend']['model_args']}); dtype {info['dtype']}; "
             f"lm-eval {info['backend']['lm_eval_version']}. Source: `{path}`.", "",
             "Tasks: " + ", ".join(f"[{r.task}](#{r.task})" for r in runs) + ".", ""]
    files: dict[str, bytes] = {}
    several = len({r.files.results_path for r in runs}) > 1
    for run in runs:
        sec, plots = _task_section(run, quotes=quotes, quote_chars=quote_chars, quote_gpqa=quote_gpqa)
        if several:  # two runs of one task in one folder: keep their sections and plots apart
            prefix = f"{run.files.timestamp}_"
            sec = [_prefix_line(line, plots, prefix) for line in sec]
            sec[0] = f"## {run.task} (run {run.files.timestamp})"
            plots = [_Plot(prefix + p.name, p.data) for p in plots]
        lines += sec
        files.update({p.name: p.data for p in plots})
    files["report.md"] = ("\n".join(lines).rstrip() + "\n").encode("utf-8")
    return files


def write_report(path: str | Path, out: str | Path | None = None, **kwargs: Any) -> Path:
    """Render and write the report into ``out`` (default: ``<path>/report``); return report.md's path."""
    src = Path(path)
    files = render_report(src, **kwargs)
    dest = Path(out) if out else (src.parent if src.is_file() else src) / "report"
    for name, data in files.items():
        if name.endswith(".md"):
            atomic_write_text(dest / name, data.decode("utf-8"))
        else:
            atomic_write_bytes(dest / name, data)
    return dest / "report.md"


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``r1bench report``."""
    p = argparse.ArgumentParser(
        prog="r1bench report",
        description="Write a Markdown report with PNG plots for one lm-eval run (needs --log_samples): scores "
        "with 95%% CI, breakdowns (MATH-500 subject and level, GPQA domain, MoleculeQA category), the "
        "completion-length histogram with the token cap, truncated and looping samples (worst quoted), "
        "and pass@k / maj@k curves over k.".replace("%%", "%"),
        epilog="example: r1bench report output/ --out output/report  (then open output/report/report.md)",
    )
    p.add_argument("path", help="lm-eval --output_path folder (searched recursively) or one results_*.json")
    p.add_argument("--out", help="output folder (default: <path>/report)")
    p.add_argument("--task", action="append", help="only this task (repeatable)")
    p.add_argument("--quotes", type=int, default=3, help="how many truncated / looping samples to quote (default 3)")
    p.add_argument("--quote-chars", type=int, default=400, help="characters per quote (default 400)")
    p.add_argument("--quote-gpqa", action="store_true", help="also quote GPQA outputs (keep such reports private)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench report``; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        md = write_report(args.path, args.out, tasks=args.task, quotes=args.quotes, quote_chars=args.quote_chars,
                          quote_gpqa=args.quote_gpqa)
    except (ResultsFileError, FileNotFoundError, ValueError) as exc:
        print(f"r1bench report: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
