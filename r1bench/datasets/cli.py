"""``r1bench data``: fetch benchmark files into a local directory, verify them, list the tasks.

Fetch on a machine with internet, copy the folder, and point ``--data-dir`` or
``$R1BENCH_DATA_DIR`` at it on the offline machine; ``verify`` checks it there.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from r1bench.datasets import TASK_DATASETS, dataset_fingerprint, load_task_docs
from r1bench.datasets.files import (
    DATA_DIR_ENV,
    DataError,
    DataNotFoundError,
    _local_candidates,
    download,
    resolve_data_dir,
    sha256_file,
)
from r1bench.datasets.specs import DataFile, DatasetSpec

__all__ = ["main", "build_parser"]

logger = logging.getLogger(__name__)

DOWNLOADABLE = [t for t, s in TASK_DATASETS.items() if s.files]


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = [
        "  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip() for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _tasks(names: list[str]) -> list[str]:
    if not names or names == ["all"]:
        return list(DOWNLOADABLE)
    unknown = [n for n in names if n not in TASK_DATASETS]
    if unknown:
        raise SystemExit(
            f"r1bench data: unknown task(s) {', '.join(unknown)}; known: {', '.join(TASK_DATASETS)}"
        )
    return names


def _sha_status(path: Path, file: DataFile) -> tuple[str, str]:
    actual = sha256_file(path)
    if not file.sha256:
        return actual, "ok (unpinned)"
    if actual in file.sha256:
        return actual, "ok (pinned)"
    # A file r1bench writes from the hub's shards: bytes vary by writer, its content is pinned.
    return actual, "bytes differ (content checked)" if file.hub_mode == "dataset" else "MISMATCH"


def cmd_fetch(args: argparse.Namespace) -> int:
    root = Path(args.data_dir).expanduser()
    failures = 0
    rows = []
    for task in _tasks(args.tasks):
        spec = TASK_DATASETS[task]
        files = spec.all_files() if args.all_sources else spec.files
        for file in files:
            if file.hub_mode == "file":
                target = root / file.rel_path
                if (
                    target.is_file()
                    and _sha_status(target, file)[1] != "MISMATCH"
                    and not args.force
                ):
                    rows.append([task, file.rel_path, "present", sha256_file(target)[:16]])
                    continue
            try:
                path = download(file, root)
            except Exception as exc:  # report every file, then fail
                failures += 1
                hint = (
                    " (gated: accept the terms on the hub page and set HF_TOKEN)"
                    if file.gated
                    else ""
                )
                print(
                    f"error: {task}: {file.rel_path}: {type(exc).__name__}: {exc}{hint}",
                    file=sys.stderr,
                )
                rows.append([task, file.rel_path, "FAILED", ""])
                continue
            digest, status = _sha_status(path, file)
            failures += status == "MISMATCH"
            rows.append([task, file.rel_path, f"fetched, {status}", digest[:16]])
    print(_table(["task", "file", "status", "sha256"], rows))
    if not failures:
        print(f"\nUse it offline with: export {DATA_DIR_ENV}={root.resolve()}")
    return 1 if failures else 0


def _verify_task(spec: DatasetSpec, root: Path) -> tuple[list[list[str]], bool]:
    """Rows (task, file, status, sha256, loaded) for one task, and whether it is usable."""
    rows, ok = [], True
    for file in spec.all_files():
        found = _local_candidates(file, root)
        if not found:
            status = "missing (alternative)" if file in spec.alternatives else "missing"
            rows.append([spec.task, file.rel_path, status, "", ""])
            continue
        digest, status = _sha_status(found[0], file)
        ok &= status != "MISMATCH"
        rows.append([spec.task, str(found[0].relative_to(root)), status, digest, ""])
    present = [r for r in rows if not r[2].startswith("missing")]
    note_row = present[0] if present else rows[-1]  # the file the loader reads first
    try:
        docs = load_task_docs(spec.task, data_dir=str(root))
    except DataNotFoundError:
        ok = False
        note_row[4] = "not loaded (missing file)"
    except DataError as exc:
        ok = False
        note_row[4] = "LOAD FAILED"
        print(f"error: {exc}", file=sys.stderr)
    else:
        pinned = "pinned" if spec.fingerprints else "UNPINNED"
        note_row[4] = f"{len(docs)} docs, fingerprint {dataset_fingerprint(docs)[:12]} ({pinned})"
        if spec.rows is not None and len(docs) != spec.rows:
            note_row[4] += f" (expected {spec.rows})"
    return rows, ok


def cmd_verify(args: argparse.Namespace) -> int:
    root = resolve_data_dir(args.data_dir)
    if root is None:
        print(f"r1bench data verify: give --data-dir or set ${DATA_DIR_ENV}", file=sys.stderr)
        return 2
    table, all_ok = [], True
    for task in _tasks(args.tasks):
        rows, ok = _verify_task(TASK_DATASETS[task], root)
        table += rows
        all_ok &= ok
    print(f"data dir: {root}\n")
    print(_table(["task", "file", "status", "sha256", "loaded"], table))
    unpinned = [f"{r[1]}" for r in table if r[2] == "ok (unpinned)"]
    if unpinned:
        print(f"\nunpinned (no known digest: r1bench cannot tell an edited copy): {', '.join(unpinned)}")
    return 0 if all_ok else 1


def cmd_list(args: argparse.Namespace) -> int:
    rows = []
    for task, spec in TASK_DATASETS.items():
        files = ", ".join(f.rel_path for f in spec.all_files()) or "-"
        where = "/".join(x for x in (spec.config, spec.split) if x) or "-"
        rows.append([task, spec.hub_id, where, str(spec.rows or "?"), files, spec.note])
    print(
        _table(["task", "hub id", "config/split", "rows", "files (under a data dir)", "note"], rows)
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``r1bench data`` argument parser (fetch / verify / list)."""
    parser = argparse.ArgumentParser(
        prog="r1bench data",
        description=(
            "Benchmark data for offline use. Loaders read the Hugging Face hub by default, or a "
            f"local directory (--data-dir or ${DATA_DIR_ENV}) holding the files in the hub's "
            "layout, e.g. DIR/HuggingFaceH4/MATH-500/test.jsonl. Pinned sha256 digests are checked."
        ),
        epilog=(
            "examples:\n"
            "  r1bench data list\n"
            "  r1bench data fetch all --data-dir ./r1data        # on a machine with internet\n"
            "  HF_TOKEN=hf_... r1bench data fetch r1_gpqa_diamond --data-dir ./r1data\n"
            "  r1bench data verify --data-dir ./r1data           # on the offline machine\n"
            f"  export {DATA_DIR_ENV}=$PWD/r1data"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{fetch,verify,list}")
    fetch = sub.add_parser(
        "fetch",
        help="download task data from the hub into DIR (needs internet)",
        description=(
            "Download each task's files from the Hugging Face hub into DIR/<org>/<dataset>/<file>. "
            "GPQA-Diamond is gated: accept its terms on https://huggingface.co/datasets/Idavidrein/gpqa "
            "and set HF_TOKEN first. Files already present with a good checksum are kept."
        ),
    )
    fetch.add_argument(
        "tasks", nargs="+", metavar="TASK", help=f"task names or 'all' ({', '.join(DOWNLOADABLE)})"
    )
    fetch.add_argument(
        "--data-dir", required=True, metavar="DIR", help="target directory (created if needed)"
    )
    fetch.add_argument(
        "--all-sources",
        action="store_true",
        help="also fetch alternative sources (Maxwell-Jia/AIME_2024)",
    )
    fetch.add_argument(
        "--force", action="store_true", help="download again even if a good copy is present"
    )
    fetch.set_defaults(func=cmd_fetch)
    verify = sub.add_parser(
        "verify",
        help="check presence, sha256 and loadability of the files in DIR",
        description="Check each task's files in DIR: present, sha256 against the pins, and loadable (doc count, fingerprint). Exit 1 on any problem.",
    )
    verify.add_argument("tasks", nargs="*", metavar="TASK", help="tasks to check (default: all)")
    verify.add_argument(
        "--data-dir", metavar="DIR", help=f"data directory (default: ${DATA_DIR_ENV})"
    )
    verify.set_defaults(func=cmd_verify)
    lst = sub.add_parser(
        "list",
        help="list the tasks, their hub ids, rows and files",
        description="List tasks, hub ids, expected rows and the files a data dir must hold.",
    )
    lst.set_defaults(func=cmd_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench data``; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
