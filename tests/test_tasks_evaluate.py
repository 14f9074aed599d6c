"""`r1bench eval` argument translation (no model is run here)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from r1bench.lm_eval import cli as evaluate

MODEL = Path("/models/embedded")


def _translate(*argv):
    return evaluate.translate_args(list(argv), default_model=MODEL)


def _value(argv, flag):
    return argv[argv.index(flag) + 1]


def test_defaults_use_the_embedded_model_smoke_task_and_chat_template():
    out, opts = _translate()
    assert _value(out, "--tasks") == "r1_smoke"
    assert _value(out, "--model") == "r1bench-hf"
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


@pytest.mark.parametrize("tasks,expected", [
    ("r1_smoke", ["r1_smoke/r1_smoke.yaml"]),
    ("r1_suite,my_task", ["r1_math500/r1_math500.yaml", "r1_aime24/r1_aime24.yaml",
                          "r1_gpqa_diamond/r1_gpqa_diamond.yaml", "r1_moleculeqa100/r1_moleculeqa100.yaml", "my_task"]),
    ("my_task,r1_math500,r1_suite", ["my_task", "r1_math500/r1_math500.yaml", "r1_aime24/r1_aime24.yaml",
                                     "r1_gpqa_diamond/r1_gpqa_diamond.yaml", "r1_moleculeqa100/r1_moleculeqa100.yaml"]),
])
def test_with_a_user_include_path_r1_tasks_are_named_by_their_yaml_files(tasks, expected):
    # lm-eval's CLI takes one --include_path (the user's), and accepts a YAML path as a task.
    out, _ = _translate("--include_path", "/mine", "--tasks", tasks)
    ours = evaluate.tasks_dir().resolve()
    assert _value(out, "--tasks").split(",") == [str(ours / e) if e.endswith(".yaml") else e for e in expected]
    assert _value(out, "--include_path") == "/mine"


def test_our_own_folder_as_include_path_keeps_the_task_names():
    out, _ = _translate("--include_path", str(evaluate.tasks_dir()), "--tasks", "r1_suite")
    assert _value(out, "--tasks") == "r1_suite"


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


def _run_metadata(opts, **clamp):
    """The --metadata r1bench eval hands lm-eval (the tasks' R1Task reads it)."""
    return {**evaluate._r1_metadata(argparse.Namespace(gen_kwargs={}), opts), **evaluate._r1_controls(opts, **clamp)}


def test_k_sets_repeats_and_our_tasks_load_beside_a_user_include_path(tmp_path):
    out, opts = _translate("--k", "3", "--include_path", str(tmp_path))
    tm = _manager(include_path=_value(out, "--include_path"), metadata=_run_metadata(opts))
    loaded = tm.load(_value(out, "--tasks").split(","))
    task = loaded["tasks"]["r1_smoke"]
    assert task.config.repeats == 3
    assert {d["r1_k"] for d in task.test_docs()} == {3}


def _variant(folder, repeats, k, cap):
    """r1_smoke as a user task folder's r1_smoke_k8 with the given repeats, k and limit."""
    yaml_text = (evaluate.tasks_dir() / "r1_smoke" / "r1_smoke.yaml").read_text()
    yaml_text = yaml_text.replace("include: ../_r1_template_yaml", f"include: {evaluate.tasks_dir()}/_r1_template_yaml")
    yaml_text = yaml_text.replace("\ntask: r1_smoke", "\ntask: r1_smoke_k8").replace("repeats: 2", f"repeats: {repeats}")
    yaml_text = yaml_text.replace("  k: 2", f"  k: {k}").replace("max_gen_toks: 128", f"max_gen_toks: {cap}")
    (folder / "r1_smoke_k8.yaml").write_text(yaml_text)


def test_a_task_whose_repeats_disagree_with_k_is_refused_before_generating(tmp_path):
    _variant(tmp_path, repeats=5, k=2, cap=128)
    _, opts = _translate()
    with pytest.raises(ValueError, match="repeats=5"):
        _manager(include_path=str(tmp_path), metadata=_run_metadata(opts)).load(["r1_smoke_k8"])


def test_r1bench_eval_patches_nothing_of_lm_eval(tmp_path, monkeypatch, capsys):
    import lm_eval.__main__
    from lm_eval.tasks import TaskManager

    from r1bench.eval_checks import EXIT_NOT_WRITTEN

    before = (TaskManager.__init__, TaskManager.load)
    seen = {}

    def fake_cli():
        seen["argv"] = list(sys.argv)
        seen["lm_eval"] = (TaskManager.__init__, TaskManager.load)

    monkeypatch.setattr(lm_eval.__main__, "cli_evaluate", fake_cli)
    argv = ["--model", "hf", "--model_args", "pretrained=/nonexistent/m", "--k", "3", "--output_path", str(tmp_path)]
    assert evaluate.main(argv) == EXIT_NOT_WRITTEN  # the fake lm-eval wrote nothing
    assert seen["lm_eval"] == before and (TaskManager.__init__, TaskManager.load) == before
    meta = json.loads(_value(seen["argv"], "--metadata"))
    assert meta["k"] == 3 and meta["r1bench_eval"] == {"k_sets_repeats": True}


def test_context_clamp_sets_the_limit_metadata_and_doc_stamps(capsys):
    _, opts = _translate()
    meta = _run_metadata(opts, clamp=64, context=100)
    task = _manager(include_path=str(evaluate.tasks_dir()), metadata=meta).load(["r1_smoke"])["tasks"]["r1_smoke"]
    assert task.config.generation_kwargs["max_gen_toks"] == 64
    assert task.config.metadata["max_gen_toks"] == 64
    assert task.config.metadata["max_gen_toks_clamped"] == {"requested": 128, "model_context": 100}
    docs = list(task.test_docs())
    assert {d["r1_max_gen_toks"] for d in docs} == {64} and {d["r1_max_gen_toks_requested"] for d in docs} == {128}
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "clamped to 64" in err[0]


def test_quick_caps_k_and_the_limit(tmp_path):
    _variant(tmp_path, repeats=8, k=8, cap=4096)
    _, opts = _translate("--quick")
    task = _manager(include_path=str(tmp_path), metadata=_run_metadata(opts)).load(["r1_smoke_k8"])["tasks"]["r1_smoke_k8"]
    assert task.config.repeats == 2 and task.config.metadata["k"] == 2
    assert task.config.generation_kwargs["max_gen_toks"] == 512
    docs = list(task.test_docs())
    assert {d["r1_k"] for d in docs} == {2} and {d["r1_max_gen_toks"] for d in docs} == {512}


@pytest.mark.parametrize("argv,expected", [
    (["--tasks", "r1_math"], "did you mean r1_math500"),
    (["--tasks", "r1_smok"], "did you mean r1_smoke"),
    (["--tasks", "r1_math500", "--data-dir", "/nonexistent/r1data"], "r1bench data fetch r1_math500"),
    (["--model", "vllm", "--model_args", "pretrained=x"], "pip install"),
    (["--model", "r1bench-vllm", "--model_args", "pretrained=x"], "pip install"),
])
def test_expected_failures_are_one_line_before_lm_eval_starts(argv, expected, capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "vllm" else real(name, *a))
    assert evaluate.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("r1bench eval: error:") and expected in err and "\n" not in err
    assert "Traceback" not in err


def test_debug_keeps_the_traceback():
    from r1bench.eval_ux import UsageError

    with pytest.raises(UsageError):
        evaluate.main(["--tasks", "r1_math", "--debug"])


@pytest.mark.parametrize("argv", [["--list"], ["--tasks", "list"]])
def test_list_shows_the_tasks_with_k_size_and_data(argv, capsys):
    assert evaluate.main(argv) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["r1_aime24"][1:3] == ["64", "30"]
    assert rows["r1_math500"][1:3] == ["4", "500"]
    assert rows["r1_gpqa_diamond"][1:3] == ["8", "198"]
    assert rows["r1_smoke"][1:5] == ["2", "12", "128", "embedded"]


@pytest.mark.parametrize("context,expected", [(8192, 7168), (2048, 1024), (None, None), (100, 50)])
def test_clamp_limit_leaves_room_for_the_prompt(context, expected):
    from r1bench.eval_ux import clamp_limit

    assert clamp_limit(context) == expected
