"""A tiny OpenAI-compatible teacher on 127.0.0.1 for distillation tests.

It answers "What is A + B?" prompts with ``reasoning_content`` and a boxed sum: correct for even
seeds, off by one for odd seeds, and with an unclosed-reasoning style empty answer for questions
containing "TRUNCATE". It counts requests so a test can check that a re-run resumes from the store.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeTeacher:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        teacher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with teacher._lock:
                    teacher.requests.append(body)
                reply = teacher.answer(body)
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def answer(self, body: dict) -> dict:
        prompt = body["messages"][-1]["content"]
        seed = int(body.get("seed") or 0)
        finish = "stop"
        m = re.search(r"What is (\d+) \+ (\d+)\?", prompt)
        total = int(m.group(1)) + int(m.group(2)) if m else 0
        if "TRUNCATE" in prompt:
            reasoning, content, finish = "I keep thinking and thinking", "", "length"
        else:
            value = total if seed % 2 == 0 else total + 1
            reasoning, content = f"Adding gives {value}.", f"The sum is \\boxed{{{value}}}."
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish,
                    "message": {"role": "assistant", "content": content, "reasoning_content": reasoning},
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 12, "total_tokens": 22},
        }

    def __enter__(self) -> FakeTeacher:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
