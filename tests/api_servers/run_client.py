"""Run a batch of chat requests through r1bench.api in its own process (kill / two-process tests).

    python tests/api_servers/run_client.py --url URL --store DIR --n 300 --out results.json

Requests are ``Question i ANSWER=i`` x ``--k`` sample indices (``--start`` shifts i), seed 1000.
Writes the results (text, finish_reason, usage, error, key) as JSON to ``--out`` and exits 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from r1bench.api import ChatConfig, ChatRequest, run_chat_requests, summarize_results


def make_requests(n: int, k: int = 1, start: int = 0) -> list[ChatRequest]:
    """n prompts x k samples each, in lm-eval order (the k samples of a prompt together)."""
    return [
        ChatRequest(
            messages=[{"role": "user", "content": f"Question {i}: ANSWER={i}"}],
            gen_kwargs={"max_gen_toks": 64, "until": [], "temperature": 0.6, "top_p": 0.95},
            sample_index=j,
        )
        for i in range(start, start + n)
        for j in range(k)
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--url", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--k", type=int, default=1)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--out", required=True)
    p.add_argument("--log", default=None, help="write DEBUG logs here")
    p.add_argument("--stream", action="store_true", help="stream=true (server-sent events, phase latency)")
    args = p.parse_args(argv)
    if args.log:
        logging.basicConfig(filename=args.log, level=logging.DEBUG)
    config = ChatConfig(
        base_url=args.url,
        model="fault-model",
        num_concurrent=args.concurrency,
        max_retries=8,
        timeout=args.timeout,
        seed=1000,
        store_path=args.store,
        backoff_base=0.02,
        backoff_max=0.5,
        price_input_per_m=1.0,
        price_output_per_m=2.0,
        stream=args.stream,
    )
    results = run_chat_requests(make_requests(args.n, args.k, args.start), config, progress=False)
    summary = summarize_results(results, config)
    with open(args.out, "w") as fh:
        json.dump({"results": [r.to_dict() for r in results], "summary": summary.to_dict()}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
