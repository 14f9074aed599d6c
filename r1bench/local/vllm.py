"""The lm-eval model ``r1bench-vllm``: lm-eval's ``vllm`` model that resumes and knows why it stopped.

Importing this module imports vLLM (through lm-eval's ``vllm_causallms``); :mod:`r1bench.local`
registers the name lazily, so r1bench imports on machines without vLLM. Every ``vllm`` model_arg
works as before (``pretrained``, ``tensor_parallel_size``, ``gpu_memory_utilization``,
``max_model_len``, ``seed`` (the base seed), ``lora_local_path``, ...); r1bench adds ``store_path``,
``fresh``, ``progress``, ``loop_guard`` (+ ``loop_guard_repeats`` / ``_min_tokens`` /
``_max_period`` / ``_chunk``), ``wave_samples`` (samples per ``generate`` call, each call
committed to the store when it returns) and ``n_per_request`` (default true: the k samples of a question in
one ``SamplingParams(n=k)`` request). The generation logic is :class:`r1bench.local.vllm_core.VLLMSampler`.

GPU check (the store, ``n=k`` and finish reasons on a real engine)::

    r1bench eval --model r1bench-vllm \\
        --model_args pretrained=HuggingFaceTB/SmolLM2-135M-Instruct,max_model_len=2048,store_path=/tmp/st \\
        --tasks r1_smoke --limit 4 --log_samples --output_path /tmp/out

Budget forcing (``--gen_kwargs thinking_budget=B`` / ``thinking_extend=N``) runs through
:class:`~r1bench.local.vllm_core.VLLMSampler` in rounds; its GPU check is
``benchmarks/vllm_check.py``.
"""

from __future__ import annotations

from typing import Any

from lm_eval.models.vllm_causallms import VLLM
from vllm import SamplingParams

from r1bench.local.loop_guard import LoopGuard
from r1bench.local.sampling import (
    check_budget_options,
    generate_with_store,
    model_identity,
    open_store,
    parse_bool,
    plan_samples,
)
from r1bench.local.vllm_core import sampler_from_lm
from r1bench.response import Response

__all__ = ["R1BenchVLLM"]


class R1BenchVLLM(VLLM):
    """lm-eval's ``vllm`` model with r1bench's store, n=k requests, finish reasons, loop guard."""

    backend_name = "vllm"

    def __init__(
        self,
        pretrained: str,
        *,
        store_path: str | None = None,
        fresh: Any = False,
        progress: Any = True,
        n_per_request: Any = True,
        loop_guard: Any = False,
        loop_guard_repeats: Any = None,
        loop_guard_min_tokens: Any = None,
        loop_guard_max_period: Any = None,
        loop_guard_chunk: Any = 1024,
        wave_samples: Any = 512,
        starts_in_reasoning: Any = "auto",
        **kwargs: Any,
    ) -> None:
        del starts_in_reasoning  # read by the r1bench tasks (model_args reach them as metadata)
        if int(kwargs.get("data_parallel_size", 1) or 1) > 1:
            raise ValueError("r1bench-vllm does not support data_parallel_size > 1 yet (lm-eval runs it "
                             "through ray actors); use tensor_parallel_size, or run one process per GPU "
                             "with a shared store_path")
        super().__init__(pretrained=pretrained, **kwargs)
        self.r1_guard = LoopGuard.from_args(loop_guard, min_repeats=loop_guard_repeats,
                                            min_tokens=loop_guard_min_tokens, max_period=loop_guard_max_period)
        self.r1_chunk = int(loop_guard_chunk)
        self.r1_wave = int(wave_samples)
        self.r1_seed = int(kwargs.get("seed", 1234))
        self.r1_fresh = parse_bool(fresh)
        self.r1_progress = parse_bool(progress)
        self.r1_n = parse_bool(n_per_request)
        self.r1_store_path = store_path
        self.r1_identity = model_identity(
            pretrained, revision=kwargs.get("revision"), adapter=kwargs.get("lora_local_path"),
            backend=self.backend_name, dtype=kwargs.get("dtype", "auto"), quantization=kwargs.get("quantization"),
        )
        self.r1_model_name = str(pretrained)

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[Response]:
        """Every request's response, from the store where finished, else generated and stored."""
        if not requests:
            return []
        options = {"loop_guard": ({**self.r1_guard.to_dict(), "chunk": self.r1_chunk}
                                  if self.r1_guard else None)}
        specs = plan_samples(requests, backend=self.backend_name, identity=self.r1_identity,
                             base_seed=self.r1_seed, options=options)
        check_budget_options(specs)
        sampler = sampler_from_lm(self, self.r1_guard, chunk_tokens=self.r1_chunk,
                                  n_per_request=self.r1_n, make_params=SamplingParams,
                                  wave_samples=self.r1_wave)
        with open_store(self.r1_store_path) as store:
            responses = generate_with_store(
                specs, sampler, store=store, model_name=self.r1_model_name, fresh=self.r1_fresh,
                progress=self.r1_progress and not disable_tqdm, desc="r1bench-vllm",
            )
        for inst, text in zip(requests, responses):
            self.cache_hook.add_partial("generate_until", inst.args, text)
        return responses
