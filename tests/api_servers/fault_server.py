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

A scripted thinking model answers prompts with a ``THINK=N`` token (``EXT=M``: words per extension,
default 6): ``<think>`` + N words + ``</think>`` + `` The answer is \\boxed{A}.``, one token per word.
It continues any partial answer (budget forcing): ``POST /v1/completions`` with the chat template
rendered into ``prompt`` (the output so far is what follows the last assistant header), or chat
with ``continue_final_message`` and the output so far as the last assistant message. After a
``Wait`` it thinks EXT more words and closes again; after ``</think>`` it writes the answer. It
honours ``max_tokens`` (finish ``length``) and ``stop`` (the stop string cut, finish ``stop``, the
string in ``stop_reason`` as vLLM does; EOS gives ``stop_reason: null``).

``"stream": true`` answers as server-sent events, one word per chunk, ``chunk_delay`` seconds
apart, with the usage chunk when ``stream_options.include_usage``; stream faults: ``cut`` (half the
chunks, then the connection closes), ``streamerror`` (half the chunks, then an error event).
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
STREAM_FAULTS = {"cut", "streamerror"}
_PIECE_RE = re.compile(r"</?think>|\s*[^\s<]+|\s+|<")


def body_key(payload: dict[str, Any]) -> str:
    """The server's identity of a request: model, messages (or prompt) and seed."""
    ident = {"model": payload.get("model"), "messages": payload.get("messages"), "seed": payload.get("seed")}
    if "prompt" in payload:
        ident["prompt"] = payload["prompt"]
    blob = json.dumps(ident, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


ASSISTANT_MARKERS = ("<|im_start|>assistant\n", "<｜Assistant｜>", "<|assistant|>\n")


def _split_prompt(prompt: str) -> tuple[str, str]:
    """(the prompt up to the last assistant header, the output so far after it)."""
    best = max((prompt.rfind(m), m) for m in ASSISTANT_MARKERS)
    if best[0] == -1:
        return prompt, ""
    return prompt[: best[0]], prompt[best[0] + len(best[1]):]


def _last_user(payload: dict[str, Any]) -> str:
    if isinstance(payload.get("prompt"), str):
        return _split_prompt(payload["prompt"])[0]
    for m in reversed(payload.get("messages") or []):
        if m.get("role") == "user":
            return str(m.get("content", ""))
    return ""


def _answer(payload: dict[str, Any]) -> str:
    m = re.search(r"ANSWER=(\S+)", _last_user(payload))
    if m:
        return m.group(1)
    return str(int(body_key(payload)[:6], 16) % 1000)


def _so_far(payload: dict[str, Any]) -> str | None:
    """The output a continuation request asks to continue; None for a fresh chat answer."""
    if isinstance(payload.get("prompt"), str):
        return _split_prompt(payload["prompt"])[1]
    msgs = payload.get("messages") or []
    if payload.get("continue_final_message") and msgs and msgs[-1].get("role") == "assistant":
        return str(msgs[-1].get("content") or "")
    return None


def think_spec(payload: dict[str, Any], default: int | None = None) -> tuple[int, int] | None:
    """(N, EXT) of a scripted-thinking prompt (``default`` N for prompts without THINK=N), None
    for other prompts."""
    user = _last_user(payload)
    m = re.search(r"THINK=(\d+)", user)
    if not m:
        return None if default is None else (default, 6)
    ext = re.search(r"EXT=(\d+)", user)
    return int(m.group(1)), int(ext.group(1)) if ext else 6


def scripted_tokens(n: int, ext: int, answer: str, so_far: str) -> list[str]:
    """The tokens the scripted thinking model writes after ``so_far`` (then end of sequence)."""
    answer_toks = [" The", " answer", " is", f" \\boxed{{{answer}}}."]
    toks = [] if so_far.strip() else ["<think>"]
    body = so_far.replace("<think>", "", 1)
    if "</think>" in body:
        return [] if "\\boxed{" in body.split("</think>")[-1] else answer_toks
    segment = body.count("Wait")
    done = len(body.rsplit("Wait", 1)[-1].split())
    length = n if segment == 0 else ext
    toks += [f" s{segment}w{i}" for i in range(done, length)]
    return toks + ["</think>", *answer_toks]


def generate(tokens: list[str], max_tokens: int, stop: list[str]) -> tuple[list[str], int, str, str | None]:
    """Apply max_tokens and stop strings: (tokens kept, tokens generated, finish_reason, stop_reason)."""
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if i >= max_tokens:
            return out, i, "length", None
        text = "".join(out) + tok
        for s in stop:
            at = text.find(s)
            if at != -1:
                kept = text[:at]
                return ([kept] if kept else []), i + 1, "stop", s
        out.append(tok)
    return out, len(tokens), "stop", None


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
        chunk_delay: float = 0.0,
        think_default: int | None = None,
    ) -> None:
        self.chunk_delay = chunk_delay
        self.think_default = think_default  # scripted thinking for prompts without THINK=N
        self.fail_answer_phase = False  # answer 500 to every continuation after </think>
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


def _scripted(payload: dict[str, Any], behaviour: str, default: int | None = None) -> dict[str, Any] | None:
    """The scripted thinking model's response (chat or text completion), None for other prompts."""
    spec = think_spec(payload, default)
    if spec is None or behaviour not in ("ok", "reasoning"):
        return None
    so_far = _so_far(payload)
    toks = scripted_tokens(spec[0], spec[1], _answer(payload), so_far or "")
    limit = payload.get("max_tokens") or payload.get("max_completion_tokens") or 10**9
    stop = payload.get("stop") or []
    kept, n, finish, stop_reason = generate(toks, int(limit), [stop] if isinstance(stop, str) else list(stop))
    text = "".join(kept)
    usage: dict[str, Any] = {"prompt_tokens": 11, "completion_tokens": n, "total_tokens": 11 + n}
    key = body_key(payload)[:8]
    if "prompt" in payload:
        choice: dict[str, Any] = {"index": 0, "text": text}
    else:
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if so_far is None and "</think>" in text:  # a fresh answer: say how much of it was thinking
            usage["completion_tokens_details"] = {"reasoning_tokens": toks.index("</think>") + 1}
            if behaviour == "reasoning":  # as a server with a reasoning parser returns it
                think, answer = text.split("</think>", 1)
                message = {"role": "assistant", "reasoning_content": think.replace("<think>", "", 1),
                           "content": answer}
        choice = {"index": 0, "message": message}
    choice.update({"finish_reason": finish, "stop_reason": stop_reason})
    return {"id": f"cmpl-{key}", "object": "text_completion" if "prompt" in payload else "chat.completion",
            "created": int(time.time()), "model": payload.get("model"), "choices": [choice], "usage": usage}


def _completion(payload: dict[str, Any], behaviour: str, think_default: int | None = None) -> dict[str, Any]:
    scripted = _scripted(payload, behaviour, think_default)
    if scripted is not None:
        return scripted
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

    def _stream(self, payload: dict[str, Any], behaviour: str) -> bool:
        """Answer as server-sent events; True when the whole stream was written."""
        srv = self.owner
        full = _completion(payload, "ok" if behaviour in STREAM_FAULTS else behaviour, srv.think_default)
        choice = full["choices"][0]
        message = choice.get("message") or {"content": choice.get("text", "")}
        pieces: list[tuple[str, str]] = []
        for field in ("reasoning_content", "reasoning", "content"):
            if message.get(field):
                pieces += [(field, p) for p in _PIECE_RE.findall(message[field])]
        events = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
        events += [{"choices": [{"index": 0, "delta": {f: p}, "finish_reason": None}]} for f, p in pieces]
        cut = None
        if behaviour in STREAM_FAULTS:
            cut = 1 + len(pieces) // 2
        events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"],
                                    "stop_reason": choice.get("stop_reason")}]})
        if (payload.get("stream_options") or {}).get("include_usage"):
            events.append({"choices": [], "usage": full["usage"]})
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for i, event in enumerate(events):
                if cut is not None and i == cut:
                    if behaviour == "streamerror":
                        self.wfile.write(b'data: {"error": {"message": "scripted mid-stream error"}}\n\n')
                        self.wfile.flush()
                    self.close_connection = True
                    return False
                self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                self.wfile.flush()
                if srv.chunk_delay and 0 < i < len(events) - 1:
                    srv.sleep(srv.chunk_delay)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:
            return False
        self.close_connection = True
        return True

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
            if srv.fail_answer_phase and "</think>" in (_so_far(payload) or ""):
                behaviour = "500"
            srv.behaviours[key].append(behaviour)
        if srv.latency:
            srv.sleep(srv.latency)
        if payload.get("stream") and (behaviour in OK_BEHAVIOURS or behaviour in STREAM_FAULTS):
            if self._stream(payload, behaviour):
                with srv._lock:
                    srv.served_ok[key] += 1
            return
        if behaviour in OK_BEHAVIOURS or behaviour in ("empty", "emptythink"):
            body = json.dumps(_completion(payload, behaviour, srv.think_default)).encode()
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


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted (manual runs): ``python tests/api_servers/fault_server.py --think 40``
    prints the base URL; ``--think N`` answers every prompt with the scripted thinking model."""
    import argparse

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--think", type=int, default=None, help="scripted thinking words for prompts without THINK=N")
    p.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between streamed chunks")
    args = p.parse_args(argv)
    with FaultServer(think_default=args.think, chunk_delay=args.chunk_delay) as srv:
        print(srv.base_url, flush=True)
        try:
            srv._stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
