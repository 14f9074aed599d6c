"""Who generated a run: model, backend, dtype and parallelism, from lm-eval's ``config`` block."""

from __future__ import annotations

import importlib.metadata
import json
import re
from typing import Any

from lm_eval.utils import simple_parse_args_string

__all__ = ["backend_version", "model_info", "clean_name"]

# lm-eval backends that talk to an endpoint by model name (model_args ``model=``).
_API_BACKENDS = frozenset({"r1bench-chat", "local-chat-completions", "local-completions",
                           "openai-chat-completions", "openai-completions"})


def _model_args(results: dict[str, Any]) -> dict[str, Any]:
    """``model_args`` as lm-eval itself parsed them (a dict, or its ``a=1,b=x`` string)."""
    args = results["config"].get("model_args")
    if isinstance(args, dict):
        return dict(args)
    if isinstance(args, str):
        return simple_parse_args_string(args)
    return {}


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def backend_version(backend: str, results: dict[str, Any]) -> str | None:
    """Version of the software that generated: transformers (hf), vllm, r1bench (r1bench-chat).

    lm-eval records only transformers' version, so vllm's and r1bench's are read from the installed
    packages (None when vllm is not installed here).
    """
    if backend in {"hf", "hf-auto"}:
        return results.get("transformers_version")
    if backend.startswith("vllm"):
        return _package_version("vllm")
    if backend == "r1bench-chat":
        from r1bench import __version__

        return __version__
    return None


def model_info(results: dict[str, Any]) -> dict[str, Any]:
    """Model, backend, dtype and parallelism of a run, from lm-eval's ``config`` and ``model_args``."""
    args = _model_args(results)
    backend = str(results["config"].get("model") or results.get("model_source") or "unknown")
    adapter = args.get("peft") or args.get("lora_local_path") or args.get("adapter")
    name = (args.get("pretrained") or args.get("model") or args.get("path") or results.get("model_name")
            or "unknown")
    raw_args = results["config"].get("model_args")
    return {
        "model": {
            "name": str(adapter or name),
            "revision": str(args["revision"]) if args.get("revision") else None,
            "adapter": str(adapter) if adapter else None,
            "base_model": str(name) if adapter else None,
        },
        "backend": {
            "name": backend,
            "version": backend_version(backend, results),
            "lm_eval_version": results.get("lm_eval_version"),
            "transformers_version": results.get("transformers_version"),
            "model_args": raw_args if isinstance(raw_args, str) else json.dumps(raw_args or {}, sort_keys=True),
            "endpoint_model": str(args["model"]) if backend in _API_BACKENDS and args.get("model") else None,
        },
        "dtype": str(args.get("dtype") or args.get("torch_dtype")) if (args.get("dtype") or args.get("torch_dtype")) else None,
        "tensor_parallel_size": int(args.get("tensor_parallel_size") or 1),
        "data_parallel_size": int(args.get("data_parallel_size") or 1),
    }


_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")


def clean_name(name: str) -> str:
    """A model name on one line: control characters and newlines become one space (table-safe)."""
    return _SPACE.sub(" ", name).strip()
