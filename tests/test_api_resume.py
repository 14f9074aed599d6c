"""Durability of the sample store: SIGKILL mid-run then resume, and two processes on one store."""

from __future__ import annotations

import json
import signal
import sqlite3
import time

import pytest
from api_servers.client import comparable as _comparable
from api_servers.client import start_client as _client
from api_servers.client import stored_ok as _stored_ok
from api_servers.client import wait_ok as _wait
from api_servers.fault_server import FaultServer

pytestmark = [pytest.mark.server, pytest.mark.timeout(300)]

N = 300


def test_sigkill_mid_run_then_resume(tmp_path):
    # Uninterrupted reference run on its own server and store.
    with FaultServer(latency=0.03, random_fault_rate=0.15) as ref_srv:
        p = _client(ref_srv, tmp_path / "ref_store", tmp_path / "ref.json", "--n", str(N))
        _wait(p)
        assert all(v == 1 for v in ref_srv.served_ok.values()) and len(ref_srv.served_ok) == N

    with FaultServer(latency=0.03, random_fault_rate=0.15) as srv:
        store = tmp_path / "store"
        p = _client(srv, store, tmp_path / "killed.json", "--n", str(N))
        deadline = time.monotonic() + 120
        while len(_stored_ok(store / "samples.sqlite")) < N // 3:
            assert p.poll() is None, "client finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert p.returncode == -signal.SIGKILL
        time.sleep(0.5)  # let requests that were in flight at the kill finish on the server side
        finished = _stored_ok(store / "samples.sqlite")
        assert N // 3 <= len(finished) < N
        served_before = dict(srv.served_ok)

        p = _client(srv, store, tmp_path / "resumed.json", "--n", str(N))
        _wait(p)
        resumed = json.loads((tmp_path / "resumed.json").read_text())
        assert resumed["summary"]["failed"] == 0 and resumed["summary"]["total"] == N
        assert resumed["summary"]["from_store"] >= len(finished)

        # Each finished sample was answered exactly once: never re-sent after the restart.
        for key in finished:
            assert srv.served_ok[key] == 1, key
        # Every sample answered at least once; only those in flight at the kill twice.
        assert len(srv.served_ok) == N
        twice = [k for k, v in srv.served_ok.items() if v > 1]
        assert all(v <= 2 for v in srv.served_ok.values())
        assert len(twice) <= 8  # at most num_concurrent were in flight
        assert all(k not in finished for k in twice)
        sent_after = {k for k, v in srv.served_ok.items() if v > served_before.get(k, 0)}
        assert sent_after == set(srv.served_ok) - set(finished)

    # Results equal the uninterrupted run.
    assert _comparable(tmp_path / "resumed.json") == _comparable(tmp_path / "ref.json")


def test_two_processes_share_one_store(tmp_path):
    store = tmp_path / "shared"
    with FaultServer(latency=0.01, random_fault_rate=0.1) as srv:
        # Overlapping halves, k=2 samples each: both write the overlap at the same time.
        a = _client(srv, store, tmp_path / "a.json", "--n", "150", "--k", "2", "--start", "0")
        b = _client(srv, store, tmp_path / "b.json", "--n", "150", "--k", "2", "--start", "50")
        _wait(a)
        _wait(b)
        total_keys = 200 * 2
        con = sqlite3.connect(store / "samples.sqlite")
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*), SUM(ok) FROM samples").fetchone() == (total_keys, total_keys)
        con.close()

        ra = {r["key"]: r for r in json.loads((tmp_path / "a.json").read_text())["results"]}
        rb = {r["key"]: r for r in json.loads((tmp_path / "b.json").read_text())["results"]}
        assert len(ra) == 300 and len(rb) == 300
        for key in ra.keys() & rb.keys():  # both processes report the one stored answer
            assert ra[key]["text"] == rb[key]["text"]
        assert all(r["error"] is None for r in [*ra.values(), *rb.values()])

        # A third run over everything sends nothing: all 400 samples are in the store.
        before = sum(srv.received.values())
        c = _client(srv, store, tmp_path / "c.json", "--n", "200", "--k", "2")
        _wait(c)
        assert sum(srv.received.values()) == before
        summary = json.loads((tmp_path / "c.json").read_text())["summary"]
        assert summary["from_store"] == total_keys and summary["sent"] == 0
