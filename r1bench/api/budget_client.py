"""Budget forcing (``thinking_budget`` / ``thinking_extend``) through an OpenAI-compatible server.

Every phase of a budget-forced sample continues a partial assistant answer (the thinking so far,
then ``</think>`` + the answer cue, or the thinking + "Wait"). The phase logic is
:class:`r1bench.budget.BudgetRun`, shared with the local backends; this module only sends each
step, through the same retry loop and sample store as every other request
(:class:`r1bench.api.client.Engine`). A step's result is stored under a key made of its request
body (which holds the text so far) and its step number, so a resumed run replays finished phases
from the store and sends only the first unfinished one; the finished sample is stored under its own
key (the request plus the budget options), as an unbudgeted sample is.

Two ways to continue a partial answer (model_arg ``budget_mode``):

``completions`` (recommended): ``POST {base_url}/completions`` with ``prompt`` = the chat template
    rendered here (``tokenizer=`` the served model's tokenizer, ``apply_chat_template(...,
    add_generation_prompt=True)``) + the text so far. Exact for any template; needs a server with
    the legacy completions endpoint: vLLM, SGLang, TGI, llama.cpp's server, ``transformers serve``
    (tried with the embedded SmolLM2), LM Studio, Ollama's OpenAI layer. Not the OpenAI API (no completions for chat models) nor DeepSeek's (its
    ``/beta/completions`` is fill-in-the-middle for the chat model, not the reasoner).
``prefix``: ``POST {base_url}/chat/completions`` with the text so far as a last assistant message
    and ``"continue_final_message": true, "add_generation_prompt": false`` (vLLM >= 0.6.3, SGLang,
    TGI >= 2.4.1, llama.cpp's server since 2026-05; lmdeploy continues a final assistant message
    without a flag; ``transformers serve`` refuses the fields with HTTP 422, a recorded failure). The continuation is only as faithful as the server's chat template: DeepSeek-R1
    distill templates cut an assistant message at ``</think>`` (they drop past reasoning), so the
    answer phase would not see the thinking; use ``completions`` for them.

Where neither works, budget options fail before any request with one line: OpenAI's API cannot
continue a partial assistant message; DeepSeek's chat prefix completion (beta, ``"prefix": true``)
continues the answer ``content`` only, and ``deepseek-reasoner`` thinks server-side in
``reasoning_content``, which a request cannot pre-fill, so its thinking cannot be capped or extended.

Token counts per phase are the server's ``usage.completion_tokens`` of each step (a server without
usage fails the sample rather than guessing). The thinking phase stops at ``</think>`` (a stop
string); the server says whether that stop string fired (vLLM ``stop_reason``, SGLang
``matched_stop``); a server that says neither is taken to have stopped at ``</think>`` (end of
sequence inside the thinking is rare for R1-style models, and the answer phase follows either way).
Budget-forced steps are sent unstreamed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from r1bench.api.payload import ResponseError
from r1bench.api.store import request_key
from r1bench.api.types import ChatConfig, ChatRequest
from r1bench.budget import THINK_CLOSE, BudgetConfig, BudgetRun, Piece, Step, parse_budget

__all__ = ["BudgetPlan", "run_budget_sample", "parse_step_response", "step_piece", "check_budget_mode"]

_NO_MODE = (
    "thinking_budget/thinking_extend through r1bench-chat need a way to continue a partial answer: pass "
    "budget_mode=completions,tokenizer=<the served model's tokenizer> (vLLM, SGLang, TGI, llama.cpp) or "
    "budget_mode=prefix (servers with continue_final_message: vLLM, SGLang, TGI)"
)


def check_budget_mode(config: ChatConfig) -> None:
    """Raise a one-line ValueError when budget forcing cannot run against this server/config."""
    url = config.base_url.lower()
    if "api.openai.com" in url:
        raise ValueError("thinking_budget/thinking_extend: OpenAI's API cannot continue a partial assistant "
                         "message (no prefix continuation, no completions for chat models); use a self-hosted server")
    if "deepseek.com" in url:
        raise ValueError("thinking_budget/thinking_extend: the DeepSeek API cannot cap or extend deepseek-reasoner's "
                         "thinking (chat prefix completion continues the answer content only); use a self-hosted server")
    if config.budget_mode is None:
        raise ValueError(_NO_MODE)


@functools.lru_cache(maxsize=4)
def _tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(name)
    except Exception as exc:  # noqa: BLE001 - any loading failure becomes one line
        raise ValueError(f"budget_mode=completions: cannot load tokenizer={name!r}: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}") from None


def render_prompt(tokenizer: str, messages: list[dict[str, Any]]) -> str:
    """The served model's chat template applied to ``messages`` with the generation prompt."""
    tok = _tokenizer(tokenizer)
    if not getattr(tok, "chat_template", None):
        raise ValueError(f"budget_mode=completions: tokenizer {tokenizer!r} has no chat template")
    return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


@dataclass
class BudgetPlan:
    """One budget-forced sample: its options, its request without them, and how to continue."""

    cfg: BudgetConfig
    request: ChatRequest
    max_gen_toks: int
    config: ChatConfig
    prompt: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, request: ChatRequest, config: ChatConfig) -> BudgetPlan | None:
        """The plan of a request with budget options; None without them. Raises a one-line
        ValueError for bad option values or a server/config that cannot continue an answer."""
        cfg, rest = parse_budget(request.gen_kwargs or {})
        if cfg is None:
            return None
        check_budget_mode(config)
        limit = next((rest[k] for k in ("max_tokens", "max_completion_tokens", "max_gen_toks")
                      if rest.get(k) is not None), config.default_max_tokens)
        plan = cls(cfg, ChatRequest(request.messages, rest, request.sample_index), int(limit), config)
        if config.budget_mode == "completions":
            plan.prompt = render_prompt(str(config.tokenizer), request.messages)
        return plan

    def key_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """What the finished sample's store key is made of: the request and the budget options
        (a budgeted sample never resumes an unbudgeted one, or one under other options)."""
        return {**payload, "r1bench_budget": {
            "thinking_budget": self.cfg.budget, "thinking_extend": self.cfg.extend,
            "thinking_extend_str": self.cfg.extend_str, "thinking_answer_cue": self.cfg.answer_cue,
            "thinking_answer_tokens": self.cfg.answer_tokens, "budget_mode": self.config.budget_mode,
            "max_gen_toks": self.max_gen_toks,
        }}

    def step_request(self, payload: dict[str, Any], text: str, step: Step) -> tuple[str, dict[str, Any]]:
        """(url, body) of one step continuing ``text`` under ``step``'s limit and stop."""
        body = {k: v for k, v in payload.items() if k not in ("max_tokens", "max_completion_tokens", "stop")}
        until = list(payload.get("stop") or [])
        stop = until + ([THINK_CLOSE] if step.stop_at_close and THINK_CLOSE not in until else [])
        if stop:
            body["stop"] = stop
        if self.config.budget_mode == "completions":
            body.pop("messages", None)
            body["prompt"] = (self.prompt or "") + text
            body["max_tokens"] = step.max_tokens
            return self.config.completions_endpoint, body
        body[self.config.max_tokens_field] = step.max_tokens
        if text:  # a continuation: the text so far as the open final assistant message
            body["messages"] = [*payload["messages"], {"role": "assistant", "content": text}]
            body["continue_final_message"] = True
            body["add_generation_prompt"] = False
        return self.config.endpoint, body


def parse_step_response(body: bytes | str) -> dict[str, Any]:
    """One step's response (text completion or chat) as ``{"text", "finish_reason", "stop_reason",
    "stop_known", "usage"}``; an empty text is fine here (the model may close its thinking at once).
    Raises a transient :class:`ResponseError` for a body that is not a completion."""
    from r1bench.api.payload import _as_text, _usage, first_choice  # the shared response readers

    data, choice = first_choice(body)
    if isinstance(choice.get("message"), dict):
        message = choice["message"]
        content = _as_text(message.get("content")) or ""
        reasoning = _as_text(message.get("reasoning_content")) or _as_text(message.get("reasoning")) or ""
        # A reasoning parser splits a continuation at </think>: put the close back where it was.
        text = reasoning + THINK_CLOSE + content if reasoning and content else (reasoning or content)
    elif isinstance(choice.get("text"), str):
        text = choice["text"]
    else:
        raise ResponseError("malformed response: choice has neither message nor text")
    stop_key = "stop_reason" if "stop_reason" in choice else ("matched_stop" if "matched_stop" in choice else None)
    stop_reason = choice.get(stop_key) if stop_key else None
    return {
        "text": text,
        "finish_reason": choice.get("finish_reason") if isinstance(choice.get("finish_reason"), str) else None,
        "stop_reason": stop_reason if isinstance(stop_reason, str) else None,
        "stop_known": stop_key is not None,
        "usage": _usage(data.get("usage")),
    }


class StepError(ValueError):
    """A step response that cannot drive the phases (no token count)."""


def step_piece(result: dict[str, Any], step: Step) -> Piece:
    """The :class:`~r1bench.budget.Piece` of one stored step result (see the module docstring)."""
    tokens = (result.get("usage") or {}).get("completion_tokens")
    if not isinstance(tokens, int):
        raise StepError("the server reported no usage.completion_tokens; budget forcing counts each phase's "
                        "tokens from it")
    text = str(result.get("text") or "")
    finish = result.get("finish_reason")
    if finish == "length":
        ended = "length"
    elif not step.stop_at_close:
        ended = "eos"
    elif THINK_CLOSE in text or not result.get("stop_known") or result.get("stop_reason") == THINK_CLOSE:
        ended = "close"
    else:
        ended = "eos"
    return Piece(text, tokens, ended)  # type: ignore[arg-type]


#: The payload field that marks a stored budget step (a phase of a sample, not a sample).
STEP_FIELD = "r1bench_budget_step"


async def run_budget_sample(engine: Any, plan: BudgetPlan, payload: dict[str, Any]) -> tuple[dict[str, Any], str | None, int]:
    """Drive one budget-forced sample to its end, step by step through ``engine`` (retries and
    store). Returns (result to store, error or None, attempts sent in this run)."""
    config = plan.config
    run = BudgetRun(plan.cfg, plan.max_gen_toks)
    attempts = 0
    steps = 0
    prompt_tokens = 0
    empty = {"text": "", "content": None, "reasoning_content": None, "finish_reason": None, "usage": {}}
    while (step := run.next_step()) is not None:
        url, body = plan.step_request(payload, run.text, step)
        # The step number keys the row (and marks it as a step in the store, not a sample).
        keyed = {**body, STEP_FIELD: steps}
        key = request_key(url, keyed, plan.request.sample_index)
        row = (await engine.lookup([key])).get(key)
        if row is not None and row["ok"]:
            result = row["result"]
            piece = step_piece(result, step)
        else:
            parsed, error, sent = await engine.send(body, url=url, parse=parse_step_response)
            attempts += sent
            result = parsed if parsed is not None else {}
            piece = None
            try:
                if parsed is not None:
                    piece = step_piece(parsed, step)  # a step that cannot be used is a failed step, not stored ok
            except StepError as exc:
                error = str(exc)
            await engine.put(key, model=config.model, endpoint=url, sample_index=plan.request.sample_index,
                             payload=keyed, result=result, ok=piece is not None, error=error, attempts=sent,
                             overwrite_ok=config.fresh)
            if piece is None:
                return empty, f"budget step {steps} ({step.phase}): {error}", max(attempts, 1)
        run.feed(piece)
        prompt_tokens += int((result.get("usage") or {}).get("prompt_tokens") or 0)
        steps += 1
    outcome = run.outcome()
    usage = {"completion_tokens": outcome.completion_tokens, "reasoning_tokens": outcome.thinking_tokens}
    if prompt_tokens:
        usage["prompt_tokens"] = prompt_tokens  # every step re-sends the prompt: what the server billed
    record = outcome.record(plan.cfg)
    record.update({"steps": steps, "budget_mode": config.budget_mode})
    return {
        "text": outcome.text,
        "content": outcome.text,
        "reasoning_content": None,
        "finish_reason": outcome.finish_reason,
        "usage": usage,
        "budget": record,
    }, None, max(attempts, 1)
