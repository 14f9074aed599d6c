"""End to end against a real OpenAI-compatible server: ``transformers serve`` with the embedded
SmolLM2-135M-Instruct on CPU, a few r1_smoke questions through lm-eval and r1bench-chat, then the
same command again, which must resume entirely from the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from api_servers.real_server import transformers_serve

from r1bench.api import ChatConfig, ChatRequest, run_chat_requests

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[1]
LIMIT, K = 3, 2
# transformers serve ignores temperature unless sampling is switched on through its own
# `generation_config` field; our backend passes unknown generation kwargs through.
SAMPLING = '{"do_sample": true}'


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from r1bench.models.default import ensure_default_model

    model_dir = ensure_default_model()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with transformers_serve(model_dir, log=log) as base_url:
        yield base_url, str(model_dir)


def test_seeds_give_distinct_reproducible_samples(served, tmp_path):
    base_url, model = served
    cfg = ChatConfig(base_url=base_url, model=model, num_concurrent=1, seed=0, timeout=300,
                     store_path=str(tmp_path / "store"), max_retries=2)
    gen = {"max_gen_toks": 12, "temperature": 1.0, "top_p": 0.95, "until": [], "generation_config": SAMPLING}
    msgs = [{"role": "user", "content": "Tell me a fact about cats."}]
    reqs = [ChatRequest(msgs, gen, sample_index=i) for i in range(3)]
    first = run_chat_requests(reqs, cfg, progress=False)
    assert all(r.ok and r.text for r in first), [r.error for r in first]
    assert all(r.usage.get("completion_tokens", 0) > 0 for r in first)
    assert len({r.text for r in first}) >= 2  # k samples are not k copies
    again = run_chat_requests(reqs, ChatConfig(**{**cfg.__dict__, "store_path": str(tmp_path / "s2")}), progress=False)
    assert [r.text for r in again] == [r.text for r in first]  # seed i -> same sample


def _lm_eval(base_url, model, tmp_path, out_name):
    model_args = ",".join([
        f"base_url={base_url}", f"model={model}", "num_concurrent=2", "seed=0", "timeout=600",
        f"store_path={tmp_path / 'store'}", f"summary_path={tmp_path / (out_name + '_summary.json')}",
    ])
    cmd = [
        sys.executable, "-m", "r1bench.lm_eval", "--model", "r1bench-chat", "--model_args", model_args,
        "--tasks", "r1_smoke", "--include_path", "tasks", "--limit", str(LIMIT), "--apply_chat_template",
        "--gen_kwargs", json.dumps({"max_gen_toks": 24, "generation_config": SAMPLING}),
        "--output_path", str(tmp_path / out_name), "--log_samples",
    ]
    env = dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=700)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return json.loads((tmp_path / (out_name + "_summary.json")).read_text())


def test_r1_smoke_through_lm_eval_and_resume(served, tmp_path):
    base_url, model = served
    summary = _lm_eval(base_url, model, tmp_path, "run1")
    assert summary["incomplete"] is False
    assert summary["total"] == LIMIT * K and summary["ok"] == LIMIT * K and summary["sent"] == LIMIT * K
    assert summary["completion_tokens"] > 0

    results = list((tmp_path / "run1").rglob("results_*.json"))
    assert len(results) == 1
    data = json.loads(results[0].read_text())
    metrics = data["results"]["r1_smoke"]
    assert any(key.startswith("pass@1") for key in metrics)
    samples = list((tmp_path / "run1").rglob("samples_r1_smoke_*.jsonl"))
    lines = [json.loads(line) for line in samples[0].read_text().splitlines()]
    assert len(lines) == LIMIT
    for line in lines:
        assert len(line["resps"][0]) == K  # k samples per question reached lm-eval

    # The same command again resumes: everything comes from the store, nothing is sent.
    summary2 = _lm_eval(base_url, model, tmp_path, "run2")
    assert summary2["from_store"] == LIMIT * K and summary2["sent"] == 0
    lines2 = [json.loads(x) for x in next((tmp_path / "run2").rglob("samples_r1_smoke_*.jsonl")).read_text().splitlines()]
    assert [x["resps"] for x in lines2] == [x["resps"] for x in lines]
