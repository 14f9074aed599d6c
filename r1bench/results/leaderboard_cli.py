"""``r1bench leaderboard add|build|validate``: ingest runs, regenerate tables and plots, check files.

Examples::

    r1bench leaderboard add output/                  # every leaderboard task in an lm-eval output dir
    r1bench leaderboard add output/ --teacher deepseek-ai/DeepSeek-R1 --base-model Qwen/Qwen2.5-Math-1.5B \\
        --data-hash sha256:... --recipe training/recipes/Qwen2.5-Math-1.5B/sft/config_stratos.yaml
    r1bench leaderboard build                        # results/LEADERBOARD.md + results/plots/*.png
    r1bench leaderboard build --check                # exit 1 if the committed output is stale (CI)
    r1bench leaderboard validate                     # every results/**/*.json against its JSON Schema
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from r1bench.results.leaderboard import (
    BENCHMARKS,
    ProtocolMismatch,
    TooFewSamples,
    add_entries,
    board_path_for,
    load_or_new_board,
    new_board,
    save_board,
)
from r1bench.results.schema import ResultsFileError, load_document

__all__ = ["main", "build_parser", "add_run"]

log = logging.getLogger(__name__)

DEFAULT_RESULTS_DIR = "results"


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``r1bench leaderboard``."""
    parser = argparse.ArgumentParser(
        prog="r1bench leaderboard",
        description="Keep r1bench's leaderboards: versioned JSON under results/leaderboards/, published "
        "reference numbers under results/references/, and results/LEADERBOARD.md + plots generated from them.",
        epilog=__doc__.split("Examples::", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="{add,build,validate}")

    add = sub.add_parser(
        "add", help="ingest an lm-eval output directory into the leaderboard files",
        description=f"Add every leaderboard task ({', '.join(b.task for b in BENCHMARKS.values())}) "
        "found in an lm-eval output directory (results_<ts>.json + samples_<task>_<ts>.jsonl; run lm-eval "
        "with --log_samples). Refuses runs with fewer samples per question than the board's k "
        f"({', '.join(f'{b.title} {b.default_k}' for b in BENCHMARKS.values())}), partial (--limit) runs, "
        "runs with failed API samples, "
        "and runs whose protocol (sampling, prompt hash, grader, question count and dataset fingerprint) "
        "differs from the board's (the message names the field). Every raw output is graded again with "
        "r1bench's grader against the doc's gold: a run whose stored verdicts, reported pass@1 (required) "
        "or maj@k disagree is refused, naming the first differing sample. Adding the same run twice is a no-op. "
        "Nothing is written unless every task of the run is accepted. A lineage.json beside the results "
        "file (written by `r1train eval`) is read as the run's lineage; --lineage and the flags override it.",
    )
    add.add_argument("path", help="lm-eval --output_path folder (searched recursively) or one results_*.json")
    add.add_argument("--results-dir", default=DEFAULT_RESULTS_DIR, help="results store (default: %(default)s)")
    add.add_argument("--board", help="board file to use instead of <results-dir>/leaderboards/<benchmark>.json "
                     "(a new file takes the run's protocol); needs a run with a single leaderboard task or --task")
    add.add_argument("--task", action="append", help="only this task (repeatable)")
    add.add_argument("--model-name", help="display name instead of the model_args' pretrained=")
    add.add_argument("--revision", help="model revision (commit) if model_args has none")
    lin = add.add_argument_group("lineage (for students)")
    lin.add_argument("--base-model", help="model the student was trained from")
    lin.add_argument("--teacher", help="model whose reasoning traces the student was trained on")
    lin.add_argument("--data-hash", help="hash of the training data (e.g. r1train's dataset fingerprint)")
    lin.add_argument("--recipe", help="training recipe (path or name)")
    lin.add_argument("--lineage", metavar="FILE.json",
                     help="JSON object with any of base_model, teacher, data_hash, recipe, or r1train's "
                     "lineage.json (train_data_sha256, recipe {name, sha256}); overrides a lineage.json "
                     "beside the results, the flags override it")
    add.add_argument("--notes", help="free text stored with the entry")
    add.add_argument("--allow-partial", action="store_true",
                     help="accept --limit runs (not comparable!); they never fix the board's n_questions")
    add.add_argument("--allow-failures", action="store_true",
                     help="accept a run with failed API samples (counted as wrong; the count is stored). "
                     "Better: re-run the same eval command, which resends only the failed requests")
    add.add_argument("--dry-run", action="store_true", help="check and print, write nothing")
    add.add_argument("--build", action="store_true", help="run `leaderboard build` afterwards")

    build = sub.add_parser("build", help="regenerate results/LEADERBOARD.md and results/plots/*.png",
                           description="Regenerate LEADERBOARD.md (one table per benchmark plus a suite "
                           "table; ours vs references, 95% CI, differences inside the noise marked) and "
                           "the PNG plots from the JSON files. Deterministic: running it twice changes nothing.")
    build.add_argument("--results-dir", default=DEFAULT_RESULTS_DIR, help="results store (default: %(default)s)")
    build.add_argument("--board", action="append", default=[],
                       help="also render this board file kept elsewhere (repeatable; shown as off-protocol)")
    build.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 if the generated files are missing or out of date")

    val = sub.add_parser("validate", help="validate results JSON files against their JSON Schema",
                         description="Validate files (default: every JSON under <results-dir>/references and "
                         "<results-dir>/leaderboards). Errors name the file, the entry and the field.")
    val.add_argument("files", nargs="*", help="files to check (default: the whole store)")
    val.add_argument("--results-dir", default=DEFAULT_RESULTS_DIR, help="results store (default: %(default)s)")
    return parser


def _lineage(args: argparse.Namespace) -> dict[str, Any] | None:
    """--lineage FILE (normalised like r1train's lineage.json), then the explicit flags over it."""
    from r1bench.results.lineage import LINEAGE_FIELDS, merge_lineage, read_lineage_file

    data = read_lineage_file(args.lineage) if args.lineage else None
    flags = {key: getattr(args, key, None) for key in LINEAGE_FIELDS if getattr(args, key, None)}
    return merge_lineage(data, flags)


def add_run(path: str | Path, *, results_dir: str | Path = DEFAULT_RESULTS_DIR, board: str | Path | None = None,
            tasks: list[str] | None = None, lineage: dict[str, Any] | None = None, model_name: str | None = None,
            revision: str | None = None, allow_partial: bool = False, allow_failures: bool = False,
            notes: str | None = None, dry_run: bool = False) -> list[tuple[Path, tuple[str, ...], tuple[str, ...]]]:
    """Ingest a run; return (board path, added ids, duplicate ids) per board. All-or-nothing writes."""
    from r1bench.results.ingest import build_entry, load_task_runs, verify_run
    from r1bench.results.leaderboard import TASK_TO_BENCHMARK

    runs = load_task_runs(path, tasks=tasks)
    skipped = sorted({r.task for r in runs if r.task not in TASK_TO_BENCHMARK})
    runs = [r for r in runs if r.task in TASK_TO_BENCHMARK]
    if skipped:
        log.warning("skipping task(s) without a leaderboard: %s", ", ".join(skipped))
    if not runs:
        raise ValueError(f"{path}: no leaderboard task in this run (found: {', '.join(skipped) or 'none'}; "
                         f"leaderboard tasks: {', '.join(TASK_TO_BENCHMARK)})")
    benchmarks = sorted({TASK_TO_BENCHMARK[r.task] for r in runs})
    if board is not None and len(benchmarks) > 1:
        raise ValueError(f"--board takes one benchmark, the run has {', '.join(benchmarks)} (add --task)")
    boards: dict[Path, dict[str, Any]] = {}
    outcome: dict[Path, tuple[list[str], list[str]]] = {}
    for run in runs:
        bm = TASK_TO_BENCHMARK[run.task]
        entry = build_entry(run, lineage=lineage, model_name=model_name, revision=revision,
                            allow_partial=allow_partial, allow_failures=allow_failures, notes=notes,
                            verify=False)
        bpath = Path(board) if board is not None else board_path_for(results_dir, bm, entry["protocol"])
        if bpath not in boards:
            # A new --board file, or the first run at a thinking budget: the board takes the run's protocol.
            if (board is not None or bpath != board_path_for(results_dir, bm)) and not bpath.exists():
                proto = dict(entry["protocol"])
                proto["k"] = max(proto["k"], BENCHMARKS[bm].default_k)
                if entry["partial"]:  # a --limit run's question count is not the benchmark's
                    proto["n_questions"] = None
                boards[bpath] = new_board(bm, proto)
            else:
                boards[bpath] = load_or_new_board(bpath, bm)
        _check_pinned_selection(entry, bm, bpath)
        name = str(bpath) if bpath.exists() else f"{bpath} (not written yet: the benchmark's default R1 protocol)"
        result = add_entries(boards[bpath], [entry], board_name=name)
        # Protocol first (its message says which board field differs), then the re-grade.
        verify_run(run, entry["protocol"])
        boards[bpath] = result.board
        got = outcome.setdefault(bpath, ([], []))
        got[0].extend(result.added)
        got[1].extend(result.duplicates)
    if not dry_run:
        for bpath, b in boards.items():
            if outcome[bpath][0]:
                save_board(bpath, b)
    return [(p, tuple(a), tuple(d)) for p, (a, d) in outcome.items()]


def _check_pinned_selection(entry: dict[str, Any], benchmark: str, board: Path) -> None:
    """A full-size run of a benchmark whose question set r1bench pins must be that question set, so
    a first run on tampered data cannot fix a board's fingerprint and lock honest runs out."""
    from r1bench.datasets.specs import pinned_fingerprints

    pins = pinned_fingerprints(BENCHMARKS[benchmark].task)
    got = entry["protocol"].get("dataset_fingerprint")
    if pins and not entry["partial"] and entry["n_questions"] == BENCHMARKS[benchmark].n_questions \
            and got not in pins:
        raise ProtocolMismatch("dataset_fingerprint", pins[0], got, f"{board} (pinned by r1bench's data specs)")


def _cmd_add(args: argparse.Namespace) -> int:
    done = add_run(args.path, results_dir=args.results_dir, board=args.board, tasks=args.task,
                   lineage=_lineage(args), model_name=args.model_name, revision=args.revision,
                   allow_partial=args.allow_partial, allow_failures=args.allow_failures, notes=args.notes,
                   dry_run=args.dry_run)
    for bpath, added, dups in done:
        verb = "would add" if args.dry_run else "added"
        for i in added:
            print(f"{bpath}: {verb} entry {i}")
        for i in dups:
            print(f"{bpath}: already on the board as entry {i}, not added again")
    if args.build and not args.dry_run:
        return _cmd_build(argparse.Namespace(results_dir=args.results_dir, check=False,
                                             board=[args.board] if args.board else []))
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from r1bench.results.build import build, check

    if args.check:
        diffs = check(args.results_dir)
        for d in diffs:
            print(f"{Path(args.results_dir) / d.path}: {d.reason}", file=sys.stderr)
        if diffs:
            print("generated leaderboard files are out of date: run `r1bench leaderboard build`", file=sys.stderr)
            return 1
        print("leaderboard output is up to date")
        return 0
    changed = build(args.results_dir, getattr(args, "board", None))
    for p in changed:
        print(f"wrote {p}")
    print(f"{len(changed)} file(s) changed" if changed else "nothing changed (already up to date)")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    root = Path(args.results_dir)
    files = [Path(f) for f in args.files] or sorted((root / "references").glob("*.json")) + sorted(
        (root / "leaderboards").glob("*.json"))
    if not files:
        print(f"no JSON files under {root}/references or {root}/leaderboards", file=sys.stderr)
        return 1
    bad = 0
    expected = {"references": "references", "leaderboards": "leaderboard"}
    for f in files:
        try:
            # A file's folder says what it must be: `build` reads leaderboards/ as boards only.
            doc = load_document(f, kind=expected.get(f.resolve().parent.name))
        except ResultsFileError as exc:
            print(f"INVALID {exc}", file=sys.stderr)
            bad += 1
            continue
        print(f"ok {f} ({doc['kind']}, {len(doc['entries'])} entries)")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench leaderboard``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handler = {"add": _cmd_add, "build": _cmd_build, "validate": _cmd_validate}[args.command]
    try:
        return handler(args)
    except (ResultsFileError, ProtocolMismatch, TooFewSamples, ValueError, FileNotFoundError, KeyError) as exc:
        print(f"r1bench leaderboard {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
