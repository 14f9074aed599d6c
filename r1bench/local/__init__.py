"""Local lm-eval models that resume and know why they stopped: ``r1bench-hf`` and ``r1bench-vllm``.

Importing this package registers both names with lm-eval lazily (module:class placeholders), so
neither torch models nor vLLM load until a run asks for them, and r1bench imports without vLLM.
They share with ``r1bench-chat`` one durable per-sample store (:mod:`r1bench.store`), per-sample
seeds and keys (:mod:`r1bench.local.sampling`), and return :class:`r1bench.response.Response`
objects carrying finish_reason and exact token counts to the records.
"""

from __future__ import annotations

__all__ = ["register"]

MODELS = {
    "r1bench-hf": "r1bench.local.hf:R1BenchHF",
    "r1bench-vllm": "r1bench.local.vllm:R1BenchVLLM",
}


def register() -> None:
    """Register the local models with lm-eval (after its built-ins: its registry loads them only
    while empty, so registering first would hide ``hf`` and ``vllm``)."""
    import lm_eval.models  # noqa: F401
    from lm_eval.api.registry import model_registry

    for name, target in MODELS.items():
        if name not in model_registry.keys():
            model_registry.register(name, target=target)


register()
