"""Symbolic equivalence through math-verify, bounded in wall time in any thread or process.

math-verify bounds its own work with ``signal.alarm``, which only works in the main thread of the
main interpreter (lm-eval, API backends and thread pools grade elsewhere). So r1bench runs
math-verify, with its own timeouts off, inside a supervised worker process: the caller waits at most
``timeout`` seconds for the answer and, past that, kills the worker (a stuck sympy ``simplify``
cannot be interrupted any other way) and starts a fresh one for the next comparison.

Only math-verify's LaTeX extraction is used: its "expr" mode calls sympy's ``parse_expr``, which
evaluates Python, and model output must never reach it. The gold is wrapped as ``$...$`` (bare gold
such as ``\\frac52`` or ``1,2,3`` is mis-parsed otherwise).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

__all__ = ["SymbolicResult", "symbolic_equal", "shutdown_workers"]

logger = logging.getLogger(__name__)

Outcome = Literal["equal", "different", "timeout", "error", "unparsable"]

_MAX_INPUT = 2000  # characters; longer answers are not worth a symbolic attempt
_FORBIDDEN = ("__", "import", "lambda", "exec", "eval", "open(", "getattr", "globals")


@dataclass(frozen=True)
class SymbolicResult:
    outcome: Outcome
    detail: str = ""

    @property
    def equal(self) -> bool:
        return self.outcome == "equal"


def _compare(pred: str, gold: str) -> tuple[str, str]:
    """Runs inside the worker: parse both as LaTeX and verify (no timeouts: the parent kills)."""
    from math_verify import LatexExtractionConfig, parse, verify

    cfg = [LatexExtractionConfig(boxed_match_priority=0)]
    gold_parsed = parse(f"${gold}$", extraction_config=cfg, parsing_timeout=None)
    pred_parsed = parse(f"${pred}$", extraction_config=cfg, parsing_timeout=None)
    if not gold_parsed or not pred_parsed:
        return "unparsable", f"gold parsed: {bool(gold_parsed)}, prediction parsed: {bool(pred_parsed)}"
    ok = verify(gold_parsed, pred_parsed, timeout_seconds=None)
    return ("equal" if ok else "different"), ""


def _worker_main() -> None:  # pragma: no cover - runs in the child process
    """Read JSON lines ``[pred, gold]`` from stdin, answer ``[outcome, detail]`` on stdout."""
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but answers may reach the pipe
    import math_verify  # noqa: F401 - import before announcing readiness: start-up is not answer time

    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        try:
            pred, gold = json.loads(line)
            outcome, detail = _compare(pred, gold)
        except Exception as e:  # noqa: BLE001 - any parser failure is a verdict, not a crash
            outcome, detail = "error", f"{type(e).__name__}: {str(e)[:200]}"
        out.write(json.dumps([outcome, detail]) + "\n")
        out.flush()


_MODULE = "r1bench.grading.symbolic"


class _Worker:
    """One child process (``python -m r1bench.grading.symbolic``) and the pipes to it.

    A plain subprocess rather than ``multiprocessing``: spawn/forkserver re-import the caller's
    ``__main__`` module, which breaks unguarded user scripts and costs seconds in lm-eval.
    """

    def __init__(self) -> None:
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
        self.proc = subprocess.Popen(
            # Never the current folder on the import path: a math_verify.py there must not run.
            # (-P is 3.11+; on 3.10 the -c program drops the '' entry before importing anything.)
            [sys.executable, "-P", "-m", _MODULE] if sys.version_info >= (3, 11) else
            [sys.executable, "-c", f"import sys, runpy; sys.path.pop(0); runpy.run_module({_MODULE!r}, run_name='__main__')"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
            bufsize=1,
        )

        self.ready = False

    def _wait_ready(self, startup_timeout: float = 120.0) -> bool:
        """Wait for the worker's imports (sympy, math-verify) to finish, once."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], startup_timeout)
        self.ready = bool(ready) and self.proc.stdout.readline().strip() == "ready"
        return self.ready

    def ask(self, pred: str, gold: str, timeout: float) -> SymbolicResult:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            if not self.ready and not self._wait_ready():
                self.kill()
                return SymbolicResult("error", "worker failed to start")
            self.proc.stdin.write(json.dumps([pred, gold]) + "\n")
            self.proc.stdin.flush()
            ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
            if not ready:
                self.kill()
                return SymbolicResult("timeout", f"no answer within {timeout:g} s")
            line = self.proc.stdout.readline()
            if not line:
                self.kill()
                return SymbolicResult("error", "worker died")
            outcome, detail = json.loads(line)
            return SymbolicResult(outcome, detail)
        except (OSError, ValueError) as e:
            self.kill()
            return SymbolicResult("error", f"worker died: {type(e).__name__}")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(2)
        except Exception:  # noqa: BLE001
            pass

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(2)
        except Exception:  # noqa: BLE001
            self.kill()


class _Pool:
    """Workers handed out one per concurrent caller; a killed worker is replaced lazily."""

    def __init__(self, max_workers: int) -> None:
        self.max_workers = max_workers
        self.idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self.count = 0
        self.lock = threading.Lock()
        self.pid = os.getpid()

    def acquire(self) -> _Worker:
        """An idle worker, a new one while under ``max_workers``, else wait for one to come back."""
        while True:
            try:
                return self.idle.get_nowait()
            except queue.Empty:
                pass
            with self.lock:
                if self.count < self.max_workers:
                    self.count += 1
                    try:
                        return _Worker()
                    except Exception:
                        self.count -= 1
                        raise
            try:
                return self.idle.get(timeout=0.5)
            except queue.Empty:
                continue

    def release(self, worker: _Worker) -> None:
        if worker.alive:
            self.idle.put(worker)
        else:
            with self.lock:
                self.count -= 1

    def shutdown(self) -> None:
        while True:
            try:
                self.idle.get_nowait().close()
            except queue.Empty:
                break
        self.count = 0


_pool: _Pool | None = None
_pool_lock = threading.Lock()
_cache: OrderedDict[tuple[str, str], SymbolicResult] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 50_000


def _get_pool() -> _Pool:
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():  # a forked child needs its own workers
            workers = int(os.environ.get("R1BENCH_SYMBOLIC_WORKERS", "0")) or max(1, os.cpu_count() or 1)
            _pool = _Pool(workers)
        return _pool


def shutdown_workers() -> None:
    """Stop the symbolic worker processes (they are restarted on demand)."""
    global _pool
    with _pool_lock:
        if _pool is not None and _pool.pid == os.getpid():
            _pool.shutdown()
        _pool = None


atexit.register(shutdown_workers)


def symbolic_equal(pred: str, gold: str, timeout: float = 5.0) -> SymbolicResult:
    """math-verify's verdict on ``pred`` vs ``gold`` (both LaTeX without ``$``), within ``timeout`` s.

    Never raises for any input: failures come back as outcomes ``timeout``/``error``/``unparsable``.
    Results are cached (answers repeat across k samples and maj@k grouping).
    """
    if len(pred) > _MAX_INPUT or len(gold) > _MAX_INPUT:
        return SymbolicResult("unparsable", "answer too long for a symbolic comparison")
    lowered = pred.lower()
    if any(tok in lowered for tok in _FORBIDDEN):
        return SymbolicResult("unparsable", "answer contains code-like text")
    key = (pred, gold)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    pool = _get_pool()
    worker = pool.acquire()
    try:
        result = worker.ask(pred, gold, timeout)
    finally:
        pool.release(worker)
    # Timeouts and dead workers depend on machine load, not on the answers: never cached.
    if result.outcome != "timeout" and (result.outcome != "error" or "worker died" not in result.detail):
        with _cache_lock:
            _cache[key] = result
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return result


if __name__ == "__main__":  # pragma: no cover
    _worker_main()
