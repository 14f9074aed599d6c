"""Send chat requests concurrently, retry transient failures, store every sample as it arrives.

:func:`run_chat_requests` is the heart: it looks every request up in the sample store, sends only
the missing (or previously failed) ones with at most ``num_concurrent`` in flight, retries 429
(honouring ``Retry-After``), 5xx, timeouts, dropped connections, malformed JSON and empty answers
with exponential backoff and jitter, and writes each sample to the store before counting it done.
A request that still fails becomes a failed sample with its error; the run goes on.

HTTP goes through aiohttp (as lm-eval's own API models do) rather than the ``openai`` client: we
need the raw status, ``Retry-After`` header and body of every failure to classify it, our own
retry loop instead of the client's hidden one (which would multiply attempts), and fields such as
``reasoning_content`` that non-OpenAI servers add outside the client's typed models.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from r1bench.api.payload import ResponseError, build_payload, parse_response
from r1bench.api.store import SampleStore, StoredSample, request_key
from r1bench.api.stream import latency_percentiles, read_sse, stream_payload
from r1bench.api.types import ChatConfig, ChatRequest, ChatResult, RunSummary

__all__ = [
    "run_chat_requests",
    "arun_chat_requests",
    "Engine",
    "resolve_api_key",
    "summarize_results",
    "backoff_delay",
    "parse_retry_after",
    "API_KEY_ENV_VARS",
]

logger = logging.getLogger(__name__)

#: Environment variables searched for an API key when ``api_key_env`` is not given.
API_KEY_ENV_VARS = ("OPENAI_API_KEY", "DEEPSEEK_API_KEY")

_RETRY_STATUS = {408, 409, 425, 429}
_ERROR_BODY_CHARS = 300


def resolve_api_key(config: ChatConfig) -> str | None:
    """The API key from the environment: ``config.api_key_env`` if given (it must be set), else
    ``DEEPSEEK_API_KEY`` for a deepseek.com endpoint, else the first of :data:`API_KEY_ENV_VARS`
    that is set; ``None`` for servers that need none. Never logged, never stored."""
    if config.api_key_env:
        value = os.environ.get(config.api_key_env)
        if not value:
            raise ValueError(
                f"api_key_env={config.api_key_env!r} but that environment variable is not set"
            )
        return value
    names = list(API_KEY_ENV_VARS)
    if "deepseek.com" in config.base_url:
        names.remove("DEEPSEEK_API_KEY")
        names.insert(0, "DEEPSEEK_API_KEY")
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: uniform in [0.5, 1.5) x base x 2**(attempt-1), capped."""
    rng = rng or random
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return delay * (0.5 + rng.random())


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class _Attempt(Exception):
    """One failed attempt: message, whether retrying may help, and a server-requested delay."""

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


def _redact(text: str, secret: str | None) -> str:
    if secret and secret in text:
        text = text.replace(secret, "***")
    return text


async def _attempt(
    session: Any, url: str, payload: dict, headers: dict, timeout: float, *,
    stream: bool = False, parse: Callable[[bytes], Any] = parse_response,
) -> Any:
    """One HTTP attempt; raises :class:`_Attempt` on any failure, returns the parsed response.
    ``stream``: send it streamed and read the server-sent events (:mod:`r1bench.api.stream`)."""
    import aiohttp

    body = b""
    parsed = None
    started = time.monotonic()
    try:
        async with session.post(
            url, json=stream_payload(payload) if stream else payload, headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as resp:
            status = resp.status
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            content_type = resp.headers.get("Content-Type", "")
            if stream and status == 200 and "text/event-stream" in content_type:
                try:
                    parsed = await read_sse(resp, started)
                except ResponseError as exc:
                    raise _Attempt(str(exc), transient=exc.transient) from None
            else:
                body = await resp.read()
    except asyncio.TimeoutError:
        raise _Attempt(f"timeout after {timeout:g} s", transient=True) from None
    except aiohttp.ClientResponseError as exc:
        raise _Attempt(f"HTTP error {exc.status}: {exc.message}", transient=True) from None
    except (aiohttp.ClientError, OSError) as exc:
        raise _Attempt(f"connection error: {type(exc).__name__}: {exc}", transient=True) from None
    if parsed is not None:
        return parsed
    if status != 200:
        snippet = body[:_ERROR_BODY_CHARS].decode("utf-8", "replace")
        transient = status in _RETRY_STATUS or status >= 500
        raise _Attempt(f"HTTP {status}: {snippet}", transient=transient, retry_after=retry_after)
    try:
        return parse(body)
    except ResponseError as exc:
        # Say what came back (a proxy's HTML error page is not "malformed JSON" from the model).
        head = " ".join(body[:120].decode("utf-8", "replace").split())
        raise _Attempt(f"{exc} (HTTP {status}, Content-Type {content_type or 'none'}, body starts "
                       f"{head!r})", transient=exc.transient) from None


async def _send_with_retries(
    session: Any, payload: dict, config: ChatConfig, headers: dict, secret: str | None, *,
    url: str | None = None, stream: bool = False, parse: Callable[[bytes], Any] = parse_response,
) -> tuple[Any, str | None, int]:
    """Send one request until it succeeds, fails permanently, or retries run out.
    Returns (parsed response or None, error or None, attempts)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            parsed = await _attempt(session, url or config.endpoint, payload, headers, config.timeout,
                                    stream=stream, parse=parse)
            return parsed, None, attempt
        except _Attempt as exc:
            error = _redact(str(exc), secret)
            if not exc.transient or attempt > config.max_retries:
                return None, f"{error} (after {attempt} attempt{'s' if attempt > 1 else ''})", attempt
            if exc.retry_after is not None:
                delay = min(exc.retry_after, config.max_retry_after)
            else:
                delay = backoff_delay(attempt, config.backoff_base, config.backoff_max)
            logger.info("attempt %d failed (%s); retrying in %.2f s", attempt, error, delay)
            await asyncio.sleep(delay)


def _result_from_row(request: ChatRequest, key: str, row: StoredSample, from_store: bool) -> ChatResult:
    res = row["result"]
    return ChatResult(
        request=request,
        text=res.get("text", ""),
        content=res.get("content"),
        reasoning_content=res.get("reasoning_content"),
        finish_reason=res.get("finish_reason"),
        usage=res.get("usage") or {},
        error=row["error"] if not row["ok"] else None,
        attempts=int(row["attempts"]),
        key=key,
        from_store=from_store,
        budget=res.get("budget"),
        latency=res.get("latency"),
    )


class _Progress:
    """tqdm bar with done/total, failures and completion tokens per second (ETA from tqdm)."""

    def __init__(self, total: int, initial: int, failed: int, enabled: bool) -> None:
        self.failed = failed
        self.tokens = 0
        self.start = time.monotonic()
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=initial, desc="r1bench-chat", unit="req")
            self._postfix()

    def _postfix(self) -> None:
        if self.bar is not None:
            rate = self.tokens / max(1e-9, time.monotonic() - self.start)
            self.bar.set_postfix(failed=self.failed, tok_s=f"{rate:.0f}", refresh=False)

    def update(self, result: ChatResult) -> None:
        if not result.ok:
            self.failed += 1
        self.tokens += int(result.usage.get("completion_tokens", 0) or 0)
        if self.bar is not None:
            self._postfix()
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Engine:
    """What every request of one run shares: the HTTP session, headers, and the sample store
    behind one thread with group commit (samples that arrive while a commit runs are written
    together in the next transaction, one fsync for all; each caller resumes once its row is
    durable). Used as ``async with Engine(config) as engine`` by :func:`arun_chat_requests` and by
    the budget-forcing driver (:mod:`r1bench.api.budget_client`), so both share one retry and
    store path."""

    def __init__(self, config: ChatConfig) -> None:
        self.config = config
        self.secret = resolve_api_key(config)
        self.headers = {"Content-Type": "application/json"}
        if self.secret:
            self.headers["Authorization"] = f"Bearer {self.secret}"
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="r1bench-store")
        self._local = threading.local()
        self._pending: list[tuple[str, dict[str, Any], asyncio.Future]] = []
        self._flushing = False
        self.session: Any = None

    def _store(self) -> SampleStore:
        if getattr(self._local, "store", None) is None:
            self._local.store = SampleStore(self.config.store_file)
        return self._local.store

    def _close_store(self) -> None:
        if getattr(self._local, "store", None) is not None:
            self._local.store.close()
            self._local.store = None

    async def in_store(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(self._store(), *args, **kwargs))

    async def lookup(self, keys: Sequence[str]) -> dict[str, StoredSample]:
        """Stored rows of these keys (none on a ``fresh`` run)."""
        if self.config.fresh or not keys:
            return {}
        return await self.in_store(lambda st, k: st.get_many(k), list(keys))

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch = self._pending[:]
                del self._pending[:]
                try:
                    rows = await self.in_store(SampleStore.put_many, [(k, f) for k, f, _ in batch])
                except BaseException as exc:
                    for _, _, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc)
                    raise
                for (_, _, fut), row in zip(batch, rows):
                    if not fut.done():
                        fut.set_result(row)
        finally:
            self._flushing = False

    async def put(self, key: str, **fields: Any) -> StoredSample:
        """Store one row durably (group commit) and return the row now in the store."""
        fut = asyncio.get_running_loop().create_future()
        self._pending.append((key, fields, fut))
        if not self._flushing:
            self._flushing = True
            flush_task = asyncio.ensure_future(self._flush())
            flush_task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return await fut

    async def send(self, payload: dict, *, url: str | None = None, stream: bool = False,
                   parse: Callable[[bytes], Any] = parse_response) -> tuple[Any, str | None, int]:
        """One request through the retry loop: (parsed or None, error or None, attempts)."""
        return await _send_with_retries(self.session, payload, self.config, self.headers, self.secret,
                                        url=url, stream=stream, parse=parse)

    async def __aenter__(self) -> Engine:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self.config.num_concurrent, limit_per_host=0)
        self.session = aiohttp.ClientSession(connector=connector)
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self.session is not None:
                await self.session.close()
        finally:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._close_store)
            self._executor.shutdown(wait=True)


def _result_data(parsed: Any) -> dict[str, Any]:
    """The stored ``result`` of one answered request (empty fields for a failed one)."""
    if parsed is None:
        return {"text": "", "content": None, "reasoning_content": None, "finish_reason": None, "usage": {}}
    data = {
        "text": parsed.text,
        "content": parsed.content,
        "reasoning_content": parsed.reasoning_content,
        "finish_reason": parsed.finish_reason,
        "usage": parsed.usage,
    }
    if getattr(parsed, "latency", None):
        data["latency"] = parsed.latency
    return data


async def arun_chat_requests(
    requests: Sequence[ChatRequest], config: ChatConfig, *, progress: bool = True
) -> list[ChatResult]:
    """Async form of :func:`run_chat_requests` (for callers that already run an event loop)."""
    from r1bench.api.budget_client import BudgetPlan, run_budget_sample

    endpoint = config.endpoint
    plans = [BudgetPlan.of(r, config) for r in requests]  # raises on budget options it cannot honour
    payloads = [build_payload(r if p is None else p.request, config) for r, p in zip(requests, plans)]
    keys = [
        request_key(endpoint, p if plan is None else plan.key_payload(p), r.sample_index)
        for p, r, plan in zip(payloads, requests, plans)
    ]
    if config.stream and any(p is not None for p in plans):
        logger.info("stream=true: budget-forced samples are sent unstreamed (no phase latency for them)")

    async with Engine(config) as engine:
        stored = await engine.lookup(keys)
        results: dict[str, ChatResult] = {}
        todo: list[int] = []
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key in seen:
                continue  # identical request twice in one call: send once, share the result
            seen.add(key)
            row = stored.get(key)
            if row is not None and (row["ok"] or not config.retry_failed):
                results[key] = _result_from_row(requests[i], key, row, from_store=True)
            else:
                todo.append(i)
        reused = len(results)
        if reused:
            logger.info("%d of %d samples found in the store %s", reused, len(seen), config.store_file)
        bar = _Progress(
            total=len(seen),
            initial=reused,
            failed=sum(1 for r in results.values() if not r.ok),
            enabled=progress,
        )

        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in todo:
            queue.put_nowait(i)

        async def worker() -> None:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                request, payload, key, plan = requests[i], payloads[i], keys[i], plans[i]
                if plan is not None:  # budget forcing: several stored steps, then the sample
                    result_data, error, attempts = await run_budget_sample(engine, plan, payload)
                    ok = error is None
                else:
                    parsed, error, attempts = await engine.send(payload, stream=config.stream)
                    ok = parsed is not None
                    result_data = _result_data(parsed)
                if not ok:
                    logger.warning("sample %s failed: %s", key[:12], error)
                row = await engine.put(
                    key,
                    model=config.model,
                    endpoint=endpoint,
                    sample_index=request.sample_index,
                    payload=payload if plan is None else plan.key_payload(payload),
                    result=result_data,
                    ok=ok,
                    error=error,
                    attempts=attempts,
                    overwrite_ok=config.fresh,
                )
                result = _result_from_row(request, key, row, from_store=False)
                result.attempts = attempts
                results[key] = result
                bar.update(result)

        try:
            workers = [asyncio.create_task(worker()) for _ in range(min(config.num_concurrent, len(todo)))]
            try:
                await asyncio.gather(*workers)
            except BaseException:
                for task in workers:
                    task.cancel()
                raise
        finally:
            bar.close()

    out = []
    for request, key in zip(requests, keys):
        base = results[key]
        if base.request is request:
            out.append(base)
        else:  # shared by a duplicate request: same answer, this request attached
            out.append(ChatResult(**{**base.__dict__, "request": request}))
    return out


def run_chat_requests(
    requests: Sequence[ChatRequest], config: ChatConfig, *, progress: bool = True
) -> list[ChatResult]:
    """Run all requests (resuming from the store) and return one result per request, in order.

    Failed samples come back with ``error`` set (and are stored so a re-run retries only them);
    see :func:`summarize_results` for counts, tokens and cost."""
    start = time.monotonic()
    coro = arun_chat_requests(requests, config, progress=progress)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        results = asyncio.run(coro)
    else:  # called from inside an event loop (a notebook): run in a helper thread
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            results = pool.submit(asyncio.run, coro).result()
    summary = summarize_results(results, config, elapsed_s=time.monotonic() - start)
    level = logging.WARNING if summary.incomplete else logging.INFO
    if summary.latency:
        from r1bench.api.stream import format_latency

        logger.info("%s", format_latency(summary.latency))
    logger.log(
        level,
        "%d samples: %d ok, %d failed (%d from store, %d sent) in %.1f s%s%s",
        summary.total,
        summary.ok,
        summary.failed,
        summary.from_store,
        summary.sent,
        summary.elapsed_s,
        f", cost ${summary.cost_usd:.4f}" if summary.cost_usd is not None else "",
        "; run INCOMPLETE: re-run the same command to retry the failed samples only"
        if summary.incomplete
        else "",
    )
    return results


def _cost(prompt: int, completion: int, config: ChatConfig) -> float | None:
    if not config.priced:
        return None
    return (prompt * (config.price_input_per_m or 0.0) + completion * (config.price_output_per_m or 0.0)) / 1e6


def summarize_results(
    results: Sequence[ChatResult], config: ChatConfig, *, elapsed_s: float = 0.0
) -> RunSummary:
    """Counts, tokens and cost of a list of results (each distinct sample counted once)."""
    unique: dict[str, ChatResult] = {}
    for r in results:
        unique.setdefault(r.key or str(id(r)), r)
    rs = list(unique.values())

    def tok(r: ChatResult, name: str) -> int:
        return int(r.usage.get(name, 0) or 0)

    prompt = sum(tok(r, "prompt_tokens") for r in rs)
    completion = sum(tok(r, "completion_tokens") for r in rs)
    sent = [r for r in rs if not r.from_store]
    failures = [
        {"key": r.key, "sample_index": r.request.sample_index, "error": r.error}
        for r in rs
        if not r.ok
    ]
    return RunSummary(
        total=len(rs),
        ok=sum(1 for r in rs if r.ok),
        failed=len(failures),
        from_store=len(rs) - len(sent),
        sent=len(sent),
        retried=sum(1 for r in sent if r.attempts > 1),
        prompt_tokens=prompt,
        completion_tokens=completion,
        reasoning_tokens=sum(tok(r, "reasoning_tokens") for r in rs),
        elapsed_s=round(elapsed_s, 3),
        cost_usd=_cost(prompt, completion, config),
        cost_usd_this_run=_cost(
            sum(tok(r, "prompt_tokens") for r in sent),
            sum(tok(r, "completion_tokens") for r in sent),
            config,
        ),
        model=config.model,
        endpoint=config.endpoint,
        store=str(config.store_file),
        failures=failures[:200],
        latency=latency_percentiles([r.latency for r in rs if r.ok]),
    )
