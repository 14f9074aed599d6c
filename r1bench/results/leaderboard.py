"""Leaderboard files: one per benchmark, a fixed protocol, and the runs r1bench measured.

:func:`add_entries` is the heart: a pure function from (board, new entries) to a new board that
refuses entries with fewer samples per question than the protocol's k, refuses a protocol that
differs from the board's (naming the field), and never duplicates an entry. A board's protocol
fields that are ``null`` are not fixed yet: the first run added fixes them (a run added with
--allow-partial never fixes ``n_questions``, which defaults to the benchmark's size anyway).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from r1bench.budget import PROTOCOL_FIELDS as BUDGET_PROTOCOL_FIELDS
from r1bench.registry import SAMPLING, get_task, leaderboard_tasks
from r1bench.results.schema import (
    SCHEMA_VERSION,
    ResultsFileError,
    atomic_write_text,
    dumps_canonical,
    load_document,
    validate_document,
)

__all__ = [
    "Benchmark",
    "BENCHMARKS",
    "TASK_TO_BENCHMARK",
    "PROTOCOL_FIELDS",
    "STRICT_PROTOCOL_FIELDS",
    "PARTIAL_EXEMPT",
    "ProtocolMismatch",
    "TooFewSamples",
    "default_protocol",
    "new_board",
    "load_board",
    "save_board",
    "entry_id",
    "compare_protocol",
    "add_entries",
    "AddOutcome",
    "board_path_for",
    "load_or_new_board",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Benchmark:
    """A leaderboard benchmark: its id, lm-eval task, display name, size and default k."""

    id: str
    task: str
    title: str
    n_questions: int
    default_k: int
    kind: str  # "math" or "choice"


# A view of the task registry (r1bench.registry), where each benchmark's facts are written.
BENCHMARKS: dict[str, Benchmark] = {
    t.leaderboard: Benchmark(t.leaderboard, t.name, t.title, t.n_questions, t.k, t.kind)
    for t in leaderboard_tasks()
    if t.leaderboard is not None
}
TASK_TO_BENCHMARK = {b.task: b.id for b in BENCHMARKS.values()}

# Compared between a run and its board, in this order (the first difference is reported).
PROTOCOL_FIELDS = (
    "task", "task_version", "k", "temperature", "top_p", "max_gen_toks", "do_sample",
    "prompt_preset", "prompt_hash", "grader_version", "n_questions", "dataset_fingerprint",
)
# Compared exactly, a missing field as null: a run that changed how it generates (a loop guard, any
# budget-forcing option) never lands on a board of runs that did not, nor the reverse. Boards
# written before these fields existed lack them, i.e. hold unguarded, unbudgeted runs.
STRICT_PROTOCOL_FIELDS = ("loop_guard", *BUDGET_PROTOCOL_FIELDS)
# A run accepted with --allow-partial neither fixes nor is compared on these when it has no value for
# them, and never on n_questions (its question count is its --limit).
PARTIAL_EXEMPT = ("n_questions", "dataset_fingerprint")


class ProtocolMismatch(ValueError):
    """A run's protocol differs from its board's in ``field``."""

    def __init__(self, field: str, board_value: Any, run_value: Any, board: str) -> None:
        self.field, self.board_value, self.run_value = field, board_value, run_value
        super().__init__(
            f"protocol field '{field}' differs from the board {board}: board has {board_value!r}, "
            f"run has {run_value!r} (use --board PATH for a separate board with this protocol)"
        )


class TooFewSamples(ValueError):
    """A run has fewer samples per question than its protocol's k."""


def default_protocol(benchmark: str) -> dict[str, Any]:
    """The DeepSeek-R1 protocol for ``benchmark``; run-specific fields are null until a run fixes them.

    ``n_questions`` is the benchmark's known size, so a --limit run can never shrink the board.
    """
    b = BENCHMARKS[benchmark]
    return {
        "task": b.task,
        "task_version": None,
        "k": b.default_k,
        "temperature": SAMPLING["temperature"],
        "top_p": SAMPLING["top_p"],
        "max_gen_toks": get_task(b.task).max_gen_toks,
        "do_sample": SAMPLING["do_sample"],
        "prompt_preset": None,
        "prompt_hash": None,
        "grader_version": None,
        "n_questions": b.n_questions,
        "dataset_fingerprint": None,
    }


def new_board(benchmark: str, protocol: dict[str, Any] | None = None) -> dict[str, Any]:
    """An empty board for ``benchmark`` (default protocol unless one is given)."""
    b = BENCHMARKS[benchmark]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "leaderboard",
        "benchmark": benchmark,
        "task": b.task,
        "description": f"{b.title} runs measured by r1bench (pass@1 = mean over k samples, percent).",
        "protocol": dict(protocol or default_protocol(benchmark)),
        "entries": [],
    }


def empty_board(benchmark: str) -> dict[str, Any]:
    """The board a checkout commits before any run: the default protocol, with the question-set
    fingerprint r1bench pins for the benchmark (open where none is pinned), so a tampered first run
    cannot fix it. ``r1bench tasks write`` creates it for a new benchmark."""
    from r1bench.datasets.specs import pinned_fingerprints

    board = new_board(benchmark)
    pins = pinned_fingerprints(BENCHMARKS[benchmark].task)
    board["protocol"]["dataset_fingerprint"] = pins[0] if pins else None
    return board


def board_text(board: dict[str, Any], path: str | Path = "<board>") -> str:
    """The file text :func:`save_board` writes for ``board`` (validated; entries in a stable order)."""
    board = copy.deepcopy(board)
    board["entries"].sort(key=lambda e: (e["model"]["name"], e["date"] or "", e["id"]))
    validate_document(board, path)
    return dumps_canonical(board)


def load_board(path: str | Path) -> dict[str, Any]:
    """Read and validate a leaderboard file."""
    return load_document(path, kind="leaderboard")


def save_board(path: str | Path, board: dict[str, Any]) -> None:
    """Validate, then write atomically (temp file + rename); entries kept in a stable order."""
    atomic_write_text(path, board_text(board, path))


def entry_id(model: dict[str, Any], protocol: dict[str, Any], run_hash: str) -> str:
    """Stable 16-hex id from model (name, revision, adapter), protocol and the run's samples hash."""
    key = {
        "model": [model.get("name"), model.get("revision"), model.get("adapter")],
        "protocol": {f: protocol.get(f) for f in PROTOCOL_FIELDS},
        "run_hash": run_hash,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def compare_protocol(board_protocol: dict[str, Any], run_protocol: dict[str, Any], board: str = "", *,
                     skip: tuple[str, ...] = ()) -> None:
    """Raise ProtocolMismatch on the first field that differs; board nulls (and ``skip``) match anything
    among :data:`PROTOCOL_FIELDS`, :data:`STRICT_PROTOCOL_FIELDS` must be equal (missing = null)."""
    for name in PROTOCOL_FIELDS:
        if name in skip:
            continue
        want = board_protocol.get(name)
        if want is None:
            continue
        got = run_protocol.get(name)
        if not _same(want, got):
            raise ProtocolMismatch(name, want, got, board)
    # A loop-guarded run stops looping samples early, a budgeted one stops thinking early: never on
    # a board of runs that did not (missing and null are the same: not used).
    for name in STRICT_PROTOCOL_FIELDS:
        want, got = board_protocol.get(name), run_protocol.get(name)
        if want != got:
            raise ProtocolMismatch(name, want, got, board)


@dataclass(frozen=True)
class AddOutcome:
    """What :func:`add_entries` did: the new board and the ids added / skipped as duplicates."""

    board: dict[str, Any]
    added: tuple[str, ...]
    duplicates: tuple[str, ...]


def add_entries(board: dict[str, Any], entries: list[dict[str, Any]], *, board_name: str = "") -> AddOutcome:
    """Return a new board with ``entries`` added; refuse short runs and protocol changes, skip duplicates."""
    out = copy.deepcopy(board)
    proto = out["protocol"]
    added: list[str] = []
    dups: list[str] = []
    for entry in entries:
        if entry["samples_per_question"] < proto["k"]:
            raise TooFewSamples(
                f"{entry['protocol']['task']}: {entry['samples_per_question']} sample(s) per question, "
                f"below the protocol's k = {proto['k']} for board {board_name}; pass@1 over fewer "
                f"samples is not comparable (generate k = {proto['k']} with lm-eval's repeats)"
            )
        partial = bool(entry.get("partial"))
        exempt = _partial_exempt(entry) if partial else ()
        compare_protocol(proto, entry["protocol"], board_name, skip=exempt)
        ids = {e["id"] for e in out["entries"]}
        hashes = {e["run_hash"]: e["id"] for e in out["entries"]}
        if entry["id"] in ids:
            dups.append(entry["id"])
            continue
        if entry["run_hash"] in hashes:
            log.info("samples of %s already on the board as entry %s", entry["id"], hashes[entry["run_hash"]])
            dups.append(hashes[entry["run_hash"]])
            continue
        for name in PROTOCOL_FIELDS:  # the first run fixes what the board left open
            if proto.get(name) is None and name not in exempt:
                proto[name] = entry["protocol"].get(name)
        out["entries"].append(copy.deepcopy(entry))
        added.append(entry["id"])
    return AddOutcome(out, tuple(added), tuple(dups))


def _partial_exempt(entry: dict[str, Any]) -> tuple[str, ...]:
    """Protocol fields not compared for a partial entry: its size, and a fingerprint it could not stamp."""
    return tuple(f for f in PARTIAL_EXEMPT if f == "n_questions" or entry["protocol"].get(f) is None)


def board_path_for(results_dir: str | Path, benchmark: str, protocol: dict[str, Any] | None = None) -> Path:
    """Default board file of a benchmark: ``<results_dir>/leaderboards/<benchmark>.json``; a run with a
    thinking budget goes on that budget's own board, ``<benchmark>_budget<B>[_extend<N>][_answer<M>]
    [_cue<hash>].json`` (its other budget-forcing options, where they are not the defaults)."""
    from r1bench.budget import DEFAULT_ANSWER_CUE

    name, p = benchmark, protocol or {}
    if p.get("thinking_budget") is not None:
        name += f"_budget{p['thinking_budget']}"
        if p.get("thinking_extend"):
            name += f"_extend{p['thinking_extend']}"
        if p.get("thinking_answer_tokens"):
            name += f"_answer{p['thinking_answer_tokens']}"
        if p.get("thinking_answer_cue") not in (None, DEFAULT_ANSWER_CUE):  # any text: named by its hash
            name += "_cue" + hashlib.sha256(str(p["thinking_answer_cue"]).encode()).hexdigest()[:6]
    return Path(results_dir) / "leaderboards" / f"{name}.json"


def load_or_new_board(path: str | Path, benchmark: str) -> dict[str, Any]:
    """The board at ``path`` (validated, benchmark checked) or a fresh one if the file is absent."""
    p = Path(path)
    if not p.exists():
        return new_board(benchmark)
    board = load_board(p)
    if board["benchmark"] != benchmark:
        raise ResultsFileError(p, f"board is for {board['benchmark']!r}, the run is {benchmark!r}",
                               field="benchmark")
    return board
