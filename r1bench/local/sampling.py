"""What the local model classes share: per-sample keys and seeds, the durable store, progress.

Each request lm-eval sends becomes a :class:`SampleSpec`: its sample index (the i-th identical
(prompt, gen_kwargs) request gets index i), its seed (``group_seed + index``, where the group seed
hashes the base seed, the prompt and the generation parameters) and its store key (model identity,
prompt, generation parameters, seed, index; see :mod:`r1bench.store`). :func:`generate_with_store`
returns finished samples from the store, asks the engine only for the missing ones, commits each
batch the engine hands back as soon as it is done, and shows a progress line.

Seeds are ``group_seed + i`` because vLLM's parallel sampling (``SamplingParams(n=k, seed=s)``)
seeds child ``i`` with ``s + i`` (vllm/v1/engine/parallel_sampling.py): one request with ``n=k``
draws the same samples as k requests with seeds ``s..s+k-1``, so a resumed partial group matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from r1bench.response import Response
from r1bench.store import SampleStore, assign_sample_indices, request_key

__all__ = [
    "SampleSpec",
    "Generation",
    "plan_samples",
    "group_seed",
    "model_identity",
    "default_local_store",
    "open_store",
    "generate_with_store",
    "Progress",
    "parse_bool",
    "check_budget_options",
]

FINISH_REASONS = ("stop", "length", "loop")


def parse_bool(value: Any) -> bool:
    """A model_arg as a bool (lm-eval passes ``true``/``false`` strings or bools)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", "", "none"):
        return False
    raise ValueError(f"expected true/false, got {value!r}")


@dataclass(frozen=True)
class SampleSpec:
    """One sample to produce: where it goes in lm-eval's list, its prompt, params, seed and key."""

    position: int
    context: str
    gen_kwargs: dict[str, Any]
    sample_index: int
    seed: int
    key: str
    endpoint: str
    payload: dict[str, Any] = field(repr=False)

    @property
    def group(self) -> str:
        """Identical (prompt, gen_kwargs) requests share a group (their seeds are consecutive)."""
        return json.dumps([self.context, self.gen_kwargs], sort_keys=True, default=str)


@dataclass
class Generation:
    """What the engine saw for one sample: the text, why it stopped, exact token counts, and for a
    budget-forced sample its :meth:`r1bench.budget.BudgetOutcome.record` (kept in the store, so a
    resumed run gives the same records)."""

    text: str
    finish_reason: str
    completion_tokens: int
    reasoning_tokens: int | None = None
    budget: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.finish_reason not in FINISH_REASONS:
            raise ValueError(f"finish_reason must be one of {FINISH_REASONS}, got {self.finish_reason!r}")

    def to_result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "finish_reason": self.finish_reason,
                               "completion_tokens": int(self.completion_tokens)}
        if self.reasoning_tokens is not None:
            out["reasoning_tokens"] = int(self.reasoning_tokens)
        if self.budget is not None:  # only budgeted samples: unbudgeted results stay as they were
            out["budget"] = dict(self.budget)
        return out


def budget_generation(run: Any) -> Generation:
    """The :class:`Generation` of a finished :class:`r1bench.budget.BudgetRun` (its thinking is the
    reasoning when it closed; its budget record kept for the store), the same in every local backend."""
    out = run.outcome()
    reasoning = out.thinking_tokens if out.close != "none" else None
    return Generation(out.text, out.finish_reason, out.completion_tokens, reasoning, budget=out.record(run.cfg))


def check_budget_options(specs: Iterable[SampleSpec]) -> None:
    """Raise the one-line ValueError of :func:`r1bench.budget.parse_budget` for a bad budget
    option before anything is generated."""
    from r1bench.budget import parse_budget

    for gen_kwargs in {json.dumps(s.gen_kwargs, sort_keys=True, default=str): s.gen_kwargs for s in specs}.values():
        parse_budget(gen_kwargs)


def group_seed(base_seed: int, context: str, gen_params: dict[str, Any]) -> int:
    """A 31-bit seed for one (prompt, params) group; sample i uses ``group_seed + i``."""
    blob = json.dumps([int(base_seed), context, gen_params], sort_keys=True, default=str)
    return int.from_bytes(hashlib.sha256(blob.encode("utf-8")).digest()[:4], "big") & 0x3FFFFFFF


def plan_samples(
    requests: Sequence[Any],
    *,
    backend: str,
    identity: dict[str, Any],
    base_seed: int,
    options: dict[str, Any] | None = None,
) -> list[SampleSpec]:
    """One :class:`SampleSpec` per lm-eval request (``inst.args == (context, gen_kwargs)``).

    ``options``: settings that change what is generated besides gen_kwargs (the loop guard);
    they are part of the key, so a guarded sample is never reused for an unguarded run.
    """
    pairs = [(str(inst.args[0]), dict(inst.args[1] or {})) for inst in requests]
    indices = assign_sample_indices(pairs)
    specs = []
    for pos, ((context, gen), index) in enumerate(zip(pairs, indices)):
        params = {"gen_kwargs": gen, "options": dict(options or {})}
        seed = group_seed(base_seed, context, params) + index
        payload = {"model": identity, "prompt": context, **params, "seed": seed}
        endpoint = f"local:{backend}"
        specs.append(SampleSpec(pos, context, gen, index, seed,
                                request_key(endpoint, payload, index), endpoint, payload))
    return specs


_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf", ".json", ".model")


def _folder_fingerprint(path: Path) -> str:
    """sha256 over each weight/config file's name, size and first and last MiB: a retrained
    checkpoint saved at the same path gets a new identity without hashing gigabytes."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _WEIGHT_SUFFIXES):
        size = file.stat().st_size
        digest.update(f"{file.relative_to(path)}\0{size}\0".encode())
        with file.open("rb") as fh:
            digest.update(fh.read(1 << 20))
            if size > 2 << 20:
                fh.seek(-(1 << 20), os.SEEK_END)
                digest.update(fh.read(1 << 20))
    return digest.hexdigest()[:16]


def model_identity(
    pretrained: Any, *, revision: str | None = None, adapter: str | None = None, **extra: Any
) -> dict[str, Any]:
    """What makes two runs the same model: hub id + revision or a folder's fingerprint, the
    adapter's fingerprint (PEFT/delta), and ``extra`` (dtype, backend settings)."""
    ident: dict[str, Any] = {}
    if isinstance(pretrained, (str, os.PathLike)):
        path = Path(pretrained).expanduser()
        if path.is_dir():
            ident["path"] = str(path.resolve())
            ident["fingerprint"] = _folder_fingerprint(path)
        else:
            ident["hub_id"] = str(pretrained)
            ident["revision"] = revision or "main"
    else:  # an in-memory model object: its class and config (no stable fingerprint)
        ident["object"] = type(pretrained).__name__
        ident["config"] = getattr(getattr(pretrained, "config", None), "to_json_string", lambda: "")()
    if adapter:
        apath = Path(adapter).expanduser()
        ident["adapter"] = _folder_fingerprint(apath) if apath.is_dir() else str(adapter)
    ident.update({k: str(v) for k, v in extra.items() if v is not None})
    return ident


def default_local_store() -> Path:
    """``$R1BENCH_LOCAL_STORE``, else ``~/.cache/r1bench/local_store`` (a folder)."""
    env = os.environ.get("R1BENCH_LOCAL_STORE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "r1bench" / "local_store"


def open_store(store_path: str | os.PathLike[str] | None) -> SampleStore:
    """The SQLite store at ``store_path`` (a folder holding ``samples.sqlite``, or a file)."""
    path = Path(store_path).expanduser() if store_path else default_local_store()
    if path.suffix not in (".sqlite", ".db"):
        path = path / "samples.sqlite"
    return SampleStore(path)


class Progress:
    """``done/total``, tokens/s, ETA and how many came from the store, on one tqdm line."""

    def __init__(self, total: int, from_store: int, *, desc: str, enabled: bool = True) -> None:
        from tqdm import tqdm

        self.from_store = from_store
        self.tokens = 0
        self.start = time.monotonic()
        self.bar = tqdm(total=total, initial=from_store, desc=desc, disable=not enabled,
                        unit="sample", dynamic_ncols=True)
        self._postfix()

    def _postfix(self) -> None:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        self.bar.set_postfix_str(f"{self.tokens / elapsed:.1f} tok/s, from store {self.from_store}")

    def update(self, samples: int, tokens: int) -> None:
        self.tokens += tokens
        self.bar.update(samples)  # tqdm's ETA counts only the samples generated in this run
        self._postfix()

    def close(self) -> None:
        self.bar.close()


def _response(result: dict[str, Any], *, from_store: bool) -> Response:
    usage = {k: result[k] for k in ("completion_tokens", "reasoning_tokens") if result.get(k) is not None}
    return Response(result["text"], finish_reason=result.get("finish_reason"), usage=usage,
                    source="engine", from_store=from_store, budget=result.get("budget"))


def generate_with_store(
    specs: Sequence[SampleSpec],
    engine: Callable[[list[SampleSpec]], Iterable[list[tuple[SampleSpec, Generation]]]],
    *,
    store: SampleStore,
    model_name: str,
    fresh: bool = False,
    progress: bool = True,
    desc: str = "r1bench",
) -> list[Response]:
    """The responses for ``specs`` in order: stored ones reused, the rest from ``engine``.

    ``engine(missing)`` yields lists of (spec, Generation) as they finish; each list is committed
    to the store in one transaction before the next is asked for, so a kill loses at most the
    batch in flight. ``fresh`` regenerates (and overwrites) everything.
    """
    stored = {} if fresh else store.get_many(s.key for s in specs)
    results: dict[str, dict[str, Any]] = {k: v["result"] for k, v in stored.items() if v["ok"]}
    missing: list[SampleSpec] = []
    seen: set[str] = set()
    for spec in specs:
        if spec.key not in results and spec.key not in seen:
            seen.add(spec.key)
            missing.append(spec)
    n_stored = len(specs) - len(missing)
    bar = Progress(len(specs), n_stored, desc=desc, enabled=progress)
    fresh_keys: set[str] = set()
    try:
        if missing:
            for batch in engine(missing):
                rows = store.put_many([
                    (spec.key, {"model": model_name, "endpoint": spec.endpoint,
                                "sample_index": spec.sample_index, "payload": spec.payload,
                                "result": gen.to_result(), "ok": True, "error": None, "attempts": 1,
                                "overwrite_ok": fresh})
                    for spec, gen in batch
                ])
                for (spec, _), row in zip(batch, rows):
                    results[spec.key] = row["result"]
                    fresh_keys.add(spec.key)
                bar.update(len(batch), sum(g.completion_tokens for _, g in batch))
    finally:
        bar.close()
    lost = [s for s in specs if s.key not in results]
    if lost:
        raise RuntimeError(f"{desc}: the engine returned no output for {len(lost)} samples "
                           f"(first: position {lost[0].position}, sample {lost[0].sample_index})")
    return [_response(results[s.key], from_store=s.key not in fresh_keys) for s in specs]


def iter_batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive slices of at most ``size`` items."""
    size = max(1, int(size))
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
