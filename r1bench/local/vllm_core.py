"""The engine-facing half of ``r1bench-vllm``, free of vLLM imports so CPU tests can drive it.

:class:`VLLMSampler` turns the missing samples of a run into ``LLM.generate`` calls and the
:class:`~vllm.outputs.RequestOutput` objects back into :class:`~r1bench.local.sampling.Generation`
(finish reason from ``CompletionOutput.finish_reason``, token count ``len(token_ids)``):

* the missing samples of one (prompt, params) group with consecutive indices ``i..j`` go in ONE
  request, ``SamplingParams(n=j-i+1, seed=group_seed+i)`` (vLLM seeds parallel child ``c`` with
  ``seed + c``, so this equals separate requests seeded ``group_seed+i..j``); if the engine
  rejects ``n > 1`` the sampler falls back to one request per sample (``n_per_request=false``
  forces that);
* the samples go to the engine in waves (``wave_samples``, default 512, whole prompts), each
  committed to the store when its ``generate`` call returns;
* with a loop guard, generation runs in chunks of ``loop_guard_chunk`` tokens: after each chunk the
  unfinished samples are checked on their token ids, looping ones stop with ``finish_reason="loop"``
  and the rest continue from prompt + generated ids (vLLM's prefix cache reuses their KV blocks).
  A logits processor could check every token, but vLLM's per-request logits processors are gone
  from its V1 engine; the chunk check costs at most one chunk of tokens per looping sample.

Budget forcing (``thinking_budget`` / ``thinking_extend``, :mod:`r1bench.budget`) is the same
continuation: each sample's :class:`~r1bench.budget.BudgetRun` says what to generate next, and a
round sends every live sample's step (thinking: ``stop=["</think>"]``, ``max_tokens`` = what the
budget leaves; answer: the answer limit) from prompt + the sample's text so far (re-encoded: the
close, answer cue and "Wait" are text, as in s1). The first round keeps ``n=k`` requests; later
rounds reseed each sample from its own state. With a loop guard, a step runs in chunks too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lm_eval.models.utils import (
    handle_stop_sequences,
    normalize_gen_kwargs,
    postprocess_generated_text,
)

from r1bench.budget import THINK_CLOSE, BudgetConfig, BudgetRun, Piece, Step, parse_budget
from r1bench.local.loop_guard import LoopGuard, find_token_loop
from r1bench.local.sampling import Generation, SampleSpec, budget_generation

__all__ = ["VLLMSampler", "prepare_gen_kwargs"]

logger = logging.getLogger(__name__)


def prepare_gen_kwargs(gen_kwargs: dict[str, Any], *, eos: str | None,
                       default_max_gen_toks: int) -> tuple[dict[str, Any], list[str], int]:
    """lm-eval's ``VLLM.modify_gen_kwargs`` (0.4.13), restated here because importing it imports
    vLLM: (SamplingParams kwargs, stop strings, max tokens)."""
    kwargs = normalize_gen_kwargs(gen_kwargs, default_max_gen_toks=default_max_gen_toks)
    until = handle_stop_sequences(kwargs.pop("until", None), eos=eos)
    max_gen_toks = int(kwargs.pop("max_gen_toks", default_max_gen_toks))
    kwargs.pop("do_sample", None)
    return {"skip_special_tokens": False, "spaces_between_special_tokens": False} | kwargs, until, max_gen_toks


@dataclass
class _Live:
    """A sample being generated: prompt ids, ids so far, text so far, its seed."""

    spec: SampleSpec
    prompt: list[int]
    seed: int
    ids: list[int]
    text: str = ""
    chunks: int = 0
    # budget forcing: the sample's phases, its current step, the text so far encoded, the step's ids
    run: BudgetRun | None = None
    step: Step | None = None
    base: list[int] = field(default_factory=list)
    step_ids: list[int] = field(default_factory=list)
    step_text: str = ""


class VLLMSampler:
    """Callable engine for :func:`r1bench.local.sampling.generate_with_store` over a vLLM ``LLM``.

    ``llm``: anything with ``generate(prompts, sampling_params, use_tqdm=False)`` returning
    RequestOutput-shaped objects (``.outputs``: list of ``.text``, ``.token_ids``,
    ``.finish_reason``). ``make_params``: ``vllm.SamplingParams`` (or a stand-in). ``encode``:
    (prompt strings, max_gen_toks) -> token id lists truncated to fit; ``decode``: ids -> text
    (for samples generated in several chunks); ``encode_text``: text -> ids without special tokens
    (a budget-forced sample's text so far).
    """

    def __init__(
        self,
        llm: Any,
        *,
        make_params: Callable[..., Any],
        encode: Callable[[list[str], int], list[list[int]]],
        decode: Callable[[list[int]], str] | None = None,
        eos: str | None,
        default_max_gen_toks: int,
        guard: LoopGuard | None = None,
        chunk_tokens: int = 1024,
        n_per_request: bool = True,
        think_close_id: int | None = None,
        lora_request: Any = None,
        wave_samples: int = 512,
        encode_text: Callable[[str], list[int]] | None = None,
    ) -> None:
        self.llm = llm
        self.make_params = make_params
        self.encode = encode
        self.decode = decode
        self.eos = eos
        self.default_max_gen_toks = int(default_max_gen_toks)
        self.guard = guard
        self.chunk_tokens = max(1, int(chunk_tokens))
        self.n_per_request = bool(n_per_request)
        self.think_close_id = think_close_id
        self.lora_request = lora_request
        self.wave_samples = max(1, int(wave_samples))
        self.encode_text = encode_text
        self.calls: list[int] = []  # number of prompts per generate() call (for tests and logs)

    # -- one call to the engine -----------------------------------------------------------
    def _generate(self, prompts: list[list[int]], params: list[Any]) -> list[Any]:
        self.calls.append(len(prompts))
        kwargs: dict[str, Any] = {"use_tqdm": False}
        if self.lora_request is not None:
            kwargs["lora_request"] = self.lora_request
        outs = self.llm.generate([{"prompt_token_ids": p} for p in prompts], params, **kwargs)
        return list(outs)

    def __call__(self, specs: list[SampleSpec]) -> Iterator[list[tuple[SampleSpec, Generation]]]:
        """Generate ``specs`` grouped by gen_kwargs; yield each group's samples when done."""
        by_kwargs: dict[str, list[SampleSpec]] = {}
        for spec in specs:
            by_kwargs.setdefault(repr(sorted(spec.gen_kwargs.items(), key=str)), []).append(spec)
        for group in by_kwargs.values():
            # Waves of whole prompts (all their missing samples together, for n=k): one
            # generate() call each, committed when it returns, so a kill loses one wave at most.
            by_prompt: dict[str, list[SampleSpec]] = {}
            for spec in group:
                by_prompt.setdefault(spec.context, []).append(spec)
            wave: list[SampleSpec] = []
            for prompt_specs in by_prompt.values():
                if wave and len(wave) + len(prompt_specs) > self.wave_samples:
                    yield from self._run_group(wave)
                    wave = []
                wave.extend(prompt_specs)
            if wave:
                yield from self._run_group(wave)

    def _run_group(self, specs: list[SampleSpec]) -> Iterator[list[tuple[SampleSpec, Generation]]]:
        cfg, plain = parse_budget(specs[0].gen_kwargs)  # the budget keys never reach SamplingParams
        kwargs, until, max_gen_toks = prepare_gen_kwargs(
            plain, eos=self.eos, default_max_gen_toks=self.default_max_gen_toks
        )
        contexts = list(dict.fromkeys(s.context for s in specs))
        prompt_ids = dict(zip(contexts, self.encode(contexts, max_gen_toks)))
        live = [_Live(s, prompt_ids[s.context], s.seed, []) for s in specs]
        if cfg is not None:
            yield self._run_budget(live, cfg, kwargs, until, max_gen_toks)
            return
        done: list[tuple[SampleSpec, Generation]] = []
        step = self.chunk_tokens if self.guard else max_gen_toks
        first = True
        while live:
            outputs = self._round(live, kwargs, until, max_gen_toks, step, grouped=first)
            first = False
            still: list[_Live] = []
            for item, out in zip(live, outputs):
                item.ids.extend(int(t) for t in out.token_ids)
                item.text += out.text
                item.chunks += 1
                gen = self._finished(item, out, until, max_gen_toks)
                if gen is None:
                    still.append(item)
                else:
                    done.append((item.spec, gen))
            live = still
        yield done

    def _round(self, live: list[_Live], kwargs: dict[str, Any], until: list[str], max_gen_toks: int,
               step: int, *, grouped: bool) -> list[Any]:
        """One generate() over the live samples; the CompletionOutput of each, in order."""

        def request(head: _Live, n: int) -> tuple[list[int], Any]:
            # A continuation (loop guard) reseeds from the sample's seed and its length so far.
            seed = head.seed + (len(head.ids) * 1_000_003 if head.ids else 0)
            remaining = max_gen_toks - len(head.ids)
            return head.prompt + head.ids, self.make_params(n=n, seed=seed, max_tokens=min(step, remaining),
                                                            stop=until, **kwargs)

        return self._round_with(live, request, grouped=grouped)

    def _round_with(self, live: list[_Live], request: Callable[[_Live, int], tuple[list[int], Any]], *,
                    grouped: bool) -> list[Any]:
        """One generate() over the live samples, ``request(head, n)`` giving each request's prompt
        ids and SamplingParams; the CompletionOutput of each sample, in order."""
        runs: list[list[_Live]] = []
        if grouped and self.n_per_request:
            # Consecutive sample indices of one prompt share a request (n = run length).
            for item in sorted(live, key=lambda x: (x.spec.context, x.spec.sample_index)):
                prev = runs[-1][-1] if runs else None
                if (prev is not None and prev.spec.context == item.spec.context
                        and item.spec.sample_index == prev.spec.sample_index + 1 and not prev.ids):
                    runs[-1].append(item)
                else:
                    runs.append([item])
        else:
            runs = [[x] for x in live]
        by_id: dict[int, Any] = {}
        try:
            outs = self._send(runs, request)
        except (TypeError, ValueError, NotImplementedError) as exc:
            if all(len(r) == 1 for r in runs):
                raise
            logger.warning("r1bench-vllm: the engine refused n>1 requests (%s); sending one "
                           "request per sample from now on", exc)
            self.n_per_request = False
            runs = [[x] for x in live]
            outs = self._send(runs, request)
        for run, out in zip(runs, outs):
            completions = list(out.outputs)
            if len(completions) != len(run):
                raise RuntimeError(f"r1bench-vllm: asked for {len(run)} samples, the engine returned "
                                   f"{len(completions)}")
            # vLLM returns parallel samples ordered by their child index (seed + index).
            completions.sort(key=lambda c: getattr(c, "index", 0))
            for item, comp in zip(run, completions):
                by_id[id(item)] = comp
        return [by_id[id(x)] for x in live]

    def _send(self, runs: list[list[_Live]], request: Callable[[_Live, int], tuple[list[int], Any]]) -> list[Any]:
        prompts, params = [], []
        for run in runs:
            prompt, param = request(run[0], len(run))
            prompts.append(prompt)
            params.append(param)
        return self._generate(prompts, params)

    # -- budget forcing ---------------------------------------------------------------------
    def _run_budget(self, live: list[_Live], cfg: BudgetConfig, kwargs: dict[str, Any], until: list[str],
                    max_gen_toks: int) -> list[tuple[SampleSpec, Generation]]:
        """Every sample of ``live`` to the end of its phases (rounds of steps, see the module doc)."""
        if self.encode_text is None:
            raise ValueError("r1bench-vllm: thinking_budget/thinking_extend need encode_text (the tokenizer)")
        for item in live:
            item.run = BudgetRun(cfg, max_gen_toks)
        done: list[tuple[SampleSpec, Generation]] = []
        first = True
        while live:
            ready: list[_Live] = []
            for item in live:
                assert item.run is not None
                if item.step is None:
                    item.step = item.run.next_step()
                    if item.step is None:
                        done.append((item.spec, budget_generation(item.run)))
                        continue
                    item.base = self.encode_text(item.run.text) if item.run.text else []
                    item.step_ids, item.step_text, item.chunks = [], "", 0
                ready.append(item)
            live = ready
            if not live:
                break
            outputs = self._round_with(live, lambda head, n: self._budget_request(head, n, kwargs, until),
                                       grouped=first)
            first = False
            for item, out in zip(live, outputs):
                piece = self._budget_piece(item, out, until)
                if piece is not None:
                    assert item.run is not None
                    item.ids.extend(item.step_ids)
                    item.run.feed(piece)
                    item.step = None
        return done

    def _budget_request(self, head: _Live, n: int, kwargs: dict[str, Any], until: list[str]) -> tuple[list[int], Any]:
        assert head.run is not None and head.step is not None
        left = head.step.max_tokens - len(head.step_ids)
        max_tokens = min(left, self.chunk_tokens) if self.guard is not None else left
        stop = [*until, THINK_CLOSE] if head.step.stop_at_close else list(until)
        seed = head.run.seed_for(head.seed, len(head.step_ids))
        return head.prompt + head.base + head.step_ids, self.make_params(
            n=n, seed=seed, max_tokens=max_tokens, stop=stop, **kwargs)

    def _budget_piece(self, item: _Live, out: Any, until: list[str]) -> Piece | None:
        """The step's Piece once it is over; None when a guarded chunk should continue."""
        assert item.step is not None
        item.step_ids.extend(int(t) for t in out.token_ids)
        item.step_text += out.text
        item.chunks += 1
        n = len(item.step_ids)
        reason = out.finish_reason
        if reason == "stop":
            # vLLM names the stop string that fired (None for end-of-sequence).
            ended = "close" if getattr(out, "stop_reason", None) == THINK_CLOSE else "eos"
        elif self.guard is not None and find_token_loop(item.ids + item.step_ids, self.guard) is not None:
            ended = "loop"
        elif reason == "length" and n < item.step.max_tokens:
            return None  # a chunk of a guarded step: continue it
        elif reason == "length" or n >= item.step.max_tokens:
            ended = "length"
        else:
            raise RuntimeError(f"r1bench-vllm: unexpected finish_reason {reason!r} (sample "
                               f"{item.spec.sample_index} of position {item.spec.position})")
        raw = self.decode(item.step_ids) if item.chunks > 1 and self.decode is not None else item.step_text
        # Stop strings (and the end-of-sequence text) end the piece; "</think>" is cut by feed().
        text = postprocess_generated_text(generation=raw, stop=until, think_end_token=None)
        return Piece(text, n, ended)

    def _finished(self, item: _Live, out: Any, until: list[str], max_gen_toks: int) -> Generation | None:
        """The sample's Generation when it is over, None when a guarded chunk should continue."""
        reason = out.finish_reason
        n = len(item.ids)
        if reason == "stop":
            return self._generation(item, "stop", until)
        if self.guard is not None:
            if find_token_loop(item.ids, self.guard) is not None:
                return self._generation(item, "loop", until)
            if n < max_gen_toks and reason == "length":
                return None
        if reason == "length" or n >= max_gen_toks:
            return self._generation(item, "length", until)
        raise RuntimeError(f"r1bench-vllm: unexpected finish_reason {reason!r} (sample "
                           f"{item.spec.sample_index} of position {item.spec.position})")

    def _generation(self, item: _Live, reason: str, until: list[str]) -> Generation:
        # Chunks are decoded apart by the engine; decode the whole sample once so chunk borders
        # cannot change the text.
        raw = self.decode(item.ids) if item.chunks > 1 and self.decode is not None else item.text
        text = postprocess_generated_text(generation=raw, stop=until, think_end_token=None)
        ids = item.ids
        reasoning = (ids.index(self.think_close_id)
                     if self.think_close_id is not None and self.think_close_id in ids else None)
        return Generation(text, reason, len(ids), reasoning)


def sampler_from_lm(lm: Any, guard: LoopGuard | None, *, chunk_tokens: int, n_per_request: bool,
                    make_params: Callable[..., Any], wave_samples: int = 512) -> VLLMSampler:
    """A :class:`VLLMSampler` over an lm-eval ``VLLM`` instance's engine and tokenizer."""
    from lm_eval.models.utils import maybe_truncate

    eos = lm.tokenizer.decode(lm.eot_token_id)
    if not eos and getattr(lm.tokenizer, "eos_token", None):
        eos = lm.tokenizer.eos_token

    def encode(contexts: Sequence[str], max_gen_toks: int) -> list[list[int]]:
        # Truncated as lm-eval's vllm model does, leaving room for the generation limit.
        out = []
        for toks in lm.tok_encode(list(contexts)):
            toks, _ = maybe_truncate(toks, max_gen_toks=max_gen_toks, max_model_len=lm.max_length,
                                     side=getattr(lm, "truncation_side", "left"), verbose=True)
            out.append(toks)
        return out

    ids = lm.tokenizer.encode("</think>", add_special_tokens=False)
    return VLLMSampler(
        lm.model, make_params=make_params, encode=encode,
        decode=lambda ids: lm.tokenizer.decode(ids, skip_special_tokens=False), eos=eos, default_max_gen_toks=lm.max_gen_toks,
        guard=guard, chunk_tokens=chunk_tokens, n_per_request=n_per_request,
        think_close_id=int(ids[0]) if len(ids) == 1 else None, lora_request=getattr(lm, "lora_request", None),
        wave_samples=wave_samples, encode_text=lambda text: lm.tokenizer.encode(text, add_special_tokens=False),
    )
