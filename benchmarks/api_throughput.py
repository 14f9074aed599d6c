"""Throughput of the r1bench-chat API backend against a fixed-latency local server.

    python benchmarks/api_throughput.py                   # 2,000 requests at concurrency 1, 16, 64
    python benchmarks/api_throughput.py --requests 500 --requests-at-1 100
    python benchmarks/api_throughput.py --stream-vs-plain --concurrency 16 64 \
        --data ../shared/data/HuggingFaceH4/MATH-500/test.jsonl

``--stream-vs-plain``: streamed (``stream=true``: server-sent events, one token per chunk as vLLM
and SGLang send them, phase latency recorded) against non-streamed requests, with R1-like response
lengths built from MATH-500's reference solutions: the answer is a problem's real solution and the
reasoning is that solution's tokens repeated ``--reasoning-scale`` times (30: a mean of ~2,700
tokens per response, the longest ~15,000; a token is one whitespace-separated piece). The server
(its own process) writes each response over ``tokens / --tok-s`` seconds, in 20 bursts when
streamed, so both modes wait for the same generation time; the table gives wall time against that
ideal and the client's CPU seconds per 1,000 samples (parsing ~2,700 SSE chunks per sample is the
cost of streaming).

A local aiohttp server (its own process, 127.0.0.1) answers every chat request after a fixed
latency (200 ms) with a canned R1-style response (``reasoning_content`` + boxed answer). For each
concurrency c, N distinct requests go through ``r1bench.api.run_chat_requests`` (fresh store, so
every sample is sent and durably stored) and through lm-eval's own ``local-chat-completions``;
the script prints wall time, the ideal N x latency / c, and their ratio (1.00 = ideal).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing as mp
import os
import socket
import sys
import tempfile
import time
import urllib.request

REASONING = (
    "Okay, so I need to find the value asked for. Let me restate the problem in my own words and "
    "check each step carefully. First, consider the simplest case; then generalise. Wait, let me "
    "double-check the arithmetic: 6 times 7 is 42. Yes, that is consistent with the constraint. "
) * 4
CONTENT = "The computation gives 6 x 7 = 42.\n\nThe answer is \\boxed{42}."


def _run_app(app, port: int, ready) -> None:
    """Serve ``app`` on 127.0.0.1:``port`` forever (in the server process); set ``ready`` once listening."""
    from aiohttp import web

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def _serve(port: int, latency: float, ready: mp.Event) -> None:  # type: ignore[valid-type]
    """Run the fixed-latency server until killed (child process)."""
    from aiohttp import web

    body = json.dumps(
        {
            "id": "bench",
            "object": "chat.completion",
            "model": "bench",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "reasoning_content": REASONING, "content": CONTENT},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 40, "completion_tokens": 250, "total_tokens": 290},
        }
    )

    async def chat(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(latency)
        return web.Response(text=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    _run_app(app, port, ready)


def _profiles(data: str, scale: int) -> list[tuple[list[str], list[str]]]:
    """(reasoning tokens, answer tokens) per MATH-500 solution (see the module docstring)."""
    import re

    out = []
    with open(data, encoding="utf-8") as fh:
        for line in fh:
            answer = re.findall(r"\s*\S+", json.loads(line)["solution"]) or [" ok"]
            out.append((answer * scale, answer))
    return out


def _serve_lengths(port: int, data: str, scale: int, tok_s: float, ready: mp.Event) -> None:  # type: ignore[valid-type]
    """Serve R1-like responses of realistic lengths, streamed or not (child process)."""
    import re

    from aiohttp import web

    profiles = _profiles(data, scale)
    head = b'data: {"choices":[{"index":0,"delta":{"'
    tail = b'},"finish_reason":null}]}\n\n'

    def chunk(field: str, piece: str) -> bytes:
        return head + field.encode() + b'":' + json.dumps(piece).encode() + tail

    async def chat(request: web.Request) -> web.StreamResponse:
        payload = await request.json()
        m = re.search(r"Question (\d+)", payload["messages"][-1]["content"])
        reasoning, answer = profiles[int(m.group(1)) % len(profiles)]
        n = len(reasoning) + len(answer)
        usage = {"prompt_tokens": 60, "completion_tokens": n, "total_tokens": 60 + n,
                 "completion_tokens_details": {"reasoning_tokens": len(reasoning)}}
        duration = n / tok_s
        if not payload.get("stream"):
            await asyncio.sleep(duration)
            body = {"id": "b", "object": "chat.completion", "model": "bench", "usage": usage,
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {
                        "role": "assistant", "reasoning_content": "".join(reasoning), "content": "".join(answer)}}]}
            return web.Response(text=json.dumps(body), content_type="application/json")
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        chunks = [chunk("reasoning_content", p) for p in reasoning] + [chunk("content", p) for p in answer]
        bursts = 20
        for b in range(bursts):
            await asyncio.sleep(duration / bursts)
            part = chunks[b * len(chunks) // bursts:(b + 1) * len(chunks) // bursts]
            if part:
                await resp.write(b"".join(part))
        final = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        await resp.write(b"data: " + json.dumps(final).encode() + b"\n\n")
        await resp.write(b"data: " + json.dumps({"choices": [], "usage": usage}).encode() + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

    app = web.Application(client_max_size=1 << 24)
    app.router.add_post("/v1/chat/completions", chat)
    _run_app(app, port, ready)


def stream_vs_plain(args: argparse.Namespace) -> int:
    """The streamed vs non-streamed table (see the module docstring)."""
    from r1bench.api import ChatConfig, ChatRequest, run_chat_requests, summarize_results

    profiles = _profiles(args.data, args.reasoning_scale)
    lengths = [len(r) + len(a) for r, a in profiles]
    port = _free_port()
    ready = mp.Event()
    server = mp.Process(target=_serve_lengths, args=(port, args.data, args.reasoning_scale, args.tok_s, ready),
                        daemon=True)
    server.start()
    if not ready.wait(60):
        print("server did not start", file=sys.stderr)
        return 1
    base_url = f"http://127.0.0.1:{port}/v1"
    n = args.requests
    ideal_one = [lengths[i % len(lengths)] / args.tok_s for i in range(n)]
    mean_len = sum(lengths[i % len(lengths)] for i in range(n)) / n
    print(f"streamed vs non-streamed: {n} requests, response lengths from {len(profiles)} MATH-500 solutions "
          f"(answer = the solution, reasoning = it x{args.reasoning_scale}; mean {mean_len:,.0f} tokens, longest "
          f"{max(lengths):,}), server writes {args.tok_s:g} tok/s per request; {os.cpu_count()} CPUs, shared")
    print(f"{'mode':<8} {'conc':>5} {'wall s':>8} {'ideal s':>8} {'ratio':>6} {'failed':>6} {'client CPU s/1k':>16} "
          f"{'chunks/s':>10}")
    gen = {"max_gen_toks": 32768, "until": [], "temperature": 0.6, "top_p": 0.95}
    try:
        for c in args.concurrency:
            ideal = sum(ideal_one) / c  # lower bound for a full pipeline of c requests
            for mode in ("plain", "stream"):
                reqs = [ChatRequest([{"role": "user", "content": f"[{mode}-{c}] Question {i}"}], gen)
                        for i in range(n)]
                with tempfile.TemporaryDirectory() as store:
                    cfg = ChatConfig(base_url=base_url, model="bench", num_concurrent=c, seed=0, store_path=store,
                                     stream=mode == "stream", timeout=600)
                    cpu0, t0 = time.process_time(), time.perf_counter()
                    results = run_chat_requests(reqs, cfg, progress=False)
                    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
                failed = sum(1 for r in results if not r.ok)
                tokens = sum(int(r.usage.get("completion_tokens", 0)) for r in results)
                print(f"{mode:<8} {c:>5} {wall:>8.2f} {ideal:>8.2f} {wall / ideal:>6.2f} {failed:>6} "
                      f"{cpu / n * 1000:>16.1f} {f'{tokens / wall:,.0f}' if mode == 'stream' else '-':>10}", flush=True)
                if mode == "stream":
                    lat = summarize_results(results, cfg).latency
                    fa, rt = lat.get("first_answer_s", {}), lat.get("reasoning_tok_s", {})
                    print(f"{'':<8} {'':>5} first answer token p50/p90/p99 {fa.get('p50')}/{fa.get('p90')}/"
                          f"{fa.get('p99')} s; reasoning tok/s p50 {rt.get('p50')}; counts {lat.get('token_counts')}")
    finally:
        server.terminate()
        server.join(5)
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prompts(n: int, tag: str) -> list[list[dict]]:
    return [[{"role": "user", "content": f"[{tag}] Question {i}: what is 6 x 7?"}] for i in range(n)]


def run_r1bench(base_url: str, n: int, concurrency: int, tag: str) -> tuple[float, int]:
    """Wall time of n requests through r1bench.api (fresh store in a temp dir); failures."""
    from r1bench.api import ChatConfig, ChatRequest, run_chat_requests

    gen = {"max_gen_toks": 32768, "until": [], "temperature": 0.6, "top_p": 0.95}
    reqs = [ChatRequest(m, gen, sample_index=0) for m in _prompts(n, tag)]
    with tempfile.TemporaryDirectory() as store:
        cfg = ChatConfig(base_url=base_url, model="bench", num_concurrent=concurrency, seed=0, store_path=store)
        t0 = time.perf_counter()
        results = run_chat_requests(reqs, cfg, progress=False)
        wall = time.perf_counter() - t0
    return wall, sum(1 for r in results if not r.ok)


def run_lm_eval(base_url: str, n: int, concurrency: int, tag: str) -> tuple[float, int]:
    """Wall time of n requests through lm-eval's local-chat-completions; empty answers."""
    from lm_eval.api.instance import Instance
    from lm_eval.models.api_models import JsonChatStr
    from lm_eval.models.openai_completions import LocalChatCompletion

    lm = LocalChatCompletion(
        base_url=base_url + "/chat/completions",
        model="bench",
        num_concurrent=concurrency,
        max_retries=3,
        tokenizer_backend=None,
        tokenized_requests=False,
    )
    gen = {"max_gen_toks": 32768, "until": [], "temperature": 0.6, "top_p": 0.95}
    insts = [
        Instance("generate_until", {}, (JsonChatStr(json.dumps(m)), dict(gen)), i, ("bench", i, 1))
        for i, m in enumerate(_prompts(n, tag))
    ]
    t0 = time.perf_counter()
    out = lm.generate_until(insts, disable_tqdm=True)
    wall = time.perf_counter() - t0
    return wall, sum(1 for t in out if not t)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=None,
                   help="requests per run (default 2000; 400 with --stream-vs-plain)")
    p.add_argument("--requests-at-1", type=int, default=None, help="requests at concurrency 1 (default: --requests)")
    p.add_argument("--latency", type=float, default=0.2, help="server latency in seconds (default 0.2)")
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    p.add_argument("--backends", nargs="+", default=["r1bench", "lm-eval"], choices=["r1bench", "lm-eval"])
    p.add_argument("--stream-vs-plain", action="store_true", help="streamed vs non-streamed, R1-like lengths")
    p.add_argument("--data", default="../shared/data/HuggingFaceH4/MATH-500/test.jsonl",
                   help="MATH-500 test.jsonl (its solutions give the response lengths)")
    p.add_argument("--reasoning-scale", type=int, default=30, help="reasoning = solution x this (default 30)")
    p.add_argument("--tok-s", type=float, default=2000.0, help="server tokens/s per request (default 2000)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ["TQDM_DISABLE"] = "1"  # lm-eval draws its own bar even when asked not to
    if args.stream_vs_plain:
        args.requests = args.requests or 400
        return stream_vs_plain(args)
    args.requests = args.requests or 2000

    port = _free_port()
    ready = mp.Event()
    server = mp.Process(target=_serve, args=(port, args.latency, ready), daemon=True)
    server.start()
    if not ready.wait(30):
        print("server did not start", file=sys.stderr)
        return 1
    base_url = f"http://127.0.0.1:{port}/v1"
    urllib.request.urlopen(urllib.request.Request(base_url + "/chat/completions", data=b"{}"), timeout=10).read()

    runners = {"r1bench": run_r1bench, "lm-eval": run_lm_eval}
    print(f"server latency {args.latency * 1000:.0f} ms, canned R1-style response; {os.cpu_count()} CPUs")
    print(f"{'backend':<10} {'conc':>5} {'requests':>8} {'wall s':>8} {'ideal s':>8} {'ratio':>6} {'failed':>6}")
    try:
        for c in args.concurrency:
            n = args.requests_at_1 if (c == 1 and args.requests_at_1) else args.requests
            ideal = n * args.latency / c
            for name in args.backends:
                wall, failed = runners[name](base_url, n, c, f"{name}-{c}")
                print(f"{name:<10} {c:>5} {n:>8} {wall:>8.2f} {ideal:>8.2f} {wall / ideal:>6.2f} {failed:>6}", flush=True)
    finally:
        server.terminate()
        server.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
