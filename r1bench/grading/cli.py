"""``r1bench grade``: grade one response from the command line, or a JSONL file of responses."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from tqdm import tqdm

__all__ = ["main"]

_EPILOG = """examples:
  r1bench grade --gold 0.5 --response '<think>...</think> so \\boxed{\\dfrac{1}{2}}'
  r1bench grade --gold C --kind choice --response 'Answer: C'
  r1bench grade --input responses.jsonl --output graded.jsonl
      (each input line: {"response": ..., "gold": ..., "kind": "math"|"choice"}; other fields are kept)
"""


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="r1bench grade",
        description="Grade model responses with r1bench's grader: reasoning split, answer "
        "extraction, and time-bounded math equivalence (or option letters).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--response", help="one raw model response (use - to read it from stdin)")
    ap.add_argument("--gold", help="the gold answer for --response")
    ap.add_argument("--kind", choices=["math", "choice"], default="math", help="answer type (default: math)")
    ap.add_argument("--input", type=Path, help="JSONL file with response/gold[/kind] per line")
    ap.add_argument("--output", type=Path, help="where to write graded JSONL (default: stdout)")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per symbolic comparison (default 5)")
    ap.add_argument("--prefilled-think", action="store_true", help="outputs start inside <think> (prompt pre-filled it)")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        _parser().error(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    from r1bench.records import score_response

    if args.input is None:
        if args.response is None or args.gold is None:
            _parser().error("give --response and --gold, or --input FILE")
        text = sys.stdin.read() if args.response == "-" else args.response
        rec = score_response(text, args.gold, kind=args.kind, timeout=args.timeout,
                             starts_in_reasoning=args.prefilled_think)
        mark = "CORRECT" if rec.correct else "WRONG"
        print(f"{mark}: extracted={rec.extracted!r} rule={rec.rule} ({rec.reason})")
        return 0
    try:
        lines = args.input.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        print(f"r1bench grade: cannot read {args.input}: {e}", file=sys.stderr)
        return 2
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    n = correct = failed = 0
    try:
        for lineno, line in enumerate(tqdm(lines, desc="grading", unit="resp", disable=args.output is None), 1):
            if not line.strip():
                continue
            where = f"{args.input}:{lineno}"
            row = None
            try:
                row = json.loads(line)
                response, gold = row["response"], row["gold"]
                kind = row.get("kind", args.kind)
                if kind not in ("math", "choice"):
                    raise ValueError(f"unknown kind {kind!r} (math or choice)")
                rec = score_response(response, str(gold), kind=kind, timeout=args.timeout,
                                     starts_in_reasoning=args.prefilled_think)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                # A bad row is reported and kept in the output with its error; the others go on.
                failed += 1
                print(f"r1bench grade: {where}: bad row ({type(e).__name__}: {e})", file=sys.stderr)
                bad = row if isinstance(row, dict) else {"line": line}
                bad.update(error=f"{type(e).__name__}: {e}")
                out.write(json.dumps(bad, ensure_ascii=False) + "\n")
                continue
            row.update(correct=rec.correct, extracted=rec.extracted, rule=rec.rule, reason=rec.reason,
                       truncated=rec.truncated, loop_detected=rec.loop_detected)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
            correct += rec.correct
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"graded {n} responses: {correct} correct ({correct / max(n, 1):.1%})"
          + (f"; {failed} bad row(s) kept with an 'error' field" if failed else ""), file=sys.stderr)
    return 1 if failed else 0
