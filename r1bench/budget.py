"""Budget forcing (s1): cap the thinking at B tokens then force the answer, or extend an early close.

Generation options, spelled the same in every backend (lm-eval ``--gen_kwargs``)::

    thinking_budget=B          at B thinking tokens, close the thinking ("\\n</think>\\n\\n" + the
                               answer cue) and generate the answer with its own limit
    thinking_extend=N          N times, when the model closes its thinking (or ends its output
                               while still thinking, as s1 counts it), drop the close and append
                               thinking_extend_str, then let it think on
    thinking_extend_str=Wait   the string appended on an extension (default "Wait")
    thinking_answer_cue=...    the text after a forced close (default "Final answer:")
    thinking_answer_tokens=M   the answer phase's limit (default: what max_gen_toks leaves)

The phase logic is here, once, as a small state machine (:class:`BudgetRun`) with no model in it:
a backend asks :meth:`BudgetRun.next_step` what to generate (a token limit and whether to stop at
``</think>``), generates it however it can (a batch of rows, a vLLM round, an HTTP continuation),
and hands the piece back with :meth:`BudgetRun.feed`. ``max_gen_toks`` caps all generated tokens
of a sample unless ``thinking_answer_tokens`` gives the answer phase its own limit; only generated
tokens count (the inserted close, cue and "Wait" strings do not). lm-eval, lighteval and open-r1 have no budget control, which is why this is
written here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from r1bench.reasoning import THINK_CLOSE

__all__ = [
    "BUDGET_KEYS",
    "THINK_CLOSE",
    "FORCED_CLOSE",
    "DEFAULT_ANSWER_CUE",
    "DEFAULT_EXTEND_STR",
    "PROTOCOL_FIELDS",
    "BudgetConfig",
    "Step",
    "Piece",
    "BudgetOutcome",
    "BudgetRun",
    "parse_budget",
    "run_budget",
    "BUDGET_BACKENDS",
    "check_backend",
]

FORCED_CLOSE = "\n</think>\n\n"
DEFAULT_ANSWER_CUE = "Final answer:"
DEFAULT_EXTEND_STR = "Wait"
#: The budget-forcing fields of a run's protocol (:meth:`BudgetConfig.protocol`).
PROTOCOL_FIELDS = ("thinking_budget", "thinking_extend", "thinking_extend_str", "thinking_answer_tokens",
                   "thinking_answer_cue")
#: The generation options budget forcing reads (the same names its protocol records).
BUDGET_KEYS = PROTOCOL_FIELDS

# The lm-eval models that generate in phases; any other backend would pass the options to its
# engine (an error, or worse, silently ignored), so a run refuses them before it starts.
BUDGET_BACKENDS = ("r1bench-hf", "r1bench-vllm", "r1bench-chat")

Ended = Literal["close", "eos", "length", "loop"]
Close = Literal["natural", "forced", "none"]


def _count(key: str, value: Any, *, minimum: int) -> int:
    """A non-negative integer option given as an int or a string from ``--gen_kwargs``."""
    if isinstance(value, bool):
        raise ValueError(f"{key} must be an integer >= {minimum}, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # lm-eval's --gen_kwargs reads "-1" as -1.0 (and JSON may give 16.0)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValueError(f"{key} must be an integer >= {minimum}, got {value!r}") from None
    if number < minimum:
        raise ValueError(f"{key} must be an integer >= {minimum}, got {value!r}")
    return number


@dataclass(frozen=True)
class BudgetConfig:
    """One run's budget-forcing options (see the module docstring)."""

    budget: int | None = None
    extend: int = 0
    extend_str: str = DEFAULT_EXTEND_STR
    answer_cue: str = DEFAULT_ANSWER_CUE
    answer_tokens: int | None = None

    @property
    def active(self) -> bool:
        """Whether generation differs from a plain run at all."""
        return self.budget is not None or self.extend > 0

    def protocol(self) -> dict[str, Any]:
        """The options as a run's protocol records them (:data:`PROTOCOL_FIELDS`; null when unset or
        unused, defaults spelled out), so runs whose budget forcing differs are never compared."""
        return {
            "thinking_budget": self.budget,
            "thinking_extend": self.extend or None,
            "thinking_extend_str": self.extend_str if self.extend else None,
            "thinking_answer_tokens": self.answer_tokens if self.active else None,
            "thinking_answer_cue": self.answer_cue if self.budget is not None else None,  # only a forced close uses it
        }


def parse_budget(gen_kwargs: Mapping[str, Any]) -> tuple[BudgetConfig | None, dict[str, Any]]:
    """Split ``gen_kwargs`` into the budget options (None when none is set or all are off) and the
    rest, which go to the engine unchanged. Raises ValueError with a one-line message on a bad value."""
    rest = {k: v for k, v in gen_kwargs.items() if k not in BUDGET_KEYS}
    given = {k: gen_kwargs[k] for k in BUDGET_KEYS if k in gen_kwargs and gen_kwargs[k] is not None}
    if not given:
        return None, rest
    budget = _count("thinking_budget", given["thinking_budget"], minimum=1) if "thinking_budget" in given else None
    extend = _count("thinking_extend", given["thinking_extend"], minimum=0) if "thinking_extend" in given else 0
    answer_tokens = (
        _count("thinking_answer_tokens", given["thinking_answer_tokens"], minimum=1)
        if "thinking_answer_tokens" in given else None
    )
    extend_str = str(given.get("thinking_extend_str", DEFAULT_EXTEND_STR))
    if not extend_str.strip():
        raise ValueError("thinking_extend_str must not be empty")
    cfg = BudgetConfig(
        budget=budget,
        extend=extend,
        extend_str=extend_str,
        answer_cue=str(given.get("thinking_answer_cue", DEFAULT_ANSWER_CUE)),
        answer_tokens=answer_tokens,
    )
    return (cfg if cfg.active else None), rest


@dataclass(frozen=True)
class Step:
    """What to generate next: at most ``max_tokens`` tokens continuing the prompt + :attr:`BudgetRun.text`;
    ``stop_at_close``: stop when the model writes ``</think>`` (the thinking phase)."""

    max_tokens: int
    stop_at_close: bool
    phase: Literal["thinking", "answer"]


@dataclass(frozen=True)
class Piece:
    """A generated piece: its text, its generated-token count and how it ended (``close``: the
    model wrote ``</think>``; ``eos``: end of sequence or a stop string; ``length``: the step's
    ``max_tokens``; ``loop``: the loop guard)."""

    text: str
    tokens: int
    ended: Ended


@dataclass(frozen=True)
class BudgetOutcome:
    """A finished sample: the whole output text after the prompt and how its thinking ended."""

    text: str
    finish_reason: str  # stop / length / loop, as for an unbudgeted sample
    completion_tokens: int
    thinking_tokens: int
    answer_tokens: int
    close: Close
    extensions: int

    def record(self, cfg: BudgetConfig) -> dict[str, Any]:
        """The per-sample budget record (kept in the sample record's ``budget`` field)."""
        return {
            "thinking_budget": cfg.budget,
            "thinking_extend": cfg.extend,
            "thinking_tokens": self.thinking_tokens,
            "answer_tokens": self.answer_tokens,
            "close": self.close,
            "extensions": self.extensions,
        }


class BudgetRun:
    """The phases of one sample under a :class:`BudgetConfig` and the run's ``max_gen_toks``."""

    def __init__(self, cfg: BudgetConfig, max_gen_toks: int) -> None:
        if max_gen_toks < 1:
            raise ValueError(f"max_gen_toks must be >= 1, got {max_gen_toks}")
        self.cfg = cfg
        self.max_gen_toks = int(max_gen_toks)
        self.text = ""
        self.phase: Literal["thinking", "answer", "done"] = "thinking"
        self.thinking_tokens = 0
        self.answer_tokens = 0
        self.extensions = 0
        self.close: Close = "none"
        self.finish_reason = "stop"
        self.steps = 0  # pieces fed so far

    def seed_for(self, seed: int, extra_tokens: int = 0) -> int:
        """The seed of the next generation call: ``seed`` itself for the first, then one derived from
        the tokens generated so far (+ ``extra_tokens`` of a step continued in chunks) and the
        pieces fed, so a continuation never repeats a draw and never depends on its batch."""
        done = self.used + int(extra_tokens)
        if done == 0 and self.steps == 0:
            return int(seed)
        return int(seed) + done * 1_000_003 + self.steps * 7_919

    @property
    def used(self) -> int:
        return self.thinking_tokens + self.answer_tokens

    @property
    def done(self) -> bool:
        return self.phase == "done"

    def _thinking_limit(self) -> int:
        left = self.max_gen_toks - self.used
        if self.cfg.budget is not None:
            left = min(left, self.cfg.budget - self.thinking_tokens)
        return left

    def _answer_limit(self) -> int:
        if self.cfg.answer_tokens is not None:
            return self.cfg.answer_tokens - self.answer_tokens
        return self.max_gen_toks - self.used

    def next_step(self) -> Step | None:
        """The next piece to generate, or None when the sample is finished."""
        if self.phase == "thinking":
            limit = self._thinking_limit()
            if limit <= 0:  # a budget of exactly what was already generated
                self._force_close()
                return self.next_step()
            return Step(limit, True, "thinking")
        if self.phase == "answer":
            limit = self._answer_limit()
            if limit <= 0:
                self.phase, self.finish_reason = "done", "length"
                return None
            return Step(limit, False, "answer")
        return None

    def _force_close(self) -> None:
        self.text += FORCED_CLOSE + self.cfg.answer_cue
        self.close = "forced"
        self.phase = "answer"

    def feed(self, piece: Piece | str, tokens: int | None = None, ended: Ended | None = None) -> None:
        """Take the piece generated for the current step (a :class:`Piece`, or its three fields)."""
        if not isinstance(piece, Piece):
            piece = Piece(str(piece), int(tokens or 0), ended or "eos")
        if self.phase == "done":
            raise RuntimeError("feed() after the sample finished")
        text, ended = piece.text, piece.ended
        self.steps += 1
        if self.phase == "thinking":
            if THINK_CLOSE in text:  # a backend that keeps the stop string, or a close mid-piece
                text, ended = text.split(THINK_CLOSE, 1)[0], "close"
            self.text += text
            self.thinking_tokens += max(int(piece.tokens), 0)
            if ended in ("close", "eos") and self.extensions < self.cfg.extend and self._thinking_limit() > 0:
                # s1: an end of thinking (its close, or the end of the output before any close)
                # is replaced by "Wait" while extensions are left.
                self.extensions += 1
                self.text += self.cfg.extend_str
                return
            if ended == "close":
                self.text += THINK_CLOSE
                self.close = "natural"
                self.phase = "answer"
            elif ended == "length":
                budget_hit = self.cfg.budget is not None and self.thinking_tokens >= self.cfg.budget
                if budget_hit and self._answer_limit() > 0:
                    self._force_close()
                else:
                    self.phase, self.finish_reason = "done", "length"
            else:  # eos or loop without closing the thinking
                self.phase, self.finish_reason = "done", ("loop" if ended == "loop" else "stop")
            return
        self.text += text
        self.answer_tokens += max(int(piece.tokens), 0)
        self.phase = "done"
        self.finish_reason = {"length": "length", "loop": "loop"}.get(ended, "stop")

    def outcome(self) -> BudgetOutcome:
        """The finished sample (call once :attr:`done`)."""
        if not self.done:
            raise RuntimeError("outcome() before the sample finished")
        return BudgetOutcome(self.text, self.finish_reason, self.used, self.thinking_tokens,
                             self.answer_tokens, self.close, self.extensions)


def run_budget(cfg: BudgetConfig, max_gen_toks: int, generate: Callable[[str, Step], Piece]) -> BudgetOutcome:
    """Drive one sample to the end with ``generate(text_so_far, step)`` (a sequential backend)."""
    run = BudgetRun(cfg, max_gen_toks)
    while (step := run.next_step()) is not None:
        run.feed(generate(run.text, step))
    return run.outcome()


def check_backend(model: str | None, gen_kwargs: Mapping[str, Any] | None) -> BudgetConfig | None:
    """The run's budget options, checked before anything loads: a bad value or a backend that
    cannot honour them is a one-line ValueError."""
    cfg, _ = parse_budget(dict(gen_kwargs or {}))
    if cfg is not None and model not in BUDGET_BACKENDS:
        raise ValueError(f"thinking_budget/thinking_extend need a backend that generates in phases "
                         f"({', '.join(BUDGET_BACKENDS)}); --model {model} would not honour them")
    return cfg
