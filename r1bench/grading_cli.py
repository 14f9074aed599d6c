"""``r1bench grade``: grade one response from the command line, or a JSONL file of responses.

A command beside the library it drives (records -> grading), never inside it: no import cycle."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from r1bench.io import same_file

__all__ = ["main"]

_EPILOG = """examples:
  r1bench grade --gold 0.5 --response '<think>...</think> so \\boxed{\\dfrac{1}{2}}'
  r1bench grade --gold C --kind choice --response 'Answer: C'
  r1bench grade --input responses.jsonl --output graded.jsonl
      (each input line: {"response": ..., "gold": ..., "kind": "math"|"choice"[, "options": [...]]};
       other fields are kept; "options": a choice question's option texts in the shown order)
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
    return _grade_file(args, score_response)


_NO_KEY = object()


def _key(raw: bytes) -> Any:
    """The response of a row (what pairs an output row with its input row when resuming)."""
    try:
        row = json.loads(raw)
    except (ValueError, RecursionError):
        return _NO_KEY
    return row["response"] if isinstance(row, dict) and "response" in row else _NO_KEY


def _rows(fh: Any) -> Any:
    """(line number, bytes) of the non-blank lines of a binary file, streamed."""
    for lineno, line in enumerate(fh, 1):
        if line.strip():
            yield lineno, line


def _resume_point(output: Path, input_path: Path) -> tuple[int, int]:
    """(rows already graded in ``output``, bytes of it to keep): its complete lines, checked against
    the input row by row. A row cut by a crash (no newline) is dropped and graded again; an output
    that is not this input's is refused rather than overwritten or appended to."""
    if not output.exists() or output.stat().st_size == 0:
        return 0, 0
    done = keep = 0
    with output.open("rb") as out, input_path.open("rb") as inp:
        inputs = _rows(inp)
        for line in out:
            if not line.endswith(b"\n"):
                break
            keep += len(line)
            if not line.strip():
                continue
            nxt = next(inputs, None)
            if nxt is None:
                raise ValueError(f"{output} has more rows than the input: it is not this input's "
                                 "output; choose another --output or delete it")
            done += 1
            if _key(line) != _key(nxt[1]):
                raise ValueError(f"{output}:{done} does not match input row {done} ({input_path}:{nxt[0]}): "
                                 "it is not this input's output; choose another --output or delete it "
                                 "(an output that matches is resumed)")
    return done, keep


def _grade_row(raw: bytes, where: str, args: argparse.Namespace, score_response: Any) -> tuple[dict, str | None]:
    """One input line -> (output row, error or None). Never raises on a bad row."""
    row: Any = None
    try:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"not UTF-8 (byte {e.start}: {e.reason})") from None
        try:
            row = json.loads(text)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if not isinstance(row, dict):
            raise TypeError(f"a row must be a JSON object, got {type(row).__name__}")
        response, gold = row["response"], row["gold"]
        if gold is None or isinstance(gold, (dict, list, bool)) or (isinstance(gold, float) and not math.isfinite(gold)):
            raise ValueError(f"gold is {json.dumps(gold)}: give the answer as a string or a number")
        if response is not None and not isinstance(response, str):
            raise TypeError(f"response must be a string, got {type(response).__name__}")
        kind = row.get("kind", args.kind)
        if kind not in ("math", "choice"):
            raise ValueError(f"unknown kind {kind!r} (math or choice)")
        options = row.get("options")
        if options is not None and (not isinstance(options, list) or not all(isinstance(o, str) for o in options)):
            raise ValueError("options must be a list of option texts")
        rec = score_response(response, str(gold), kind=kind, timeout=args.timeout,
                             starts_in_reasoning=args.prefilled_think,
                             options=options if kind == "choice" else None)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        # A bad row is reported and kept in the output with its error; the others go on.
        error = f"{type(e).__name__}: {e}"
        bad = row if isinstance(row, dict) else {"line": raw.decode("utf-8", errors="replace").rstrip("\r\n")}
        bad.update(error=error)
        return bad, f"{where}: bad row ({error})"
    row.update(correct=rec.correct, extracted=rec.extracted, rule=rec.rule, reason=rec.reason,
               truncated=rec.truncated, loop_detected=rec.loop_detected)
    return row, None


def _grade_file(args: argparse.Namespace, score_response: Any) -> int:
    """Grade ``--input`` row by row into ``--output``, appending and flushing each row, so a crash or
    Ctrl-C keeps every graded row and the same command resumes where it stopped."""
    if args.output is not None and args.output.exists() and same_file(args.input, args.output):
        print(f"r1bench grade: --output {args.output} is the --input file: it would be overwritten "
              "while being read; write to another file", file=sys.stderr)
        return 2
    try:
        inp = args.input.open("rb")
    except OSError as e:
        print(f"r1bench grade: cannot read {args.input}: {e.strerror or e}", file=sys.stderr)
        return 2
    done = 0
    if args.output is None:
        def write(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()
    else:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            done, keep = _resume_point(args.output, args.input)
            fh = open(args.output, "r+b" if args.output.exists() else "wb")  # noqa: SIM115
            fh.truncate(keep)
            fh.seek(keep)
        except ValueError as e:
            inp.close()
            print(f"r1bench grade: {e}", file=sys.stderr)
            return 2
        except OSError as e:
            inp.close()
            print(f"r1bench grade: cannot write {args.output}: {e.strerror or e}", file=sys.stderr)
            return 2
        if done:
            print(f"r1bench grade: resuming {args.output}: {done} row(s) already graded", file=sys.stderr)

        def write(text: str) -> None:
            fh.write(text.encode("utf-8"))
            fh.flush()
    n = correct = failed = 0
    try:
        rows = _rows(inp)
        for _ in range(done):
            next(rows, None)
        for lineno, raw in tqdm(rows, desc="grading", unit="resp", disable=args.output is None):
            row, error = _grade_row(raw, f"{args.input}:{lineno}", args, score_response)
            write(json.dumps(row, ensure_ascii=False) + "\n")
            if error:
                failed += 1
                print(f"r1bench grade: {error}", file=sys.stderr)
                continue
            n += 1
            correct += row["correct"]
    finally:
        inp.close()
        if args.output is not None:
            fh.close()
    print(f"graded {n} responses: {correct} correct ({correct / max(n, 1):.1%})"
          + (f"; {failed} bad row(s) kept with an 'error' field" if failed else ""), file=sys.stderr)
    return 1 if failed else 0
