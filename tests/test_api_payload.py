"""Pure pieces of the API backend: payloads, response parsing, think folding, keys, retry timing."""

from __future__ import annotations

import email.utils
import json
import random
import time

import pytest

from r1bench.api import ChatConfig, ChatRequest, request_key
from r1bench.api.client import backoff_delay, parse_retry_after, resolve_api_key
from r1bench.api.payload import ResponseError, build_payload, fold_reasoning, parse_response
from r1bench.lm_eval.chat import assign_sample_indices, context_to_messages

CFG = ChatConfig(base_url="http://127.0.0.1:9/v1", model="m", seed=100)
MSG = [{"role": "user", "content": "What is 2+2?"}]


@pytest.mark.parametrize(
    "gen_kwargs, expected",
    [
        ({"max_gen_toks": 32768, "until": [], "temperature": 0.6, "top_p": 0.95},
         {"max_tokens": 32768, "temperature": 0.6, "top_p": 0.95}),
        ({"until": ["</s>", "\n\nQ:"]}, {"max_tokens": 32768, "stop": ["</s>", "\n\nQ:"]}),
        ({"until": "END", "max_gen_toks": 10}, {"max_tokens": 10, "stop": ["END"]}),
        ({"do_sample": False}, {"max_tokens": 32768, "temperature": 0.0}),
        ({"do_sample": True, "temperature": 0.7, "top_k": 20}, {"max_tokens": 32768, "temperature": 0.7, "top_k": 20}),
        ({"max_tokens": 5, "max_gen_toks": 99}, {"max_tokens": 5}),
    ],
)
def test_build_payload_maps_lm_eval_kwargs(gen_kwargs, expected):
    payload = build_payload(ChatRequest(MSG, gen_kwargs, sample_index=3), CFG)
    body = {k: v for k, v in payload.items() if k not in ("model", "messages", "seed")}
    assert body == expected
    assert payload["messages"] == MSG and payload["model"] == "m"
    assert payload["seed"] == 103


@pytest.mark.parametrize("seed, index, sent", [(None, 0, None), (None, 5, None), (0, 0, 0), (0, 7, 7), (1234, 2, 1236)])
def test_per_sample_seed(seed, index, sent):
    cfg = ChatConfig(base_url="http://x/v1", model="m", seed=seed)
    payload = build_payload(ChatRequest(MSG, {}, sample_index=index), cfg)
    assert payload.get("seed") == sent


def test_k_samples_get_k_distinct_seeds_and_keys():
    reqs = [ChatRequest(MSG, {"temperature": 0.6}, sample_index=i) for i in range(64)]
    payloads = [build_payload(r, CFG) for r in reqs]
    assert len({p["seed"] for p in payloads}) == 64
    assert len({request_key(CFG.endpoint, p, r.sample_index) for p, r in zip(payloads, reqs)}) == 64
    cfg = ChatConfig(base_url="http://x/v1", model="m", seed=None)  # no seed: keys still differ
    keys = {request_key(cfg.endpoint, build_payload(r, cfg), r.sample_index) for r in reqs}
    assert len(keys) == 64


def test_max_completion_tokens_field():
    cfg = ChatConfig(base_url="http://x/v1", model="o", max_tokens_field="max_completion_tokens")
    payload = build_payload(ChatRequest(MSG, {"max_gen_toks": 77}), cfg)
    assert payload["max_completion_tokens"] == 77 and "max_tokens" not in payload


@pytest.mark.parametrize(
    "content, reasoning, finish, text",
    [
        ("A", None, "stop", "A"),
        ("A", "", "stop", "A"),
        ("\\boxed{3}", "think hard", "stop", "<think>think hard</think>\\boxed{3}"),
        (None, "cut in the middle", "length", "<think>cut in the middle"),
        ("", "cut in the middle", "length", "<think>cut in the middle"),
        ("partial", "r", "length", "<think>r</think>partial"),
        (None, "r", "stop", "<think>r</think>"),
    ],
)
def test_fold_reasoning(content, reasoning, finish, text):
    assert fold_reasoning(content, reasoning, finish) == text


def _body(message, finish="stop", usage=None):
    return json.dumps({"choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage or {}})


@pytest.mark.parametrize(
    "body, text, reasoning",
    [
        (_body({"content": "x"}), "x", None),
        (_body({"content": "x", "reasoning_content": "r"}), "<think>r</think>x", "r"),
        (_body({"content": "x", "reasoning": "r2"}), "<think>r2</think>x", "r2"),
        (_body({"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}), "ab", None),
        (_body({"content": None, "reasoning_content": "long"}, "length"), "<think>long", "long"),
        (_body({"content": ""}, "length"), "", None),
        ("\n\n" + _body({"content": "kept"}), "kept", None),  # DeepSeek's keep-alive blank lines
    ],
)
def test_parse_response_ok(body, text, reasoning):
    parsed = parse_response(body)
    assert parsed.text == text
    assert parsed.reasoning_content == reasoning


def test_parse_response_usage_with_reasoning_tokens():
    body = _body({"content": "x"}, usage={"prompt_tokens": 3, "completion_tokens": 9, "total_tokens": 12,
                                          "completion_tokens_details": {"reasoning_tokens": 5}})
    assert parse_response(body).usage == {"prompt_tokens": 3, "completion_tokens": 9, "total_tokens": 12,
                                          "reasoning_tokens": 5}


@pytest.mark.parametrize(
    "body, fragment",
    [
        ('{"choices": [', "malformed JSON"),
        ("[]", "top level"),
        ('{"choices": []}', "no choices"),
        ('{"error": {"message": "overloaded"}}', "error object"),
        ('{"choices": [{"finish_reason": "stop"}]}', "no message"),
        (_body({"content": ""}), "empty response"),
        (_body({"content": None}), "empty response"),
        (_body({"content": ""}, None), "empty response"),
        # reasoning but no answer although the generation was not cut: retried, then a failure
        (_body({"content": "", "reasoning_content": "r"}), "empty content after reasoning"),
        (_body({"content": None, "reasoning": "r"}, "stop"), "empty content after reasoning"),
        (_body({"reasoning_content": "r"}, None), "empty content after reasoning"),
    ],
)
def test_parse_response_transient_errors(body, fragment):
    with pytest.raises(ResponseError) as info:
        parse_response(body)
    assert fragment in str(info.value)
    assert info.value.transient


def test_retry_after_parsing():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= parse_retry_after(future) <= 31


def test_backoff_grows_with_jitter_and_cap():
    rng = random.Random(0)
    delays = [backoff_delay(a, 1.0, 8.0, rng) for a in range(1, 8)]
    for attempt, d in enumerate(delays, start=1):
        nominal = min(8.0, 2 ** (attempt - 1))
        assert 0.5 * nominal <= d < 1.5 * nominal
    assert len({round(backoff_delay(3, 1.0, 60.0, rng), 6) for _ in range(20)}) > 10  # jitter


def test_key_ignores_api_key_and_depends_on_content(monkeypatch):
    payload = build_payload(ChatRequest(MSG, {"temperature": 0.6}), CFG)
    k1 = request_key(CFG.endpoint, payload, 0)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-something-else")
    assert request_key(CFG.endpoint, build_payload(ChatRequest(MSG, {"temperature": 0.6}), CFG), 0) == k1
    assert request_key(CFG.endpoint + "/", payload, 0) == k1
    assert request_key(CFG.endpoint, payload, 1) != k1
    assert request_key("http://other/v1/chat/completions", payload, 0) != k1
    other = build_payload(ChatRequest(MSG, {"temperature": 0.7}), CFG)
    assert request_key(CFG.endpoint, other, 0) != k1


@pytest.mark.parametrize(
    "env, api_key_env, base_url, expected",
    [
        ({"OPENAI_API_KEY": "o"}, None, "http://x/v1", "o"),
        ({"DEEPSEEK_API_KEY": "d"}, None, "http://x/v1", "d"),
        ({"OPENAI_API_KEY": "o", "DEEPSEEK_API_KEY": "d"}, None, "https://api.deepseek.com/v1", "d"),
        ({"OPENAI_API_KEY": "o", "MY_KEY": "m"}, "MY_KEY", "http://x/v1", "m"),
        ({}, None, "http://x/v1", None),
    ],
)
def test_resolve_api_key(monkeypatch, env, api_key_env, base_url, expected):
    for name in ("OPENAI_API_KEY", "DEEPSEEK_API_KEY", "MY_KEY"):
        monkeypatch.delenv(name, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert resolve_api_key(ChatConfig(base_url=base_url, model="m", api_key_env=api_key_env)) == expected


def test_missing_named_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("NOPE_KEY", raising=False)
    with pytest.raises(ValueError, match="NOPE_KEY"):
        resolve_api_key(ChatConfig(base_url="http://x/v1", model="m", api_key_env="NOPE_KEY"))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"base_url": "", "model": "m"}, "base_url"),
        ({"base_url": "http://x/v1", "model": ""}, "model"),
        ({"base_url": "http://x/v1", "model": "m", "num_concurrent": 0}, "num_concurrent"),
        ({"base_url": "http://x/v1", "model": "m", "timeout": 0}, "timeout"),
        ({"base_url": "http://x/v1", "model": "m", "max_tokens_field": "n"}, "max_tokens_field"),
    ],
)
def test_config_validation(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        ChatConfig(**kwargs)


@pytest.mark.parametrize(
    "base_url, endpoint",
    [
        ("http://h:8000/v1", "http://h:8000/v1/chat/completions"),
        ("http://h:8000/v1/", "http://h:8000/v1/chat/completions"),
        ("http://h:8000/v1/chat/completions", "http://h:8000/v1/chat/completions"),
    ],
)
def test_endpoint(base_url, endpoint):
    assert ChatConfig(base_url=base_url, model="m").endpoint == endpoint


@pytest.mark.parametrize(
    "store_path, name",
    [("/tmp/x", "/tmp/x/samples.sqlite"), ("/tmp/x/run.sqlite", "/tmp/x/run.sqlite"), ("/tmp/y.db", "/tmp/y.db")],
)
def test_store_file(store_path, name):
    assert str(ChatConfig(base_url="http://x/v1", model="m", store_path=store_path).store_file) == name


def test_default_store_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("R1BENCH_API_STORE", str(tmp_path / "s"))
    assert ChatConfig(base_url="http://x/v1", model="m").store_file == tmp_path / "s" / "samples.sqlite"


@pytest.mark.parametrize(
    "context, messages",
    [
        ("Solve x.", [{"role": "user", "content": "Solve x."}]),
        (json.dumps([{"role": "user", "content": "Q"}]), [{"role": "user", "content": "Q"}]),
        (json.dumps([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}]),
         [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}]),
        ("[{not json", [{"role": "user", "content": "[{not json"}]),
        ('[{"a": 1}]', [{"role": "user", "content": '[{"a": 1}]'}]),
    ],
)
def test_context_to_messages(context, messages):
    assert context_to_messages(context) == messages


def test_assign_sample_indices_counts_repeats_in_order():
    a, b = [{"role": "user", "content": "A"}], [{"role": "user", "content": "B"}]
    g1, g2 = {"temperature": 0.6}, {"temperature": 0.0}
    pairs = [(a, g1)] * 3 + [(b, g1)] * 2 + [(a, g2), (a, g1)]
    assert assign_sample_indices(pairs) == [0, 1, 2, 0, 1, 0, 3]


@pytest.mark.parametrize(("value", "kept"), [("true", "true"), ("False", "false"), ("auto", "auto"), (True, "true")])
def test_lm_eval_model_accepts_starts_in_reasoning(value, kept):
    from r1bench.lm_eval.chat import R1BenchChat

    lm = R1BenchChat(base_url="http://127.0.0.1:9/v1", model="m", starts_in_reasoning=value)
    assert lm.starts_in_reasoning == kept


def test_lm_eval_model_rejects_junk_starts_in_reasoning():
    from r1bench.lm_eval.chat import R1BenchChat

    with pytest.raises(ValueError, match="starts_in_reasoning"):
        R1BenchChat(base_url="http://127.0.0.1:9/v1", model="m", starts_in_reasoning="maybe")


def test_response_metadata_travels_with_each_response():
    # Was a bounded text-keyed global (two identical texts shared one entry); now each response
    # object carries its own finish_reason and usage, and nothing is kept per process.
    import pickle

    from r1bench.lm_eval import chat as mod
    from r1bench.response import Response

    assert not hasattr(mod, "_RESPONSE_META")
    cut = Response("same text", finish_reason="length", usage={"completion_tokens": 9, "reasoning_tokens": 4})
    ended = Response("same text", finish_reason="stop", usage={"completion_tokens": 3})
    assert cut == ended == "same text"
    assert mod.response_metadata(cut) == {"finish_reason": "length",
                                          "usage": {"completion_tokens": 9, "reasoning_tokens": 4}}
    assert mod.response_metadata(ended) == {"finish_reason": "stop", "usage": {"completion_tokens": 3}}
    assert mod.response_metadata("a plain string") is None
    again = pickle.loads(pickle.dumps(cut))
    assert isinstance(again, Response) and again.finish_reason == "length" and again.usage == cut.usage
    assert json.dumps([cut]) == '["same text"]'
