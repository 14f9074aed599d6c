"""Re-grade a run's raw outputs and refuse it when its stored verdicts or reported scores disagree.

A samples file's ``correct`` flags and the results JSON's numbers are claims; the raw outputs and
the docs' golds are the evidence. :func:`verify_run` grades every raw output again with r1bench's
grader and compares: the first differing sample, pass@1 and maj@k, and the dataset fingerprint.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1bench.metrics import doc_metrics
from r1bench.results.protocol import check_fingerprint, task_protocol
from r1bench.results.runs import SampleDoc, TaskRun, task_kind
from r1bench.results.schema import ResultsFileError

__all__ = ["gold_of", "regrade", "check_verdicts", "verify_run"]


def pct(x: float) -> float:
    """A fraction as a percentage rounded to 4 decimals (the leaderboard's unit)."""
    return round(100.0 * float(x), 4)


def gold_of(d: SampleDoc) -> str:
    """The gold the doc is graded against: the doc's ``answer``, else lm-eval's target."""
    answer = d.doc.get("answer")
    return str(answer) if answer is not None else d.target


def regrade(run: TaskRun, *, timeout: float = 5.0) -> list[list[Any]]:
    """Grade every raw output of ``run`` again with r1bench's grader, against each doc's gold.

    Per doc, one :class:`~r1bench.records.SampleRecord` per saved record (in sample order), made by
    the call the ``r1`` filter makes (:func:`r1bench.scoring.score_sample`): the raw output (lm-eval's
    ``resps``, else the record's ``raw_output``), the doc's shown options and stamps, and the saved
    finish_reason, token counts (a tokenizer's too: none is loaded here) and API error. The gold and
    the answer kind are the leaderboard's (:func:`gold_of`, the benchmark table), not the doc's claim.
    """
    from r1bench.scoring import saved_metadata, score_sample

    kind = task_kind(run.task, run.docs)
    out = []
    for d in run.docs:
        gold = gold_of(d)
        outputs = d.outputs if d.outputs is not None and len(d.outputs) == len(d.records) else None
        graded = []
        for i, rec in enumerate(d.records):
            idx = rec.get("sample_index", i)
            idx = idx if isinstance(idx, int) and not isinstance(idx, bool) else i
            raw = outputs[idx] if outputs is not None and 0 <= idx < len(outputs) else rec.get("raw_output")
            try:
                graded.append(score_sample(d.doc, raw if isinstance(raw, str) else "", idx,
                                           saved_metadata(rec, retokenized=True), saved=rec, gold=gold,
                                           kind=kind, timeout=timeout))
            except ValueError as exc:  # the doc's gold or options, never the model text
                raise ResultsFileError(run.samples_path, f"doc {d.doc_id} sample {idx} cannot be graded: {exc}",
                                       entry=f"line {d.line}", field="doc") from None
        out.append(graded)
    return out


def check_verdicts(run: TaskRun, regraded: list[list[Any]]) -> None:
    """Refuse a run whose stored verdicts differ from the re-grade; name the first differing sample."""
    for d, graded in zip(run.docs, regraded):
        for rec, new in zip(d.records, graded):
            if rec["correct"] is not new.correct:
                raise ResultsFileError(
                    run.samples_path,
                    f"doc {d.doc_id} sample {rec.get('sample_index', 0)} is stored as correct={rec['correct']} "
                    f"but r1bench's grader says {new.correct} (extracted {new.extracted!r}, gold "
                    f"{gold_of(d)!r}: {new.reason}); the samples file was edited or graded by another grader "
                    "version: re-score it (lm-eval --predict_only + r1bench) instead of editing it",
                    entry=f"line {d.line}", field="filtered_resps.correct")


def _check_reported(run: TaskRun, reported_keys: dict[str, float]) -> None:
    """The results JSON's pass@1 (required) and maj@k must match the re-graded samples (percent)."""
    rp = run.files.results_path
    res = run.results["results"].get(run.task)
    res = res if isinstance(res, dict) else {}
    if "pass@1,r1" not in res:
        raise ResultsFileError(rp, "no reported pass@1 to cross-check against the samples (was the "
                               "results JSON edited?); re-run lm-eval or restore the file",
                               entry=run.task, field=f"results.{run.task}.pass@1,r1")
    # pass@k is not compared: it depends on k, which a board may fix above the run's own (the
    # board's k check names that problem); the entry stores the re-graded value either way.
    for key, value in reported_keys.items():
        if key not in res:
            continue
        reported = res[key]
        if (not isinstance(reported, (int, float)) or isinstance(reported, bool) or not np.isfinite(reported)
                or abs(pct(reported) - value) > 1e-3):
            shown = pct(reported) if isinstance(reported, (int, float)) and not isinstance(reported, bool) else reported
            raise ResultsFileError(rp, f"{key.split(',')[0]} {shown} disagrees with its samples file "
                                   f"re-graded by r1bench ({value})", entry=run.task,
                                   field=f"results.{run.task}.{key}")


def verify_run(run: TaskRun, protocol: dict[str, Any] | None = None) -> None:
    """Refuse a forged or mis-graded run: re-grade every raw output against the docs' golds and
    compare with the stored verdicts (first differing sample named), the results JSON's pass@1
    (which must be there) and maj@k, and the stamped dataset fingerprint with the docs' own."""
    from r1bench.grading import answer_equality

    protocol = protocol or task_protocol(run)
    check_fingerprint(run, protocol)
    regraded = run.regraded if run.regraded is not None else regrade(run)
    check_verdicts(run, regraded)
    equal = answer_equality(task_kind(run.task, run.docs))
    per_doc = [doc_metrics([g.to_dict() for g in graded], gold_of(d), equal=equal)
               for d, graded in zip(run.docs, regraded)]
    _check_reported(run, {key: pct(np.mean([m[key.split(",")[0]] for m in per_doc]))
                          for key in ("pass@1,r1", "maj@k,r1")})

