"""The API key is sent to the server but never written to the store, the logs or the summary."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from api_servers.fault_server import FaultServer

from r1bench.api import ChatConfig, ChatRequest, run_chat_requests
from r1bench.lm_eval.chat import R1BenchChat

pytestmark = [pytest.mark.server, pytest.mark.timeout(120)]

SECRET = "sk-r1bench-TEST-9f8e7d6c5b4a"


def _all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("env_name, api_key_env", [("OPENAI_API_KEY", None), ("DEEPSEEK_API_KEY", None),
                                                   ("MY_PROVIDER_KEY", "MY_PROVIDER_KEY")])
def test_key_used_but_never_stored_or_logged(tmp_path, monkeypatch, caplog, env_name, api_key_env):
    for name in ("OPENAI_API_KEY", "DEEPSEEK_API_KEY", "MY_PROVIDER_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(env_name, SECRET)
    scripts = ["ok", "reasoning", "500,ok", "echo_auth", "429,ok", "badjson,ok"]
    with FaultServer(retry_after="0") as srv:
        cfg = ChatConfig(base_url=srv.base_url, model="fault-model", api_key_env=api_key_env,
                         store_path=str(tmp_path / "store"), backoff_base=0.01, max_retries=2, seed=5)
        reqs = [ChatRequest([{"role": "user", "content": f"Q{i} FAULTS:{s}"}], {"max_gen_toks": 8}) for i, s in enumerate(scripts)]
        with caplog.at_level(logging.DEBUG):
            results = run_chat_requests(reqs, cfg, progress=False)
        assert srv.auth_headers and all(h == f"Bearer {SECRET}" for h in srv.auth_headers)
    failed = [r for r in results if not r.ok]
    assert len(failed) == 1 and "***" in failed[0].error  # the echoed key is redacted
    assert SECRET not in caplog.text
    assert SECRET.encode() not in _all_bytes(tmp_path / "store")
    assert SECRET not in repr(cfg) and SECRET not in json.dumps([r.to_dict() for r in results])


def test_key_not_in_lm_eval_summary_or_subprocess_logs(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with FaultServer() as srv:
        lm = R1BenchChat(base_url=srv.base_url, model="fault-model", store_path=str(tmp_path / "store"),
                         summary_path=str(tmp_path / "summary.json"), progress=False, max_retries=0)
        from lm_eval.api.instance import Instance

        ctx = json.dumps([{"role": "user", "content": "Q FAULTS:echo_auth"}])
        lm.generate_until([Instance("generate_until", {}, (ctx, {"until": []}), 0, ("t", 0, 1))])
        assert SECRET.encode() not in (tmp_path / "summary.json").read_bytes()

        log = tmp_path / "client.log"
        client = Path(__file__).parent / "api_servers" / "run_client.py"
        proc = subprocess.run(
            [sys.executable, str(client), "--url", srv.base_url, "--store", str(tmp_path / "store2"),
             "--n", "20", "--out", str(tmp_path / "out.json"), "--log", str(log)],
            env=dict(os.environ, OPENAI_API_KEY=SECRET), capture_output=True, timeout=100,
        )
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        assert all(h == f"Bearer {SECRET}" for h in srv.auth_headers)
    for path in [log, tmp_path / "out.json", *(tmp_path / "store").rglob("*"), *(tmp_path / "store2").rglob("*")]:
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET.encode() not in proc.stdout + proc.stderr
    assert log.stat().st_size > 0
