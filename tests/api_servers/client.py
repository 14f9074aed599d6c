"""Run the store's command-line client (run_client.py) in a subprocess and read what it stored:
shared by the resume tests of the plain and the streamed path."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from api_servers.fault_server import body_key

CLIENT = Path(__file__).parent / "run_client.py"


def start_client(srv, store, out, *extra):
    cmd = [sys.executable, str(CLIENT), "--url", srv.base_url, "--store", str(store), "--out", str(out), *extra]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_ok(proc, timeout=200):
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err.decode()[-3000:]


def stored_ok(store_file: Path) -> dict[str, dict]:
    """Server key -> stored result, for the samples committed to the store."""
    if not store_file.exists():
        return {}
    con = sqlite3.connect(f"file:{store_file}?mode=ro", uri=True, timeout=30)
    try:
        rows = con.execute("SELECT payload, result FROM samples WHERE ok = 1").fetchall()
    except sqlite3.OperationalError:  # table not created yet
        return {}
    finally:
        con.close()
    return {body_key(json.loads(p)): json.loads(r) for p, r in rows}


def comparable(path: Path) -> list[tuple]:
    data = json.loads(path.read_text())
    # the store key differs between the two servers (its endpoint has another port): not compared
    return [(r["text"], r["finish_reason"], json.dumps(r["usage"], sort_keys=True), r["error"])
            for r in data["results"]]
