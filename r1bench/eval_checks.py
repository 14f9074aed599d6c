"""Checks around one ``r1bench eval`` run: before it starts, and on what it wrote.

Before: no secret in ``--model_args`` (lm-eval logs model_args and writes them into the results
JSON), no unknown r1bench-chat argument (a misspelled ``key=`` would land there too), and an output
folder that can be written, so hours of generation are never thrown away at the end. After: a
results file was written (lm-eval logs a failed save at INFO and goes on), and no request failed;
a run with failed requests gets ``"incomplete": true`` in its results JSON and a non-zero exit
unless ``--allow-incomplete`` accepts it on purpose.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["flag_value", "SECRET_KEY", "redact_argv", "preflight", "finish", "EXIT_INCOMPLETE", "EXIT_NOT_WRITTEN"]

# model_args keys whose values are secrets (api_key, key, token, hf_token, secret, password...).
SECRET_KEY = re.compile(r"(^|_)(api_?key|key|token|secret|password|passwd|auth)$", re.IGNORECASE)
EXIT_NOT_WRITTEN = 1
EXIT_INCOMPLETE = 3


def flag_value(argv: Sequence[str], name: str) -> str | None:
    """The value of ``name`` in ``argv`` (``--name v`` or ``--name=v``; the first one)."""
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None


def _pairs(model_args: str) -> list[tuple[str, str]]:
    out = []
    for part in model_args.split(","):
        key, _, value = part.partition("=")
        if key.strip():
            out.append((key.strip(), value))
    return out


def redact_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` with the values of secret-looking ``--model_args`` keys replaced by ``***``."""

    def clean(text: str) -> str:
        return ",".join(f"{k}=***" if SECRET_KEY.search(k) else (f"{k}={v}" if v or "=" in text else k)
                        for k, v in _pairs(text))

    out, after = [], False
    for a in argv:
        if after:
            out.append(clean(a))
            after = False
        elif a == "--model_args":
            out.append(a)
            after = True
        elif a.startswith("--model_args="):
            out.append("--model_args=" + clean(a[len("--model_args="):]))
        else:
            out.append(a)
    return out


def preflight(lm_argv: Sequence[str], model_arg_names: dict[str, frozenset[str]] | None = None) -> None:
    """Refuse (ValueError, one line, no secret in it) what would leak or lose a run.

    ``model_arg_names`` maps a model name to the model_args keys it accepts (the caller, which
    knows the models, passes it: this module stays below the lm-eval adapter).
    """
    model = flag_value(lm_argv, "--model")
    args = flag_value(lm_argv, "--model_args") or ""
    keys = [k for k, _ in _pairs(args)] if not args.lstrip().startswith("{") else []
    secret = [k for k in keys if SECRET_KEY.search(k)]
    if secret:
        raise ValueError(f"--model_args {', '.join(secret)}=...: secrets are not taken in model_args (lm-eval "
                         "logs them and writes them into the results JSON); put the key in an environment "
                         "variable (OPENAI_API_KEY, DEEPSEEK_API_KEY, or api_key_env=NAME)")
    known = (model_arg_names or {}).get(model or "")
    if known is not None:
        unknown = sorted(set(keys) - known)
        if unknown:
            raise ValueError(f"--model_args: {model} has no argument {', '.join(unknown)} (known: "
                             f"{', '.join(sorted(known))})")
    out = flag_value(lm_argv, "--output_path") or flag_value(lm_argv, "-o")
    if out:
        folder = Path(out).parent if out.endswith(".json") else Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"--output_path {out}: cannot create the results folder ({exc.strerror or exc}); "
                             "choose a writable folder") from None


def _failed_samples(samples: Path) -> tuple[int, int, str | None, list[dict[str, Any]]]:
    """(failed, total, first error, the records) over a samples file's records (failed: ``extra.api_error``
    set); the records are returned so the caller summarises them without reading the file again."""
    from r1bench.records import flatten_filtered_resps, parse_saved_record

    failed = total = 0
    first = None
    kept: list[dict[str, Any]] = []
    with samples.open("rb") as fh:
        for raw in fh:
            try:
                row = json.loads(raw)
                records = [parse_saved_record(r) for r in flatten_filtered_resps(row.get("filtered_resps", []))]
            except (ValueError, RecursionError, AttributeError):
                continue
            kept.extend(r for r in records if isinstance(r, dict))
            for rec in records:
                total += 1
                extra = rec.get("extra")
                if isinstance(extra, dict) and extra.get("api_error"):
                    failed += 1
                    first = first or str(extra["api_error"])[:200]
    return failed, total, first, kept


def finish(lm_argv: Sequence[str], *, since: float, allow_incomplete: bool = False) -> int:
    """Exit status of a finished run, from what it wrote under ``--output_path``; marks incomplete runs
    and adds the per-task efficiency summary (:mod:`r1bench.results.summary`) in the same rewrite."""
    from r1bench.io import atomic_write_text
    from r1bench.metrics import efficiency_summary
    from r1bench.results.summary import EFFICIENCY_KEY

    out = flag_value(lm_argv, "--output_path") or flag_value(lm_argv, "-o")
    if not out:
        return 0
    root = Path(out).parent if out.endswith(".json") else Path(out)
    written = [p for p in root.rglob("results_*.json") if p.stat().st_mtime >= since - 1] if root.is_dir() else []
    if not written:
        print(f"r1bench eval: error: no results file was written under {out} (see the log above); "
              "nothing was saved", file=sys.stderr)
        return EXIT_NOT_WRITTEN
    status = 0
    for results in written:
        ts = results.name[len("results_"):-len(".json")]
        failed = total = 0
        first = None
        efficiency: dict[str, Any] = {}
        for samples in sorted(results.parent.glob(f"samples_*_{ts}.jsonl")):
            f, t, e, records = _failed_samples(samples)
            failed, total, first = failed + f, total + t, first or e
            summary = efficiency_summary(records)
            if summary is not None:  # records from before efficiency existed have none
                efficiency[samples.name[len("samples_"):-len(f"_{ts}.jsonl")]] = summary
        try:
            data: Any = json.loads(results.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        data["incomplete"] = failed > 0
        data["failed_samples"] = failed
        if efficiency:
            data[EFFICIENCY_KEY] = efficiency
        # lm-eval may write NaN (an undefined stderr): keep its JSON dialect for its own file.
        atomic_write_text(results, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        if failed:
            print(f"r1bench eval: {failed} of {total} samples failed (first: {first}); {results} is marked "
                  "incomplete. Re-run the same command: the API store resends only the failed requests"
                  + ("" if allow_incomplete else " (or pass --allow-incomplete to accept a partial run)"),
                  file=sys.stderr)
            if not allow_incomplete:
                status = EXIT_INCOMPLETE
    return status
