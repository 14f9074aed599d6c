"""`r1bench eval` when lm-eval fails: a non-zero exit and one line on stderr, never a traceback."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from r1bench.lm_eval import cli

REPO = Path(__file__).resolve().parents[1]

ARGV = ["--model", "hf", "--model_args", "pretrained=/nonexistent/model", "--tasks", "r1_smoke", "--limit", "1"]


def _raise(exc: BaseException):
    def fake_cli() -> None:
        raise exc

    return fake_cli


def _noted(exc: Exception, note: str) -> Exception:
    exc.add_note(note)
    return exc


@pytest.mark.parametrize(("failure", "code", "line"), [
    (RuntimeError("CUDA out of memory\nTried to allocate 2.00 GiB"), 1,
     "r1bench eval: error: lm-eval failed: RuntimeError: CUDA out of memory (--debug shows the traceback)"),
    (KeyError("pass@1"), 1, "r1bench eval: error: lm-eval failed: KeyError: 'pass@1' (--debug shows the traceback)"),
    (_noted(ValueError("bad gold"), "r1bench: raw outputs saved to /runs/x.jsonl"), 1,
     "r1bench eval: error: lm-eval failed: ValueError: bad gold; r1bench: raw outputs saved to /runs/x.jsonl "
     "(--debug shows the traceback)"),
    (SystemExit(3), 1, "r1bench eval: error: lm-eval exited with status 3 (its message is above)"),
    (SystemExit("fatal: no GPU"), 1, "r1bench eval: error: lm-eval exited with status fatal: no GPU (its message is above)"),
    (ValueError("Tasks not found: r1_smoke_v9"), 2,
     "r1bench eval: error: Tasks not found: r1_smoke_v9 (`r1bench tasks` lists r1bench's; `lm_eval ls tasks` lm-eval's)"),
])
def test_a_failure_inside_lm_eval_is_one_line_and_a_non_zero_exit(failure, code, line, tmp_path, monkeypatch, capsys):
    import lm_eval.__main__

    monkeypatch.setattr(lm_eval.__main__, "cli_evaluate", _raise(failure))
    assert cli.main([*ARGV, "--output_path", str(tmp_path)]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == line
    assert not any("Traceback" in x for x in err)


@pytest.mark.parametrize("failure", [SystemExit(0), SystemExit(None)])
def test_lm_evals_zero_exit_is_not_a_failure(failure, tmp_path, monkeypatch, capsys):
    import lm_eval.__main__

    from r1bench.eval_checks import EXIT_NOT_WRITTEN

    monkeypatch.setattr(lm_eval.__main__, "cli_evaluate", _raise(failure))
    # lm-eval said all is well, but wrote no results: r1bench's own check still says so.
    assert cli.main([*ARGV, "--output_path", str(tmp_path)]) == EXIT_NOT_WRITTEN
    assert "no results file was written" in capsys.readouterr().err


def test_debug_shows_the_traceback_of_lm_evals_failure(tmp_path, monkeypatch):
    import lm_eval.__main__

    monkeypatch.setattr(lm_eval.__main__, "cli_evaluate", _raise(RuntimeError("boom")))
    with pytest.raises(cli.LmEvalFailed) as info:
        cli.main([*ARGV, "--output_path", str(tmp_path), "--debug"])
    assert isinstance(info.value.__cause__, RuntimeError)


def test_the_argv_is_restored_after_lm_eval(tmp_path, monkeypatch):
    import lm_eval.__main__

    monkeypatch.setattr(lm_eval.__main__, "cli_evaluate", _raise(RuntimeError("boom")))
    before = list(sys.argv)
    cli.main([*ARGV, "--output_path", str(tmp_path)])
    assert sys.argv == before


@pytest.fixture
def lm_eval_logging():
    """lm-eval's CLI adds its stderr handler once per process, to the stream of the moment (a test's
    captured one); give it a fresh start here and take it back afterwards, for the tests after."""
    import lm_eval.utils

    log = logging.getLogger("lm_eval")
    saved = (log.handlers[:], log.propagate, log.level, lm_eval.utils._LOGGING_CONFIGURED)
    log.handlers[:] = []
    lm_eval.utils._LOGGING_CONFIGURED = False
    yield
    log.handlers[:], log.propagate = saved[0], saved[1]
    log.setLevel(saved[2])
    lm_eval.utils._LOGGING_CONFIGURED = saved[3]


def test_lm_evals_own_argument_error_exits_non_zero_in_one_line(tmp_path, capsys, lm_eval_logging):
    argv = ["--model", "hf", "--model_args", "pretrained=/nonexistent/model", "--output_path", str(tmp_path / "o")]
    assert cli.main([*argv, "--limit", "abc"]) == 1  # lm-eval prints its usage error and exits 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-2:] == ["lm-eval run: error: argument --limit/-L: invalid float value: 'abc'",
                        "r1bench eval: error: lm-eval exited with status 2 (its message is above)"]
    assert not any("Traceback" in x for x in err)


@pytest.mark.slow
def test_an_exception_inside_real_lm_eval_exits_non_zero_in_one_line(tmp_path):
    # The hf backend cannot load a model folder that does not exist (a fresh process: ~30 s).
    cmd = [sys.executable, "-m", "r1bench.lm_eval", "--model", "hf", "--model_args", "pretrained=/nonexistent/model",
           "--output_path", str(tmp_path / "o")]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "training")])})
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert err[-1] == ("r1bench eval: error: lm-eval failed: OSError: Repo id must be in the form 'repo_name' or "
                       "'namespace/repo_name': '/nonexistent/model'. Use `repo_type` argument if needed. "
                       "(--debug shows the traceback)")
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize(("model_args", "line"), [
    ("base_url=http://x/v1,model=m,api_key=sk-123",
     "r1bench eval: error: --model_args api_key=...: secrets are not taken in model_args (lm-eval logs them and "
     "writes them into the results JSON); put the key in an environment variable (OPENAI_API_KEY, "
     "DEEPSEEK_API_KEY, or api_key_env=NAME)"),
    ("base_url=http://x/v1,model=m,temprature=0.6",
     "r1bench eval: error: --model_args: r1bench-chat has no argument temprature (known: "),
])
def test_refusals_before_lm_eval_starts_are_one_line(model_args, line, tmp_path, capsys):
    argv = ["--model", "r1bench-chat", "--model_args", model_args, "--output_path", str(tmp_path)]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(line) and "\n" not in err and "sk-123" not in err
