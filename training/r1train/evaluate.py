"""``r1train eval``: score a trained checkpoint or LoRA adapter with ``r1bench eval`` and keep its lineage.

An adapter is loaded directly onto its base (hf backend: ``pretrained=BASE,peft=ADAPTER``; vLLM:
``enable_lora``), with the adapter folder's tokenizer, which carries the chat template used in
training. After the run, ``lineage.json`` (base, teacher, data hash, recipe, stages) is written
beside every results file, where the leaderboard ingest picks it up.

    r1train eval outputs/qwen-lora --tasks r1_suite --output-path runs/qwen-lora
    r1train eval outputs/tiny --tasks r1_smoke --limit 2 --max-gen-toks 64 --dry-run
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shlex
import sys
import time
from pathlib import Path

from r1train.lineage import LINEAGE_FILE, read_lineage, write_lineage
from r1train.merge import adapter_base, is_adapter_dir

__all__ = ["model_args_for", "build_eval_argv", "attach_lineage", "build_parser", "main"]

logger = logging.getLogger(__name__)


_UNSAFE_ARG = re.compile(r"[,=\x00-\x1f\x7f]")


def _arg(value: object, what: str) -> str:
    """One ``--model_args`` value; refused if it could add arguments of its own.

    lm-eval splits model_args on ``,`` and ``=``: a base model named ``x,trust_remote_code=True`` in
    a downloaded adapter's adapter_config.json / lineage.json would turn on remote code.
    """
    text = str(value)
    if not text or _UNSAFE_ARG.search(text):
        raise ValueError(f"{what} {text!r} is empty or contains ',', '=' or a control character, which "
                         "would inject lm-eval model arguments; check where it comes from, or pass --base")
    return text


def _adapter_rank(model: Path) -> int:
    path = model / "adapter_config.json"
    try:
        rank = json.loads(path.read_text(encoding="utf-8")).get("r", 8)
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{path}: cannot read the LoRA rank ({type(exc).__name__}: {exc})") from None
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 < rank <= 65536:
        raise ValueError(f"{path}: field 'r' is {rank!r}, expected a positive integer LoRA rank")
    return rank


def _check_recorded_base_types(model: Path) -> None:
    """The base model recorded in the adapter's files must be a string (a list or number is refused)."""
    for name, key in ((LINEAGE_FILE, "pretrained"), ("adapter_config.json", "base_model_name_or_path")):
        path = model / name
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: must be a JSON object, got {type(data).__name__}")
        value = data.get(key)
        if value not in (None, "") and not isinstance(value, str):
            raise ValueError(f"{path}: field '{key}' is {value!r}, expected a model id or path (a string)")


def model_args_for(model: str | Path, *, backend: str = "hf", base: str | None = None, dtype: str = "auto") -> str:
    """lm-eval ``--model_args`` that load ``model`` (a full checkpoint, or an adapter onto its base).

    Every value is checked by :func:`_arg`: values read from the adapter's files are untrusted.
    """
    model = Path(model)
    if dtype == "auto":
        import torch

        dtype = "bfloat16" if torch.cuda.is_available() else "float32"
    dtype = _arg(dtype, "--dtype")
    path = _arg(model, "model folder")
    if not is_adapter_dir(model):
        return f"pretrained={path},dtype={dtype}"
    try:
        if base is None:
            _check_recorded_base_types(model)
        base = _arg(base or adapter_base(model), "base model (from --base, lineage.json or adapter_config.json)")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError, TypeError) as exc:
        raise ValueError(f"{model}: cannot read the adapter's base model ({type(exc).__name__}: {exc}); "
                         "pass --base") from None
    tok = f",tokenizer={path}" if (model / "tokenizer_config.json").is_file() else ""
    if backend == "vllm":
        rank = _adapter_rank(model)
        return f"pretrained={base},lora_local_path={path},enable_lora=True,max_lora_rank={max(8, rank)},dtype={dtype}{tok}"
    return f"pretrained={base},peft={path},dtype={dtype}{tok}"


def build_eval_argv(args: argparse.Namespace, passthrough: list[str]) -> list[str]:
    """The ``r1bench eval`` argument list for the parsed options."""
    argv = [
        "--model", args.backend,
        "--model_args", model_args_for(args.model, backend=args.backend, base=args.base, dtype=args.dtype),
        "--tasks", args.tasks,
        "--output_path", str(args.output_path or Path(args.model) / "eval"),
        "--log_samples",
    ]
    if args.device:
        argv += ["--device", args.device]
    elif args.backend == "hf":
        import torch

        argv += ["--device", "cuda" if torch.cuda.is_available() else "cpu"]
    if args.limit is not None:
        argv += ["--limit", str(args.limit)]
    if args.k is not None:
        argv += ["--k", str(args.k)]
    if args.max_gen_toks is not None:
        argv += ["--max-gen-toks", str(args.max_gen_toks)]
    if args.data_dir:
        argv += ["--data-dir", args.data_dir]
    return argv + passthrough


def attach_lineage(model: str | Path, output_path: str | Path, *, since: float, eval_argv: list[str]) -> list[Path]:
    """Write the model's lineage (plus the eval command) beside each results file newer than ``since``."""
    lineage = read_lineage(model) or {
        "base_model": str(model), "teacher": None, "train_data_sha256": None, "recipe": None, "stages": [],
    }
    lineage = {**lineage, "evaluated_model": str(model), "eval_command": "r1bench eval " + shlex.join(eval_argv)}
    written = []
    for results in Path(output_path).rglob("results_*.json"):
        if results.stat().st_mtime >= since - 1:
            written.append(write_lineage(results.parent, lineage))
    if not written:
        written.append(write_lineage(output_path, lineage))
    return written


def build_parser() -> argparse.ArgumentParser:
    """Options of ``r1train eval``; unknown options pass through to ``r1bench eval`` / lm-eval."""
    p = argparse.ArgumentParser(
        prog="r1train eval",
        description="Evaluate a trained checkpoint or LoRA adapter on r1bench tasks and record its lineage.",
        epilog="Other options (--batch_size, --gen_kwargs, --seed ...) go to r1bench eval / lm-eval unchanged.",
    )
    p.add_argument("model", help="checkpoint folder or LoRA adapter folder")
    p.add_argument("--tasks", default="r1_suite", help="tasks or groups (default r1_suite)")
    p.add_argument("--backend", default="hf", choices=("hf", "vllm"), help="lm-eval backend")
    p.add_argument("--base", default=None, help="base model for an adapter (default: the one it records)")
    p.add_argument("--dtype", default="auto", help="auto (bfloat16 on GPU, float32 on CPU), float32, bfloat16")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:0 (hf backend)")
    p.add_argument("--limit", type=float, default=None, help="questions per task (for a quick check)")
    p.add_argument("--k", type=int, default=None, help="samples per question")
    p.add_argument("--max-gen-toks", "--max_gen_toks", dest="max_gen_toks", type=int, default=None,
                   help="generation limit in tokens")
    p.add_argument("--data-dir", "--data_dir", dest="data_dir", default=None, help="local benchmark data folder")
    p.add_argument("--output-path", "--output_path", dest="output_path", default=None,
                   help="results folder (default MODEL/eval)")
    p.add_argument("--dry-run", action="store_true", help="print the r1bench eval command and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    """CLI: build the command, run it in this process, then write the lineage beside the results."""
    args, passthrough = build_parser().parse_known_args(argv)
    if args.limit is not None and args.limit.is_integer():
        args.limit = int(args.limit)
    if not Path(args.model).is_dir():
        print(f"r1train eval: {args.model}: not a folder", file=sys.stderr)
        return 2
    try:
        eval_argv = build_eval_argv(args, passthrough)
    except ValueError as exc:
        print(f"r1train eval: error: {exc}", file=sys.stderr)
        return 2
    print("r1bench eval " + shlex.join(eval_argv), file=sys.stderr)
    if args.dry_run:
        return 0
    if read_lineage(args.model) is None:
        logger.warning("%s has no %s: the result will carry no training lineage", args.model, LINEAGE_FILE)
    from r1bench.lm_eval.cli import main as r1bench_eval

    start = time.time()
    rc = int(r1bench_eval(eval_argv) or 0)
    out = eval_argv[eval_argv.index("--output_path") + 1]
    for path in attach_lineage(args.model, out, since=start, eval_argv=eval_argv):
        print(f"lineage written to {path}", file=sys.stderr)
    return rc

