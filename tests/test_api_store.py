"""The sample store's write rules: a success is never replaced by a failure or a later success
(unless fresh), failures are replaced by anything, and a batch is one transaction."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3

import pytest

from r1bench.api import SampleStore

FIELDS = dict(model="m", endpoint="http://x/v1/chat/completions", sample_index=0, payload={"messages": []})


def _put(store, key, text, ok, **kw):
    return store.put(key, result={"text": text}, ok=ok, error=None if ok else f"err {text}", attempts=1, **FIELDS, **kw)


# sequence of (text, ok, overwrite_ok) -> stored text and ok after each write
SEQUENCES = [
    ([("a", False, False), ("b", True, False)], [("a", False), ("b", True)]),
    ([("a", True, False), ("b", False, False)], [("a", True), ("a", True)]),
    ([("a", True, False), ("b", True, False)], [("a", True), ("a", True)]),
    ([("a", True, False), ("b", True, True)], [("a", True), ("b", True)]),
    ([("a", False, False), ("b", False, False), ("c", True, False)], [("a", False), ("b", False), ("c", True)]),
]


@pytest.mark.parametrize("writes, expected", SEQUENCES)
def test_write_rules(tmp_path, writes, expected):
    with SampleStore(tmp_path / "s.sqlite") as store:
        for (text, ok, overwrite), (want_text, want_ok) in zip(writes, expected):
            row = _put(store, "k", text, ok, overwrite_ok=overwrite)
            assert (row["result"]["text"], row["ok"]) == (want_text, want_ok)
            assert store.get_many(["k"])["k"]["result"]["text"] == want_text


def test_counts_failures_and_integrity(tmp_path):
    with SampleStore(tmp_path / "s.sqlite") as store:
        for i in range(5):
            _put(store, f"ok{i}", "x", True)
        for i in range(3):
            _put(store, f"bad{i}", "y", False)
        assert store.counts() == {"ok": 5, "failed": 3}
        assert {f["key"] for f in store.failures()} == {"bad0", "bad1", "bad2"}
        assert store.integrity_ok()
        assert store.get_many(["ok0", "missing"]).keys() == {"ok0"}


def test_wal_mode_and_full_sync(tmp_path):
    SampleStore(tmp_path / "s.sqlite").close()
    con = sqlite3.connect(tmp_path / "s.sqlite")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _writer(path, prefix, n):
    with SampleStore(path) as store:
        for i in range(n):
            store.put_many([(f"{prefix}{i}", dict(result={"text": prefix}, ok=True, error=None, attempts=1, **FIELDS)),
                            (f"shared{i}", dict(result={"text": prefix}, ok=True, error=None, attempts=1, **FIELDS))])


def test_concurrent_writers_from_processes(tmp_path):
    path = tmp_path / "s.sqlite"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, p, 200)) for p in ("a", "b", "c")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with SampleStore(path) as store:
        assert store.integrity_ok()
        assert store.counts() == {"ok": 800, "failed": 0}
        shared = store.get_many([f"shared{i}" for i in range(200)])
        assert len(shared) == 200  # each shared key written once by whoever came first


def _open_and_write(path, i):
    with SampleStore(path) as store:
        store.put_many([(f"k{i}", dict(result={"text": "x"}, ok=True, error=None, attempts=1, **FIELDS))])


def test_many_processes_opening_a_new_store_at_once(tmp_path):
    """Switching a fresh file to WAL is not covered by busy_timeout; opening must retry."""
    path = tmp_path / "fresh.sqlite"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_open_and_write, args=(path, i)) for i in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with SampleStore(path) as store:
        assert store.counts() == {"ok": 8, "failed": 0}
