"""Helpers of the local-backend tests: an r1bench-hf model on a tiny checkpoint, lm-eval requests, a
forced output, and a stand-in for vLLM's sampling parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FakeSamplingParams:
    """The fields of vLLM's ``SamplingParams`` that r1bench-vllm sets (vLLM is not installed on CPU)."""

    n: int = 1
    seed: int | None = None
    max_tokens: int = 16
    stop: list = field(default_factory=list)
    temperature: float = 1.0
    top_p: float = 1.0
    skip_special_tokens: bool = True
    spaces_between_special_tokens: bool = True


def hf_model(path: Path, store: Path, **args: Any) -> Any:
    """An R1BenchHF on ``path`` (float32, CPU, 1,024-token context, no progress bar) with its own store."""
    from r1bench.local.hf import R1BenchHF

    batch_size = args.pop("batch_size", 1)
    extra = "".join(f",{k}={v}" for k, v in args.items())
    return R1BenchHF.create_from_arg_string(
        f"pretrained={path},dtype=float32,max_length=1024,progress=false,store_path={store}{extra}",
        {"batch_size": batch_size, "device": "cpu"},
    )


def instances(n_questions: int, k: int, gen: dict[str, Any]) -> list[Any]:
    """k generate_until requests for each of ``n_questions`` questions, as lm-eval builds them."""
    from lm_eval.api.instance import Instance

    return [Instance("generate_until", {}, (f"Question {q}?", dict(gen)), idx=0, metadata=("t", q, k))
            for q in range(n_questions) for _ in range(k)]


def biased_head(lm: Any, token_id: int) -> None:
    """Make the model emit ``token_id`` almost surely (a model that stops at once, or loops)."""
    import torch

    head = torch.nn.Linear(lm.model.lm_head.in_features, lm.model.lm_head.out_features, bias=True)
    with torch.no_grad():
        head.weight.zero_()
        head.bias.zero_()
        head.bias[token_id] = 50.0
    lm.model.lm_head = head
