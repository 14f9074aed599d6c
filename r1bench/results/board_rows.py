"""The leaderboard's rows: the JSON store read into sorted, comparable rows for every rendering.

:mod:`r1bench.results.build` renders them as Markdown and plots, :mod:`r1bench.results.leaderboard_html`
as a sortable page; both read the rows, the protocol line and the noise rule from here.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from r1bench.registry import suite_tasks
from r1bench.results.leaderboard import BENCHMARKS, load_board
from r1bench.results.references import Reference, find_conflicts, load_references

__all__ = ["Row", "Store", "BudgetPoint", "budget_curves", "budget_table", "load_store", "benchmark_rows", "thinking_cell", "inside_noise", "protocol_line",
           "suite_rows", "SUITE_BENCHMARKS", "fmt", "THINKING_HEADER", "THINKING_NOTE", "Z95"]

log = logging.getLogger(__name__)

Z95 = 1.959964


@dataclass(frozen=True)
class Row:
    """One line of a benchmark table: ours (an entry) or a reference (a published number)."""

    benchmark: str
    model: str
    ours: bool
    origin: str  # entry id or source id
    pass1: float | None
    se: float | None
    ci: tuple[float, float] | None
    ci_approx: bool
    maj: float | None
    maj_label: str
    k: int | None
    tokens: float | None
    conflict: bool
    detail: str
    badge: str = ""  # "partial" / "off-protocol": shown apart, never ranked with full runs
    # (median reasoning tokens per sample, mean overthinking share) of an entry that measured them
    thinking: tuple[float | None, float | None] | None = None


@dataclass
class Store:
    """Everything the build reads: references, conflicts, boards (benchmark -> board dict)."""

    references: list[Reference]
    conflicts: list[list[Reference]]
    boards: dict[str, dict[str, Any]]
    sources: dict[str, Reference]


def load_store(results_dir: str | Path, extra_boards: list[str | Path] | None = None) -> Store:
    """Load and validate every references/*.json and leaderboards/*.json under ``results_dir``, plus
    ``extra_boards`` (board files kept elsewhere, e.g. given with ``--board``)."""
    root = Path(results_dir)
    if not (root / "references").is_dir() and not (root / "leaderboards").is_dir():
        raise FileNotFoundError(f"{root}: not an r1bench results store (no references/ or leaderboards/ in it); "
                                "run this in an r1bench checkout or give --results-dir")
    refs = load_references(root / "references")
    boards: dict[str, dict[str, Any]] = {}
    paths = sorted((root / "leaderboards").glob("*.json")) + [Path(p) for p in extra_boards or []]
    for path in paths:
        board = load_board(path)
        main = path.stem == board["benchmark"] and path.parent == root / "leaderboards"
        if main and board["benchmark"] not in boards:
            boards[board["benchmark"]] = board
        else:
            # Extra boards (another protocol) of the same benchmark: kept apart by file stem, shown in
            # their own section.
            boards[f"{board['benchmark']}:{path.stem}"] = board
    sources = {}
    for r in refs:
        sources.setdefault(r.source_id, r)
    return Store(refs, find_conflicts(refs), boards, sources)


def _approx_se(value: float, n: int) -> float:
    p = min(max(value / 100.0, 0.0), 1.0)
    return 100.0 * math.sqrt(p * (1 - p) / n)


def benchmark_rows(store: Store, benchmark: str) -> list[Row]:
    """All rows of one benchmark, best pass@1 first (ties: model, origin)."""
    bench = BENCHMARKS[benchmark]
    conflict_ids = {r.id for group in store.conflicts for r in group}
    rows: list[Row] = []
    for key, board in sorted(store.boards.items()):
        if board["benchmark"] != benchmark:
            continue
        for e in board["entries"]:
            p1 = e["metrics"]["pass@1"]
            maj = e["metrics"].get("maj@k")
            m = e["model"]
            name = m["name"] + (f"@{m['revision']}" if m.get("revision") else "")
            lineage = e.get("lineage") or {}
            bits = [f"entry `{e['id']}`", f"board `{key}`"]
            if lineage.get("teacher"):
                bits.append(f"student of {lineage['teacher']}")
            if lineage.get("base_model") or m.get("base_model"):
                bits.append(f"base {lineage.get('base_model') or m.get('base_model')}")
            if lineage.get("method"):
                rewards = f" ({lineage['rewards']})" if lineage.get("rewards") else ""
                bits.append(f"trained {lineage['method']}{rewards}")
            bits.append(f"truncated {e['rates']['truncated']:.1f}%")
            bits.append(f"{e['backend']['name']}, {e['date'] or 'undated'}")
            rows.append(Row(benchmark, name, True, e["id"], p1["value"], p1.get("stderr"),
                            tuple(p1["ci95"]) if p1.get("ci95") else None, False,
                            maj["value"] if maj else None, f"maj@{e['protocol']['k']}" if maj else "",
                            e["protocol"]["k"], e.get("mean_reasoning_tokens") or e["mean_completion_tokens"],
                            False, "; ".join(bits),
                            "partial" if e.get("partial") else ("off-protocol" if key != benchmark else ""),
                            _thinking(e)))
    groups: dict[tuple[str, str, str], list[Reference]] = {}
    for r in store.references:
        if r.benchmark == benchmark:
            groups.setdefault((r.model, r.source_id, r.measured_by), []).append(r)
    for (model, source_id, measured_by), refs in sorted(groups.items()):
        main = next((r for r in refs if r.metric in ("pass@1", "accuracy")), None)
        maj = next((r for r in refs if r.metric.startswith("maj@")), None)
        n = (main.protocol.get("n_questions") if main else None) or bench.n_questions
        se = _approx_se(main.value, n) if main else None
        ci = (max(0.0, main.value - Z95 * se), min(100.0, main.value + Z95 * se)) if main and se is not None else None
        detail = f"`{source_id}`"
        if measured_by not in source_id:
            detail += f" (measured by {measured_by})"
        rows.append(Row(benchmark, model, False, source_id, main.value if main else None, se, ci, True,
                        maj.value if maj else None, maj.metric if maj else "",
                        (main or maj).protocol.get("k"), None,
                        any(r.id in conflict_ids for r in refs), detail))
    rows.sort(key=lambda r: (r.pass1 is None, -(r.pass1 or 0.0), r.model, not r.ours, r.origin))
    return rows


def fmt(x: float | None, nd: int = 1) -> str:
    return "—" if x is None else f"{x:.{nd}f}"


def _thinking(entry: dict[str, Any]) -> tuple[float | None, float | None] | None:
    """(median reasoning tokens, mean overthinking share) of an entry's efficiency, if it has one."""
    eff = entry.get("efficiency")
    if not eff:
        return None
    return eff["reasoning_tokens"]["median"], eff["overthinking_share"]["mean"]


#: The efficiency column: shown only on tables where some entry measured it (entries added before
#: r1bench recorded efficiency have none), so boards without such entries render as before.
THINKING_HEADER = "Thinking: median tokens · overthinking"
THINKING_NOTE = ("Thinking: median reasoning tokens per sample · mean share of the reasoning written after a "
                 "correct answer first appeared in it (overthinking), from r1bench's per-sample records.")


def thinking_cell(r: Row) -> str:
    """The efficiency cell of a row: "1234 · 62%", "—" for a row without efficiency."""
    if r.thinking is None:
        return "—"
    tokens, share = r.thinking
    return f"{fmt(tokens, 0)} · {'—' if share is None else f'{100 * share:.0f}%'}"


def inside_noise(a: Row, b: Row) -> bool:
    if a.pass1 is None or b.pass1 is None or a.se is None or b.se is None:
        return False
    return abs(a.pass1 - b.pass1) < Z95 * math.sqrt(a.se ** 2 + b.se ** 2)


def protocol_line(board: dict[str, Any]) -> str:
    """The board's protocol; fields no run has fixed yet are named once as such, never as "unset"."""
    p = board["protocol"]
    parts = [f"k = {p['k']}"]
    if p["temperature"] is not None:
        parts.append(f"temperature {fmt(p['temperature'], 2)}")
    if p["top_p"] is not None:
        parts.append(f"top_p {p['top_p']}")
    if p["max_gen_toks"]:
        parts.append(f"up to {p['max_gen_toks']} generated tokens")
    if p.get("thinking_budget") is not None:  # budget forcing (absent on boards of unbudgeted runs)
        parts.append(f"thinking budget {p['thinking_budget']} tokens")
    if p.get("thinking_extend"):
        parts.append(f"thinking extended {p['thinking_extend']}× with `{p.get('thinking_extend_str')}`")
    if p.get("thinking_answer_tokens"):
        parts.append(f"answer phase up to {p['thinking_answer_tokens']} tokens")
    if p.get("thinking_budget") is not None and p.get("thinking_answer_cue"):
        parts.append(f"answer cue `{p['thinking_answer_cue']}`")
    if p["prompt_preset"]:
        parts.append(f"prompt preset `{p['prompt_preset']}`" + (f" (hash `{p['prompt_hash']}`)" if p["prompt_hash"] else ""))
    if p["task_version"]:
        parts.append(f"task version {p['task_version']}")
    if p["grader_version"]:
        parts.append(f"grader {p['grader_version']}")
    parts.append(f"{p['n_questions'] or 'all'} questions"
                 + (f" (dataset fingerprint `{p['dataset_fingerprint'][:16]}`)" if p.get("dataset_fingerprint") else ""))
    pending = [name for name, key in (("prompt", "prompt_preset"), ("task version", "task_version"),
                                      ("grader", "grader_version")) if not p[key]]
    if pending:
        parts.append(f"{', '.join(pending)} fixed by the first run added")
    return ", ".join(parts)


#: The suite table's columns: the boards of the ``r1_suite`` members, in board order (a benchmark with
#: a board but outside the suite has its own table only, and never counts in a suite mean).
SUITE_BENCHMARKS: tuple[str, ...] = tuple(b for b in BENCHMARKS if b in {t.leaderboard for t in suite_tasks()})


def suite_rows(per_bench: dict[str, list[Row]]) -> list[tuple[str, str, bool, dict[str, float], float]]:
    """The suite table's rows: (model, origin, ours, pass@1 per suite benchmark, mean), most benchmarks
    first, then by mean. Ours: the best entry per model; references: one value per source."""
    table: dict[tuple[bool, str, str], dict[str, float]] = {}
    for bm, rows in per_bench.items():
        if bm not in SUITE_BENCHMARKS:
            continue
        for r in rows:
            if r.pass1 is None:
                continue
            key = (r.ours, r.model, "ours" if r.ours else r.origin)
            table.setdefault(key, {})
            table[key][bm] = max(table[key].get(bm, -1.0), r.pass1)
    items = sorted((-len(vals), -sum(vals.values()) / len(vals), model, origin, ours, vals)
                   for (ours, model, origin), vals in table.items())
    return [(model, origin, ours, vals, -neg_mean) for _, neg_mean, model, origin, ours, vals in items]


@dataclass(frozen=True)
class BudgetPoint:
    """One model's pass@1 on one board of a benchmark: at a thinking budget, or unbudgeted (None)."""

    budget: int | None
    pass1: float
    ci: tuple[float, float] | None
    entry: str


def budget_curves(store: Store, benchmark: str) -> dict[str, list[BudgetPoint]]:
    """Model -> its points on the benchmark's thinking-budget boards (``<benchmark>_budget<B>.json``),
    smallest budget first, then its unbudgeted point from the benchmark's own board if it has one.
    Only models with at least one budgeted point; the best entry per model and board (as in the suite)."""
    best: dict[tuple[str, int | None], BudgetPoint] = {}
    for key, board in sorted(store.boards.items()):
        proto = board["protocol"]
        if board["benchmark"] != benchmark or proto.get("thinking_extend"):
            continue
        budget = proto.get("thinking_budget")
        if budget is None and key != benchmark:
            continue  # another protocol's extra board: not a point of the curve
        for e in board["entries"]:
            if e.get("partial"):
                continue
            m = e["model"]
            name = m["name"] + (f"@{m['revision']}" if m.get("revision") else "")
            p1 = e["metrics"]["pass@1"]
            point = BudgetPoint(budget, p1["value"], tuple(p1["ci95"]) if p1.get("ci95") else None, e["id"])
            if (name, budget) not in best or point.pass1 > best[name, budget].pass1:
                best[name, budget] = point
    models = sorted({name for name, budget in best if budget is not None})
    return {name: sorted((p for (n, _), p in best.items() if n == name),
                         key=lambda p: (p.budget is None, p.budget or 0)) for name in models}


def budget_table(curves: dict[str, list[BudgetPoint]]) -> tuple[list[str], list[list[str]]]:
    """The accuracy-vs-budget table of :func:`budget_curves`: a column per budget, then unbudgeted;
    cells ``pass@1 (CI low–high)``, ``—`` where the model has no run at that budget."""
    budgets = sorted({p.budget for pts in curves.values() for p in pts if p.budget is not None})
    cols: list[int | None] = [*budgets, None] if any(p.budget is None for pts in curves.values() for p in pts) \
        else list(budgets)
    header = ["Model", *(f"budget {b}" if b is not None else "unbudgeted" for b in cols)]
    rows = []
    for model, pts in curves.items():
        at = {p.budget: p for p in pts}
        rows.append([model, *("—" if b not in at else fmt(at[b].pass1) + (
            f" ({at[b].ci[0]:.1f}–{at[b].ci[1]:.1f})" if at[b].ci else "") for b in cols)])
    return header, rows
