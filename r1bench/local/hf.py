"""The lm-eval model ``r1bench-hf``: lm-eval's ``hf`` model that resumes and knows why it stopped.

Every ``hf`` model_arg works as before (``pretrained``, ``revision``, ``dtype``, ``peft``,
``batch_size``, ``device``, ...); r1bench adds ``store_path`` (default ``$R1BENCH_LOCAL_STORE`` or
``~/.cache/r1bench/local_store``), ``fresh``, ``seed`` (base seed, default 1234), ``progress``,
``loop_guard`` (and ``loop_guard_repeats`` / ``_min_tokens`` / ``_max_period`` /
``_check_every``, see :mod:`r1bench.local.loop_guard`). Only ``generate_until`` changes:

* each sample is keyed and seeded on its own (:mod:`r1bench.local.sampling`), committed to the
  store when its batch finishes, and reused by a re-run;
* sampling draws each row of a batch from its own ``torch.Generator`` (seed ``group_seed + i``),
  so a sample does not depend on what else was in its batch or on the order of the run;
* the response carries ``finish_reason`` (``stop``: end-of-sequence or a stop string; ``length``:
  ``max_gen_toks`` reached; ``loop``: stopped by the loop guard) and the exact number of generated
  tokens (end-of-sequence included), and the number of tokens before ``</think>`` when the
  tokenizer has it as one token.

Budget forcing (``--gen_kwargs thinking_budget=B`` / ``thinking_extend=N``, :mod:`r1bench.budget`):
a batch generates in steps, each row driven by its own :class:`~r1bench.budget.BudgetRun`; every
step generates all live rows of one phase together (thinking rows stop at ``</think>``: its token
id when the tokenizer has it as one token, else the stop string), each row reseeded from its own
state, so a budgeted sample does not depend on its batch either. The budget keys never reach
``generate``; each response carries the budget record and the exact generated token count.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from lm_eval.models.huggingface import HFLM
from lm_eval.models.utils import (
    handle_stop_sequences,
    normalize_gen_kwargs,
    postprocess_generated_text,
)
from lm_eval.models.utils_hf import stop_sequences_criteria
from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteriaList
from transformers.generation import (
    MinPLogitsWarper,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from r1bench.budget import THINK_CLOSE, BudgetConfig, BudgetRun, Piece, parse_budget
from r1bench.local.loop_guard import LoopGuard, LoopGuardCriteria
from r1bench.local.sampling import (
    Generation,
    SampleSpec,
    budget_generation,
    check_budget_options,
    generate_with_store,
    iter_batches,
    model_identity,
    open_store,
    parse_bool,
    plan_samples,
)
from r1bench.response import Response

__all__ = ["R1BenchHF", "SeededSampler", "finish_row", "finish_piece"]

logger = logging.getLogger(__name__)

# Sampling settings r1bench-hf applies itself (per row, seeded); the rest go to generate().
_SAMPLING_KEYS = ("do_sample", "temperature", "top_p", "top_k", "min_p")


class SeededSampler(LogitsProcessor):
    """Sample each row with its own seeded generator, then force that token.

    transformers' ``generate`` draws all rows from the global torch RNG, so a sample would depend
    on its batch. This processor applies transformers' own warpers (temperature, top-k, top-p,
    min-p), samples row ``i`` with ``generators[i]``, and leaves only that token finite; run with
    ``do_sample=False``, ``generate`` then takes exactly it.
    """

    def __init__(self, seeds: Sequence[int], *, temperature: float = 1.0, top_p: float | None = None,
                 top_k: int | None = None, min_p: float | None = None, device: Any = "cpu") -> None:
        self.generators = [torch.Generator(device=device).manual_seed(int(s)) for s in seeds]
        warpers: list[LogitsProcessor] = []
        if temperature and float(temperature) != 1.0:
            warpers.append(TemperatureLogitsWarper(float(temperature)))
        if top_k:
            warpers.append(TopKLogitsWarper(int(top_k)))
        if top_p is not None and float(top_p) < 1.0:
            warpers.append(TopPLogitsWarper(float(top_p)))
        if min_p:
            warpers.append(MinPLogitsWarper(float(min_p)))
        self.warpers = LogitsProcessorList(warpers)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        warped = self.warpers(input_ids, scores)
        probs = torch.softmax(warped.float(), dim=-1)
        chosen = torch.stack([
            torch.multinomial(probs[row], 1, generator=gen) for row, gen in enumerate(self.generators)
        ])
        out = torch.full_like(scores, float("-inf"))
        return out.scatter_(1, chosen.to(out.device), 0.0)


class R1BenchHF(HFLM):
    """lm-eval's ``hf`` model with r1bench's store, per-sample seeds, finish reasons, loop guard."""

    backend_name = "hf"

    def __init__(
        self,
        pretrained: Any = None,
        *,
        store_path: str | None = None,
        fresh: Any = False,
        seed: Any = 1234,
        progress: Any = True,
        loop_guard: Any = False,
        loop_guard_repeats: Any = None,
        loop_guard_min_tokens: Any = None,
        loop_guard_max_period: Any = None,
        loop_guard_check_every: Any = None,
        starts_in_reasoning: Any = "auto",
        **kwargs: Any,
    ) -> None:
        # starts_in_reasoning is read by the r1bench tasks (lm-eval hands model_args to them as
        # metadata); HFLM would pass it on to from_pretrained, so it stops here.
        del starts_in_reasoning
        super().__init__(pretrained=pretrained, **kwargs)
        self.r1_guard = LoopGuard.from_args(
            loop_guard, min_repeats=loop_guard_repeats, min_tokens=loop_guard_min_tokens,
            max_period=loop_guard_max_period, check_every=loop_guard_check_every,
        )
        self.r1_seed = int(seed)
        self.r1_fresh = parse_bool(fresh)
        self.r1_progress = parse_bool(progress)
        self.r1_store_path = store_path
        self.r1_identity = model_identity(
            pretrained, revision=kwargs.get("revision"), adapter=kwargs.get("peft") or kwargs.get("delta"),
            backend=self.backend_name, dtype=kwargs.get("dtype"), subfolder=kwargs.get("subfolder") or None,
            gguf_file=kwargs.get("gguf_file"),
        )
        self.r1_model_name = str(pretrained)

    # -- generation ------------------------------------------------------------------------
    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[Response]:
        """Every request's response, from the store where finished, else generated and stored."""
        if not requests:
            return []
        options = {"loop_guard": self.r1_guard.to_dict() if self.r1_guard else None}
        specs = plan_samples(requests, backend=self.backend_name, identity=self.r1_identity,
                             base_seed=self.r1_seed, options=options)
        check_budget_options(specs)
        with open_store(self.r1_store_path) as store:
            responses = generate_with_store(
                specs, self._generate_missing, store=store, model_name=self.r1_model_name,
                fresh=self.r1_fresh, progress=self.r1_progress and not disable_tqdm and self.rank == 0,
                desc=f"r1bench-{self.backend_name}",
            )
        for inst, text in zip(requests, responses):
            self.cache_hook.add_partial("generate_until", inst.args, text)
        return responses

    def _batch_size(self) -> int:
        size = self.batch_size
        if isinstance(size, str):  # "auto": lm-eval's own detection, else one row at a time
            try:
                return max(1, int(self._detect_batch_size()))
            except Exception as exc:  # noqa: BLE001 - detection is an optimisation only
                logger.warning("batch size detection failed (%s); generating one sample at a time", exc)
                return 1
        return max(1, int(size))

    def _generate_missing(self, specs: list[SampleSpec]) -> Iterator[list[tuple[SampleSpec, Generation]]]:
        """Batches of finished samples: grouped by gen_kwargs, longest prompts first (as HFLM)."""
        groups: dict[str, list[SampleSpec]] = {}
        for spec in specs:
            groups.setdefault(repr(sorted(spec.gen_kwargs.items(), key=str)), []).append(spec)
        size = self._batch_size()
        for group in groups.values():
            group.sort(key=lambda s: -len(s.context))
            for batch in iter_batches(group, size):
                yield list(zip(batch, self._generate_batch(batch)))

    def _generate_batch(self, batch: list[SampleSpec]) -> list[Generation]:
        cfg, plain = parse_budget(batch[0].gen_kwargs)
        gen_kwargs = normalize_gen_kwargs(plain, self.max_gen_toks)
        eos_text = self.tok_decode(self.eot_token_id, skip_special_tokens=False)
        until = handle_stop_sequences(gen_kwargs.pop("until", None), eos=eos_text)
        max_gen_toks = int(gen_kwargs.pop("max_gen_toks"))
        max_ctx_len = self.max_length - max_gen_toks
        if max_ctx_len <= 0:
            raise ValueError(f"max_gen_toks={max_gen_toks} leaves no room for the prompt in the "
                             f"model's max_length={self.max_length}")
        context_enc, attn = self.tok_batch_encode(
            [s.context for s in batch], left_truncate_len=max_ctx_len, truncation=self.truncation
        )
        if cfg is not None:
            prompts = [row[mask.bool()].tolist() for row, mask in zip(context_enc, attn)]
            return self._generate_budget(batch, cfg, prompts, max_gen_toks=max_gen_toks, until=until,
                                         gen_kwargs=gen_kwargs)
        return self._generate_rows(
            context_enc.to(self.device), attn.to(self.device), seeds=[s.seed for s in batch],
            max_new_tokens=max_gen_toks, until=until, gen_kwargs=gen_kwargs,
        )

    def _eos_ids(self) -> set[int]:
        ids = {int(self.eot_token_id)}
        cfg_eos = getattr(getattr(self.model, "generation_config", None), "eos_token_id", None)
        if cfg_eos is not None:
            ids.update(int(i) for i in (cfg_eos if isinstance(cfg_eos, (list, tuple)) else [cfg_eos]))
        return ids

    def _think_close_id(self) -> int | None:
        tok = self.tokenizer
        try:
            ids = tok.encode("</think>", add_special_tokens=False)
        except Exception:  # noqa: BLE001 - a tokenizer without it: no exact reasoning count
            return None
        return int(ids[0]) if len(ids) == 1 else None

    def _generate_rows(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, *, seeds: Sequence[int],
        max_new_tokens: int, until: list[str], gen_kwargs: dict[str, Any],
    ) -> list[Generation]:
        """Generate one sample per row (seeded per row) and say how each ended."""
        processors, kwargs = _sampler(gen_kwargs, seeds, input_ids.device)
        prompt_len = input_ids.shape[1]
        criteria = stop_sequences_criteria(self.tokenizer, until, prompt_len, input_ids.shape[0])
        guard = LoopGuardCriteria(self.r1_guard, prompt_len, input_ids.shape[0]) if self.r1_guard else None
        if guard is not None:
            criteria = StoppingCriteriaList([*criteria, guard])
        with torch.autocast(device_type=self.device.type, dtype=self.mixed_precision_dtype,
                            enabled=self.mixed_precision_dtype is not None):
            out = self.model.generate(
                input_ids=input_ids, attention_mask=attention_mask, max_new_tokens=max_new_tokens,
                do_sample=False, logits_processor=processors, stopping_criteria=criteria,
                pad_token_id=self.tokenizer.pad_token_id, use_cache=True, **kwargs,
            )
        eos_ids, pad_id, think_id = self._eos_ids(), self.tokenizer.pad_token_id, self._think_close_id()
        gens = []
        for row, cont in enumerate(out[:, prompt_len:].tolist()):
            fired = guard.fired[row] if guard is not None else None
            gens.append(finish_row(cont, eos_ids=eos_ids, pad_id=pad_id, loop_at=fired,
                                   max_new_tokens=max_new_tokens, until=until, decode=self.tok_decode,
                                   think_close_id=think_id))
        return gens


    # -- budget forcing -------------------------------------------------------------------------
    def _generate_budget(
        self, batch: list[SampleSpec], cfg: BudgetConfig, prompts: list[list[int]], *, max_gen_toks: int,
        until: list[str], gen_kwargs: dict[str, Any],
    ) -> list[Generation]:
        """Each row's sample under budget forcing: steps until every row's BudgetRun is done."""
        runs = [BudgetRun(cfg, max_gen_toks) for _ in batch]
        while True:
            todo = [(i, step) for i, run in enumerate(runs) if (step := run.next_step()) is not None]
            if not todo:
                break
            for phase in ("thinking", "answer"):
                rows = [(i, step) for i, step in todo if step.phase == phase]
                if not rows:
                    continue
                # The model continues from prompt + the sample's text so far (re-encoded: the close,
                # answer cue and "Wait" are text, as in s1), each row seeded from its own state.
                inputs = [prompts[i] + (self.tok_encode(runs[i].text, add_special_tokens=False)
                                        if runs[i].text else []) for i, _ in rows]
                pieces = self._generate_pieces(
                    inputs, seeds=[runs[i].seed_for(batch[i].seed) for i, _ in rows],
                    limits=[step.max_tokens for _, step in rows], thinking=phase == "thinking",
                    until=until, gen_kwargs=gen_kwargs,
                )
                for (i, _), piece in zip(rows, pieces):
                    runs[i].feed(piece)
        return [budget_generation(run) for run in runs]

    def _generate_pieces(
        self, inputs: list[list[int]], *, seeds: Sequence[int], limits: Sequence[int], thinking: bool,
        until: list[str], gen_kwargs: dict[str, Any],
    ) -> list[Piece]:
        """One generate() over rows of different lengths and limits: each row's piece, cut at its
        own limit, its end-of-sequence, its stop strings and (thinking) ``</think>``."""
        from transformers import StopStringCriteria

        width = max(len(x) for x in inputs)
        room = self.max_length - max(limits)
        if width > room > 0:  # prompt + text so far + the step must fit the model's context
            inputs, width = [x[-room:] for x in inputs], room
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.eot_token_id
        ids = torch.tensor([[pad] * (width - len(x)) + x for x in inputs], dtype=torch.long)
        mask = torch.tensor([[0] * (width - len(x)) + [1] * len(x) for x in inputs], dtype=torch.long)
        processors, kwargs = _sampler(gen_kwargs, seeds, self.device)
        eos_ids, eos_text = self._eos_ids(), self.tok_decode(self.eot_token_id, skip_special_tokens=False)
        close_id = self._think_close_id() if thinking else None
        stops = [s for s in until if s and s != eos_text]
        close_str = THINK_CLOSE if thinking and close_id is None else None
        criteria = StoppingCriteriaList()
        if stops or close_str:  # per row (transformers' own), so a row that stops waits padded
            criteria.append(StopStringCriteria(self.tokenizer, [*stops, *([close_str] if close_str else [])]))
        guard = LoopGuardCriteria(self.r1_guard, width, len(inputs)) if self.r1_guard else None
        if guard is not None:
            criteria.append(guard)
        ends = sorted(eos_ids | ({close_id} if close_id is not None else set()))
        with torch.autocast(device_type=self.device.type, dtype=self.mixed_precision_dtype,
                            enabled=self.mixed_precision_dtype is not None):
            out = self.model.generate(
                input_ids=ids.to(self.device), attention_mask=mask.to(self.device), max_new_tokens=max(limits),
                do_sample=False, logits_processor=processors, stopping_criteria=criteria,
                pad_token_id=pad, eos_token_id=ends, use_cache=True, **kwargs,
            )
        pieces = []
        for row, cont in enumerate(out[:, width:].tolist()):
            fired = guard.fired[row] if guard is not None else None
            pieces.append(finish_piece(
                cont[: limits[row]], eos_ids=eos_ids, close_id=close_id, pad_id=pad,
                loop_at=fired if fired is not None and fired <= limits[row] else None, limit=limits[row],
                stops=stops + [eos_text], close_str=close_str, decode=self.tok_decode,
            ))
        return pieces


def _sampler(gen_kwargs: dict[str, Any], seeds: Sequence[int], device: Any) -> tuple[LogitsProcessorList, dict[str, Any]]:
    """The per-row seeded sampler for ``gen_kwargs`` (none when greedy) and the kwargs left for
    ``generate`` (sampling options and ``max_length`` taken out)."""
    kwargs = dict(gen_kwargs)
    sampling = {k: kwargs.pop(k, None) for k in _SAMPLING_KEYS}
    kwargs.pop("max_length", None)
    processors = LogitsProcessorList()
    if sampling["do_sample"] and float(sampling["temperature"] or 0.0) > 0.0:
        processors.append(SeededSampler(
            seeds, temperature=float(sampling["temperature"]), top_p=sampling["top_p"],
            top_k=sampling["top_k"], min_p=sampling["min_p"], device=device,
        ))
    return processors, kwargs


def _row_end(cont: list[int], *, end_ids: set[int], pad_id: int | None, loop_at: int | None,
             limit: int) -> tuple[list[int], int, int | str]:
    """A generated row's kept tokens, its generated-token count, and why it ended: the id of the end
    token (counted), ``loop`` (the guard fired at ``loop_at``), ``length`` or ``pad`` (stopped early)."""
    end_at = next((i for i, t in enumerate(cont) if t in end_ids), None)
    if end_at is not None and (loop_at is None or end_at < loop_at):
        return cont[:end_at], end_at + 1, cont[end_at]
    if loop_at is not None:
        return cont[:loop_at], loop_at, "loop"
    toks = list(cont)
    if len(toks) < limit and pad_id is not None:
        while toks and toks[-1] == pad_id:  # a row stopped early is padded to the batch's end
            toks.pop()
    return toks, len(toks), "length" if len(toks) >= limit else "pad"


def _tokens_to_stop(toks: list[int], decode: Any, stopped: Any) -> int:
    """The number of tokens up to the one that completed a stop string: the shortest prefix whose
    text ``stopped`` (lm-eval stops a batch only when every row has one, so later rows run on)."""
    lo, hi = 1, len(toks)
    while lo < hi:
        mid = (lo + hi) // 2
        if stopped(decode(toks[:mid])):
            hi = mid
        else:
            lo = mid + 1
    return lo


def finish_piece(
    cont: list[int], *, eos_ids: set[int], close_id: int | None, pad_id: int | None, loop_at: int | None,
    limit: int, stops: Sequence[str], close_str: str | None, decode: Any,
) -> Piece:
    """One row of a budget step -> :class:`~r1bench.budget.Piece` (text, generated tokens, how it
    ended: ``close`` at ``close_id`` or ``close_str``, ``eos`` at an end-of-sequence token (counted)
    or a stop string, ``loop``, or ``length`` at ``limit``)."""
    end_ids = set(eos_ids) | ({close_id} if close_id is not None else set())
    toks, n, why = _row_end(cont, end_ids=end_ids, pad_id=pad_id, loop_at=loop_at, limit=limit)
    if isinstance(why, int):
        ended = "close" if close_id is not None and why == close_id else "eos"
    else:
        ended = "eos" if why == "pad" else why
    strings = [s for s in (*stops, close_str) if s]

    def first_stop(text: str) -> tuple[int, str] | None:
        hits = [(text.find(s), s) for s in strings if s in text]
        return min(hits) if hits else None

    text = decode(toks)
    hit = first_stop(text)
    if hit is not None:
        n = _tokens_to_stop(toks, decode, lambda part: first_stop(part) is not None)
        text = text[: hit[0]]
        ended = "close" if hit[1] == close_str else "eos"
    return Piece(text, n, ended)


def finish_row(
    cont: list[int], *, eos_ids: set[int], pad_id: int | None, loop_at: int | None, max_new_tokens: int,
    until: list[str], decode: Any, think_close_id: int | None = None,
) -> Generation:
    """One row of ``generate``'s output -> text, finish reason and exact token count.

    ``stop``: an end-of-sequence token (counted) or a stop string; ``loop``: the loop guard fired
    after ``loop_at`` tokens; ``length``: ``max_new_tokens`` generated without either.
    """
    toks, n, why = _row_end(cont, end_ids=set(eos_ids), pad_id=pad_id, loop_at=loop_at, limit=max_new_tokens)
    reason = why if why in ("loop", "length") else "stop"

    def cut_at_stop(text: str) -> str:
        return postprocess_generated_text(generation=text, stop=until, think_end_token=None)

    text = decode(toks)
    cut = cut_at_stop(text)
    if cut != text:
        n = _tokens_to_stop(toks, decode, lambda part: cut_at_stop(part) != part)
        toks, reason = toks[:n], "stop"
    reasoning = toks.index(think_close_id) if think_close_id is not None and think_close_id in toks else None
    return Generation(cut, reason, n, reasoning)
