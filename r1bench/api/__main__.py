"""Inspect an API sample store: ``r1bench api status [--store PATH]`` (or ``python -m r1bench.api``).

Shows how many samples are stored ok and failed, and the most recent failures with their errors.
Failed samples are retried by re-running the same evaluation command (successes are never re-sent).
"""

from __future__ import annotations

import argparse
import json
import sys

from r1bench.api.store import SampleStore
from r1bench.api.types import ChatConfig

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns 0, or 1 when the store holds failed samples."""
    parser = argparse.ArgumentParser(prog="r1bench api", description=__doc__)
    parser.add_argument("command", choices=["status"], help="what to show")
    parser.add_argument("--store", default=None, help="store directory or .sqlite file (default: $R1BENCH_API_STORE or ~/.cache/r1bench/api_store)")
    parser.add_argument("--limit", type=int, default=20, help="failures to list (default 20)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    path = ChatConfig(base_url="http://unused/v1", model="unused", store_path=args.store).store_file
    if not path.exists():
        # Nothing run through r1bench-chat yet: a state, not an error.
        print(f"no API samples stored yet (the store will be {path}; r1bench-chat runs create it)")
        return 0
    with SampleStore(path) as store:
        counts = {**store.counts(), "steps": store.step_count()}
        failures = store.failures(limit=args.limit)
    if args.json:
        print(json.dumps({"store": str(path), **counts, "failures": failures}, indent=2))
    else:
        steps = f" (+ {counts['steps']} budget-forcing phases kept for resume)" if counts["steps"] else ""
        print(f"store {path}: {counts['ok']} ok, {counts['failed']} failed{steps}")
        for f in failures:
            print(f"  {f['key'][:12]} model={f['model']} sample={f['sample_index']} attempts={f['attempts']}: {f['error']}")
        if counts["failed"]:
            print("re-run the same evaluation command to retry only the failed samples")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
