"""The durable sample store: one SQLite row per finished (or failed) sample, keyed by content.

Shared by every backend that generates: ``r1bench-chat`` (API) and the local ``r1bench-hf`` /
``r1bench-vllm`` models. The key is a hash of the endpoint (an URL, or ``local:hf`` /
``local:vllm``), the request body (model identity, prompt or messages, generation parameters,
per-sample seed) and the sample index; never an API key, which is not part of the body. SQLite in
WAL mode with ``synchronous=FULL`` makes each committed sample survive ``kill -9`` and power loss,
and lets several processes share one store: writers wait on SQLite's lock (``busy_timeout``), a
successful sample is never overwritten by a failure, and the first success stored wins.
Keep the store on a local disk: SQLite locking over NFS is unreliable.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["SampleStore", "StoredSample", "request_key", "assign_sample_indices", "KEY_VERSION"]

KEY_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    sample_index INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    error TEXT,
    attempts INTEGER NOT NULL,
    payload TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_ok ON samples (ok);
"""


# A budget step's row (r1bench.api.budget_client.STEP_FIELD in its payload).
_IS_STEP = "(instr(payload, '\"r1bench_budget_step\":') > 0)"


def request_key(endpoint: str, payload: dict[str, Any], sample_index: int) -> str:
    """Content key of one sample: sha256 over endpoint, body and sample index (canonical JSON)."""
    blob = json.dumps(
        {
            "v": KEY_VERSION,
            "endpoint": endpoint.rstrip("/"),
            "payload": payload,
            "sample_index": int(sample_index),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def assign_sample_indices(pairs: list[tuple[Any, dict]]) -> list[int]:
    """The i-th occurrence of an identical (prompt, gen_kwargs) pair gets index i, in order.
    lm-eval sends ``repeats: k`` copies of a request back to back, so they get 0..k-1: each its
    own seed and store key."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for messages, gen_kwargs in pairs:
        sig = json.dumps([messages, gen_kwargs], sort_keys=True, default=str)
        out.append(seen[sig])
        seen[sig] += 1
    return out


class StoredSample(dict):
    """A stored row: ``ok``, ``error``, ``attempts``, ``payload`` (dict), ``result`` (dict)."""


class SampleStore:
    """SQLite-backed store. One instance per thread (SQLite connections are not shared)."""

    def __init__(self, path: str | Path, *, busy_timeout_s: float = 120.0) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(self.path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        # Switching a new file to WAL (and creating the schema) takes a lock that SQLite does not
        # wait for through busy_timeout: several processes opening one new store at once get
        # "database is locked" immediately. Retry those two steps with backoff.
        deadline = time.monotonic() + busy_timeout_s
        delay = 0.01
        while True:
            try:
                mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise RuntimeError(f"{self.path}: SQLite could not switch to WAL mode (got {mode})")
                self._conn.execute("PRAGMA synchronous = FULL")
                self._conn.executescript(_SCHEMA)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(delay + random.random() * delay)
                delay = min(delay * 2, 0.5)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SampleStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_many(self, keys: Iterable[str]) -> dict[str, StoredSample]:
        """Stored rows for the given keys (missing keys are absent from the result)."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, StoredSample] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT key, ok, error, attempts, payload, result FROM samples WHERE key IN ({marks})",  # noqa: S608
                chunk,
            ).fetchall()
            for key, ok, error, attempts, payload, result in rows:
                found[key] = StoredSample(
                    ok=bool(ok),
                    error=error,
                    attempts=attempts,
                    payload=json.loads(payload),
                    result=json.loads(result),
                )
        return found

    def put(self, key: str, **fields: Any) -> StoredSample:
        """Store one sample durably (see :meth:`put_many`) and return the row now in the store."""
        return self.put_many([(key, fields)])[0]

    def put_many(self, items: list[tuple[str, dict[str, Any]]]) -> list[StoredSample]:
        """Store samples in one transaction (one fsync) and return the rows now in the store.

        Each item is ``(key, fields)`` with fields model, endpoint, sample_index, payload, result,
        ok, error, attempts and optional overwrite_ok. A stored success is kept unless
        ``overwrite_ok`` (a ``fresh`` run): another process may have stored it first, and then
        its row is returned."""
        now = time.time()
        written: list[bool] = []
        self._conn.execute("BEGIN IMMEDIATE")  # waits for other writers (busy_timeout)
        try:
            for key, f in items:
                cursor = self._conn.execute(
                    """
                    INSERT INTO samples (key, model, endpoint, sample_index, ok, error, attempts,
                                         payload, result, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET
                        ok = excluded.ok, error = excluded.error, attempts = excluded.attempts,
                        payload = excluded.payload, result = excluded.result,
                        updated_at = excluded.updated_at
                    WHERE samples.ok = 0 OR ?
                    """,
                    (
                        key,
                        f["model"],
                        f["endpoint"],
                        int(f["sample_index"]),
                        int(bool(f["ok"])),
                        f["error"],
                        int(f["attempts"]),
                        json.dumps(f["payload"], ensure_ascii=False),
                        json.dumps(f["result"], ensure_ascii=False),
                        now,
                        now,
                        int(bool(f.get("overwrite_ok", False))),
                    ),
                )
                written.append(cursor.rowcount == 1)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")  # fsync'd (synchronous=FULL): durable from here on
        kept = self.get_many([k for (k, _), w in zip(items, written) if not w])
        out = []
        for (key, f), w in zip(items, written):
            if w:  # our row is the stored one
                out.append(StoredSample(ok=bool(f["ok"]), error=f["error"], attempts=int(f["attempts"]),
                                        payload=f["payload"], result=f["result"]))
            else:  # another process stored a success first: use it
                out.append(kept[key])
        return out

    def counts(self) -> dict[str, int]:
        """Number of stored samples: ``{"ok": n, "failed": m}`` (budget-forcing phases not counted:
        :meth:`step_count`)."""
        rows = self._conn.execute(
            f"SELECT ok, COUNT(*) FROM samples WHERE NOT {_IS_STEP} GROUP BY ok"  # noqa: S608
        ).fetchall()
        by = {bool(ok): n for ok, n in rows}
        return {"ok": by.get(True, 0), "failed": by.get(False, 0)}

    def step_count(self) -> int:
        """Rows that are phases of budget-forced samples (``r1bench_budget_step`` in their payload),
        kept so a resumed run never regenerates a finished phase; not samples."""
        return int(self._conn.execute(f"SELECT COUNT(*) FROM samples WHERE {_IS_STEP}").fetchone()[0])  # noqa: S608

    def failures(self, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent failed samples (key, model, sample index, error); failed budget steps are
        left out (their sample is failed too, with the step named in its error)."""
        rows = self._conn.execute(
            "SELECT key, model, sample_index, error, attempts FROM samples "
            f"WHERE ok = 0 AND NOT {_IS_STEP} ORDER BY updated_at DESC LIMIT ?",  # noqa: S608
            (int(limit),),
        ).fetchall()
        return [
            {"key": k, "model": m, "sample_index": i, "error": e, "attempts": a}
            for k, m, i, e, a in rows
        ]

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` says ok."""
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
