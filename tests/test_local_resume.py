"""``r1bench eval`` (r1bench-hf, the embedded model on CPU) killed with SIGKILL mid-run, then resumed.

Slow (minutes on 2 cores): run with ``-m slow``. The runner logs every generation with its raw
token ids (tests/local_runner/run_eval.py), so the test counts generations and derives each
sample's finish reason from what ``generate`` itself returned.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).parent / "local_runner" / "run_eval.py"
# Batch size 1 (r1bench eval's default for the embedded model is 16, which would commit all six
# samples at once): samples finish one by one, so the kill lands between two commits.
ARGS = ["--tasks", "r1_smoke", "--limit", "3", "--max-gen-toks", "64", "--log_samples", "--batch_size", "1"]


def _start(store: Path, log: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1",
               HF_DATASETS_OFFLINE="1", R1BENCH_LOCAL_STORE=str(store), R1BENCH_TEST_GENERATION_LOG=str(log),
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "training"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, str(RUNNER), *ARGS, "--output_path", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=1800)
    assert proc.returncode == 0, err.decode()[-4000:]


def _stored(store: Path) -> int:
    path = store / "samples.sqlite"
    if not path.exists():
        return 0
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT COUNT(*) FROM samples WHERE ok = 1").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def _log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _samples(out: Path) -> list[dict]:
    lines = []
    for path in sorted(out.glob("*/samples_*.jsonl")):
        lines += [json.loads(x) for x in path.read_text().splitlines()]
    return sorted(lines, key=lambda x: (x["doc"]["r1_task"], x["doc_id"]))


def _results(out: Path) -> dict:
    (path,) = out.glob("*/results_*.json")
    return json.loads(path.read_text())["results"]


def test_sigkill_mid_run_then_resume_generates_each_sample_once(tmp_path):
    from transformers import AutoTokenizer

    from r1bench.models.default import ensure_default_model

    ref_log, log = tmp_path / "ref.log", tmp_path / "run.log"
    _wait(_start(tmp_path / "ref_store", ref_log, tmp_path / "ref"))
    total = len(_log(ref_log))
    assert total == sum(len(s["resps"][0]) for s in _samples(tmp_path / "ref")) > 4

    store = tmp_path / "store"
    proc = _start(store, log, tmp_path / "killed")
    deadline = time.monotonic() + 1500
    while _stored(store) < total // 3:
        assert proc.poll() is None, "the run finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = _stored(store)
    assert total // 3 <= finished < total

    _wait(_start(store, log, tmp_path / "resumed"))
    counts = Counter(entry["key"] for entry in _log(log))
    assert set(counts) == {entry["key"] for entry in _log(ref_log)}  # every sample generated
    # Once each; only a sample generated but not yet committed at the kill (batch size 1) twice.
    assert sum(counts.values()) - len(counts) <= 1 and max(counts.values()) <= 2

    # Results identical to the uninterrupted run with the same seeds.
    assert _results(tmp_path / "resumed") == _results(tmp_path / "ref")
    ref, resumed = _samples(tmp_path / "ref"), _samples(tmp_path / "resumed")
    assert [s["resps"] for s in resumed] == [s["resps"] for s in ref]
    assert [s["filtered_resps"] for s in resumed] == [s["filtered_resps"] for s in ref]

    # Finish reasons and token counts in the records are what generate() returned.
    tok = AutoTokenizer.from_pretrained(ensure_default_model())
    engine = {}
    for entry in _log(ref_log):
        ids, eos = entry["ids"], set(entry["eos"])
        at = next((i for i, t in enumerate(ids) if t in eos), None)
        text = tok.decode(ids if at is None else ids[:at], skip_special_tokens=True)
        engine[text] = ("length", len(ids)) if at is None else ("stop", at + 1)
    reasons = Counter()
    for line in resumed:
        for raw in line["filtered_resps"][0]:
            rec = json.loads(raw)
            assert (rec["finish_reason"], rec["completion_tokens"]) == engine[rec["raw_output"]]
            assert rec["tokens_estimated"] is False and rec["extra"]["token_count"] == "engine"
            reasons[rec["finish_reason"]] += 1
    assert sum(reasons.values()) == total
    print(f"[local resume] {total} samples, {finished} stored at the kill, finish reasons {dict(reasons)}")
