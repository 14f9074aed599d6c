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
import functools
import json
import logging
import math
import os
import queue
import re
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from r1bench.grading.cache import BoundedCache
from r1bench.grading.numeric import NotNumeric, evaluate

__all__ = ["SymbolicResult", "symbolic_equal", "prescreen", "shutdown_workers", "startup_seconds"]

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


# ---------------------------------------------------------------- cheap pre-checks (parent process)

# Letters are variables except e and i (constants to math-verify) and a letter that calls: f(x).
_COMMAND_OR_LETTER_RE = re.compile(r"\\[A-Za-z]+|[A-Za-z]")
_PROBE_POINTS = ((Fraction(13, 7), Fraction(29, 11), Fraction(41, 17), Fraction(53, 23), Fraction(67, 31)),
                 (Fraction(31, 5), Fraction(8, 9), Fraction(19, 3), Fraction(45, 13), Fraction(7, 4)),
                 # Negative values too: sqrt{x^2} is not x (and a root of a negative stops the probe).
                 (Fraction(-5, 11), Fraction(-37, 8), Fraction(-11, 6), Fraction(-23, 7), Fraction(-59, 19)))
_MAX_PROBE_VARS = 5


def _letters(s: str) -> set[str] | None:
    """The one-letter variables of ``s``; None when ``s`` has something a probe must not guess at
    (e or i, a letter applied to parentheses, a subscript, a relation, a ``/`` whose scope with
    implicit multiplication is ambiguous, or more than five variables)."""
    if any(c in s for c in "_=<>/|!'") or "\\div" in s:
        return None
    found = set()
    for m in _COMMAND_OR_LETTER_RE.finditer(s):
        tok = m.group(0)
        if tok.startswith("\\"):
            continue
        if tok in "eEiI" or s[m.end() : m.end() + 1] == "(":
            return None
        found.add(tok)
    return found if len(found) <= _MAX_PROBE_VARS else None


def _at(s: str, values: dict[str, Fraction]):
    """``s`` evaluated with each variable replaced by its value (``(13/7)``)."""
    def sub(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok.startswith("\\"):
            return tok
        v = values[tok]
        return f"({v.numerator}/{v.denominator})"

    # Spaces only separate a command from a letter ("\\pi x"); with the letters replaced, they go.
    return evaluate("".join(_COMMAND_OR_LETTER_RE.sub(sub, s).split()))


def _close(a, b) -> bool:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


_COMMAND_RE = re.compile(r"\\[A-Za-z]+")
_LETTER_RE = re.compile(r"[A-Za-z]")


def _eval(s: str):
    return evaluate("".join(s.split()))  # a space only ends a command name ("\\pi i")


def _complex_parts(s: str):
    """``a+bi`` -> (a, b) for a complex number written with ``i`` once, last (``6-5i``,
    ``\\frac{1}{2}+\\frac{\\sqrt{3}}{2}i``, ``-i``); a real number -> (a, 0); None otherwise."""
    bare = _COMMAND_RE.sub("", s)
    if "i" not in bare:
        return None if _LETTER_RE.search(bare) else (_eval(s), Fraction(0))
    if bare.count("i") != 1 or not bare.endswith("i") or not s.endswith("i") or s[:-1].rstrip().endswith(
        tuple("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ) or _LETTER_RE.search(bare[:-1]):
        return None
    depth, split = 0, 0
    for k, c in enumerate(s[:-1]):
        depth += (c in "({[") - (c in ")}]")
        if depth == 0 and c in "+-" and k > 0 and s[k - 1] not in "^_":
            split = k
    real = _eval(s[:split]) if split else Fraction(0)
    coef = s[split:-1].strip()
    imag = Fraction(1) if coef in ("", "+") else Fraction(-1) if coef == "-" else _eval(coef)
    return real, imag


def _verdict(a: tuple, b: tuple, why: str) -> SymbolicResult | None:
    """Equal / different from two tuples of values; None when floats are close but not equal."""
    if all(isinstance(x, Fraction) for x in (*a, *b)):
        return SymbolicResult("equal" if a == b else "different", why)
    if all(math.isclose(float(x), float(y), rel_tol=1e-12, abs_tol=1e-15) for x, y in zip(a, b)):
        return SymbolicResult("equal", why)
    if any(not math.isclose(float(x), float(y), rel_tol=1e-4, abs_tol=1e-9) for x, y in zip(a, b)):
        return SymbolicResult("different", why)
    return None  # 3.14159 against \pi: a truncated value is math-verify's call


def _affine(lhs: str, rhs: str, names: list[str]) -> tuple[Fraction, ...] | None:
    """Coefficients (constant, then one per variable) of ``lhs - rhs`` when it is affine in the
    variables (checked at two more points, in exact rationals); None otherwise."""
    base = dict(zip(names, _PROBE_POINTS[0]))

    def f(values: dict[str, Fraction]) -> Fraction:
        v = _at(lhs, values) - _at(rhs, values)
        if not isinstance(v, Fraction):
            raise NotNumeric("not rational")
        return v

    f0 = f(base)
    coefs = []
    for k in names:
        coefs.append(f({**base, k: base[k] + 1}) - f0)
    const = f0 - sum(c * base[k] for c, k in zip(coefs, names))
    for point in _PROBE_POINTS[1:]:
        q = dict(zip(names, point))
        if f(q) != const + sum(c * q[k] for c, k in zip(coefs, names)):
            return None
    return (const, *coefs)


def _linear_equations(pred: str, gold: str) -> SymbolicResult | None:
    """Two linear equations in two or more variables (``5x-7y+11z+4=0``, a line, a plane) are the
    same when one is a nonzero multiple of the other (what math-verify's solve-and-compare finds)."""
    if pred.count("=") != 1 or gold.count("=") != 1:
        return None
    sides = [*pred.split("="), *gold.split("=")]
    letters = [_letters(x) for x in sides]
    if any(x is None for x in letters) or any(not x.strip() for x in sides):
        return None
    names = sorted(set().union(*letters))
    # One variable: "2x=4" against "x=2" is math-verify's call (it solves for a value).
    if len(names) < 2 or len(names) > _MAX_PROBE_VARS:
        return None
    try:
        a, b = _affine(sides[0], sides[1], names), _affine(sides[2], sides[3], names)
    except (NotNumeric, ArithmeticError, ValueError, RecursionError, OverflowError):
        return None
    if a is None or b is None or not any(a[1:]) or not any(b[1:]):
        return None
    k = next(i for i in range(1, len(a)) if b[i])
    ratio = a[k] / b[k]
    same = ratio != 0 and all(x == ratio * y for x, y in zip(a, b))
    return SymbolicResult("equal" if same else "different", "linear equations compared by their coefficients")


def prescreen(pred: str, gold: str) -> SymbolicResult | None:
    """A verdict without math-verify for two common shapes, or None (ask math-verify).

    Expressions in one-letter variables (``x^5-x^4+1``, ``(a+5)(b+2)``, ``\\frac{11+9a}{20}``) are
    evaluated by the safe numeric evaluator at fixed rational points: a clearly different value at
    any point proves them different; the same value at three points (one negative, exact or to
    1e-12), with the same variables on both sides, is the identity math-verify's ``simplify``
    finds at a few ms per pair plus the ANTLR parse. Two words with different letters are different
    (math-verify reads ``Evelyn`` as a product of symbols and simplifies their difference).
    """
    try:
        return _prescreen(pred, gold)
    except Exception:  # noqa: BLE001 - a probe that fails defers to math-verify, never raises
        return None


def _prescreen(pred: str, gold: str) -> SymbolicResult | None:
    if pred.isalpha() and gold.isalpha():
        if sorted(pred.lower()) != sorted(gold.lower()):
            return SymbolicResult("different", "different words")
        return None
    if "i" in _COMMAND_RE.sub("", pred) or "i" in _COMMAND_RE.sub("", gold):
        try:
            pc, gc = _complex_parts(pred), _complex_parts(gold)
        except (NotNumeric, ArithmeticError, ValueError, RecursionError, OverflowError):
            return None
        if pc is None or gc is None:
            return None
        return _verdict(pc, gc, "complex numbers a+bi compared by their parts")
    if "=" in pred and "=" in gold:
        return _linear_equations(pred, gold)
    pv, gv = _letters(pred), _letters(gold)
    if pv is None or gv is None or not (pv or gv):
        return None
    names = sorted(pv | gv)
    if len(names) > _MAX_PROBE_VARS:
        return None
    same = 0
    for point in _PROBE_POINTS:
        values = dict(zip(names, point))
        try:
            a, b = _at(pred, values), _at(gold, values)
        except (NotNumeric, ArithmeticError, ValueError, RecursionError, OverflowError):
            return None
        if not _close(a, b):
            # Far apart, not float noise: a value where they differ proves them different.
            if not (isinstance(a, Fraction) and isinstance(b, Fraction)) and math.isclose(
                float(a), float(b), rel_tol=1e-4
            ):
                return None
            at = ", ".join(f"{k}={v}" for k, v in values.items())
            return SymbolicResult("different", f"values differ at {at}")
        if (isinstance(a, Fraction) and isinstance(b, Fraction)) or math.isclose(float(a), float(b), rel_tol=1e-12):
            same += 1
    if same == len(_PROBE_POINTS) and pv == gv:
        return SymbolicResult("equal", "same function (equal at three points, one negative)")
    return None


# ---------------------------------------------------------------- the worker (child process)


@functools.lru_cache(maxsize=4096)
def _parse(latex: str):
    """math-verify's parse of one answer, cached: a gold is compared with k responses' answers."""
    from math_verify import LatexExtractionConfig, parse

    cfg = [LatexExtractionConfig(boxed_match_priority=0)]
    return parse(f"${latex}$", extraction_config=cfg, parsing_timeout=None)


def _compare(pred: str, gold: str) -> tuple[str, str]:
    """Runs inside the worker: parse both as LaTeX and verify (no timeouts: the parent kills)."""
    from math_verify import verify

    gold_parsed = _parse(gold)
    pred_parsed = _parse(pred)
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

    try:  # the first comparison loads the LaTeX parser and sympy's trig rules (~0.4 s): start-up too
        _compare("\\frac{x}{2}", "\\sin^2 x")
    except Exception:  # noqa: BLE001 - a failed warm-up only leaves the first comparison slower
        pass
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
            if not self.ready:
                t0 = time.monotonic()
                ok = self._wait_ready()
                _add_startup(time.monotonic() - t0)
                if not ok:
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
                    t0 = time.monotonic()
                    try:
                        return _Worker()
                    except Exception:
                        self.count -= 1
                        raise
                    finally:
                        _add_startup(time.monotonic() - t0)
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


# Seconds this thread has spent starting workers (spawn and imports): a caller with its own time
# budget (r1bench.efficiency) leaves them out, so a run's first sample is measured like any other.
_startup = threading.local()


def _add_startup(seconds: float) -> None:
    _startup.seconds = getattr(_startup, "seconds", 0.0) + seconds


def startup_seconds() -> float:
    """Seconds the calling thread has spent so far waiting for math-verify workers to start."""
    return getattr(_startup, "seconds", 0.0)


_pool: _Pool | None = None
_pool_lock = threading.Lock()
_cache: BoundedCache[tuple[str, str], SymbolicResult] = BoundedCache(50_000)


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
    hit = _cache.get(key)
    if hit is not None:
        return hit
    pool = _get_pool()
    worker = pool.acquire()
    try:
        result = worker.ask(pred, gold, timeout)
    finally:
        pool.release(worker)
    # Timeouts and dead workers depend on machine load, not on the answers: never cached.
    if result.outcome != "timeout" and (result.outcome != "error" or "worker died" not in result.detail):
        _cache.put(key, result)
    return result


if __name__ == "__main__":  # pragma: no cover
    _worker_main()
