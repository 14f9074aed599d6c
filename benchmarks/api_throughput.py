"""Throughput of the r1bench-chat API backend against a fixed-latency local server.

    python benchmarks/api_throughput.py                   # 2,000 requests at concurrency 1, 16, 64
    python benchmarks/api_throughput.py --requests 500 --requests-at-1 100

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

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


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
    p.add_argument("--requests", type=int, default=2000, help="requests per run (default 2000)")
    p.add_argument("--requests-at-1", type=int, default=None, help="requests at concurrency 1 (default: --requests)")
    p.add_argument("--latency", type=float, default=0.2, help="server latency in seconds (default 0.2)")
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    p.add_argument("--backends", nargs="+", default=["r1bench", "lm-eval"], choices=["r1bench", "lm-eval"])
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ["TQDM_DISABLE"] = "1"  # lm-eval draws its own bar even when asked not to

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
