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
    assert _value(out, "--model") == "r1bench-hf"
    assert _value(out, "--model_args") == f"pretrained={MODEL}"
    assert "dtype=float32" in out and _value(out, "--device") == "cpu"
    assert Path(_value(out, "--include_path")) == evaluate.tasks_dir()
    assert "--apply_chat_template" in out
    assert opts.samples is None and opts.max_gen_toks is None


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


def test_user_include_path_and_chat_template_flags_are_respected():
    out, _ = _translate("--include_path", "/mine", "--apply_chat_template")
    assert out.count("--include_path") == 1 and _value(out, "--include_path") == "/mine"
    assert out.count("--apply_chat_template") == 1
    out, _ = _translate("--no-chat-template")
    assert "--apply_chat_template" not in out and "--no-chat-template" not in out


def test_samples_and_max_gen_toks():
    out, opts = _translate("--samples", "8", "--max-gen-toks", "4096", "--data-dir", "d")
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


@pytest.mark.parametrize("argv", [["--samples", "0"], ["--max-gen-toks", "-1"]])
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
    assert "--samples" in text and "--max-gen-toks" in text and "lm_eval run --help" in text


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
