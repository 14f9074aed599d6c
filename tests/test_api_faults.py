"""r1bench.api against the fault-injecting server: every sample ends scored or recorded failed,
none lost, none sent twice; failures are retried on re-run and only they; lm-eval glue."""

from __future__ import annotations

import json
import sqlite3

import pytest
from api_servers.fault_server import FaultServer, body_key
from lm_eval.api.instance import Instance

from r1bench.api import ChatConfig, ChatRequest, SampleStore, run_chat_requests, summarize_results
from r1bench.api.failures import failure_error, is_failure_text
from r1bench.api.payload import build_payload
from r1bench.lm_eval import filter as r1filter
from r1bench.lm_eval import hooks
from r1bench.lm_eval.chat import R1BenchChat, response_metadata
from r1bench.records import score_response

pytestmark = [pytest.mark.server, pytest.mark.timeout(120)]


@pytest.fixture
def server():
    with FaultServer(hang_seconds=2.0, retry_after="1") as srv:
        yield srv


def _config(srv, tmp_path, **kw):
    base = dict(base_url=srv.base_url, model="fault-model", store_path=str(tmp_path / "store"),
                timeout=0.7, max_retries=3, backoff_base=0.01, backoff_max=0.05, seed=1000)
    base.update(kw)
    return ChatConfig(**base)


def _req(i, script, k=0):
    return ChatRequest([{"role": "user", "content": f"Q{i} ANSWER={i} FAULTS:{script}"}],
                       {"max_gen_toks": 64, "until": [], "temperature": 0.6}, sample_index=k)


# script -> (ok, attempts, finish_reason, text must contain, error fragment)
SCENARIOS = [
    ("ok", True, 1, "stop", "\\boxed{", None),
    ("reasoning", True, 1, "stop", "<think>Thinking with seed", None),
    ("reasoning_field", True, 1, "stop", "<think>Reasoning field", None),
    ("length", True, 1, "length", "<think>Long thoughts", None),
    ("length_content", True, 1, "length", "<think>cut", None),
    ("429,ok", True, 2, "stop", "\\boxed{", None),
    ("500,503,ok", True, 3, "stop", "\\boxed{", None),
    ("hang,ok", True, 2, "stop", "\\boxed{", None),
    ("drop,ok", True, 2, "stop", "\\boxed{", None),
    ("reset,ok", True, 2, "stop", "\\boxed{", None),
    ("badjson,ok", True, 2, "stop", "\\boxed{", None),
    ("truncjson,ok", True, 2, "stop", "\\boxed{", None),
    ("empty,ok", True, 2, "stop", "\\boxed{", None),
    ("emptythink,ok", True, 2, "stop", "\\boxed{", None),
    ("nochoices,ok", True, 2, "stop", "\\boxed{", None),
    ("400", False, 1, None, "", "HTTP 400"),
    ("500", False, 4, None, "", "HTTP 500"),
    ("empty", False, 4, None, "", "empty response"),
    ("emptythink", False, 4, None, "", "empty content after reasoning"),
    ("hang", False, 4, None, "", "timeout"),
    ("drop", False, 4, None, "", "connection error"),
    ("badjson", False, 4, None, "", "malformed JSON"),
]


@pytest.mark.parametrize("script, ok, attempts, finish, fragment, error", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_each_fault(server, tmp_path, script, ok, attempts, finish, fragment, error):
    cfg = _config(server, tmp_path, backoff_base=0.0, max_retry_after=0.05)
    [res] = run_chat_requests([_req(1, script)], cfg, progress=False)
    assert res.ok is ok
    assert res.attempts == attempts
    assert res.finish_reason == finish
    assert fragment in res.text
    if error:
        assert error in res.error and res.text == ""
    key = body_key(build_payload(res.request, cfg))
    assert server.received[key] == attempts
    assert server.served_ok.get(key, 0) == (1 if ok else 0)
    with SampleStore(cfg.store_file) as store:  # stored either way, with its error
        row = store.get_many([res.key])[res.key]
    assert row["ok"] is ok and row["error"] == res.error and row["result"]["text"] == res.text


def test_retry_after_is_honoured(server, tmp_path):
    cfg = _config(server, tmp_path, backoff_base=0.0)
    [res] = run_chat_requests([_req(1, "429,429,ok")], cfg, progress=False)
    assert res.ok and res.attempts == 3
    times = server.times[body_key(build_payload(res.request, cfg))]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert all(g >= 0.95 for g in gaps), gaps


def test_mixed_run_loses_nothing_and_retries_only_failures(server, tmp_path):
    scripts = [s[0] for s in SCENARIOS] * 2  # each scenario twice with different prompts
    reqs = [_req(i, s, k) for i, s in enumerate(scripts) for k in range(2)]
    cfg = _config(server, tmp_path, num_concurrent=6)
    results = run_chat_requests(reqs, cfg, progress=False)

    assert len(results) == len(reqs)
    assert [r.request for r in results] == reqs
    assert len({r.key for r in results}) == len(reqs)
    expected_fail = {s[0] for s in SCENARIOS if not s[1]}
    for r, s in zip(results, [s for s in scripts for _ in range(2)]):
        assert r.ok is (s not in expected_fail), (s, r.error)
        served = server.served_ok.get(body_key(build_payload(r.request, cfg)), 0)
        assert served == (1 if r.ok else 0), s  # none lost, none answered twice
        if r.ok:  # every answered sample goes through the one scoring path
            record = score_response(r.text, r.request.messages[0]["content"].split("ANSWER=")[1].split()[0],
                                    kind="math", finish_reason=r.finish_reason)
            assert record.correct is (r.finish_reason != "length")
            assert record.truncated is (r.finish_reason == "length")
    summary = summarize_results(results, cfg)
    n_fail = sum(1 for s in scripts if s in expected_fail) * 2
    assert (summary.total, summary.failed, summary.ok) == (len(reqs), n_fail, len(reqs) - n_fail)
    assert summary.incomplete and len(summary.failures) == n_fail

    # Re-run: successes come from the store; only the failed samples are sent again.
    before = dict(server.received)
    again = run_chat_requests(reqs, cfg, progress=False)
    sent_again = {k for k, v in server.received.items() if v > before.get(k, 0)}
    failed_keys = {body_key(build_payload(r.request, cfg)) for r in results if not r.ok}
    assert sent_again == failed_keys
    assert [r.text for r in again if r.ok] == [r.text for r in results if r.ok]
    assert all(r.from_store for r in again if r.ok)

    # retry_failed=False: nothing is sent, failures come back as stored.
    before = dict(server.received)
    cfg_no = _config(server, tmp_path, retry_failed=False)
    third = run_chat_requests(reqs, cfg_no, progress=False)
    assert dict(server.received) == before
    assert sum(1 for r in third if not r.ok) == n_fail


def test_fresh_resends_everything(server, tmp_path):
    reqs = [_req(i, "ok") for i in range(5)]
    cfg = _config(server, tmp_path)
    run_chat_requests(reqs, cfg, progress=False)
    run_chat_requests(reqs, cfg, progress=False)
    assert sum(server.received.values()) == 5
    run_chat_requests(reqs, _config(server, tmp_path, fresh=True), progress=False)
    assert sum(server.received.values()) == 10


def test_identical_requests_in_one_call_are_sent_once(server, tmp_path):
    reqs = [_req(1, "ok")] * 4 + [_req(1, "ok", k=1)]
    results = run_chat_requests(reqs, _config(server, tmp_path), progress=False)
    assert len(results) == 5 and len({r.text for r in results[:4]}) == 1
    assert results[4].text != results[0].text  # another sample index, another seed
    assert sum(server.received.values()) == 2


def test_cost_report(server, tmp_path):
    cfg = _config(server, tmp_path, price_input_per_m=0.55, price_output_per_m=2.19)
    results = run_chat_requests([_req(i, "ok") for i in range(4)], cfg, progress=False)
    summary = summarize_results(results, cfg)
    assert summary.prompt_tokens == 44 and summary.completion_tokens == 28
    assert summary.cost_usd == pytest.approx((44 * 0.55 + 28 * 2.19) / 1e6)
    assert summarize_results(results, _config(server, tmp_path)).cost_usd is None


def _instances(prompts_scripts, k):
    out = []
    for doc_id, (prompt, script) in enumerate(prompts_scripts):
        ctx = json.dumps([{"role": "user", "content": f"{prompt} FAULTS:{script}"}])
        inst = Instance("generate_until", {"id": doc_id}, (ctx, {"until": [], "max_gen_toks": 64, "temperature": 0.6}),
                        idx=0, metadata=("r1_fake", doc_id, k))
        out.extend([inst] * k)  # what lm-eval does with `repeats: k`
    return out


def test_lm_eval_model_repeats_get_distinct_seeds_and_failures_are_visible(server, tmp_path, caplog):
    k = 4
    instances = _instances([("Q0 ANSWER=3", "ok"), ("Q1 ANSWER=4", "reasoning"), ("Q2 ANSWER=5", "400")], k)
    summary_path = tmp_path / "summary.json"
    lm = R1BenchChat.create_from_arg_string(
        f"base_url={server.base_url},model=fault-model,num_concurrent=4,seed=0,max_retries=2,"
        f"timeout=2,backoff_base=0.01,store_path={tmp_path / 'store'},summary_path={summary_path},progress=false",
        {"batch_size": 1, "device": None},
    )
    with caplog.at_level("WARNING"):
        texts = lm.generate_until(instances)
    assert len(texts) == 3 * k
    # Failed: each a distinct, recognisable sentinel that maps back to its error.
    assert all(is_failure_text(t) for t in texts[2 * k:]) and len(set(texts[2 * k:])) == k
    assert not any(is_failure_text(t) for t in texts[: 2 * k])
    assert all("HTTP 400" in failure_error(t) for t in texts[2 * k:])
    assert response_metadata(texts[2 * k])["finish_reason"] is None
    seeds = [p.get("seed") for p in server.payloads.values() if "Q0" in p["messages"][0]["content"]]
    assert sorted(seeds) == [0, 1, 2, 3]
    assert len(set(texts[:k])) == k and len(set(texts[k:2 * k])) == k
    assert all(t.startswith("<think>Thinking with seed") for t in texts[k:2 * k])
    assert response_metadata(texts[0])["finish_reason"] == "stop"
    data = json.loads(summary_path.read_text())
    assert data["incomplete"] is True and data["failed"] == k and data["ok"] == 2 * k
    assert {f["doc_id"] for f in data["failures"]} == {2}
    assert {f["task"] for f in data["failures"]} == {"r1_fake"}
    assert "INCOMPLETE" in caplog.text

    # Same command again: nothing new for the finished samples; the failed ones are retried.
    before = sum(server.received.values())
    texts2 = lm.generate_until(instances)
    assert texts2[: 2 * k] == texts[: 2 * k]
    assert sum(server.received.values()) - before == k  # 4 failed samples, 400 is not retried

    # The `r1` filter records the error on exactly the failed samples, scored as no answer.
    docs = hooks.stamp_docs(
        [{"id": f"q{i}", "kind": "math", "problem": f"Q{i}", "answer": str(i + 3)} for i in range(3)],
        task="r1_fake", k=k, prompt_spec="deepseek-r1",
    )
    per_doc = r1filter.R1Filter().apply([texts[i * k:(i + 1) * k] for i in range(3)], docs)
    records = [r for doc_records in per_doc for r in doc_records]
    failed = [r for r in records if "api_error" in r["extra"]]
    assert [(r["doc_id"], r["sample_index"]) for r in failed] == [("q2", i) for i in range(k)]
    assert all("HTTP 400" in r["extra"]["api_error"] for r in failed)
    assert all(r["extracted"] is None and r["finish_reason"] is None and not r["truncated"] for r in failed)
    assert all(r["raw_output"] == "" and r["completion_tokens"] == 0 for r in failed)
    ok = [r for r in records if "api_error" not in r["extra"]]
    assert all(r["finish_reason"] == "stop" and r["extra"]["api_usage"]["completion_tokens"] == 7 for r in ok)
    assert sum(r["correct"] for r in ok) == 2 * k


def test_lm_eval_model_refuses_api_key_in_model_args(tmp_path):
    with pytest.raises(ValueError, match="environment variable"):
        R1BenchChat.create_from_arg_string("base_url=http://127.0.0.1:9/v1,model=m,api_key=sk-x")


def test_lm_eval_model_requires_base_url_and_model():
    with pytest.raises(ValueError, match="base_url"):
        R1BenchChat.create_from_arg_string("model=m")


def test_store_file_is_valid_sqlite_after_run(server, tmp_path):
    cfg = _config(server, tmp_path)
    run_chat_requests([_req(i, "ok") for i in range(10)], cfg, progress=False)
    con = sqlite3.connect(cfg.store_file)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM samples WHERE ok = 1").fetchone()[0] == 10
