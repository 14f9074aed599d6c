"""``r1train sft``: supervised fine-tuning on reasoning traces with TRL's SFTTrainer (full or LoRA).

    r1train sft training/recipes/Qwen2.5-Math-1.5B/sft/config_stratos.yaml
    accelerate launch --config_file training/recipes/accelerate_configs/zero3.yaml \\
        -m r1train.sft training/recipes/Qwen2.5-Math-1.5B/sft/config_stratos.yaml
    r1train sft recipe.yaml --max_steps 2 --output_dir /tmp/run   # flags override the recipe

A recipe is a flat YAML of TRL/transformers/r1train fields; a ``stages:`` list makes it multi-stage:
each entry overrides the top-level keys, and a stage without ``model_name_or_path`` starts from the
previous stage's output (an adapter is merged into its base first). ``--stage NAME`` runs one stage.
Each stage writes the model (or adapter), the tokenizer with the training chat template, and
``lineage.json``.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["StageResult", "load_training_dataset", "build_trainer", "train", "expand_recipe", "run_recipe", "make_parser", "main"]

logger = logging.getLogger(__name__)

_TRUTHY = {"true", "last", "latest", "1", "yes"}


@dataclass
class StageResult:
    """What one stage produced."""

    name: str
    output_dir: str
    adapter: bool
    train_loss: float | None
    lineage: dict[str, Any]


def make_parser() -> Any:
    """TRL's parser over r1train's three config dataclasses."""
    from trl import TrlParser

    from r1train.configs import R1ModelConfig, R1ScriptArguments, R1SFTConfig

    return TrlParser((R1ScriptArguments, R1SFTConfig, R1ModelConfig), prog="r1train sft")


def load_training_dataset(script_args: Any, tokenizer: Any, max_length: int | None) -> tuple[Any, Any, str]:
    """Read, convert and validate the traces; returns (datasets.Dataset of ``messages``, report, sha256).

    Rows longer than ``max_length`` tokens (rendered with the training chat template) are dropped,
    not truncated: a truncated trace teaches the student to stop mid-thought.
    """
    from datasets import Dataset

    from r1train.data.io import SourceRow, iter_source_rows, rows_sha256
    from r1train.data.validate import chat_token_counter, convert_and_validate

    name = script_args.dataset_name
    if Path(name).exists():
        rows = iter_source_rows(name)
    else:
        from datasets import load_dataset

        hub = load_dataset(name, name=script_args.dataset_config, split=script_args.dataset_train_split)
        rows = (SourceRow(dict(r), f"{name}[{i}]") for i, r in enumerate(hub))
    kept, report = convert_and_validate(
        rows,
        fmt=script_args.data_format,
        keep_system=script_args.keep_system,
        max_length=max_length,
        token_counter=chat_token_counter(tokenizer) if tokenizer.chat_template else None,
        answer_check=script_args.answer_check,
        allow_empty_reasoning=script_args.allow_empty_reasoning,
    )
    records = [r.to_training_row() for r in kept][: script_args.max_train_rows]
    if not records:
        raise ValueError(f"{name}: no usable training rows\n{report.format()}")
    return Dataset.from_list(records), report, rows_sha256(records)


def _resolve_start(model_path: str) -> tuple[str, dict[str, Any] | None]:
    """The model a stage loads: an adapter folder is merged into its base first (once, cached)."""
    from r1train.lineage import read_lineage
    from r1train.merge import is_adapter_dir, merge_adapter

    previous = read_lineage(model_path) if Path(model_path).is_dir() else None
    if is_adapter_dir(model_path):
        from accelerate import PartialState

        # The cache is keyed on the adapter's weights: retraining stage 1 invalidates it.
        digest = _adapter_digest(Path(model_path))
        merged = Path(model_path) / f"merged-{digest[:12]}"
        state = PartialState()
        # Under accelerate / DeepSpeed every rank runs this: merge on the main process only, the
        # others wait for it, then all load the same folder.
        with state.main_process_first():
            if state.is_main_process and not (merged / "config.json").is_file():
                merge_adapter(model_path, merged)
        return str(merged), previous
    return model_path, previous


def _adapter_digest(adapter_dir: Path) -> str:
    """sha256 of an adapter's weight and config files (names the exact adapter merged)."""
    import hashlib

    h = hashlib.sha256()
    for name in sorted(p.name for p in adapter_dir.iterdir() if p.name.startswith("adapter_")):
        with open(adapter_dir / name, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


@dataclass
class _Prepared:
    """A built trainer and what the lineage needs to know about how it was built."""

    trainer: Any
    start: str
    previous: dict[str, Any] | None
    template: str
    report: Any
    data_sha: str
    rows: int


def build_trainer(script_args: Any, training_args: Any, model_args: Any) -> _Prepared:
    """Resolve the start model, set the training chat template, load the data, build the SFTTrainer."""
    import torch
    from transformers import AutoTokenizer
    from trl import SFTTrainer, get_peft_config

    from r1train.merge import dequantized_config
    from r1train.templates import ensure_training_template

    if not model_args.model_name_or_path:
        raise ValueError("model_name_or_path is required")
    start, previous = _resolve_start(model_args.model_name_or_path)
    tokenizer = AutoTokenizer.from_pretrained(
        model_args.tokenizer_name_or_path or start, trust_remote_code=training_args.trust_remote_code
    )
    template = "stock"
    if training_args.assistant_only_loss:
        template = ensure_training_template(tokenizer, training_args.training_chat_template)
    dataset, report, data_sha = load_training_dataset(script_args, tokenizer, training_args.max_length)
    logger.info("training data %s:\n%s", script_args.dataset_name, report.format())

    dtype = model_args.dtype
    if dtype in (None, "auto"):
        dtype = torch.bfloat16 if training_args.bf16 else torch.float32
    init_kwargs = {
        "dtype": dtype,
        "revision": model_args.model_revision,
        "attn_implementation": model_args.attn_implementation,
        "trust_remote_code": training_args.trust_remote_code,
    }
    init_kwargs = {**init_kwargs, **(training_args.model_init_kwargs or {})}
    model: Any = start
    config = dequantized_config(start)
    if config is not None:
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(start, config=config, **init_kwargs)
        training_args.model_init_kwargs = None
    else:
        training_args.model_init_kwargs = init_kwargs
    trainer = SFTTrainer(
        model=model,
        args=training_args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=get_peft_config(model_args),
    )
    return _Prepared(trainer, start, previous, template, report, data_sha, len(dataset))


def train_and_save(trainer: Any, training_args: Any) -> tuple[Path, Any]:
    """Train (resuming from the last checkpoint when ``resume_from_checkpoint`` says so), log and save
    the metrics, state, model and tokenizer in ``output_dir``; returns that folder and the trainer's
    ``TrainOutput``. SFT and GRPO alike."""
    from transformers.trainer_utils import get_last_checkpoint

    resume = training_args.resume_from_checkpoint
    if isinstance(resume, str) and resume.lower() in _TRUTHY:
        resume = get_last_checkpoint(training_args.output_dir)
        if resume is None:
            logger.warning("no checkpoint in %s to resume from: starting fresh", training_args.output_dir)
    result = trainer.train(resume_from_checkpoint=resume)
    trainer.log_metrics("train", result.metrics)
    trainer.save_metrics("train", result.metrics)
    trainer.save_state()
    out = Path(training_args.output_dir)
    trainer.save_model(str(out))
    trainer.processing_class.save_pretrained(out)
    return out, result


def train(script_args: Any, training_args: Any, model_args: Any, *, recipe_path: str | None = None) -> StageResult:
    """Run one SFT stage: data -> chat template -> SFTTrainer (LoRA when ``use_peft``) -> save + lineage."""
    from r1train.lineage import build_lineage, recipe_info, write_lineage
    from r1train.merge import merge_adapter

    prep = build_trainer(script_args, training_args, model_args)
    trainer, start, previous, template = prep.trainer, prep.start, prep.previous, prep.template
    out, result = train_and_save(trainer, training_args)

    adapter = bool(model_args.use_peft)
    name = script_args.stage_name or "sft"
    teacher = script_args.teacher or _teacher_from_provenance(script_args.dataset_name)
    stage = {
        "name": name,
        "method": "lora" if adapter else "full",
        "init_from": model_args.model_name_or_path,
        "dataset": script_args.dataset_name,
        "train_data_sha256": prep.data_sha,
        "rows": prep.rows,
        "validation": prep.report.to_dict(),
        "teacher": teacher,
        "output_dir": str(out),
        "max_length": training_args.max_length,
        "packing": training_args.packing,
        "assistant_only_loss": training_args.assistant_only_loss,
        "chat_template": template,
        "learning_rate": training_args.learning_rate,
        "num_train_epochs": training_args.num_train_epochs,
        "global_steps": trainer.state.global_step,
        "train_loss": result.training_loss,
        "lora": (
            {
                "r": model_args.lora_r,
                "alpha": model_args.lora_alpha,
                "dropout": model_args.lora_dropout,
                "target_modules": model_args.lora_target_modules,
            }
            if adapter
            else None
        ),
    }
    lineage = build_lineage(
        stage=stage,
        previous=previous,
        base_model=model_args.model_name_or_path,
        recipe=recipe_info(recipe_path),
        adapter=adapter,
        pretrained=start if adapter else str(out),
    )
    if trainer.accelerator.is_main_process:
        write_lineage(out, lineage)
    if adapter and script_args.merge_adapter and trainer.accelerator.is_main_process:
        merge_adapter(out, out / "merged", base=start)
    if hasattr(trainer, "end"):
        trainer.end()
    return StageResult(name, str(out), adapter, result.training_loss, lineage)


def _teacher_from_provenance(dataset: str) -> str | None:
    """The teacher named in ``provenance.json`` beside a distilled dataset (``r1train distill`` output)."""
    import json

    path = Path(dataset)
    prov = (path if path.is_dir() else path.parent) / "provenance.json"
    if not prov.is_file():
        return None
    return (json.loads(prov.read_text()).get("teacher") or {}).get("model")


def _pop_flag(argv: list[str], flag: str) -> str | None:
    """Remove ``--flag value`` / ``--flag=value`` from argv and return the value."""
    for i, tok in enumerate(argv):
        if tok == flag and i + 1 < len(argv):
            value = argv[i + 1]
            del argv[i : i + 2]
            return value
        if tok.startswith(flag + "="):
            del argv[i]
            return tok.split("=", 1)[1]
    return None


def recipe_argv(argv: list[str] | None, doc: str | None, parser: Any) -> tuple[str | None, list[str]] | None:
    """A training CLI's ``[RECIPE.yaml] [--config RECIPE] [flags]``: (recipe, remaining flags), or
    None after printing the help for ``-h``/``--help`` (``parser``: a factory of the TrlParser)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in {"-h", "--help"} for a in argv):
        print(doc)
        parser().print_help()
        return None
    recipe = argv.pop(0) if argv and not argv[0].startswith("-") else None
    return _pop_flag(argv, "--config") or recipe, argv


class RecipeError(ValueError):
    """A recipe (or its flags) cannot be used; the message names the file, the stage and the key."""


def load_recipe(recipe_path: str | Path) -> dict[str, Any]:
    """Read a YAML recipe and check its shape (mapping; ``stages`` a list of mappings; ``env`` a mapping)."""
    import yaml

    p = Path(recipe_path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise RecipeError(f"{p}: cannot read the recipe: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RecipeError(f"{p}: line {line}: not UTF-8 (byte {exc.start}); save the recipe as UTF-8") from None
    try:
        recipe = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecipeError(f"{p}: {where}invalid YAML: {problem}") from None
    except RecursionError:
        raise RecipeError(f"{p}: YAML nested too deeply to read") from None
    if not isinstance(recipe, dict):
        raise RecipeError(f"{p}: a recipe must be a YAML mapping (key: value), got {type(recipe).__name__}")
    stages = recipe.get("stages")
    if stages is not None and (not isinstance(stages, list) or not all(isinstance(x, dict) for x in stages)):
        raise RecipeError(f"{p}: 'stages' must be a list of mappings (- name: ..., dataset_name: ...)")
    for i, cfg in enumerate([recipe, *(stages or [])]):
        env = cfg.get("env")
        if env is not None and not isinstance(env, dict):
            where = "top level" if i == 0 else f"stage {i}"
            raise RecipeError(f"{p}: {where}: 'env' must be a mapping of variable: value")
    return recipe


def expand_recipe(recipe: dict[str, Any], overrides: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Flatten a recipe into one config dict per stage, and the flags that apply to every stage.

    In a multi-stage recipe ``--output_dir X`` puts stage ``n`` in ``X/n``, and
    ``--model_name_or_path`` replaces the first stage's model only.
    """
    recipe = dict(recipe)
    stages = recipe.pop("stages", None)
    if not stages:
        return [recipe], overrides
    overrides = list(overrides)
    out_root = _pop_flag(overrides, "--output_dir") or recipe.get("output_dir")
    first_model = _pop_flag(overrides, "--model_name_or_path")
    configs: list[dict[str, Any]] = []
    for i, entry in enumerate(stages):
        entry = dict(entry)
        name = str(entry.pop("name", None) or f"stage{i + 1}")
        cfg = {**recipe, **entry, "stage_name": name}
        if "output_dir" not in entry or out_root != recipe.get("output_dir"):
            if out_root is None:
                raise RecipeError("a multi-stage recipe needs output_dir (top level or per stage)")
            cfg["output_dir"] = str(Path(out_root) / name)
        if i == 0 and first_model:
            cfg["model_name_or_path"] = first_model
        elif i > 0 and "model_name_or_path" not in entry:
            cfg["model_name_or_path"] = configs[-1]["output_dir"]
        configs.append(cfg)
    return configs, overrides


def run_recipe(recipe_path: str | None, overrides: list[str], *, stage: str | None = None) -> list[StageResult]:
    """Run every stage of a recipe (or only ``stage``: its name or 1-based index); flags override."""
    import yaml

    recipe: dict[str, Any] = {}
    if recipe_path is not None:
        recipe = load_recipe(recipe_path)
    configs, overrides = expand_recipe(recipe, overrides)
    selected = list(enumerate(configs))
    if stage is not None:
        selected = [(i, c) for i, c in selected if c.get("stage_name") == stage or str(i + 1) == stage]
        if not selected:
            names = [c.get("stage_name") for c in configs]
            raise RecipeError(f"no stage {stage!r} in {recipe_path} (stages: {names})")
    results = []
    for _, cfg in selected:
        parser = make_parser()
        env = cfg.pop("env", None) or {}
        import os

        os.environ.update({k: str(v) for k, v in env.items()})
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
            yaml.safe_dump(cfg, fh)
        try:
            script_args, training_args, model_args = parser.parse_args_and_config(["--config", fh.name, *overrides])
        except (ValueError, TypeError) as exc:  # unknown keys, bad values (__post_init__ checks)
            label = f"stage {cfg.get('stage_name')}: " if cfg.get("stage_name") else ""
            raise RecipeError(f"{recipe_path or 'flags'}: {label}{str(exc).splitlines()[0] if str(exc) else exc!r}") from None
        finally:
            Path(fh.name).unlink(missing_ok=True)
        logger.info("stage %s: %s -> %s", script_args.stage_name or "sft", model_args.model_name_or_path, training_args.output_dir)
        results.append(train(script_args, training_args, model_args, recipe_path=recipe_path))
    return results


def main(argv: list[str] | None = None) -> int:
    """CLI: ``r1train sft [RECIPE.yaml] [--stage NAME] [--any_trl_flag value ...]``."""
    parsed = recipe_argv(argv, __doc__, make_parser)
    if parsed is None:
        return 0
    recipe, argv = parsed
    stage = _pop_flag(argv, "--stage")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        results = run_recipe(recipe, argv, stage=stage)
    except RecipeError as exc:
        print(f"r1train sft: error: {exc}", file=sys.stderr)
        return 2
    for r in results:
        kind = "adapter" if r.adapter else "model"
        print(f"stage {r.name}: {kind} saved to {r.output_dir} (train loss {r.train_loss:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
