"""Benchmark contamination of a training set: 13-gram overlap and exact-question matches.

A training row is *contaminated* when it shares a word 13-gram with a benchmark question (lm-eval's
decontamination: text lowercased, ASCII punctuation deleted, split on whitespace; its ``Janitor``
normalisation and ``word_ngrams`` are used as they are) or when its question, normalised the same
way, equals a benchmark question (this catches short questions with no 13-gram, e.g. "Compute
$\\dbinom{8}{4}$."). Benchmarks: r1bench's MATH-500, AIME 2024, GPQA-Diamond and MoleculeQA loaders
(``--data-dir`` as for ``r1bench eval``), plus any question files given with ``--against``.

Reports name benchmark questions by task and id only, never by text: GPQA's authors ask that its
questions do not appear in plain text, and the report is the kind of file that gets shared.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from r1bench.registry import benchmark_tasks

__all__ = [
    "BENCHMARKS",
    "Hit",
    "ContaminationIndex",
    "ContaminationReport",
    "normalize_tokens",
    "build_index",
    "scan_rows",
    "add_contamination_args",
    "contamination_main",
    "index_from_args",
]

BENCHMARKS = tuple(t.name for t in benchmark_tasks())  # every benchmark in r1bench.registry
_QUESTION_KEYS = ("problem", "question", "prompt", "instruction", "query", "input")
_EXAMPLES = 20


@functools.cache
def _janitor() -> tuple[Callable[[str], str], Callable[[str, int], Iterator[str]]]:
    """lm-eval's normaliser and n-gram splitter (its import prints a C++-module warning: silenced)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        from lm_eval.decontamination.janitor import Janitor, word_ngrams
    return Janitor().normalize_string, word_ngrams


def _word_ngrams(normalized: str, n: int) -> Iterator[str]:
    return _janitor()[1](normalized, n)


def normalize_tokens(text: str) -> str:
    """lm-eval's normalisation (lowercase, punctuation deleted) with whitespace collapsed."""
    return " ".join(_janitor()[0](text).split())


def _ngrams(text: str, n: int) -> set[str]:
    return set(_word_ngrams(normalize_tokens(text), n))


@dataclass(frozen=True)
class Hit:
    """One contaminated training row: where it is, which benchmark question, and how it matched."""

    where: str
    task: str
    doc_id: str
    match: str  # "exact" or "ngram"
    ngrams: int  # shared n-grams (0 for an exact match without any)


@dataclass
class ContaminationIndex:
    """The benchmark questions as n-grams and as normalised whole questions."""

    n: int = 13
    ngram_to_docs: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    question_to_docs: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    questions: Counter = field(default_factory=Counter)  # task -> questions indexed
    skipped: dict[str, str] = field(default_factory=dict)  # task -> why it was not checked

    def add(self, task: str, doc_id: str, question: str) -> None:
        key = (task, str(doc_id))
        self.questions[task] += 1
        norm = normalize_tokens(question)
        if norm:
            self.question_to_docs[norm].add(key)
        for gram in _word_ngrams(norm, self.n):
            self.ngram_to_docs[gram].add(key)


def _doc_question(doc: dict[str, Any]) -> str:
    return str(doc.get("problem") or doc.get("question") or "")


def _row_question(row: dict[str, Any]) -> str | None:
    """The question of a training row: a question field, or the first user turn of a conversation."""
    for key in _QUESTION_KEYS:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, list):  # a chat prompt
            return _first_user(value)
    for key in ("messages", "conversations"):
        value = row.get(key)
        if isinstance(value, list):
            return _first_user(value)
    return None


def _first_user(turns: list[Any]) -> str | None:
    for turn in turns:
        if isinstance(turn, dict) and (turn.get("role") or turn.get("from")) in {"user", "human"}:
            text = turn.get("content") if "content" in turn else turn.get("value")
            if isinstance(text, str):
                return text
    return None


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a row (nested lists and dicts too): the text a model would train on."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def build_index(
    benchmarks: Iterable[str] = BENCHMARKS,
    *,
    data_dir: str | None = None,
    against: Iterable[str] = (),
    n: int = 13,
) -> ContaminationIndex:
    """Index the benchmarks' questions (and the question files ``against``); a benchmark that
    cannot be loaded (no data, gated) is recorded in ``skipped`` with the reason, not fatal."""
    from r1bench.datasets import DataError, load_task_docs
    from r1train.data.io import iter_source_rows

    index = ContaminationIndex(n=n)
    for task in benchmarks:
        try:
            docs = load_task_docs(task, data_dir=data_dir, verify=False)
        except (DataError, OSError, ValueError, KeyError, ImportError) as err:
            index.skipped[task] = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
            continue
        for doc in docs:
            index.add(task, str(doc.get("id")), _doc_question(doc))
    for path in against:
        name = Path(path).name
        for i, src in enumerate(iter_source_rows(path)):
            if isinstance(src.data, dict):
                question = _row_question(src.data)
                if question:
                    index.add(name, str(src.data.get("id", i)), question)
    return index


@dataclass
class ContaminationReport:
    """Rows scanned, rows contaminated, and hits per benchmark (ids and counts only)."""

    rows: int = 0
    contaminated_rows: int = 0
    hits: list[Hit] = field(default_factory=list)
    questions: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    n: int = 13

    def by_task(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for task in sorted(set(self.questions) | {h.task for h in self.hits}):
            hits = [h for h in self.hits if h.task == task]
            out[task] = {
                "questions": self.questions.get(task, 0),
                "questions_hit": len({h.doc_id for h in hits}),
                "rows_hit": len({h.where for h in hits}),
                "exact": sum(h.match == "exact" for h in hits),
                "ngram": sum(h.match == "ngram" for h in hits),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "ngram_n": self.n,
            "rows": self.rows,
            "contaminated_rows": self.contaminated_rows,
            "by_benchmark": self.by_task(),
            "not_checked": self.skipped,
            "hits": [h.__dict__ for h in self.hits],
        }

    def format(self) -> str:
        lines = [f"contamination ({self.n}-gram overlap and exact questions): {self.rows} rows scanned, "
                 f"{self.contaminated_rows} contaminated"]
        for task, c in self.by_task().items():
            lines.append(f"  {task}: {c['questions_hit']} of {c['questions']} questions hit by {c['rows_hit']} rows "
                         f"(exact {c['exact']}, {self.n}-gram {c['ngram']})")
        for task, why in self.skipped.items():
            lines.append(f"  {task}: NOT CHECKED ({why})")
        for h in self.hits[:_EXAMPLES]:
            how = "exact question" if h.match == "exact" else f"{h.ngrams} shared {self.n}-grams"
            lines.append(f"    {h.where} -> {h.task} id {h.doc_id} ({how})")
        if len(self.hits) > _EXAMPLES:
            lines.append(f"    ... {len(self.hits) - _EXAMPLES} more hits (--report writes them all)")
        return "\n".join(lines)


def row_hits(row: Any, where: str, index: ContaminationIndex, *, min_ngrams: int = 1) -> list[Hit]:
    """The benchmark questions one training row overlaps (empty when clean)."""
    if not isinstance(row, dict):
        return []
    exact: set[tuple[str, str]] = set()
    question = _row_question(row)
    if question:
        exact = index.question_to_docs.get(normalize_tokens(question), set())
    shared: Counter = Counter()
    grams: set[str] = set()
    for text in _strings(row):
        grams |= _ngrams(text, index.n)
    for gram in grams:
        for key in index.ngram_to_docs.get(gram, ()):
            shared[key] += 1
    hits = [Hit(where, task, doc_id, "exact", shared.get((task, doc_id), 0)) for task, doc_id in sorted(exact)]
    hits += [
        Hit(where, task, doc_id, "ngram", count)
        for (task, doc_id), count in sorted(shared.items())
        if count >= min_ngrams and (task, doc_id) not in exact
    ]
    return hits


def scan_rows(
    rows: Iterable[tuple[Any, str]], index: ContaminationIndex, *, min_ngrams: int = 1
) -> tuple[list[tuple[Any, str]], ContaminationReport]:
    """Scan ``(row, where)`` pairs; returns the clean pairs (in order) and the report."""
    report = ContaminationReport(questions=dict(index.questions), skipped=dict(index.skipped), n=index.n)
    clean = []
    for row, where in rows:
        report.rows += 1
        hits = row_hits(row, where, index, min_ngrams=min_ngrams)
        if hits:
            report.contaminated_rows += 1
            report.hits.extend(hits)
        else:
            clean.append((row, where))
    return clean, report


# ----------------------------------------------------------------------------------------------
# Command line (``r1train validate --contamination``, ``r1train convert --decontaminate``)


def add_contamination_args(p: argparse.ArgumentParser, *, convert: bool) -> None:
    """The contamination options of ``r1train validate`` / ``r1train convert``."""
    g = p.add_argument_group("contamination")
    if convert:
        g.add_argument("--decontaminate", action="store_true",
                       help="drop rows that overlap a benchmark question (13-gram or exact question) first")
    else:
        g.add_argument("--contamination", action="store_true",
                       help="check the inputs against the benchmarks' questions instead of validating traces")
        g.add_argument("--threshold", type=int, default=0,
                       help="exit 1 when more than this many rows are contaminated (default 0)")
    g.add_argument("--data-dir", default=None, help="local benchmark data folder (as for r1bench eval)")
    g.add_argument("--benchmarks", default=",".join(BENCHMARKS),
                   help=f"comma-separated r1bench tasks to check against (default {','.join(BENCHMARKS)})")
    g.add_argument("--against", action="append", default=[], metavar="FILE",
                   help="also check against the questions of this file or folder (repeatable)")
    g.add_argument("--ngram", type=int, default=13, help="n-gram length in words (default 13, as lm-eval)")
    g.add_argument("--min-ngrams", type=int, default=1, help="shared n-grams that make a row contaminated (default 1)")


def index_from_args(args: argparse.Namespace) -> ContaminationIndex:
    """Build the index the parsed options ask for; raises ValueError when nothing could be indexed."""
    tasks = [t.strip() for t in args.benchmarks.split(",") if t.strip()]
    index = build_index(tasks, data_dir=args.data_dir, against=args.against, n=args.ngram)
    if not index.questions:
        why = "; ".join(f"{t}: {w}" for t, w in index.skipped.items()) or "no benchmarks named"
        raise ValueError(f"no benchmark questions to check against ({why})")
    return index


def contamination_main(args: argparse.Namespace) -> int:
    """``r1train validate --contamination``: print the report; exit 1 above ``--threshold``."""
    from r1train.data.io import DataFileError, iter_source_rows

    try:
        index = index_from_args(args)

        def rows() -> Iterator[tuple[Any, str]]:
            for path in args.inputs:
                for src in iter_source_rows(path):
                    yield src.data, src.where

        _, report = scan_rows(rows(), index, min_ngrams=args.min_ngrams)
    except (DataFileError, ValueError) as err:
        print(f"r1train validate: {err}", file=sys.stderr)
        return 2
    print(report.format())
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        from r1bench.io import atomic_write_json

        atomic_write_json(args.report, report.to_dict())
    if report.contaminated_rows > args.threshold:
        print(f"contaminated rows {report.contaminated_rows} > threshold {args.threshold}", file=sys.stderr)
        return 1
    return 0
