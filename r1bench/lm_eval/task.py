"""``R1Task``: the lm-eval task class of every r1bench task (``class:`` in ``tasks/_r1_template_yaml``).

lm-eval builds a task from its YAML config, merged with the run's ``--metadata`` and
``--model_args``, and loads its docs in the constructor. ``R1Task`` settles the R1 protocol on that
config first, so the docs are stamped with the values the run will use and a wrong sample count is
refused before any generation:

* ``repeats`` (samples per question) must equal metadata ``k``; ``r1bench eval --k K`` asks for
  both to follow ``k`` (metadata ``r1bench_eval.k_sets_repeats``).
* ``r1bench eval``'s quick look (``r1bench_eval.quick``) caps k and the generation limit; a model
  context too short for the limit (``r1bench_eval.context``) clamps it, recorded in metadata
  ``max_gen_toks_clamped`` and the docs' ``r1_max_gen_toks_requested``.

A Python task class is lm-eval's own extension point for tasks (``class: !function ...``), so
``r1bench eval`` needs no patch of lm-eval to do this.
"""

from __future__ import annotations

import sys
from typing import Any

from lm_eval.api.task import ConfigurableTask

import r1bench.lm_eval.filter  # noqa: F401 - registers the `r1` filter the YAMLs name

__all__ = ["R1Task", "RUN_KEY", "settle_protocol"]

#: The metadata key under which ``r1bench eval`` passes its settings to the tasks (removed from
#: the task's metadata once applied: what it changed is recorded in k, max_gen_toks and the docs).
RUN_KEY = "r1bench_eval"


class R1Task(ConfigurableTask):
    """A ConfigurableTask whose config is settled by :func:`settle_protocol` before its docs load."""

    def __init__(self, config: dict[str, Any] | None = None, **kwargs: Any) -> None:
        cfg = dict(config or {})
        cfg.pop("class", None)  # lm-eval's route to this class, not a TaskConfig field
        settle_protocol(cfg)
        super().__init__(config=cfg, **kwargs)


def settle_protocol(cfg: dict[str, Any]) -> None:
    """Apply k, the quick-look caps and the context clamp to a task config (in place); raise
    ValueError when ``repeats`` and metadata ``k`` disagree (before any generation)."""
    meta = dict(cfg.get("metadata") or {})
    run = meta.pop(RUN_KEY, None) or {}
    cfg["metadata"] = meta
    name = str(cfg.get("task"))
    k = meta.get("k")
    if k in (None, ""):
        return  # the dataset hook refuses a task without k, with its own message
    k = int(k)
    repeats = cfg.get("repeats", 1)
    if run.get("k_sets_repeats"):
        cfg["repeats"] = repeats = k
    quick = run.get("quick") or {}
    if quick.get("k") is not None and k > int(quick["k"]) and repeats == k:
        cfg["repeats"] = repeats = meta["k"] = k = int(quick["k"])
    if repeats != k:
        raise ValueError(
            f"{name}: metadata k={k} but the task's repeats={repeats}, so pass@1 would not be over k samples "
            f"(caught before generating). Plain lm-eval cannot set repeats from the command line: use "
            f"`r1bench eval --k {k}`, or a task YAML with `repeats: {k}` and metadata `k: {k}`."
        )
    gen = cfg.get("generation_kwargs")
    cap = gen.get("max_gen_toks") if isinstance(gen, dict) else None
    if cap is None:
        return
    new = int(cap)
    if quick.get("max_gen_toks") is not None:
        new = min(new, int(quick["max_gen_toks"]))
    context = run.get("context") or {}
    if context.get("limit") is not None and new > int(context["limit"]):
        new = int(context["limit"])
        meta["max_gen_toks_clamped"] = {"requested": int(cap), "model_context": context.get("model_context")}
        print(f"r1bench eval: warning: {name}: generation limit {cap} does not fit the model's context of "
              f"{context.get('model_context')} tokens; clamped to {new}", file=sys.stderr)
    if new != int(cap):
        cfg["generation_kwargs"] = {**gen, "max_gen_toks": new}
        meta["max_gen_toks"] = new
