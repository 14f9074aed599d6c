"""stream=true: phase latency per sample, its percentiles in the run summary, and every guarantee of
the non-streamed path (retries, a stream cut mid-way retried whole, store, resume, nothing lost or
duplicated) against the fault server."""

from __future__ import annotations

import json

import pytest
from api_servers.fault_server import FaultServer, body_key
from lm_eval.api.instance import Instance

from r1bench.api import ChatConfig, ChatRequest, SampleStore, run_chat_requests, summarize_results
from r1bench.api.payload import build_payload
from r1bench.api.stream import format_latency, latency_percentiles, phase_latency
from r1bench.lm_eval.chat import R1BenchChat
from r1bench.lm_eval.filter import R1Filter, score_doc
from r1bench.lm_eval.hooks import stamp_docs
from r1bench.response import Response, response_metadata

pytestmark = [pytest.mark.server, pytest.mark.timeout(180)]


# (events, usage) -> expected (first_reasoning_s, first_answer_s, reasoning_tokens, answer_tokens, token_counts)
PHASE_ROWS = [
    # reasoning parser: reasoning_content deltas, then content
    ([(0.1, "reasoning", "Let"), (0.2, "reasoning", " me"), (0.3, "reasoning", " think"), (1.0, "content", "The"),
      (1.1, "content", " answer")], {"completion_tokens": 5, "reasoning_tokens": 3}, (0.1, 1.0, 3, 2, "usage")),
    # inline tags: the <think> tag alone is not a reasoning token; the answer starts after </think>
    ([(0.1, "content", "<think>"), (0.2, "content", " Let"), (0.3, "content", " me"), (0.5, "content", "</think>"),
      (0.6, "content", "\n\n"), (0.9, "content", "Yes")], {"completion_tokens": 6, "reasoning_tokens": 4},
     (0.2, 0.9, 4, 2, "usage")),
    # a template that pre-filled <think>: reasoning up to a lone </think>
    ([(0.2, "content", "Hmm"), (0.3, "content", " ok"), (0.4, "content", "</think>"), (0.7, "content", " 42")],
     {"completion_tokens": 4}, (0.2, 0.7, 3, 1, "usage+chunks")),
    # no reasoning at all: everything is answer
    ([(0.3, "content", "Just"), (0.4, "content", " 42")], {}, (None, 0.3, 0, 2, "chunks")),
    # no usage chunk: one delta counted as one token
    ([(0.1, "reasoning", "a"), (0.2, "reasoning", "b"), (0.4, "content", "c")], {}, (0.1, 0.4, 2, 1, "chunks")),
    # cut by the length limit inside the reasoning: no answer token
    ([(0.1, "reasoning", "a"), (0.2, "reasoning", "b")], {"completion_tokens": 2}, (0.1, None, 2, 0, "usage+chunks")),
    # blank deltas do not count as the first token of a phase
    ([(0.1, "reasoning", "\n"), (0.2, "reasoning", "x"), (0.3, "content", "\n\n"), (0.5, "content", "y")],
     {"completion_tokens": 4, "reasoning_tokens": 2}, (0.2, 0.5, 2, 2, "usage")),
]


@pytest.mark.parametrize("events, usage, expected", PHASE_ROWS)
def test_phase_latency(events, usage, expected):
    lat = phase_latency(events, 2.0, usage)
    got = (lat["first_reasoning_s"], lat["first_answer_s"], lat["reasoning_tokens"], lat["answer_tokens"],
           lat["token_counts"])
    assert got == expected


def test_phase_rates():
    events = [(0.5, "reasoning", "a"), (1.5, "reasoning", "b"), (2.5, "content", "c"), (3.0, "content", "d")]
    lat = phase_latency(events, 4.5, {"completion_tokens": 100, "reasoning_tokens": 80})
    assert lat["reasoning_tok_s"] == 40.0  # 80 tokens from 0.5 s to 2.5 s
    assert lat["answer_tok_s"] == 10.0  # 20 tokens from 2.5 s to 4.5 s
    assert lat["ttft_s"] == 0.5 and lat["total_s"] == 4.5


def test_latency_percentiles():
    rows = [{"first_answer_s": float(x), "token_counts": "usage"} for x in range(1, 101)] + [None]
    summary = latency_percentiles(rows)
    assert summary["samples"] == 100 and summary["token_counts"] == {"usage": 100}
    # numpy's linear interpolation over 1..100: p50 = 50.5, p90 = 90.1, p99 = 99.01
    assert summary["first_answer_s"] == {"n": 100, "p50": 50.5, "p90": 90.1, "p99": 99.01}
    assert "first_reasoning_s" not in summary
    assert latency_percentiles([None, None]) == {}
    assert "first answer token p50/p90/p99 50.5/90.1/99.01 s" in format_latency(summary)


@pytest.fixture
def server():
    with FaultServer(chunk_delay=0.002) as srv:
        yield srv


def _config(srv, tmp_path, **kw):
    base = dict(base_url=srv.base_url, model="fault-model", store_path=str(tmp_path / "store"), seed=0, stream=True,
                timeout=3, max_retries=3, backoff_base=0.01, backoff_max=0.05)
    base.update(kw)
    return ChatConfig(**base)


def _req(i, script="ok", think=20, k=0):
    return ChatRequest([{"role": "user", "content": f"Q{i} ANSWER={i} THINK={think} FAULTS:{script}"}],
                       {"max_gen_toks": 200, "until": []}, sample_index=k)


# script -> (ok, attempts, error fragment)
STREAM_SCENARIOS = [
    ("ok", True, 1, None),
    ("reasoning", True, 1, None),
    ("cut,ok", True, 2, None),
    ("streamerror,ok", True, 2, None),
    ("cut,cut,streamerror,ok", True, 4, None),
    ("500,cut,ok", True, 3, None),
    ("drop,ok", True, 2, None),
    ("cut", False, 4, "cut mid-way"),
    ("streamerror", False, 4, "error event mid-stream"),
    ("400", False, 1, "HTTP 400"),
]


@pytest.mark.parametrize("script, ok, attempts, error", STREAM_SCENARIOS, ids=[s[0] for s in STREAM_SCENARIOS])
def test_stream_faults(server, tmp_path, script, ok, attempts, error):
    cfg = _config(server, tmp_path)
    [res] = run_chat_requests([_req(1, script)], cfg, progress=False)
    assert (res.ok, res.attempts) == (ok, attempts)
    key = body_key(build_payload(res.request, cfg))
    assert server.served_ok.get(key, 0) == (1 if ok else 0)
    with SampleStore(cfg.store_file) as store:
        row = store.get_many([res.key])[res.key]
    assert row["ok"] is ok
    if ok:  # the same sample the non-streamed path gets, plus its latency
        assert res.text.startswith("<think>") and res.text.endswith("The answer is \\boxed{1}.")
        # (<=: on a loaded machine both phases can arrive in one read; the strict order is checked
        # with slower chunks in test_latency_reflects_the_phases)
        assert res.latency["first_reasoning_s"] <= res.latency["first_answer_s"] <= res.latency["total_s"]
        assert (res.latency["reasoning_tokens"], res.latency["answer_tokens"]) == (22, 4)
        assert res.latency["token_counts"] == "usage"
        assert row["result"]["latency"] == res.latency
    else:  # a cut stream's partial text is never recorded
        assert error in res.error and res.text == "" and row["result"]["text"] == "" and res.latency is None


@pytest.mark.parametrize("script", ["ok", "reasoning"])
def test_streamed_equals_unstreamed(server, tmp_path, script):
    reqs = [_req(i, script, think=5 + i) for i in range(6)]
    streamed = run_chat_requests(reqs, _config(server, tmp_path), progress=False)
    plain = run_chat_requests(reqs, _config(server, tmp_path, stream=False, store_path=str(tmp_path / "p")),
                              progress=False)
    assert [(r.text, r.finish_reason, r.usage) for r in streamed] == [(r.text, r.finish_reason, r.usage) for r in plain]
    assert all(r.latency is not None for r in streamed) and all(r.latency is None for r in plain)


def test_latency_reflects_the_phases(tmp_path):
    # 40 reasoning chunks 20 ms apart, then 4 answer chunks: the first answer token comes >= 0.8 s
    # after the first reasoning token; the answer phase is short.
    with FaultServer(chunk_delay=0.02) as srv:
        [res] = run_chat_requests([_req(1, "reasoning", think=40)], _config(srv, tmp_path), progress=False)
    lat = res.latency
    assert lat["first_answer_s"] - lat["first_reasoning_s"] >= 0.8
    assert lat["total_s"] - lat["first_answer_s"] < lat["first_answer_s"] - lat["first_reasoning_s"]
    assert lat["reasoning_tok_s"] <= 42 / 0.8  # 42 reasoning tokens over at least 0.8 s


def test_stream_run_loses_nothing_resumes_and_keeps_latency(tmp_path):
    faults = ("cut", "streamerror", "500", "drop", "reset", "503")
    # No FAULTS directive: the server picks a fault for the first attempt of half the requests.
    reqs = [ChatRequest([{"role": "user", "content": f"Q{i} ANSWER={i} THINK={5 + i % 7}"}],
                        {"max_gen_toks": 200, "until": []}, sample_index=k) for i in range(40) for k in range(2)]
    with FaultServer(random_fault_rate=0.5, random_faults=faults, chunk_delay=0.001) as srv:
        cfg = _config(srv, tmp_path, num_concurrent=8, max_retries=4)
        got = run_chat_requests(reqs, cfg, progress=False)
        assert all(r.ok for r in got), [r.error for r in got if not r.ok]
        assert any(b[0] in ("cut", "streamerror") for b in srv.behaviours.values())  # streams were cut
        assert len(srv.served_ok) == len(reqs) and all(n == 1 for n in srv.served_ok.values())
        assert all(r.latency and r.latency["first_answer_s"] is not None for r in got)
        summary = summarize_results(got, cfg)
        assert summary.latency["samples"] == len(reqs)
        assert set(summary.latency["first_answer_s"]) == {"n", "p50", "p90", "p99"}

        before = sum(srv.received.values())
        again = run_chat_requests(reqs, cfg, progress=False)
        assert sum(srv.received.values()) == before  # resumed entirely from the store
        assert [(r.text, r.latency) for r in again] == [(r.text, r.latency) for r in got]
        assert summarize_results(again, cfg).latency == summary.latency


def test_lm_eval_model_streams_and_records_latency(server, tmp_path):
    k = 2
    ctx = json.dumps([{"role": "user", "content": "Q0 ANSWER=3 THINK=12"}])
    instances = [Instance("generate_until", {"id": 0}, (ctx, {"until": [], "max_gen_toks": 64}), idx=0,
                          metadata=("r1_fake", 0, k))] * k
    summary_path = tmp_path / "summary.json"
    lm = R1BenchChat.create_from_arg_string(
        f"base_url={server.base_url},model=fault-model,seed=0,stream=true,store_path={tmp_path / 'st'},"
        f"summary_path={summary_path},progress=false", {"batch_size": 1, "device": None})
    texts = lm.generate_until(instances)
    assert all(response_metadata(t)["latency"]["token_counts"] == "usage" for t in texts)
    data = json.loads(summary_path.read_text())
    assert data["latency"]["samples"] == k and data["latency"]["first_answer_s"]["n"] == k

    # The r1 filter keeps each sample's latency in its record, and a rescoring keeps it too.
    docs = stamp_docs([{"id": "q0", "kind": "math", "problem": "Q0", "answer": "3"}], task="r1_fake", k=k,
                           prompt_spec="deepseek-r1")
    [records] = R1Filter().apply([texts], docs)
    assert [r["extra"]["api_latency"] for r in records] == [response_metadata(t)["latency"] for t in texts]
    assert all(r["correct"] for r in records)
    rescored = score_doc(docs[0], [str(t) for t in texts], saved=records)
    assert [r["extra"]["api_latency"] for r in rescored] == [r["extra"]["api_latency"] for r in records]


def test_response_pickles_with_latency():
    import pickle

    r = Response("x", finish_reason="stop", latency={"ttft_s": 0.1})
    assert pickle.loads(pickle.dumps(r)).latency == {"ttft_s": 0.1}
    assert response_metadata(r)["latency"] == {"ttft_s": 0.1}


def test_stream_sigkill_mid_run_then_resume(tmp_path):
    """A streamed run killed mid-way: finished samples (with their latency) are never re-sent, and
    the resumed results equal an uninterrupted run's."""
    import signal
    import sqlite3
    import time

    from api_servers.client import comparable as _comparable
    from api_servers.client import start_client as _client
    from api_servers.client import stored_ok as _stored_ok
    from api_servers.client import wait_ok as _wait

    n = 120
    with FaultServer(latency=0.03, random_fault_rate=0.2, random_faults=("cut", "streamerror", "500")) as ref_srv:
        _wait(_client(ref_srv, tmp_path / "ref_store", tmp_path / "ref.json", "--n", str(n), "--stream"))
    with FaultServer(latency=0.03, random_fault_rate=0.2, random_faults=("cut", "streamerror", "500")) as srv:
        store = tmp_path / "store"
        p = _client(srv, store, tmp_path / "killed.json", "--n", str(n), "--stream")
        deadline = time.monotonic() + 120
        while len(_stored_ok(store / "samples.sqlite")) < n // 3:
            assert p.poll() is None, "client finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        p.send_signal(signal.SIGKILL)
        p.wait()
        time.sleep(0.5)
        finished = _stored_ok(store / "samples.sqlite")
        assert n // 3 <= len(finished) < n
        assert all(r["latency"]["first_answer_s"] is not None for r in finished.values())
        _wait(_client(srv, store, tmp_path / "resumed.json", "--n", str(n), "--stream"))
        for key in finished:
            assert srv.served_ok[key] == 1, key
        assert len(srv.served_ok) == n and all(v <= 2 for v in srv.served_ok.values())
    resumed = json.loads((tmp_path / "resumed.json").read_text())
    assert resumed["summary"]["failed"] == 0 and resumed["summary"]["latency"]["samples"] == n
    assert _comparable(tmp_path / "resumed.json") == _comparable(tmp_path / "ref.json")
    con = sqlite3.connect(store / "samples.sqlite")
    assert con.execute("SELECT COUNT(*), SUM(ok) FROM samples").fetchone() == (n, n)
    con.close()


class _FakeContent:
    def __init__(self, parts):
        self.parts = parts

    async def iter_any(self):
        for p in self.parts:
            yield p


class _FakeResp:
    def __init__(self, parts):
        self.content = _FakeContent(parts)


def _sse(*events, done=True, last_newline=True):
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + ("data: [DONE]\n\n" if done else "")
    return (text if last_newline else text.rstrip("\n")).encode()


_EVENTS = [
    {"choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": "Let me"}, "finish_reason": None}]},
    {"choices": [{"index": 0, "delta": {"reasoning_content": " think."}, "finish_reason": None}]},
    {"choices": [{"index": 0, "delta": {"content": "\\boxed{7}"}, "finish_reason": None}]},
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    {"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 6, "completion_tokens_details": {"reasoning_tokens": 3}}},
]


# how the bytes arrive -> expected text (None: the stream is refused as cut)
SSE_ROWS = [
    ("one read", [_sse(*_EVENTS)], "<think>Let me think.</think>\\boxed{7}"),
    ("byte by byte", [bytes([b]) for b in _sse(*_EVENTS)], "<think>Let me think.</think>\\boxed{7}"),
    ("no [DONE], last line unterminated", [_sse(*_EVENTS, done=False, last_newline=False)],
     "<think>Let me think.</think>\\boxed{7}"),
    ("comments and keep-alives", [b": keep-alive\n\n", _sse(*_EVENTS)], "<think>Let me think.</think>\\boxed{7}"),
    ("cut before the finish chunk", [_sse(*_EVENTS[:3], done=False)], None),
]


@pytest.mark.parametrize("name, parts, text", SSE_ROWS, ids=[r[0] for r in SSE_ROWS])
def test_read_sse(name, parts, text):
    import asyncio
    import time

    from r1bench.api.payload import ResponseError
    from r1bench.api.stream import read_sse

    coro = read_sse(_FakeResp(parts), time.monotonic())
    if text is None:
        with pytest.raises(ResponseError, match="cut mid-way after 3 chunks"):
            asyncio.run(coro)
        return
    parsed = asyncio.run(coro)
    assert parsed.text == text and parsed.finish_reason == "stop"
    assert parsed.usage == {"prompt_tokens": 5, "completion_tokens": 6, "reasoning_tokens": 3}
    assert (parsed.latency["reasoning_tokens"], parsed.latency["answer_tokens"]) == (3, 3)
