"""`r1bench eval` argument translation (no model is run here)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from r1bench import evaluate

MODEL = Path("/models/embedded")


def _translate(*argv):
    return evaluate.translate_args(list(argv), default_model=MODEL)


def _value(argv, flag):
    return argv[argv.index(flag) + 1]


def test_defaults_use_the_embedded_model_smoke_task_and_chat_template():
    out, opts = _translate()
    assert _value(out, "--tasks") == "r1_smoke"
    assert _value(out, "--model") == "hf"
    assert _value(out, "--model_args") == f"pretrained={MODEL}"
    assert "dtype=float32" in out and _value(out, "--device") == "cpu"
    assert Path(_value(out, "--include_path")) == evaluate.tasks_dir()
    assert "--apply_chat_template" in out
    assert opts.samples is None and opts.max_gen_toks is None
    assert _value(out, "--batch_size") == evaluate.DEFAULT_HF_BATCH_SIZE
    assert "--log_samples" in out
    assert Path(_value(out, "--output_path")).parts[:2] == ("runs", "embedded")


@pytest.mark.parametrize(
    "argv",
    [
        ["--model", "vllm", "--model_args", "pretrained=x"],
        ["--model=hf"],
        ["--model_args", "pretrained=/some/dir"],
    ],
)
def test_a_named_model_is_kept(argv):
    out, _ = _translate(*argv)
    assert str(MODEL) not in " ".join(out)
    assert "--device" not in out
    for item in argv:
        assert item in out


def test_lm_eval_options_pass_through_unchanged():
    argv = ["--limit", "2", "--output_path", "o", "--log_samples", "--batch_size", "4", "--gen_kwargs", "temperature=0.7", "--seed", "1,2,3,4"]
    out, _ = _translate("--tasks", "r1_suite", *argv)
    assert out[:2] == ["--tasks", "r1_suite"]
    assert out[2 : 2 + len(argv)] == argv
    assert out.count("--output_path") == 1 and out.count("--log_samples") == 1 and out.count("--batch_size") == 1


def test_lm_evals_own_samples_flag_is_not_shadowed():
    out, opts = _translate("--samples", '{"r1_smoke": [0, 3]}')
    assert opts.k is None
    assert _value(out, "--samples") == '{"r1_smoke": [0, 3]}'


@pytest.mark.parametrize("argv,field,value", [
    (["--max_gen_toks", "64"], "max_gen_toks", 64),
    (["--max-gen-toks", "64"], "max_gen_toks", 64),
    (["--data_dir", "d"], "data_dir", "d"),
    (["--data-dir", "d"], "data_dir", "d"),
    (["--no_chat_template"], "no_chat_template", True),
    (["--no-chat-template"], "no_chat_template", True),
])
def test_r1bench_flags_take_both_spellings(argv, field, value):
    out, opts = _translate(*argv)
    assert getattr(opts, field) == value
    assert argv[0] not in out


@pytest.mark.parametrize("model_args,expected", [
    ("pretrained=/root/.cache/r1bench/models/SmolLM2-135M-Instruct", "SmolLM2-135M-Instruct"),
    ("pretrained=deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B,dtype=bfloat16", "DeepSeek-R1-Distill-Qwen-1.5B"),
    ("base_url=http://127.0.0.1:8000/v1,model=deepseek-reasoner", "deepseek-reasoner"),
    ("pretrained=Qwen/Qwen2.5-1.5B,peft=outputs/qwen-lora/", "Qwen2.5-1.5B+qwen-lora"),
])
def test_default_output_folder_has_a_readable_model_name(model_args, expected):
    from datetime import datetime

    from r1bench.eval_ux import default_output_path, readable_model_name

    name = readable_model_name("hf", model_args)
    assert name == expected
    assert default_output_path(name, datetime(2026, 1, 2, 3, 4, 5)) == f"runs/{expected}/2026-01-02T03-04-05"


def test_user_output_path_and_batch_size_are_kept():
    out, opts = _translate("--output_path", "mine", "--batch_size", "2")
    assert _value(out, "--output_path") == "mine" and opts.default_output is None
    assert _value(out, "--batch_size") == "2" and out.count("--batch_size") == 1


def test_user_include_path_and_chat_template_flags_are_respected():
    out, _ = _translate("--include_path", "/mine", "--apply_chat_template")
    assert out.count("--include_path") == 1 and _value(out, "--include_path") == "/mine"
    assert out.count("--apply_chat_template") == 1
    out, _ = _translate("--no-chat-template")
    assert "--apply_chat_template" not in out and "--no-chat-template" not in out


def test_k_and_max_gen_toks():
    out, opts = _translate("--k", "8", "--max-gen-toks", "4096", "--data-dir", "d")
    assert opts.samples == 8
    assert out[-2:] == ["--gen_kwargs", "max_gen_toks=4096"]
    ns = argparse.Namespace(gen_kwargs={"max_gen_toks": 4096, "temperature": 0.6})
    meta = evaluate._r1_metadata(ns, opts)
    assert meta["k"] == 8 and meta["max_gen_toks"] == 4096
    assert Path(meta["data_dir"]).is_absolute()


def test_max_gen_toks_given_via_gen_kwargs_reaches_metadata():
    _, opts = _translate()
    ns = argparse.Namespace(gen_kwargs={"max_gen_toks": "512"})
    assert evaluate._r1_metadata(ns, opts) == {"max_gen_toks": 512}


@pytest.mark.parametrize("argv", [["--k", "0"], ["--max-gen-toks", "-1"]])
def test_bad_values_exit(argv):
    with pytest.raises(SystemExit):
        _translate(*argv)


def test_tasks_dir_env_override(tmp_path, monkeypatch):
    (tmp_path / "_r1_template_yaml").write_text("")
    monkeypatch.setenv("R1BENCH_TASKS_DIR", str(tmp_path))
    assert evaluate.tasks_dir() == tmp_path


def test_tasks_dir_is_the_checkout_tasks_folder():
    assert (evaluate.tasks_dir() / "r1_smoke" / "r1_smoke.yaml").is_file()


def test_help_lists_r1bench_flags(capsys):
    assert evaluate.main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "--k K" in text and "--max-gen-toks" in text and "lm_eval run --help" in text


def _manager(**kwargs):
    from lm_eval.tasks import TaskManager

    return TaskManager(include_defaults=False, **kwargs)


def test_overrides_set_repeats_and_add_our_tasks_to_a_user_include_path(tmp_path):
    with evaluate._r1_task_overrides(3, evaluate.tasks_dir()):
        tm = _manager(include_path=str(tmp_path), metadata={"k": 3})
        loaded = tm.load(["r1_smoke"])
    task = loaded["tasks"]["r1_smoke"]
    assert task.config.repeats == 3
    assert {d["r1_k"] for d in task.test_docs()} == {3}


def test_overrides_refuse_repeats_that_disagree_with_k():
    with evaluate._r1_task_overrides(5, None), pytest.raises(SystemExit, match="repeats=5"):
        _manager(include_path=str(evaluate.tasks_dir())).load(["r1_smoke"])


def test_overrides_are_undone_afterwards():
    from lm_eval.tasks import TaskManager

    before = (TaskManager.__init__, TaskManager.load)
    with evaluate._r1_task_overrides(2, None):
        assert TaskManager.load is not before[1]
    assert (TaskManager.__init__, TaskManager.load) == before
