"""Adversarial: hostile adapters, trace files and recipes against r1train.

A downloaded adapter must not inject lm-eval model arguments, ``convert`` must never replace its
own input, and every bad file or recipe is one line naming it (exit 2), never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from r1train.data.cli import convert_main
from r1train.evaluate import main as eval_main
from r1train.evaluate import model_args_for
from r1train.sft import main as sft_main

STRATOS = {"conversations": [{"from": "user", "value": "What is 2+2?"},
                             {"from": "assistant", "value": "<|begin_of_thought|>2+2=4<|end_of_thought|>"
                              "<|begin_of_solution|>\\boxed{4}<|end_of_solution|>"}]}


def _adapter(tmp_path: Path, base: object = "Qwen/Qwen2.5-1.5B", r: object = 8, lineage: object = None) -> Path:
    ad = tmp_path / "adapter"
    ad.mkdir()
    (ad / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": base, "r": r,
                                                        "peft_type": "LORA"}))
    if lineage is not None:
        (ad / "lineage.json").write_text(json.dumps(lineage))
    return ad


# --- model args from an adapter's files ----------------------------------------------------------

HOSTILE_BASES = [
    "someone/model,trust_remote_code=True",
    "someone/model,peft=/tmp/evil",
    "x=y",
    "someone/model\ntrust_remote_code=True",
    "a,b",
]


@pytest.mark.parametrize("base", HOSTILE_BASES)
@pytest.mark.parametrize("where", ["adapter_config", "lineage"])
def test_hostile_base_model_is_refused(tmp_path, base, where):
    ad = _adapter(tmp_path, lineage={"pretrained": base} if where == "lineage" else None,
                  base=base if where == "adapter_config" else "Qwen/Qwen2.5-1.5B")
    with pytest.raises(ValueError, match="would inject lm-eval model arguments"):
        model_args_for(ad, dtype="float32")


@pytest.mark.parametrize("base", ["", None, 7, ["a"]])
def test_missing_or_odd_base_in_adapter_config_is_refused(tmp_path, base):
    with pytest.raises(ValueError, match="names no base model|expected a model id"):
        model_args_for(_adapter(tmp_path, base=base), dtype="float32")


@pytest.mark.parametrize("backend", ["hf", "vllm"])
def test_honest_adapter_gives_the_expected_args(tmp_path, backend):
    ad = _adapter(tmp_path, r=16)
    expected = {
        "hf": f"pretrained=Qwen/Qwen2.5-1.5B,peft={ad},dtype=float32",
        "vllm": f"pretrained=Qwen/Qwen2.5-1.5B,lora_local_path={ad},enable_lora=True,max_lora_rank=16,dtype=float32",
    }[backend]
    assert model_args_for(ad, backend=backend, dtype="float32") == expected


@pytest.mark.parametrize("rank", ["8,trust_remote_code=True", 0, -4, True, 1e9, None, [8]])
def test_hostile_lora_rank_is_refused(tmp_path, rank):
    ad = _adapter(tmp_path, r=rank)
    with pytest.raises(ValueError, match="field 'r'"):
        model_args_for(ad, backend="vllm", dtype="float32")


@pytest.mark.parametrize("dtype", ["float32,trust_remote_code=True", "bf16=1"])
def test_hostile_dtype_flag_is_refused(tmp_path, dtype):
    with pytest.raises(ValueError, match="--dtype"):
        model_args_for(_adapter(tmp_path), dtype=dtype)


def test_eval_cli_refuses_a_hostile_adapter_in_one_line(tmp_path, capsys):
    ad = _adapter(tmp_path, base="someone/model,trust_remote_code=True")
    assert eval_main([str(ad), "--dry-run", "--dtype", "float32"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("r1train eval: error:") and "\n" not in err
    assert "r1bench eval " not in err  # no command was built, let alone run


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_unreadable_adapter_config_is_one_line(tmp_path, capsys, content):
    ad = tmp_path / "adapter"
    ad.mkdir()
    (ad / "adapter_config.json").write_bytes(content)
    assert eval_main([str(ad), "--dry-run", "--dtype", "float32"]) == 2
    err = capsys.readouterr().err.strip()
    assert "adapter" in err and "\n" not in err


# --- convert never replaces its input; bad files are one line ------------------------------------

def _traces(path: Path, n: int = 8) -> Path:
    path.write_text("".join(json.dumps(STRATOS) + "\n" for _ in range(n)))
    return path


def test_convert_onto_its_own_input_is_refused(tmp_path, capsys):
    src = _traces(tmp_path / "t.jsonl")
    before = src.read_bytes()
    assert convert_main([str(src), "-o", str(src)]) == 2
    assert src.read_bytes() == before
    assert "is the input file" in capsys.readouterr().err


def test_convert_into_a_file_of_its_input_folder_is_refused(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    _traces(folder / "a.jsonl")
    out = _traces(folder / "b.jsonl")
    before = out.read_bytes()
    assert convert_main([str(folder), "-o", str(out)]) == 2
    assert out.read_bytes() == before


def test_convert_failure_leaves_the_old_output(tmp_path, monkeypatch):
    import r1train.data.cli as cli

    src = _traces(tmp_path / "t.jsonl")
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")

    real = cli.write_jsonl

    def interrupted(rows, path):
        def gen():
            yield next(iter(rows))
            raise KeyboardInterrupt
        return real(gen(), path)

    monkeypatch.setattr(cli, "write_jsonl", interrupted)
    with pytest.raises(KeyboardInterrupt):
        convert_main([str(src), "-o", str(out)])
    assert out.read_text() == "previous\n"  # Ctrl-C in the middle of the write: the old file stays
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "t.jsonl"]  # no temp file left


BAD_FILES = [
    ("bad-utf8.json", b'[{"prompt": "\xff"}]', "line 1: not UTF-8"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("scalar.json", b"42", "expected a JSON array"),
    ("broken.parquet", b"PAR1 this is not parquet", "not a readable parquet file"),
    ("broken.json", b"{", "not valid JSON"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_trace_file_is_one_line(tmp_path, capsys, name, content, message):
    src = tmp_path / name
    src.write_bytes(content)
    assert convert_main([str(src), "-o", str(tmp_path / "out.jsonl")]) == 2
    err = capsys.readouterr().err.strip()
    assert str(src) in err and message in err and "\n" not in err
    assert not (tmp_path / "out.jsonl").exists()


def test_bad_jsonl_lines_are_dropped_not_fatal(tmp_path):
    src = tmp_path / "t.jsonl"
    good = json.dumps(STRATOS).encode()
    src.write_bytes(b"\n".join([good, b'{"x": "\xff"}', b"[" * 100_000, good]) + b"\n")
    out = tmp_path / "out.jsonl"
    assert convert_main([str(src), "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 2


# --- sft recipes: one line naming the file -------------------------------------------------------

RECIPES = [
    ("missing", None, "cannot read the recipe"),
    ("yaml-syntax", b"model_name_or_path: x\nfoo: [1\n", "invalid YAML"),
    ("bad-utf8", b"model_name_or_path: \xff\n", "line 1: not UTF-8"),
    ("list", b"- a\n- b\n", "a recipe must be a YAML mapping"),
    ("stages-not-list", b"stages: 3\n", "'stages' must be a list of mappings"),
    ("stage-not-mapping", b"stages: [1, 2]\n", "'stages' must be a list of mappings"),
    ("env-not-mapping", b"env: 3\nmodel_name_or_path: x\n", "'env' must be a mapping"),
    ("multistage-no-output", b"stages:\n  - name: a\n", "needs output_dir"),
    ("unknown-key", b"model_name_or_path: x\ndataset_name: d.jsonl\noutput_dir: o\nnot_a_key: 3\n", "not_a_key"),
    ("bad-answer-check", b"model_name_or_path: x\ndataset_name: d.jsonl\noutput_dir: o\nanswer_check: maybe\n",
     "answer_check must be one of"),
    ("yaml-tag", b"model_name_or_path: !!python/object/apply:os.system ['echo pwned']\n", "invalid YAML"),
]


@pytest.mark.parametrize(("content", "message"), [r[1:] for r in RECIPES], ids=[r[0] for r in RECIPES])
def test_recipe_error_is_one_line_naming_the_file(tmp_path, capsys, monkeypatch, content, message):
    monkeypatch.chdir(tmp_path)
    recipe = tmp_path / "recipe.yaml"
    if content is not None:
        recipe.write_bytes(content)
    assert sft_main([str(recipe)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and err[-1].startswith("r1train sft: error:"), err
    assert message in err[-1] and "Traceback" not in "\n".join(err)
    assert "recipe.yaml" in err[-1] or message == "needs output_dir"
    assert not (tmp_path / "o").exists() and "pwned" not in "".join(err)
