"""A scripted, fault-injecting OpenAI-compatible chat server for tests (stdlib only, 127.0.0.1).

Each request is identified by :func:`body_key` (messages + seed + model). What the server does on
the n-th attempt of a key comes from a ``FAULTS:a,b,c`` directive in the last user message (the
last entry repeats), else from ``default_faults``, else from ``random_fault_rate`` (a fault on the
first attempt only, chosen by a hash of the key, so runs are reproducible), else ``ok``.

Behaviours: ok, reasoning (reasoning_content + content), reasoning_field (vLLM's ``reasoning``),
length (cut inside the reasoning), length_content, 429 (``Retry-After: <retry_after>``), 500,
503, 400 (permanent), hang (sleep past the client's timeout, then 504), drop (close without a
response), reset (TCP RST), badjson, truncjson (Content-Length larger than the body), empty,
nochoices, html (an HTML error page with status 200), echo_auth (401 whose body echoes the Authorization header). The answer is deterministic in the key: ``\\boxed{N}`` with N from an ``ANSWER=N`` token
in the prompt, so an uninterrupted and an interrupted run must agree byte for byte.

``stats()`` counts per key: requests received, answers served ok (a usable response fully
written), and everything else, so tests can check nothing was lost or sent twice.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import struct
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK_BEHAVIOURS = {"ok", "reasoning", "reasoning_field", "length", "length_content"}


def body_key(payload: dict[str, Any]) -> str:
    """The server's identity of a request: model, messages and seed."""
    blob = json.dumps(
        {"model": payload.get("model"), "messages": payload.get("messages"), "seed": payload.get("seed")},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _last_user(payload: dict[str, Any]) -> str:
    for m in reversed(payload.get("messages") or []):
        if m.get("role") == "user":
            return str(m.get("content", ""))
    return ""


def _answer(payload: dict[str, Any]) -> str:
    m = re.search(r"ANSWER=(\S+)", _last_user(payload))
    if m:
        return m.group(1)
    return str(int(body_key(payload)[:6], 16) % 1000)


class FaultServer:
    """Start with ``with FaultServer(...) as srv:``; ``srv.base_url`` is ``http://127.0.0.1:P/v1``."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        retry_after: str = "1",
        hang_seconds: float = 3.0,
        default_faults: list[str] | None = None,
        random_fault_rate: float = 0.0,
        random_faults: tuple[str, ...] = ("500", "drop", "badjson", "empty", "503", "truncjson"),
    ) -> None:
        self.latency = latency
        self.retry_after = retry_after
        self.hang_seconds = hang_seconds
        self.default_faults = default_faults
        self.random_fault_rate = random_fault_rate
        self.random_faults = random_faults
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.received: Counter[str] = Counter()
        self.served_ok: Counter[str] = Counter()
        self.behaviours: dict[str, list[str]] = defaultdict(list)
        self.times: dict[str, list[float]] = defaultdict(list)
        self.auth_headers: list[str] = []
        self.payloads: dict[str, dict[str, Any]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> FaultServer:
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "received": dict(self.received),
                "served_ok": dict(self.served_ok),
                "behaviours": {k: list(v) for k, v in self.behaviours.items()},
            }

    def reset_stats(self) -> None:
        with self._lock:
            self.received.clear()
            self.served_ok.clear()
            self.behaviours.clear()
            self.times.clear()
            self.auth_headers.clear()

    # -- behaviour --------------------------------------------------------------------------
    def _choose(self, key: str, payload: dict[str, Any], attempt: int) -> str:
        m = re.search(r"FAULTS:([\w,]+)", _last_user(payload))
        script = m.group(1).split(",") if m else self.default_faults
        if script:
            return script[min(attempt, len(script) - 1)]
        if self.random_fault_rate and attempt == 0:
            h = int(key[:8], 16)
            if (h % 10_000) / 10_000 < self.random_fault_rate:
                return self.random_faults[(h // 10_000) % len(self.random_faults)]
        return "ok"

    def sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)


def _completion(payload: dict[str, Any], behaviour: str) -> dict[str, Any]:
    answer = _answer(payload)
    seed = payload.get("seed")
    key = body_key(payload)[:8]
    message: dict[str, Any] = {"role": "assistant"}
    finish = "stop"
    if behaviour == "ok":
        message["content"] = f"<think>seed {seed}, key {key}</think>The answer is \\boxed{{{answer}}}."
    elif behaviour == "reasoning":
        message["reasoning_content"] = f"Thinking with seed {seed} ({key})."
        message["content"] = f"The answer is \\boxed{{{answer}}}."
    elif behaviour == "reasoning_field":
        message["reasoning"] = f"Reasoning field, seed {seed} ({key})."
        message["content"] = f"\\boxed{{{answer}}}"
    elif behaviour == "length":
        message["reasoning_content"] = f"Long thoughts {key} that never end"
        message["content"] = None
        finish = "length"
    elif behaviour == "length_content":
        message["content"] = f"<think>cut {key}"
        finish = "length"
    elif behaviour == "empty":
        message["content"] = ""
    elif behaviour == "emptythink":  # reasoning, then no answer although not cut by the limit
        message["reasoning_content"] = f"Thought about it ({key}) but"
        message["content"] = ""
    else:
        raise ValueError(behaviour)
    return {
        "id": f"chatcmpl-{key}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": payload.get("model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": 11,
            "completion_tokens": 7,
            "total_tokens": 18,
            "completion_tokens_details": {"reasoning_tokens": 3},
        },
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: FaultServer

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, json.dumps({"object": "list", "data": [{"id": "fault-model", "object": "model"}]}).encode())
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self) -> None:
        srv = self.owner
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            payload = json.loads(raw)
        except ValueError:
            self._send(400, b'{"error": "bad request body"}')
            return
        key = body_key(payload)
        with srv._lock:
            attempt = srv.received[key]
            srv.received[key] += 1
            srv.times[key].append(time.monotonic())
            srv.auth_headers.append(self.headers.get("Authorization", ""))
            srv.payloads[key] = payload
            behaviour = srv._choose(key, payload, attempt)
            srv.behaviours[key].append(behaviour)
        if srv.latency:
            srv.sleep(srv.latency)
        if behaviour in OK_BEHAVIOURS or behaviour in ("empty", "emptythink"):
            body = json.dumps(_completion(payload, behaviour)).encode()
            try:
                self._send(200, body)
            except OSError:
                return
            if behaviour not in ("empty", "emptythink"):
                with srv._lock:
                    srv.served_ok[key] += 1
        elif behaviour == "429":
            self._send(429, b'{"error": {"message": "rate limited"}}', {"Retry-After": srv.retry_after})
        elif behaviour in ("500", "503", "400"):
            self._send(int(behaviour), json.dumps({"error": {"message": f"scripted {behaviour}"}}).encode())
        elif behaviour == "hang":
            srv.sleep(srv.hang_seconds)
            try:
                self._send(504, b'{"error": "hung"}')
            except OSError:
                pass
            self.close_connection = True
        elif behaviour == "drop":
            self.close_connection = True
        elif behaviour == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif behaviour == "badjson":
            self._send(200, b'{"choices": [{"message": {"content": "unterminated')
        elif behaviour == "html":  # a proxy's error page, served with status 200
            body = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        elif behaviour == "truncjson":
            body = json.dumps(_completion(payload, "ok")).encode()
            self._send(200, body[: len(body) // 2], length=len(body))
            self.close_connection = True
        elif behaviour == "echo_auth":  # a careless server that echoes the credentials back
            echo = json.dumps({"error": {"message": f"bad key {self.headers.get('Authorization')}"}})
            self._send(401, echo.encode())
        elif behaviour == "nochoices":
            self._send(200, b'{"id": "x", "choices": []}')
        else:
            self._send(500, f'{{"error": "unknown behaviour {behaviour}"}}'.encode())
