"""Start and stop a real OpenAI-compatible server on 127.0.0.1: ``transformers serve`` on the
embedded SmolLM2-135M-Instruct (CPU, one thread). Needs ``pip install "transformers[serving]"``."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving_available() -> str | None:
    """None when ``transformers serve`` can run here, else why not."""
    if shutil.which("transformers") is None:
        return "the `transformers` command is not on PATH"
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return f"transformers[serving] extras missing ({exc}); pip install 'transformers[serving]'"
    return None


@contextmanager
def transformers_serve(model_dir: Path, *, startup_timeout: float = 180.0, log: Path | None = None) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:PORT/v1``) of ``transformers serve model_dir``."""
    reason = serving_available()
    if reason:
        raise RuntimeError(reason)
    # transformers serve lists models from the hub cache: it must exist even when unused.
    (Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub").mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        ["transformers", "serve", str(model_dir), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"],
        env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited with {proc.returncode} (log: {log})")
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"transformers serve not up after {startup_timeout:.0f} s (log: {log})")
            time.sleep(0.5)
        yield base + "/v1"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        if log:
            out.close()
