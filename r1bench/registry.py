"""The task registry: one :class:`TaskSpec` per r1bench task, the one place its facts are written.

Everything that needs a task fact reads it here: the loaders (:func:`r1bench.datasets.load_task_docs`),
the leaderboards (``BENCHMARKS`` in :mod:`r1bench.results.leaderboard` is a view of this table), the
report's breakdowns, ``r1bench tasks``, r1train's contamination check, and the lm-eval task YAMLs,
which ``r1bench tasks write`` generates from this table (``r1bench tasks check`` and a test catch a
YAML that differs). Data-file facts (hub ids, files, sha256 digests, fingerprints) stay in
:mod:`r1bench.datasets.specs`, keyed by the same task name. This module imports only
:mod:`r1bench.prompts`, so every other layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from r1bench.prompts import resolve_spec, spec_hash

__all__ = [
    "TaskSpec",
    "TASK_SPECS",
    "GROUPS",
    "SAMPLING",
    "get_task",
    "leaderboard_tasks",
    "benchmark_tasks",
    "may_quote",
    "suite_tasks",
]

Kind = Literal["math", "choice", "mixed"]

#: The R1 sampling protocol every task runs with (docs/design.md section 2): lm-eval's
#: ``generation_kwargs``. A task changes only ``max_gen_toks`` (:attr:`TaskSpec.max_gen_toks`).
#: No stop strings: a stop string can fire inside the reasoning.
SAMPLING: dict[str, Any] = {
    "until": [],
    "do_sample": True,
    "temperature": 0.6,
    "top_p": 0.95,
    "max_gen_toks": 32768,
}


@dataclass(frozen=True)
class TaskSpec:
    """One r1bench task: how its docs load, how it is prompted, sampled and scored, where it is shown.

    ``loader`` is ``"module:function"``; the function returns normalised docs (see
    :mod:`r1bench.datasets`). ``kind`` is the answer kind (``"mixed"``: each doc carries its own).
    ``embedded`` tasks ship their data inside r1bench (no data dir, no loader options).
    ``leaderboard`` is the board id (None: no leaderboard). Data files: ``TASK_DATASETS[name]`` in
    :mod:`r1bench.datasets.specs`.
    """

    name: str
    title: str
    loader: str
    kind: Kind
    k: int
    prompt_preset: str
    n_questions: int
    max_gen_toks: int = SAMPLING["max_gen_toks"]
    breakdown: tuple[str, ...] = ()
    leaderboard: str | None = None
    embedded: bool = False
    version: float = 1.1
    note: str = ""  # a comment written into the generated YAML
    # False: its questions must not be quoted in reports and pages (GPQA's authors ask that its
    # questions never appear in plain text online).
    quotable: bool = True

    def __post_init__(self) -> None:
        # A typo in the table must fail at import, not in the middle of a run.
        if self.k < 1 or self.n_questions < 1 or self.max_gen_toks < 1:
            raise ValueError(f"{self.name}: k, n_questions and max_gen_toks must be >= 1")
        if ":" not in self.loader:
            raise ValueError(f"{self.name}: loader must be 'module:function', got {self.loader!r}")
        kinds = set(resolve_spec(self.prompt_preset))
        wanted = {"math", "choice"} if self.kind == "mixed" else {self.kind}
        if kinds != wanted:
            raise ValueError(f"{self.name}: prompt preset {self.prompt_preset!r} covers {sorted(kinds)}, "
                             f"the task's docs are {sorted(wanted)}")

    @property
    def prompt_hash(self) -> str:
        """The hash of :attr:`prompt_preset` (recorded with every sample and result)."""
        return spec_hash(self.prompt_preset)


# Order: the leaderboards' order (the columns of results/LEADERBOARD.md), then the smoke task.
TASK_SPECS: dict[str, TaskSpec] = {
    t.name: t
    for t in (
        TaskSpec(
            name="r1_aime24", title="AIME 2024", loader="r1bench.datasets.aime24:load", kind="math",
            k=64, prompt_preset="deepseek-r1", n_questions=30, breakdown=("year",), leaderboard="aime24",
        ),
        TaskSpec(
            name="r1_math500", title="MATH-500", loader="r1bench.datasets.math500:load", kind="math",
            k=4, prompt_preset="deepseek-r1", n_questions=500, breakdown=("subject", "level"),
            leaderboard="math500",
        ),
        TaskSpec(
            name="r1_gpqa_diamond", title="GPQA-Diamond", loader="r1bench.datasets.gpqa:load",
            kind="choice", k=8, prompt_preset="simple-evals-choice", n_questions=198,
            breakdown=("domain", "subdomain"), leaderboard="gpqa_diamond", quotable=False,
        ),
        TaskSpec(
            name="r1_moleculeqa100", title="MoleculeQA-100", loader="r1bench.datasets.moleculeqa:load",
            kind="choice", k=4, prompt_preset="simple-evals-choice", n_questions=100,
            breakdown=("category",), leaderboard="moleculeqa100",
        ),
        TaskSpec(
            name="r1_smoke", title="Smoke (embedded)", loader="r1bench.datasets.smoke:load", kind="mixed", k=2,
            prompt_preset="deepseek-r1+simple-evals-choice", n_questions=12, max_gen_toks=128,
            embedded=True,
            note="Small enough to finish in minutes on 2 CPU cores with the embedded 135M model.",
        ),
    )
}

#: lm-eval groups (``tasks/<group>.yaml``), members in the order lm-eval runs them.
GROUPS: dict[str, tuple[str, ...]] = {
    "r1_suite": ("r1_math500", "r1_aime24", "r1_gpqa_diamond", "r1_moleculeqa100"),
}
for _group, _members in GROUPS.items():
    if unknown := [m for m in _members if m not in TASK_SPECS]:
        raise ValueError(f"group {_group} names unknown tasks: {', '.join(unknown)}")


def get_task(name: str) -> TaskSpec:
    """The :class:`TaskSpec` called ``name``; a one-line KeyError listing the known tasks otherwise."""
    try:
        return TASK_SPECS[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASK_SPECS))}") from None


def leaderboard_tasks() -> list[TaskSpec]:
    """The tasks that have a leaderboard, in board order."""
    return [t for t in TASK_SPECS.values() if t.leaderboard is not None]


def may_quote(task: str) -> bool:
    """Whether reports and pages may quote ``task``'s questions (:attr:`TaskSpec.quotable`); a task
    outside the registry may unless its name says GPQA (a user's own copy of it)."""
    return TASK_SPECS[task].quotable if task in TASK_SPECS else "gpqa" not in task.lower()


def benchmark_tasks() -> list[TaskSpec]:
    """Every real benchmark (not the embedded smoke task): what training data must not contain."""
    return [t for t in TASK_SPECS.values() if not t.embedded]


def suite_tasks(group: str = "r1_suite") -> list[TaskSpec]:
    """The member tasks of an lm-eval group, in the group's order."""
    return [TASK_SPECS[name] for name in GROUPS[group]]
