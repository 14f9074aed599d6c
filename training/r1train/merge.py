"""``r1train merge``: fold a LoRA adapter into its base model and save a plain model folder.

Used to ship a student, to serve it with engines that do not load adapters, and between stages
("LoRA merged then LoRA"). The adapter's tokenizer (which carries the training chat template) and
its lineage are copied into the merged folder.

    r1train merge outputs/qwen-lora --output outputs/qwen-lora-merged
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from r1train.lineage import read_lineage, write_lineage

__all__ = ["dequantized_config", "is_adapter_dir", "adapter_base", "merge_adapter", "main"]

logger = logging.getLogger(__name__)


def is_adapter_dir(path: str | Path) -> bool:
    """True when ``path`` is a saved PEFT adapter folder."""
    return (Path(path) / "adapter_config.json").is_file()


def adapter_base(adapter_dir: str | Path) -> str:
    """The base model an adapter was trained on: lineage ``pretrained``, else PEFT's record of it."""
    lineage = read_lineage(adapter_dir)
    if lineage and lineage.get("pretrained"):
        return str(lineage["pretrained"])
    config = json.loads((Path(adapter_dir) / "adapter_config.json").read_text())
    base = config.get("base_model_name_or_path")
    if not base:
        raise ValueError(f"{adapter_dir}: adapter_config.json names no base model; pass --base")
    return str(base)


def dequantized_config(model_path: str) -> Any:
    """A config without a stale GGUF ``quantization_config`` (a GGUF converted to plain weights, like
    r1bench's embedded SmolLM2, keeps that entry and transformers then refuses to train it)."""
    if not (Path(model_path) / "config.json").is_file() or any(Path(model_path).glob("*.gguf")):
        return None
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(model_path)
    qc = getattr(config, "quantization_config", None)
    method = qc.get("quant_method") if isinstance(qc, dict) else getattr(qc, "quant_method", None)
    if str(getattr(method, "value", method)).lower() != "gguf":
        return None
    del config.quantization_config
    return config


def merge_adapter(
    adapter_dir: str | Path, output_dir: str | Path, *, base: str | None = None, dtype: str = "auto"
) -> Path:
    """Load ``base`` (default: the adapter's own base), apply the adapter, merge, save to ``output_dir``."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter_dir, output_dir = Path(adapter_dir), Path(output_dir)
    base = base or adapter_base(adapter_dir)
    torch_dtype = dtype if dtype == "auto" else getattr(torch, dtype)
    logger.info("merging %s into %s -> %s", adapter_dir, base, output_dir)
    config = dequantized_config(base)
    extra = {"config": config} if config is not None else {}
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch_dtype, **extra)
    merged = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    output_dir.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(output_dir)
    tok_src = adapter_dir if (adapter_dir / "tokenizer_config.json").is_file() else base
    AutoTokenizer.from_pretrained(tok_src).save_pretrained(output_dir)
    lineage = read_lineage(adapter_dir)
    if lineage is not None:
        write_lineage(output_dir, {**lineage, "adapter": False, "pretrained": str(output_dir), "merged_from": str(adapter_dir)})
    return output_dir


def main(argv: list[str] | None = None) -> int:
    """CLI: merge an adapter folder into its base and save."""
    p = argparse.ArgumentParser(prog="r1train merge", description="Merge a LoRA adapter into its base model.")
    p.add_argument("adapter", help="adapter folder (adapter_config.json + weights)")
    p.add_argument("-o", "--output", required=True, help="where to save the merged model")
    p.add_argument("--base", default=None, help="base model (default: the one the adapter records)")
    p.add_argument("--dtype", default="auto", help="auto, float32, bfloat16, float16")
    args = p.parse_args(argv)
    if not is_adapter_dir(args.adapter):
        p.error(f"{args.adapter}: not an adapter folder (no adapter_config.json)")
    out = merge_adapter(args.adapter, args.output, base=args.base, dtype=args.dtype)
    print(f"merged model saved to {out}")
    return 0
