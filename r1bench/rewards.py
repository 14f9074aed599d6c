"""Rule-based rewards for RL on reasoning (GRPO, PPO, RLOO) built on r1bench's grader and diagnostics.

Every reward has TRL's signature and works as a plain function for verl / OpenRLHF too::

    reward(completions: list[str | list[dict]], **kwargs) -> list[float | None]

``completions`` are the generated texts (strings) or chat messages (``[{"role": "assistant",
"content": ...}]``, TRL's conversational format). The gold answer comes from a dataset column passed
as a keyword: ``answer`` first, else ``solution`` (a worked solution: its last ``\\boxed{}`` is the
gold), ``gold`` or ``ground_truth``; a ``kind`` column (r1bench's doc schema: ``math`` or ``choice``)
picks the grader per row. Other keywords (``prompts``, ``completion_ids``,
``trainer_state`` ...) are accepted and ignored unless stated. A reward never raises on model text: an
unreadable completion scores as a wrong one. A row whose gold is missing gets ``None`` (TRL skips it).
For verl's per-sample ``custom_reward_function``, :func:`compute_score` wraps the accuracy reward.

=================  ==============================================  ==========================
name               reward                                          factory (parameters)
=================  ==============================================  ==========================
``accuracy``       1.0 when r1bench's verdict on the text after    :func:`make_accuracy_reward`
                   the last ``</think>`` is correct, else 0.0;
                   an unclosed ``<think>`` is 0.0
``format``         1.0 when ``</think>`` closes the reasoning      :func:`make_format_reward`
                   exactly once and one final answer (one
                   ``\\boxed{}``) follows, else 0.0
``loop``           ``penalty`` (-1.0) when the output ends in a    :func:`make_loop_penalty`
                   repetition loop (:func:`r1bench.diagnostics.
                   detect_loop`), else 0.0
``cosine``         correctness scaled by length on a cosine        :func:`make_cosine_reward`
                   (open-r1 / Kimi-1.5 style): short right
                   answers earn most, long wrong ones lose least
=================  ==============================================  ==========================

Grading is bounded per completion: each symbolic comparison has ``timeout`` seconds (r1bench's
supervised math-verify worker) and the whole verdict of one completion has ``time_limit`` seconds
of wall time; a completion past its limit scores 0.0 and the batch goes on. A batch is graded in
``workers`` threads (the symbolic comparisons run in r1bench's worker processes, so they overlap).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from r1bench.diagnostics import count_tokens, detect_loop
from r1bench.grading import (
    extract_choice,
    extract_math_answer,
    find_boxed,
    grade_choice_response,
    grade_math_response,
)
from r1bench.reasoning import _THINK_CLOSE_RE, _THINK_OPEN_RE

__all__ = [
    "RewardFunc",
    "REWARD_FUNCS",
    "GOLD_COLUMNS",
    "completion_text",
    "gold_answers",
    "accuracy_reward",
    "format_reward",
    "loop_penalty",
    "cosine_reward",
    "make_accuracy_reward",
    "make_format_reward",
    "make_loop_penalty",
    "make_cosine_reward",
    "get_reward_func",
    "get_reward_funcs",
    "compute_score",
]

logger = logging.getLogger(__name__)

RewardFunc = Callable[..., list[float | None]]
GOLD_COLUMNS = ("answer", "solution", "gold", "ground_truth")
_KINDS = ("auto", "math", "choice")


# ----------------------------------------------------------------------------------------------
# Inputs: completion text and gold answers


def completion_text(completion: Any) -> str:
    """The text of one completion: a string, or the assistant turns of a chat message list.

    Anything else (None, numbers, malformed messages) is ``""``: a reward never raises on its input.
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        content = completion.get("content")
        return content if isinstance(content, str) else ""
    if isinstance(completion, (list, tuple)):
        parts = []
        for msg in completion:
            if isinstance(msg, dict) and msg.get("role", "assistant") == "assistant":
                content = msg.get("content")
                if isinstance(content, str):
                    parts.append(content)
        return "".join(parts)
    return ""


def _gold_of(value: Any) -> str | None:
    """One gold answer as a string: a worked solution gives its last boxed answer."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
        if value is None:
            return None
    text = str(value).strip()
    if not text:
        return None
    if "\\boxed" in text or "\\fbox" in text:
        boxed = extract_math_answer(text).extracted
        if boxed:
            return boxed
    return text


def gold_answers(n: int, kwargs: dict[str, Any], columns: Sequence[str] = GOLD_COLUMNS) -> list[str | None]:
    """The gold answer of each of ``n`` completions from the first dataset column present in ``kwargs``.

    Raises ``ValueError`` when no column is there (a recipe error, reported before training).
    """
    for col in columns:
        values = kwargs.get(col)
        if values is None:
            continue
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            values = [values] * n
        if len(values) != n:
            raise ValueError(f"gold column {col!r} has {len(values)} values for {n} completions")
        return [_gold_of(v) for v in values]
    raise ValueError(
        f"no gold answers: the dataset needs one of the columns {', '.join(columns)} "
        f"(got {', '.join(sorted(k for k in kwargs if not k.startswith('_'))) or 'none'})"
    )


# ----------------------------------------------------------------------------------------------
# Bounded, threaded grading


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    """A shared pool of grading threads (created on first use, grown when more are asked for)."""
    global _executor
    with _executor_lock:
        if _executor is None or _executor._max_workers < workers:  # noqa: SLF001 - read-only size check
            _executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="r1bench-reward")
        return _executor


def _bounded_map(fn: Callable[[int], float], n: int, *, time_limit: float, workers: int) -> list[float]:
    """``[fn(i) for i in range(n)]`` in threads, each item bounded in wall time.

    An item still running ``time_limit`` s after it started, or raising, gives 0.0; an item that
    could not even start before the batch deadline (``time_limit`` x rounds of ``workers``, plus
    one) gives 0.0 too, so a batch never waits on stuck items past a fixed bound.
    """
    global _executor
    if n == 0:
        return []
    started: dict[int, float] = {}

    def run(i: int) -> float:
        started[i] = time.monotonic()
        return fn(i)

    workers = max(1, workers)
    pool = _pool(workers)
    t_start = time.monotonic()
    batch_deadline = t_start + time_limit * (math.ceil(n / workers) + 1)
    futures: dict[Future[float], int] = {pool.submit(run, i): i for i in range(n)}
    out: list[float] = [0.0] * n
    pending = set(futures)
    stuck = False
    while pending:
        done, _ = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
        for fut in done:
            pending.discard(fut)
            try:
                out[futures[fut]] = float(fut.result())
            except Exception as err:  # noqa: BLE001 - hostile text must never stop a batch
                logger.warning("reward for completion %d failed (%s: %s): 0.0", futures[fut], type(err).__name__, err)
        now = time.monotonic()
        for fut in list(pending):
            i = futures[fut]
            t0 = started.get(i)
            if (t0 is not None and now - t0 > time_limit) or now > batch_deadline:
                pending.discard(fut)
                fut.cancel()
                stuck = True
                logger.warning("reward for completion %d exceeded its %.1f s limit: 0.0", i, time_limit)
    if stuck:
        # A stuck thread keeps its pool slot until it ends: the next batch gets a fresh pool.
        with _executor_lock:
            if _executor is pool:
                _executor = None
        pool.shutdown(wait=False, cancel_futures=True)
    return out


def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


# ----------------------------------------------------------------------------------------------
# Accuracy


def _verdict(text: str, gold: str, kind: str, timeout: float, starts_in_reasoning: bool) -> bool:
    if kind == "choice":
        return grade_choice_response(text, gold, starts_in_reasoning=starts_in_reasoning).correct
    return grade_math_response(text, gold, timeout=timeout, starts_in_reasoning=starts_in_reasoning).correct


def _row_kinds(n: int, kind: str, kwargs: dict[str, Any]) -> list[str]:
    """Per-row answer kind: ``kind``, or with ``auto`` the dataset's ``kind`` column (default math)."""
    if kind != "auto":
        return [kind] * n
    col = kwargs.get("kind")
    if not isinstance(col, Sequence) or isinstance(col, str) or len(col) != n:
        return ["math"] * n
    return ["choice" if k == "choice" else "math" for k in col]


def _correctness(
    texts: list[str],
    golds: list[str | None],
    *,
    kinds: list[str],
    timeout: float,
    time_limit: float,
    workers: int,
    starts_in_reasoning: bool,
) -> list[float | None]:
    """1.0 / 0.0 per completion (None where the gold is missing), graded in bounded threads."""
    rows = [i for i, g in enumerate(golds) if g is not None]

    def one(j: int) -> float:
        i = rows[j]
        return 1.0 if _verdict(texts[i], golds[i], kinds[i], timeout, starts_in_reasoning) else 0.0  # type: ignore[arg-type]

    scores = _bounded_map(one, len(rows), time_limit=time_limit, workers=workers)
    out: list[float | None] = [None] * len(texts)
    for j, i in enumerate(rows):
        out[i] = scores[j]
    return out


def make_accuracy_reward(
    *,
    kind: str = "auto",
    timeout: float = 2.0,
    time_limit: float = 10.0,
    workers: int | None = None,
    starts_in_reasoning: bool = False,
    gold_columns: Sequence[str] = GOLD_COLUMNS,
) -> RewardFunc:
    """An accuracy reward: ``accuracy(completions, answer=[...]) -> [1.0 | 0.0 | None, ...]``.

    ``kind``: ``math`` (r1bench's math grader), ``choice`` (an option letter) or ``auto`` (the
    dataset's ``kind`` column per row, as in r1bench's docs; math without one). ``timeout``: seconds
    per symbolic comparison; ``time_limit``: wall seconds per completion; ``workers``: grading threads
    (default: CPUs, at most 8). ``starts_in_reasoning``: the prompt pre-filled ``<think>``, so a
    completion without ``</think>`` is an unclosed think (0.0) rather than a bare answer.
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    n_workers = workers or _default_workers()

    def accuracy(completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """1.0 when r1bench's verdict on the answer after the last ``</think>`` matches the gold, else 0.0."""
        texts = [completion_text(c) for c in completions]
        golds = gold_answers(len(texts), kwargs, gold_columns)
        kinds = _row_kinds(len(texts), kind, kwargs)
        return _correctness(texts, golds, kinds=kinds, timeout=timeout, time_limit=time_limit,
                            workers=n_workers, starts_in_reasoning=starts_in_reasoning)

    accuracy.__name__ = accuracy.__qualname__ = "accuracy"
    return accuracy


# ----------------------------------------------------------------------------------------------
# Format


def _safe_scores(name: str, items: Iterable[Any], score: Callable[..., float]) -> list[float]:
    """``score(*item)`` for each item, 0.0 (logged) where it raises: a reward never raises on model text."""
    out = []
    for item in items:
        try:
            out.append(score(*item))
        except Exception as err:  # noqa: BLE001 - never raise on model text
            logger.warning("%s failed (%s): 0.0", name, err)
            out.append(0.0)
    return out


def _format_ok(text: str, answer: str, starts_in_reasoning: bool) -> bool:
    closes = list(_THINK_CLOSE_RE.finditer(text))
    if len(closes) != 1:
        return False
    close = closes[0]
    opens = list(_THINK_OPEN_RE.finditer(text))
    if len(opens) > 1 or (opens and opens[0].start() > close.start()):
        return False
    if not opens and not starts_in_reasoning and text[: close.start()].strip() == "":
        return False
    if opens and text[: opens[0].start()].strip():
        return False  # text before <think> is an answer outside the format
    start = opens[0].end() if opens else 0
    if not text[start : close.start()].strip():
        return False  # empty reasoning
    tail = text[close.end() :]
    if not tail.strip():
        return False
    if answer == "boxed":
        return len([b for b in find_boxed(tail) if b[2].strip()]) == 1
    if answer == "choice":
        return extract_choice(tail).extracted is not None
    return True


def make_format_reward(*, answer: str = "auto", starts_in_reasoning: bool = False) -> RewardFunc:
    """A format reward: ``format(completions) -> [1.0 | 0.0, ...]``.

    1.0 when the reasoning is closed by exactly one ``</think>`` (``<think>`` at most once, at the
    start; it may be missing when the prompt pre-filled it), the reasoning is not empty, and after it
    comes one final answer: exactly one non-empty ``\\boxed{}`` (``answer="boxed"``), a committed
    option letter (``"choice"``), any text (``"any"``), or per row by the dataset's ``kind`` column
    (``"auto"``: choice rows need a letter, the others a box).
    """
    if answer not in ("auto", "boxed", "choice", "any"):
        raise ValueError(f"answer must be auto, boxed, choice or any, got {answer!r}")

    def format(completions: Sequence[Any], **kwargs: Any) -> list[float]:  # noqa: A001 - TRL logs the name
        """1.0 when the think block is closed once and one final answer follows, else 0.0."""
        if answer == "auto":
            wanted = ["choice" if k == "choice" else "boxed" for k in _row_kinds(len(completions), "auto", kwargs)]
        else:
            wanted = [answer] * len(completions)
        return _safe_scores(
            "format reward", zip(completions, wanted),
            lambda c, want: 1.0 if _format_ok(completion_text(c), want, starts_in_reasoning) else 0.0,
        )

    format.__name__ = format.__qualname__ = "format"
    return format


# ----------------------------------------------------------------------------------------------
# Loop penalty


def make_loop_penalty(*, penalty: float = -1.0, **detect_kwargs: Any) -> RewardFunc:
    """A repetition penalty: ``loop(completions) -> [penalty | 0.0, ...]``.

    ``penalty`` (<= 0) when :func:`r1bench.diagnostics.detect_loop` finds the output ending in a
    span repeated back to back (or one long line repeated throughout), else 0.0. ``detect_kwargs``
    (``min_repeats``, ``min_period`` ...) go to ``detect_loop``.
    """
    if penalty > 0:
        raise ValueError(f"penalty must be <= 0, got {penalty}")

    def loop(completions: Sequence[Any], **kwargs: Any) -> list[float]:
        """``penalty`` for a completion that loops (repeats one span until the end), else 0.0."""
        return _safe_scores(
            "loop penalty", ((c,) for c in completions),
            lambda c: penalty if detect_loop(completion_text(c), **detect_kwargs).looping else 0.0,
        )

    loop.__name__ = loop.__qualname__ = "loop"
    return loop


# ----------------------------------------------------------------------------------------------
# Cosine length reward


def _cosine(length: int, correct: bool, *, min_wrong: float, max_wrong: float, min_right: float,
            max_right: float, max_len: int) -> float:
    # Progress is clamped to [0, 1]: past max_len the cosine would rise again (open-r1's does not
    # clamp, so a very long output would be rewarded as if it were short).
    progress = min(max(length / max_len, 0.0), 1.0)
    cos = math.cos(progress * math.pi)
    lo, hi = (min_right, max_right) if correct else (max_wrong, min_wrong)
    return lo + 0.5 * (hi - lo) * (1.0 + cos)


def make_cosine_reward(
    *,
    min_value_wrong: float = -1.0,
    max_value_wrong: float = -0.5,
    min_value_correct: float = 0.5,
    max_value_correct: float = 1.0,
    max_len: int = 1000,
    **accuracy_kwargs: Any,
) -> RewardFunc:
    """A length-scaled accuracy reward (Kimi 1.5 / open-r1's cosine schedule):
    ``cosine(completions, answer=[...], completion_ids=None) -> [float | None, ...]``.

    A correct completion earns ``max_value_correct`` at length 0 falling to ``min_value_correct`` at
    ``max_len`` tokens; a wrong one earns ``min_value_wrong`` at length 0 rising to
    ``max_value_wrong`` at ``max_len`` (a long wrong attempt is penalised less than a short guess).
    Length: ``len(completion_ids[i])`` when TRL passes the token ids, else r1bench's token estimate.
    Correctness: as :func:`make_accuracy_reward` (``accuracy_kwargs`` go there).
    """
    if max_len <= 0:
        raise ValueError("max_len must be positive")
    acc = make_accuracy_reward(**accuracy_kwargs)

    def cosine(completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Correctness scaled by length on a cosine: short right answers earn most."""
        correct = acc(completions, **kwargs)
        ids = kwargs.get("completion_ids")
        out: list[float | None] = []
        for i, c in enumerate(completions):
            if correct[i] is None:
                out.append(None)
                continue
            if ids is not None and i < len(ids) and ids[i] is not None:
                length = len(ids[i])
            else:
                length = count_tokens(completion_text(c))
            out.append(_cosine(length, bool(correct[i]), min_wrong=min_value_wrong, max_wrong=max_value_wrong,
                               min_right=min_value_correct, max_right=max_value_correct, max_len=max_len))
        return out

    cosine.__name__ = cosine.__qualname__ = "cosine"
    return cosine


# ----------------------------------------------------------------------------------------------
# Defaults and the registry

accuracy_reward: RewardFunc = make_accuracy_reward()
format_reward: RewardFunc = make_format_reward()
loop_penalty: RewardFunc = make_loop_penalty()
cosine_reward: RewardFunc = make_cosine_reward()

# name -> factory; ``get_reward_func(name, **params)`` builds one with its parameters.
REWARD_FUNCS: dict[str, Callable[..., RewardFunc]] = {
    "accuracy": make_accuracy_reward,
    "format": make_format_reward,
    "loop": make_loop_penalty,
    "cosine": make_cosine_reward,
}


def compute_score(data_source: str | None, solution_str: str, ground_truth: Any, extra_info: Any = None) -> float:
    """verl's ``custom_reward_function`` signature: the accuracy reward of one completion (0.0 or 1.0).

    ``ground_truth`` is the gold answer (or a worked solution with a ``\\boxed{}``); a choice question
    is marked by ``extra_info={"kind": "choice"}``.
    """
    kind = extra_info.get("kind", "math") if isinstance(extra_info, dict) else "math"
    score = accuracy_reward([solution_str], answer=[ground_truth], kind=[kind])[0]
    return float(score or 0.0)


def get_reward_func(name: str, **params: Any) -> RewardFunc:
    """The reward called ``name`` (a key of :data:`REWARD_FUNCS`) built with ``params``."""
    if name not in REWARD_FUNCS:
        raise KeyError(f"unknown reward {name!r}; known: {', '.join(REWARD_FUNCS)}")
    return REWARD_FUNCS[name](**params)


def get_reward_funcs(names: Sequence[str], params: dict[str, dict[str, Any]] | None = None) -> list[RewardFunc]:
    """Rewards for ``names`` in order; ``params`` maps a name to its factory's keyword arguments."""
    params = params or {}
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise KeyError(f"reward_kwargs for rewards not selected: {', '.join(unknown)}")
    return [get_reward_func(n, **params.get(n, {})) for n in names]

