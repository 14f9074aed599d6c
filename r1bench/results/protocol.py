"""The protocol a run was measured under, reconstructed from its results JSON and samples.

Sampling and the token cap come from the task's ``generation_kwargs`` (lm-eval merges
``--gen_kwargs`` into them), the prompt and the question selection from what the docs and records
were stamped with, so :func:`r1bench.results.leaderboard.compare_protocol` can refuse a run that
differs from its board. Thinking-budget options (``thinking_budget``, ``thinking_extend``,
``thinking_extend_str``, passed as generation options) are always part of it, null when unset, so
a budgeted run never lands on a board of unbudgeted ones.
"""

from __future__ import annotations

import logging
from typing import Any

from lm_eval.utils import simple_parse_args_string

from r1bench.budget import DEFAULT_ANSWER_CUE, DEFAULT_EXTEND_STR, BudgetConfig
from r1bench.results.runs import TaskRun, is_partial
from r1bench.results.schema import ResultsFileError

__all__ = ["generation_kwargs", "task_protocol",
           "check_fingerprint"]

log = logging.getLogger(__name__)



def generation_kwargs(results: dict[str, Any], task: str) -> dict[str, Any]:
    """The task's generation options: its config's ``generation_kwargs`` with lm-eval's
    ``--gen_kwargs`` (a dict, or its ``a=1,b=x`` string, parsed as lm-eval parses it) over them."""
    gk = dict(results["configs"][task].get("generation_kwargs") or {})
    cli = results["config"].get("gen_kwargs")
    if isinstance(cli, str) and cli:
        cli = simple_parse_args_string(cli)
    if isinstance(cli, dict):
        gk.update(cli)
    return gk


def _num(value: Any, cast: type) -> Any:
    if value is None or value == "":
        return None
    if cast is bool:
        return value if isinstance(value, bool) else str(value).lower() in {"true", "1", "yes"}
    return cast(float(value)) if cast is int else cast(value)


def _option(run: TaskRun, gk: dict[str, Any], name: str, cast: type, *aliases: str) -> Any:
    """One generation option as ``cast`` (None when unset); a value that is not one is refused."""
    value = next((gk[n] for n in (name, *aliases) if n in gk), None)
    try:
        return _num(value, cast)
    except (TypeError, ValueError, OverflowError):
        what = {int: "an integer", float: "a number"}.get(cast, cast.__name__)
        raise ResultsFileError(run.files.results_path, f"{value!r} is not {what}", entry=run.task,
                               field=f"configs.{run.task}.generation_kwargs.{name}") from None


def _thinking(run: TaskRun, gk: dict[str, Any]) -> dict[str, Any]:
    """Budget forcing options as :meth:`r1bench.budget.BudgetConfig.protocol` records them (null when
    unset; ``thinking_extend=0`` is no extension; default strings spelled out where they are used)."""
    text = gk.get("thinking_extend_str")
    cue = gk.get("thinking_answer_cue")
    return BudgetConfig(
        budget=_option(run, gk, "thinking_budget", int),
        extend=_option(run, gk, "thinking_extend", int) or 0,
        extend_str=DEFAULT_EXTEND_STR if text in (None, "") else str(text),
        answer_cue=DEFAULT_ANSWER_CUE if cue is None else str(cue),
        answer_tokens=_option(run, gk, "thinking_answer_tokens", int),
    ).protocol()


def _spec_hash_covering(spec: str, used: list[str]) -> str | None:
    """``spec_hash(spec)`` if every hash in ``used`` is one of the spec's presets (or a kind's default)."""
    from r1bench.prompts import DEFAULT_SPEC, resolve_spec, spec_hash

    try:
        presets = {**resolve_spec(DEFAULT_SPEC), **resolve_spec(spec)}
        value = spec_hash(spec)
    except (KeyError, ValueError):
        return None
    return value if set(used) <= {p.hash for p in presets.values()} else None


def _prompt_hash(run: TaskRun, meta_hash: Any, *, strict: bool) -> str | None:
    """The prompt hash the records were made with; refuse (strict) if the task metadata says otherwise.

    Records carry the hash of the prompt actually rendered (one preset per doc kind); lm-eval merges
    ``--metadata`` over the YAML, so ``metadata.prompt_hash`` can be stale. When the records' hashes
    are those of the docs' stamped prompt spec, the run's hash is the spec's (as in the YAML), so a
    mixed-kind task, or a --limit run that met one kind only, compares like a full run.
    """
    where = run.samples_path or run.files.results_path
    used = sorted({str(r["prompt_hash"]) for d in run.docs for r in d.records if r.get("prompt_hash")})
    meta = None if meta_hash in (None, "") else str(meta_hash)
    if not used:
        return meta
    specs = {str(d.doc["r1_prompt_spec"]) for d in run.docs if d.doc.get("r1_prompt_spec")}
    value = _spec_hash_covering(specs.pop(), used) if len(specs) == 1 else None
    if value is None and len(used) == 1:
        value = used[0]
    if value is None:
        msg = (f"the records were made with {len(used)} different prompts ({', '.join(used)}) and no "
               "single stamped r1_prompt_spec accounts for them")
        if strict:
            raise ResultsFileError(where, msg, entry=run.task, field="prompt_hash")
        log.warning("%s: %s", where, msg)
        return meta
    if meta is not None and meta != value:
        msg = (f"the records were made with prompt_hash {value!r} but the task metadata says {meta!r} "
               "(lm-eval merges --metadata over the YAML, so the metadata can be stale); fix the task "
               "YAML / --metadata so they agree, or re-run")
        if strict:
            raise ResultsFileError(run.files.results_path, msg, entry=run.task,
                                   field=f"configs.{run.task}.metadata.prompt_hash")
        log.warning("%s: %s", where, msg)
    return value


def _dataset_fingerprint(run: TaskRun) -> str | None:
    """The docs' ``r1_dataset_fingerprint`` stamp, else one computed over the docs (None if partial)."""
    stamps = {str(d.doc["r1_dataset_fingerprint"]) for d in run.docs if d.doc.get("r1_dataset_fingerprint")}
    if len(stamps) > 1:
        raise ResultsFileError(run.samples_path, f"docs carry {len(stamps)} different r1_dataset_fingerprint "
                               "stamps (samples of different question selections mixed?)",
                               entry=run.task, field="doc.r1_dataset_fingerprint")
    if stamps:
        return stamps.pop()
    if not run.docs or is_partial(run) or any("id" not in d.doc or "answer" not in d.doc for d in run.docs):
        # A fingerprint over a --limit subset would not name the selection; unknown instead.
        return None
    from r1bench.datasets import dataset_fingerprint

    return dataset_fingerprint([d.doc for d in run.docs])


def check_fingerprint(run: TaskRun, protocol: dict[str, Any]) -> None:
    """A stamped dataset fingerprint must be that of the docs' own (id, answer) pairs (full runs)."""
    stamp = protocol.get("dataset_fingerprint")
    if stamp is None or is_partial(run) or any("id" not in d.doc or "answer" not in d.doc for d in run.docs):
        return
    from r1bench.datasets import dataset_fingerprint

    mine = dataset_fingerprint([d.doc for d in run.docs])
    if mine != stamp:
        raise ResultsFileError(run.samples_path, f"the docs' questions and golds have fingerprint {mine}, "
                               f"not the stamped {stamp} (a gold answer was edited?)", entry=run.task,
                               field="doc.r1_dataset_fingerprint")


def task_protocol(run: TaskRun, *, strict: bool = True) -> dict[str, Any]:
    """The protocol of one task of a run (k, sampling, cap, prompt, grader, questions and their fingerprint).

    Prompt preset and hash come from what the samples record first (the docs' stamps, the records),
    then the task metadata; ``strict`` refuses a run whose records and metadata disagree on the hash.
    """
    results, task = run.results, run.task
    cfg = results["configs"][task]
    meta = cfg.get("metadata") or {}
    gk = generation_kwargs(results, task)
    version = results.get("versions", {}).get(task, meta.get("version"))
    k = meta.get("k") or cfg.get("repeats")
    if k is None:
        raise ResultsFileError(run.files.results_path, "no k (metadata.k or repeats)",
                               entry=task, field=f"configs.{task}.metadata.k")
    grader_version = meta.get("grader_version")
    if run.docs:
        grader_version = grader_version or run.docs[0].records[0].get("grader_version")
    prompt_hash = _prompt_hash(run, meta.get("prompt_hash"), strict=strict)
    specs = {str(d.doc["r1_prompt_spec"]) for d in run.docs if d.doc.get("r1_prompt_spec")}
    prompt_preset = specs.pop() if len(specs) == 1 else meta.get("prompt_preset")
    n = (results.get("n-samples", {}).get(task) or {}).get("effective")
    guards = {d.doc.get("r1_loop_guard") for d in run.docs if d.doc.get("r1_loop_guard")}
    protocol = {
        "task": task,
        "task_version": None if version is None else str(version),
        "k": int(k),
        "temperature": _option(run, gk, "temperature", float),
        "top_p": _option(run, gk, "top_p", float),
        "max_gen_toks": _option(run, gk, "max_gen_toks", int, "max_new_tokens"),
        "do_sample": _option(run, gk, "do_sample", bool),
        **_thinking(run, gk),
        "prompt_preset": None if prompt_preset is None else str(prompt_preset),
        "prompt_hash": prompt_hash,
        "grader_version": None if grader_version is None else str(grader_version),
        "n_questions": int(n) if n is not None else (len(run.docs) or None),
        "dataset_fingerprint": _dataset_fingerprint(run),
    }
    if guards:  # a loop-guarded run (r1bench.local.loop_guard): never compared with unguarded ones
        protocol["loop_guard"] = sorted(guards)[0]
    return protocol
