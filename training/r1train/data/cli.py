"""``r1train convert`` and ``r1train validate``: trace files in, chat JSONL and a drop report out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from r1train.data.contamination import (
    add_contamination_args,
    contamination_main,
    index_from_args,
    scan_rows,
)
from r1train.data.convert import FORMATS
from r1train.data.io import DataFileError, iter_source_rows, write_jsonl
from r1train.data.validate import ValidationReport, chat_token_counter, convert_and_validate

__all__ = ["convert_main", "validate_main", "build_parser"]


def build_parser(prog: str, *, convert: bool) -> argparse.ArgumentParser:
    """Options shared by convert and validate (convert adds the output path)."""
    p = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Convert reasoning traces to chat `messages` (<think>reasoning</think> then the answer) "
            "and drop rows with empty reasoning, unclosed tags, no final answer or too many tokens."
            if convert
            else "Report which trace rows would be kept and which dropped, and why."
        ),
    )
    p.add_argument("inputs", nargs="+", help=".jsonl / .json / .parquet files or folders of them")
    if convert:
        p.add_argument("-o", "--output", required=True, help="output JSONL of kept rows (`messages` column)")
    p.add_argument("--format", default="auto", choices=("auto", *FORMATS), help="input format (default: per-row detection)")
    p.add_argument("--keep-system", action="store_true", help="keep the source's system prompt (dropped by default)")
    p.add_argument("--max-length", type=int, default=None, help="drop rows longer than this many tokens")
    p.add_argument("--tokenizer", default=None, help="tokenizer folder used to count tokens with its chat template")
    p.add_argument("--answer-check", default="nonempty", choices=("nonempty", "math", "choice"),
                   help="what counts as a final answer: any text, a boxed math answer, or a committed letter")
    p.add_argument("--allow-empty-reasoning", action="store_true", help="keep rows without reasoning")
    p.add_argument("--report", default=None, help="also write the report as JSON here")
    add_contamination_args(p, convert=convert)
    return p


def _counter(tokenizer_path: str | None) -> Any:
    if tokenizer_path is None:
        return None
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_path)
    if tok.chat_template is None:
        return lambda messages: len(tok("\n".join(m["content"] for m in messages))["input_ids"])
    return chat_token_counter(tok)


def _run(args: argparse.Namespace) -> tuple[list[Any], ValidationReport]:
    def rows():
        for path in args.inputs:
            yield from iter_source_rows(path)

    if getattr(args, "decontaminate", False):
        # Drop benchmark-overlapping rows before conversion (where = file:line, unique per row).
        try:
            index = index_from_args(args)
        except ValueError as err:
            raise DataFileError(str(err)) from err
        source = list(rows())
        clean, contamination = scan_rows(((r.data, r.where) for r in source), index)
        print(contamination.format())
        keep = {where for _, where in clean}
        source = [r for r in source if r.where in keep]
        rows = lambda: iter(source)  # noqa: E731

    return convert_and_validate(
        rows(),
        fmt=args.format,
        keep_system=args.keep_system,
        max_length=args.max_length,
        token_counter=_counter(args.tokenizer),
        answer_check=args.answer_check,
        allow_empty_reasoning=args.allow_empty_reasoning,
    )


def _finish(args: argparse.Namespace, report: ValidationReport) -> None:
    print(report.format())
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(json.dumps(report.to_dict(), indent=2) + "\n")


def convert_main(argv: list[str] | None = None) -> int:
    """Convert and validate; write kept rows to ``--output``."""
    args = build_parser("r1train convert", convert=True).parse_args(argv)
    try:
        kept, report = _run(args)
    except DataFileError as err:
        print(f"r1train convert: {err}", file=sys.stderr)
        return 2
    n = write_jsonl((row.to_training_row() for row in kept), args.output)
    _finish(args, report)
    print(f"wrote {n} rows to {args.output}")
    return 0


def validate_main(argv: list[str] | None = None) -> int:
    """Print the validation report; exit 1 when no row survives."""
    args = build_parser("r1train validate", convert=False).parse_args(argv)
    if args.contamination:
        return contamination_main(args)
    try:
        kept, report = _run(args)
    except DataFileError as err:
        print(f"r1train validate: {err}", file=sys.stderr)
        return 2
    _finish(args, report)
    return 0 if kept else 1
