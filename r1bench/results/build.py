"""Regenerate ``results/LEADERBOARD.md`` (and ``LEADERBOARD.html``) and ``results/plots/*.png`` from the JSON store.

:func:`render` is a pure function from the store to ``{relative path: bytes}``; :func:`build`
writes those files (atomically) and :func:`check` compares them with what is on disk. Output
depends only on the JSON files: no dates, sorted rows, fixed plot style, so running twice changes
nothing and CI can check that the committed output is up to date.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from r1bench.results.board_rows import (
    SUITE_BENCHMARKS,
    THINKING_HEADER,
    THINKING_NOTE,
    BudgetPoint,
    Row,
    Store,
    benchmark_rows,
    budget_curves,
    budget_table,
    fmt,
    inside_noise,
    load_store,
    protocol_line,
    suite_rows,
    thinking_cell,
)
from r1bench.results.leaderboard import BENCHMARKS
from r1bench.results.leaderboard_html import render_html
from r1bench.results.plots import png_text_chunks, render_png
from r1bench.results.schema import atomic_write_bytes

__all__ = ["Row", "Store", "load_store", "benchmark_rows", "thinking_cell", "render", "build", "check", "Difference"]

log = logging.getLogger(__name__)

def _esc(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")  # one table cell: no newline, no bare |


def _benchmark_section(store: Store, benchmark: str, rows: list[Row]) -> list[str]:
    b = BENCHMARKS[benchmark]
    lines = [f"## {b.title} (`{b.task}`)", "",
             f"{b.n_questions} questions: one question is {100 / b.n_questions:.2f} points of pass@1.", ""]
    for key, board in sorted(store.boards.items()):
        if board["benchmark"] == benchmark:
            lines.append(f"Board `{key}` protocol: {protocol_line(board)}.  ")
    thinking = any(r.thinking is not None for r in rows)
    lines += ["", f"![{b.title}: pass@1 with 95% CI](plots/{benchmark}_scores.png)", "",
              "| # | Model | Origin | pass@1 % | 95% CI | maj@k % | k | "
              + (f"{THINKING_HEADER} | " if thinking else "") + "Noise | Source |",
              "|---:|---|---|---:|---|---:|---:|" + ("---:|" if thinking else "") + "---|---|"]
    for i, r in enumerate(rows, 1):
        origin = "**ours**" if r.ours else "ref" + (" ⚠" if r.conflict else "")
        model = f"**{_esc(r.model)}**" if r.ours else _esc(r.model)
        ci = "—" if r.ci is None else ("~" if r.ci_approx else "") + f"{r.ci[0]:.1f}–{r.ci[1]:.1f}"
        maj = "—" if r.maj is None else f"{r.maj:.1f} ({r.maj_label})"
        noise = "≈ above" if i > 1 and inside_noise(rows[i - 2], r) else ""
        lines.append(f"| {i} | {model} | {origin} | {fmt(r.pass1)} | {ci} | {maj} | {r.k or '—'} | "
                     + (f"{thinking_cell(r)} | " if thinking else "") + f"{noise} | {_esc(r.detail)} |")
    if thinking:
        lines += ["", THINKING_NOTE]
    if not any(r.ours for r in rows):
        lines += ["", "_No r1bench runs on this board yet: `r1bench leaderboard add <lm-eval output dir>`._"]
    return lines + [""]


def _suite_section(store: Store, per_bench: dict[str, list[Row]]) -> list[str]:
    cols = list(SUITE_BENCHMARKS)
    lines = ["## Suite (`r1_suite`)", "",
             "pass@1 % per benchmark; the mean is over the benchmarks a row has (count in brackets), so "
             "only rows with the same count compare.", "",
             "| Model | Origin | " + " | ".join(BENCHMARKS[c].title for c in cols) + " | Mean (n) |",
             "|---|---|" + "---:|" * len(cols) + "---:|"]
    for model, origin, ours, vals, mean in suite_rows(per_bench):
        cells = " | ".join(fmt(vals.get(c)) for c in cols)
        label = f"**{_esc(model)}**" if ours else _esc(model)
        lines.append(f"| {label} | {'**ours**' if ours else origin} | {cells} | {mean:.1f} ({len(vals)}) |")
    return lines + [""]


def _conflict_section(store: Store) -> list[str]:
    lines = ["## Conflicting reports", "",
             "The same measurement reported with different values; both are kept (⚠ in the tables).", ""]
    if not store.conflicts:
        return lines + ["None.", ""]
    lines += ["| Model | Benchmark | Metric | Measured by | Value | Source | Location |", "|---|---|---|---|---:|---|---|"]
    for group in store.conflicts:
        for r in group:
            lines.append(f"| {_esc(r.model)} | {BENCHMARKS[r.benchmark].title} | {r.metric} | {r.measured_by} | "
                         f"{r.value:.1f} | {r.source_id} | {_esc(r.location)} |")
    return lines + [""]


def _sources_section(store: Store) -> list[str]:
    lines = ["## Sources", ""]
    for sid in sorted(store.sources):
        r = store.sources[sid]
        url = f" <{r.source_url}>" if r.source_url else ""
        lines.append(f"- `{sid}` ({r.source_kind}, `results/references/{r.file}`): {_esc(r.source_title)}.{url}")
    return lines + [""]


def _score_plot(benchmark: str, rows: list[Row]) -> bytes:
    import matplotlib.pyplot as plt

    rows = [r for r in rows if r.pass1 is not None]
    data = [[r.model, r.origin, r.pass1, r.ci, r.ours, r.conflict] for r in rows]

    def draw():
        fig, ax = plt.subplots(figsize=(8.0, 0.24 * max(len(rows), 3) + 1.3))
        for i, r in enumerate(reversed(rows)):
            lo, hi = r.ci if r.ci else (r.pass1, r.pass1)
            color = "tab:blue" if r.ours else ("tab:red" if r.conflict else "0.45")
            marker = "o" if r.ours else ("x" if r.conflict else "s")
            ax.errorbar([r.pass1], [i], xerr=[[r.pass1 - lo], [hi - r.pass1]], fmt=marker, color=color,
                        ms=4, capsize=2, lw=1)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{r.model} [{'ours' if r.ours else r.origin}]" for r in reversed(rows)], fontsize=6)
        ax.set_xlim(0, 100)
        ax.set_xlabel("pass@1 % (bars: 95% CI; references: approximate)")
        ax.set_title(f"{BENCHMARKS[benchmark].title} pass@1\nblue: r1bench runs, grey: references, red x: conflicting reports")
        fig.tight_layout()
        return fig

    return render_png(draw, data)


def _tokens_plot(per_bench: dict[str, list[Row]]) -> bytes:
    import matplotlib.pyplot as plt

    pts = [(bm, r.model, r.tokens, r.pass1, r.ci) for bm, rows in per_bench.items() for r in rows
           if r.ours and r.tokens is not None and r.pass1 is not None]

    def draw():
        fig, ax = plt.subplots(figsize=(6.0, 4.0))
        if not pts:
            ax.text(0.5, 0.5, "no r1bench runs on the leaderboards yet", ha="center", va="center",
                    transform=ax.transAxes)
        for j, bm in enumerate(BENCHMARKS):
            sel = [p for p in pts if p[0] == bm]
            if not sel:
                continue
            ax.errorbar([p[2] for p in sel], [p[3] for p in sel],
                        yerr=[[p[3] - p[4][0] for p in sel], [p[4][1] - p[3] for p in sel]],
                        fmt="os^Dvp<>"[j % 8], ms=4, capsize=2, lw=1, label=BENCHMARKS[bm].title)
            for p in sel:
                ax.annotate(p[1], (p[2], p[3]), fontsize=6, xytext=(3, 3), textcoords="offset points")
        if pts:
            ax.legend(fontsize=7)
        ax.set_ylim(0, 100)
        ax.set_xlabel("mean thinking tokens per sample (reasoning tokens, else completion tokens)")
        ax.set_ylabel("pass@1 %")
        ax.set_title("Accuracy against mean thinking tokens (r1bench runs)")
        fig.tight_layout()
        return fig

    return render_png(draw, pts)


def _budget_section(benchmark: str, curves: dict[str, list[BudgetPoint]]) -> list[str]:
    """Accuracy against the thinking budget (budget forcing) of the models run at several budgets."""
    header, rows = budget_table(curves)
    b = BENCHMARKS[benchmark]
    return [f"## {b.title}: accuracy vs thinking budget", "",
            f"pass@1 % (95% CI) of runs with `--gen_kwargs thinking_budget=B` (boards `{benchmark}_budget<B>`), "
            "beside the model's unbudgeted run; the thinking is closed at B tokens and the answer forced.", "",
            f"![{b.title}: pass@1 against the thinking budget](plots/{benchmark}_budget.png)", "",
            "| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1),
            *("| " + " | ".join([_esc(r[0]), *r[1:]]) + " |" for r in rows), ""]


def _budget_plot(benchmark: str, curves: dict[str, list[BudgetPoint]]) -> bytes:
    import matplotlib.pyplot as plt

    data = [[m, [(p.budget, p.pass1, p.ci) for p in pts]] for m, pts in curves.items()]

    def draw():
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        for j, (model, pts) in enumerate(curves.items()):
            color = f"C{j % 10}"
            budgeted = [p for p in pts if p.budget is not None]
            lo = [p.pass1 - (p.ci[0] if p.ci else p.pass1) for p in budgeted]
            hi = [(p.ci[1] if p.ci else p.pass1) - p.pass1 for p in budgeted]
            ax.errorbar([p.budget for p in budgeted], [p.pass1 for p in budgeted], yerr=[lo, hi], fmt="o-",
                        color=color, ms=4, capsize=2, lw=1, label=model)
            for p in pts:
                if p.budget is None:  # the unbudgeted run: a dotted line in the model's colour
                    ax.axhline(p.pass1, color=color, ls=":", lw=1)
        ax.set_xscale("log", base=2)
        ax.set_ylim(0, 100)
        ax.set_xlabel("thinking budget (tokens, log scale)")
        ax.set_ylabel("pass@1 % (bars: 95% CI)")
        ax.set_title(f"{BENCHMARKS[benchmark].title}: pass@1 vs thinking budget\ndotted: the model unbudgeted")
        ax.legend(fontsize=6)
        fig.tight_layout()
        return fig

    return render_png(draw, data)


def _side_section(side: list[Row]) -> list[str]:
    """Partial (--limit) runs and runs on other-protocol boards: listed with a badge, never ranked."""
    if not side:
        return []
    lines = ["## Partial and off-protocol runs", "",
             "Not ranked above: **partial** = fewer questions than the benchmark (`--allow-partial`), "
             "**off-protocol** = a board with its own protocol (`--board`). Their numbers do not compare with the "
             "tables above.", "",
             "| Badge | Benchmark | Model | pass@1 % | 95% CI | k | Source |", "|---|---|---|---:|---|---:|---|"]
    for r in side:
        ci = "—" if r.ci is None else f"{r.ci[0]:.1f}–{r.ci[1]:.1f}"
        lines.append(f"| **{r.badge}** | {BENCHMARKS[r.benchmark].title} | {_esc(r.model)} | {fmt(r.pass1)} | {ci} | "
                     f"{r.k or '—'} | {_esc(r.detail)} |")
    return lines + [""]


def render(results_dir: str | Path, extra_boards: list[str | Path] | None = None) -> dict[str, bytes]:
    """All generated files (path relative to ``results_dir`` -> bytes), computed from the JSON store."""
    store = load_store(results_dir, extra_boards)
    all_rows = {bm: benchmark_rows(store, bm) for bm in BENCHMARKS}
    per_bench = {bm: [r for r in rows if not r.badge] for bm, rows in all_rows.items()}
    side = [r for rows in all_rows.values() for r in rows if r.badge]
    md = ["# r1bench leaderboard", "",
          "<!-- Generated by `r1bench leaderboard build` from results/leaderboards/*.json and "
          "results/references/*.json. Do not edit by hand. -->", "",
          "Scores are pass@1 in percent (mean correctness over k samples per question, DeepSeek-R1 "
          "protocol). **ours** = measured by r1bench (entry id in the Source column); ref = a published "
          "number with its source. 95% CI: ours = bootstrap over questions; `~` = approximate binomial "
          "interval from the published value and the benchmark size (sources give none). "
          "`≈ above` = the difference to the row above is inside the noise "
          "(|Δ| < 1.96·√(se₁² + se₂²)). ⚠ = sources disagree about this number (see Conflicting reports). "
          "References ran under their own protocols (prompt, grader, token cap); compare with care.", "",
          "![Accuracy against mean thinking tokens](plots/accuracy_vs_tokens.png)", ""]
    md += _suite_section(store, per_bench)
    curves = {bm: c for bm in BENCHMARKS if (c := budget_curves(store, bm))}
    for bm in BENCHMARKS:
        md += _benchmark_section(store, bm, per_bench[bm])
        if bm in curves:
            md += _budget_section(bm, curves[bm])
    md += _side_section(side)
    md += _conflict_section(store)
    md += _sources_section(store)
    out = {"LEADERBOARD.md": ("\n".join(md).rstrip() + "\n").encode("utf-8")}
    out["LEADERBOARD.html"] = render_html(store, per_bench, side, curves)
    for bm in BENCHMARKS:
        out[f"plots/{bm}_scores.png"] = _score_plot(bm, per_bench[bm])
        if bm in curves:
            out[f"plots/{bm}_budget.png"] = _budget_plot(bm, curves[bm])
    out["plots/accuracy_vs_tokens.png"] = _tokens_plot(per_bench)
    return out


def build(results_dir: str | Path, extra_boards: list[str | Path] | None = None) -> list[Path]:
    """Write LEADERBOARD.md/.html and the plots under ``results_dir``; return the paths that changed."""
    root = Path(results_dir)
    changed = []
    for rel, data in render(root, extra_boards).items():
        path = root / rel
        if not path.exists() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
            changed.append(path)
    log.info("leaderboard build: %d file(s) changed", len(changed))
    return changed


@dataclass(frozen=True)
class Difference:
    """A generated file that is missing or differs from what build would write."""

    path: str
    reason: str


def check(results_dir: str | Path) -> list[Difference]:
    """Compare the committed output with a fresh render; PNG pixels only when matplotlib matches.

    Markdown must match byte for byte. A PNG must carry the same data hash; its bytes must match
    too when it was drawn by the same matplotlib version (fonts and antialiasing change between
    versions, the data does not).
    """
    root = Path(results_dir)
    diffs = []
    for rel, data in render(root).items():
        path = root / rel
        if not path.exists():
            diffs.append(Difference(rel, "missing"))
            continue
        old = path.read_bytes()
        if old == data:
            continue
        if rel.endswith(".png"):
            try:
                old_chunks = png_text_chunks(old)
            except ValueError:
                diffs.append(Difference(rel, "not a PNG"))
                continue
            new_chunks = png_text_chunks(data)
            if old_chunks.get("Comment") != new_chunks.get("Comment"):
                diffs.append(Difference(rel, "plotted data changed"))
            elif old_chunks.get("Software") == new_chunks.get("Software"):
                diffs.append(Difference(rel, "pixels differ under the same matplotlib version"))
            continue
        diffs.append(Difference(rel, "content differs"))
    return diffs

