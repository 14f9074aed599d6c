"""The lm-eval model ``r1bench-chat``: lm-eval's ``generate_until`` on top of :mod:`r1bench.api`.

Importing this module registers the model. lm-eval 0.4.13 has no plugin entry point, so plain
``lm_eval`` sees it only in a process that imported it first: use ``r1bench eval`` (or
``python -m r1bench.lm_eval``, the same command: lm-eval's own CLI with this module imported). Example::

    r1bench eval --model r1bench-chat \\
        --model_args base_url=http://127.0.0.1:8000/v1,model=NAME,num_concurrent=32 \\
        --tasks r1_suite --output_path out

With ``repeats: k`` lm-eval sends k identical requests per document; each gets its own sample
index (the i-th occurrence of an identical (context, gen_kwargs) pair), hence its own seed and
store key. A request that fails after all retries returns a unique failure sentinel
(:mod:`r1bench.api.failures`): the ``r1`` filter scores it as no answer and records the error in
that sample's ``extra["api_error"]`` (finish_reason None), so failed samples stay visible per
sample. It is also logged and stored as failed, and the run summary (``summary_path``, default
``<store dir>/runs/``) says ``"incomplete": true``; re-running the same command re-sends only the
failed samples.

Servers that serve a DeepSeek-R1 distill without a reasoning parser return text whose template
pre-filled ``<think>`` is missing (only ``</think>`` appears): pass ``starts_in_reasoning=true`` in
``--model_args`` (lm-eval merges model_args into the task metadata, so the r1bench tasks see it;
``--metadata '{"starts_in_reasoning": true}'`` does the same).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

# Load lm-eval's built-in models before adding ours: its registry loads them only while it is
# empty, so registering first would hide hf and vllm.
import lm_eval.models  # noqa: F401
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from r1bench.api.client import run_chat_requests, summarize_results
from r1bench.api.failures import failure_error, make_failure_text
from r1bench.api.types import DEFAULT_MAX_TOKENS, ChatConfig, ChatRequest, ChatResult, RunSummary
from r1bench.local.sampling import parse_bool
from r1bench.response import Response
from r1bench.store import assign_sample_indices

__all__ = [
    "R1BenchChat",
    "context_to_messages",
    "assign_sample_indices",
    "response_metadata",
    "failure_error",
]

logger = logging.getLogger(__name__)

def response_metadata(text: str) -> dict[str, Any] | None:
    """finish_reason / usage carried by a response this model returned (a
    :class:`~r1bench.response.Response`), or, for a failed request's sentinel,
    ``{"error": ..., "finish_reason": None, "usage": {}}``; None for a plain string."""
    error = failure_error(text)
    if error is not None:
        return {"error": error, "finish_reason": None, "usage": {}}
    if not isinstance(text, Response):
        return None
    return {"finish_reason": text.finish_reason, "usage": dict(text.usage)}


def context_to_messages(context: Any) -> list[dict[str, Any]]:
    """lm-eval context -> chat messages. With ``--apply_chat_template`` the context is the JSON
    message list made by :meth:`R1BenchChat.apply_chat_template`; otherwise it is one user turn."""
    if isinstance(context, list) and all(isinstance(m, dict) for m in context):
        return context
    text = str(getattr(context, "prompt", context))
    stripped = text.lstrip()
    if stripped.startswith("[{"):
        try:
            messages = json.loads(text)
        except ValueError:
            messages = None
        if (
            isinstance(messages, list)
            and messages
            and all(isinstance(m, dict) and "role" in m and "content" in m for m in messages)
        ):
            return messages
    return [{"role": "user", "content": text}]


def _opt_float(value: Any) -> float | None:
    return None if value in (None, "", "None", "none") else float(value)


def _opt_int(value: Any) -> int | None:
    return None if value in (None, "", "None", "none") else int(value)


# Arguments lm-eval itself adds to every model's model_args.
_LM_EVAL_ARGS = frozenset({"batch_size", "max_batch_size", "device"})


def model_arg_names() -> frozenset[str]:
    """Every model_args key r1bench-chat accepts (its parameters and lm-eval's own)."""
    import inspect

    params = inspect.signature(R1BenchChat.__init__).parameters
    return frozenset(n for n, p in params.items() if n != "self" and p.kind is not p.VAR_KEYWORD) | _LM_EVAL_ARGS


@register_model("r1bench-chat")
class R1BenchChat(LM):
    """OpenAI-compatible chat model for lm-eval: concurrent, retried, resumable, reasoning-aware.

    model_args: base_url, model, api_key_env, num_concurrent, max_retries, timeout, seed,
    store_path, fresh, retry_failed, price_input_per_m, price_output_per_m, max_gen_toks (default
    generation limit when a task gives none), max_tokens_field, summary_path, progress,
    starts_in_reasoning (auto/true/false: read by the r1bench tasks, which lm-eval hands the
    model_args as metadata; true for servers whose template pre-fills ``<think>`` and that have
    no reasoning parser), stream (true: read server-sent events and record each sample's phase
    latency, :mod:`r1bench.api.stream`), budget_mode (completions/prefix) and tokenizer: how
    ``--gen_kwargs thinking_budget=B`` / ``thinking_extend=N`` continue a partial answer
    (:mod:`r1bench.api.budget_client`, which says which servers support which).
    """

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        api_key_env: str | None = None,
        num_concurrent: int = 8,
        max_retries: int = 6,
        timeout: float = 3600.0,
        seed: int | None = None,
        store_path: str | None = None,
        fresh: bool = False,
        retry_failed: bool = True,
        price_input_per_m: float | None = None,
        price_output_per_m: float | None = None,
        max_gen_toks: int = DEFAULT_MAX_TOKENS,
        max_tokens_field: str = "max_tokens",
        summary_path: str | None = None,
        progress: bool = True,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        pretrained: str | None = None,
        starts_in_reasoning: Any = "auto",
        stream: bool = False,
        budget_mode: str | None = None,
        tokenizer: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if "api_key" in kwargs:
            raise ValueError(
                "r1bench-chat does not take api_key in model_args (lm-eval writes model_args into "
                "its results); put the key in an environment variable (OPENAI_API_KEY, "
                "DEEPSEEK_API_KEY, or a name given as api_key_env=NAME)"
            )
        unknown = sorted(k for k in kwargs if k not in _LM_EVAL_ARGS)
        if unknown:
            # Refused, not ignored: a misspelled key (key=sk-...) would be written into the results.
            raise ValueError(f"r1bench-chat: unknown model_args {', '.join(unknown)} (known: "
                             f"{', '.join(sorted(model_arg_names()))})")
        model = model or pretrained
        text = str(starts_in_reasoning).strip().lower()
        if text not in ("auto", "1", "true", "yes", "on", "0", "false", "no", "off"):
            raise ValueError(f"starts_in_reasoning must be auto/true/false, got {starts_in_reasoning!r}")
        # Not used by the model itself: lm-eval passes model_args on to the tasks as metadata, and
        # the r1bench tasks split each output with it (see r1bench.lm_eval.hooks.load_dataset).
        self.starts_in_reasoning = text
        if not base_url or not model:
            raise ValueError(
                "r1bench-chat needs model_args base_url=http://HOST:PORT/v1,model=NAME "
                f"(got base_url={base_url!r}, model={model!r})"
            )
        self.config = ChatConfig(
            base_url=str(base_url),
            model=str(model),
            api_key_env=api_key_env or None,
            num_concurrent=int(num_concurrent),
            max_retries=int(max_retries),
            timeout=float(timeout),
            seed=_opt_int(seed),
            store_path=str(store_path) if store_path else None,
            fresh=bool(fresh),
            retry_failed=bool(retry_failed),
            price_input_per_m=_opt_float(price_input_per_m),
            price_output_per_m=_opt_float(price_output_per_m),
            backoff_base=float(backoff_base),
            backoff_max=float(backoff_max),
            default_max_tokens=int(max_gen_toks),
            max_tokens_field=str(max_tokens_field),
            stream=parse_bool(stream),
            budget_mode=str(budget_mode) if budget_mode not in (None, "", "None", "none") else None,
            tokenizer=str(tokenizer) if tokenizer else None,
        )
        self.summary_path = summary_path
        self.progress = bool(progress)
        self.last_summary: RunSummary | None = None
        self.last_summary_path: Path | None = None

    # -- lm-eval chat-template hooks -------------------------------------------------------
    @property
    def tokenizer_name(self) -> str:
        return "r1bench-chat-" + re.sub(r"[^\w.-]", "_", self.config.model)

    def chat_template(self, chat_template: bool | str = False) -> str:
        return ""

    def apply_chat_template(self, chat_history: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        """Keep the messages as they are (JSON); the server applies the model's template."""
        return json.dumps(chat_history, ensure_ascii=False)

    # -- requests ---------------------------------------------------------------------------
    def loglikelihood(self, requests: list[Any]) -> list[tuple[float, bool]]:
        raise NotImplementedError(
            "r1bench-chat only generates (chat completions give no prompt logprobs); use "
            "generate_until tasks such as r1_suite"
        )

    def loglikelihood_rolling(self, requests: list[Any]) -> list[float]:
        raise NotImplementedError("r1bench-chat does not support loglikelihood_rolling")

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        """Send every request (resuming from the store) and return the texts in order; a failed
        sample comes back as a unique failure sentinel (scored as no answer, its error recorded in
        the sample's record by the ``r1`` filter) and is counted in the run summary."""
        if not requests:
            return []
        pairs = []
        for inst in requests:
            context, gen_kwargs = inst.args[0], dict(inst.args[1] or {})
            pairs.append((context_to_messages(context), gen_kwargs))
        indices = assign_sample_indices(pairs)
        chat_requests = [
            ChatRequest(messages=m, gen_kwargs=g, sample_index=i) for (m, g), i in zip(pairs, indices)
        ]
        start = time.monotonic()
        results = run_chat_requests(chat_requests, self.config, progress=self.progress and not disable_tqdm)
        summary = summarize_results(results, self.config, elapsed_s=time.monotonic() - start)
        self._record_summary(summary, requests, results)

        texts = []
        for inst, result in zip(requests, results):
            if not result.ok:
                texts.append(Response(make_failure_text(result.error), error=result.error))
                continue
            # finish_reason and usage travel with the text to the r1 filter (r1bench.response).
            usage = {k: _opt_int((result.usage or {}).get(k)) for k in ("completion_tokens", "reasoning_tokens")}
            text = Response(result.text, finish_reason=result.finish_reason,
                            usage={k: v for k, v in usage.items() if v is not None},
                            source="api", from_store=result.from_store, budget=result.budget,
                            latency=result.latency)
            texts.append(text)
            self.cache_hook.add_partial("generate_until", inst.args, text)
        return texts

    def _record_summary(self, summary: RunSummary, requests: list[Any], results: list[ChatResult]) -> None:
        """Write the run summary JSON (``incomplete`` flag, failures with task/doc ids)."""
        failures = []
        for inst, result in zip(requests, results):
            if not result.ok:
                failures.append(
                    {
                        "task": getattr(inst, "task_name", None),
                        "doc_id": getattr(inst, "doc_id", None),
                        "sample_index": result.request.sample_index,
                        "key": result.key,
                        "error": result.error,
                    }
                )
        summary.failures = failures[:500]
        self.last_summary = summary
        data = summary.to_dict()
        data["tasks"] = sorted({str(getattr(i, "task_name", "")) for i in requests})
        data["finished_at"] = _dt.datetime.now(_dt.timezone.utc).isoformat()
        if self.summary_path:
            path = Path(self.summary_path).expanduser()
        else:
            stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S")
            safe = re.sub(r"[^\w.-]", "_", self.config.model)
            path = self.config.store_file.parent / "runs" / f"{safe}_{stamp}_{os.getpid()}.json"
        from r1bench.io import atomic_write_text

        atomic_write_text(path, json.dumps(data, indent=2, default=str))
        self.last_summary_path = path
        if summary.incomplete:
            logger.warning(
                "r1bench-chat run INCOMPLETE: %d of %d samples failed and were scored as no answer; "
                "re-run the same command to retry only them. Summary: %s",
                summary.failed,
                summary.total,
                path,
            )
        else:
            logger.info("r1bench-chat: all %d samples ok; summary: %s", summary.total, path)
        if summary.cost_usd is not None:
            logger.info(
                "r1bench-chat cost: $%.4f in total ($%.4f for requests sent in this run)",
                summary.cost_usd,
                summary.cost_usd_this_run or 0.0,
            )
