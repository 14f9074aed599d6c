"""Adversarial: hostile input files, planted modules, hostile data and servers against the r1bench CLI.

Grading a file must never lose graded rows (crash, Ctrl-C, input == output), bad rows become
recorded errors naming the line, a module planted in the current folder is never imported, an
edited benchmark file is refused, and ``r1bench eval`` neither echoes secrets nor exits 0 when
nothing was saved or requests failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from r1bench.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent

# --- r1bench grade --input: nothing lost ---------------------------------------------------------

ROWS = [{"response": f"<think>t</think>\\boxed{{{i}}}", "gold": str(i if i % 3 else i + 1), "id": i}
        for i in range(11)]


def _write_rows(path: Path, rows=ROWS) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _graded(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_grade_input_equal_output_is_refused_and_the_file_kept(tmp_path, capsys):
    src = _write_rows(tmp_path / "in.jsonl")
    before = src.read_bytes()
    assert main(["grade", "--input", str(src), "--output", str(src)]) == 2
    assert src.read_bytes() == before
    assert "is the --input file" in capsys.readouterr().err


def test_grade_output_linked_to_input_is_refused(tmp_path):
    src = _write_rows(tmp_path / "in.jsonl")
    before = src.read_bytes()
    (tmp_path / "link.jsonl").symlink_to(src)
    assert main(["grade", "--input", str(src), "--output", str(tmp_path / "link.jsonl")]) == 2
    assert src.read_bytes() == before


@pytest.mark.parametrize("stop_at", [1, 6, 11])
@pytest.mark.parametrize("how", [KeyboardInterrupt, RuntimeError])
def test_grade_crash_keeps_rows_and_rerun_resumes(tmp_path, monkeypatch, stop_at, how):
    import r1bench.records as records

    src = _write_rows(tmp_path / "in.jsonl")
    clean = tmp_path / "clean.jsonl"
    assert main(["grade", "--input", str(src), "--output", str(clean)]) == 0
    real, calls = records.score_response, []

    def flaky(*a, **kw):
        calls.append(1)
        if len(calls) == stop_at:
            raise how("stop")
        return real(*a, **kw)

    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(records, "score_response", flaky)
    if how is KeyboardInterrupt:
        assert main(["grade", "--input", str(src), "--output", str(out)]) == 130  # one line, not a traceback
    else:
        assert main(["grade", "--input", str(src), "--output", str(out)]) == 1
    assert _graded(out) == _graded(clean)[: stop_at - 1]  # every row graded before the crash is kept
    monkeypatch.setattr(records, "score_response", real)
    assert main(["grade", "--input", str(src), "--output", str(out)]) == 0
    assert out.read_bytes() == clean.read_bytes()


def test_grade_torn_last_line_is_graded_again(tmp_path):
    src = _write_rows(tmp_path / "in.jsonl")
    clean = tmp_path / "clean.jsonl"
    main(["grade", "--input", str(src), "--output", str(clean)])
    out = tmp_path / "out.jsonl"
    lines = clean.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:4]) + lines[4][:17])  # killed in the middle of row 5
    assert main(["grade", "--input", str(src), "--output", str(out)]) == 0
    assert out.read_bytes() == clean.read_bytes()


def test_grade_refuses_to_append_to_another_inputs_output(tmp_path, capsys):
    other = _write_rows(tmp_path / "other.jsonl", [{"response": "x", "gold": "1"}])
    out = tmp_path / "out.jsonl"
    main(["grade", "--input", str(other), "--output", str(out)])
    before = out.read_bytes()
    src = _write_rows(tmp_path / "in.jsonl")
    assert main(["grade", "--input", str(src), "--output", str(out)]) == 2
    assert out.read_bytes() == before
    assert "is not this input's output" in capsys.readouterr().err


def test_grade_creates_missing_output_folder(tmp_path):
    src = _write_rows(tmp_path / "in.jsonl")
    out = tmp_path / "a" / "b" / "out.jsonl"
    assert main(["grade", "--input", str(src), "--output", str(out)]) == 0
    assert len(_graded(out)) == 11


# (hostile line, error fragment): each becomes a row with "error", the good rows around it graded.
BAD_ROWS = [
    (b'{"response": "\\\\boxed{3}", "gold": "3\xff"}', "not UTF-8"),
    (b"\xfe\xfe\xfe", "not UTF-8"),
    (b'{"response": "\\\\boxed{None}", "gold": null}', "gold is null"),
    (b'{"response": "\\\\boxed{1}", "gold": [1]}', "gold is [1]"),
    (b'{"response": "\\\\boxed{1}", "gold": true}', "gold is true"),
    (b'{"response": 5, "gold": "5"}', "response must be a string"),
    (b'["response", "gold"]', "a row must be a JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"response": "x", "gold": "1", "kind": "essay"}', "unknown kind"),
    (b'{"gold": "1"}', "KeyError"),
    (b'{"response": "\\\\boxed{1}", "gold": NaN}', "NaN"),
]


@pytest.mark.parametrize(("line", "error"), BAD_ROWS, ids=[f"row{i}" for i in range(len(BAD_ROWS))])
def test_grade_bad_row_is_a_recorded_error_naming_the_line(tmp_path, capsys, line, error):
    src = tmp_path / "in.jsonl"
    good = json.dumps({"response": "\\boxed{2}", "gold": "2"}).encode()
    src.write_bytes(good + b"\n" + line + b"\n" + good + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["grade", "--input", str(src), "--output", str(out)]) == 1
    rows = _graded(out)
    assert len(rows) == 3 and rows[0]["correct"] is True and rows[2]["correct"] is True
    assert "correct" not in rows[1] and error in rows[1]["error"]
    err = capsys.readouterr().err
    assert f"{src}:2: bad row" in err and "Traceback" not in err


# --- planted modules: never imported from the current folder -------------------------------------

PLANTED = ["math_verify.py", "sympy.py", "latex2sympy2_extended.py", "antlr4.py"]


@pytest.mark.parametrize("name", PLANTED)
def test_module_planted_in_the_working_folder_never_runs(tmp_path, name):
    marker = tmp_path / "PLANTED_RAN"
    (tmp_path / name).write_text(f"open({str(marker)!r}, 'w').write('ran')\nraise ImportError('planted')\n")
    # -P: the command itself starts like the installed `r1bench` script (its folder, not the cwd,
    # first on the path); what is checked is the symbolic worker it starts in this folder.
    proc = subprocess.run(
        [sys.executable, "-P", "-m", "r1bench.cli", "grade", "--gold", "x^2+2x+1", "--response", "\\boxed{(x+1)^2}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert not marker.exists(), proc.stderr[-2000:]
    assert proc.stdout.startswith("CORRECT"), proc.stdout + proc.stderr[-2000:]


# --- hostile benchmark data: an edited gold is refused -------------------------------------------

# Real benchmark files (tests/conftest.py: the shared_data fixture and marker).
needs_data = pytest.mark.shared_data("HuggingFaceH4/aime_2024/train.jsonl")


def _aime_copy(shared_data: Path, tmp_path: Path, edit) -> Path:
    root = tmp_path / "data"
    dst = root / "HuggingFaceH4/aime_2024/train.jsonl"
    dst.parent.mkdir(parents=True)
    rows = [json.loads(x) for x in (shared_data / "HuggingFaceH4/aime_2024/train.jsonl").read_text().splitlines()]
    rows = edit(rows)
    dst.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return root


def _answer_999(rows):
    rows[0]["answer"] = "999"
    return rows


def _reformatted(rows):
    return rows  # same rows, other JSON spacing: bytes differ, content is the pinned one


HOSTILE_DATA = [
    ("answer-999", _answer_999, True),
    ("row-dropped", lambda rows: rows[1:], True),
    ("row-duplicated", lambda rows: rows + rows[:1], True),
    ("answers-swapped", lambda rows: [{**r, "answer": rows[(i + 1) % len(rows)]["answer"]}
                                      for i, r in enumerate(rows)], True),
    ("reformatted-only", _reformatted, False),
]


@needs_data
@pytest.mark.parametrize(("edit", "refused"), [c[1:] for c in HOSTILE_DATA], ids=[c[0] for c in HOSTILE_DATA])
def test_edited_aime_file_is_refused_by_load_and_verify(shared_data, tmp_path, monkeypatch, capsys, edit, refused):
    from r1bench.datasets import ChecksumError, load_task_docs

    monkeypatch.delenv("R1BENCH_SKIP_SHA256", raising=False)
    root = _aime_copy(shared_data, tmp_path, edit)
    rc = main(["data", "verify", "r1_aime24", "--data-dir", str(root)])
    if refused:
        with pytest.raises(ChecksumError, match="not the pinned"):
            load_task_docs("r1_aime24", data_dir=str(root))
        assert rc == 1
    else:
        assert len(load_task_docs("r1_aime24", data_dir=str(root))) == 30
        assert rc == 0 and "bytes differ (content checked)" in capsys.readouterr().out


@needs_data
def test_real_files_verify_as_pinned(shared_data, capsys):
    assert main(["data", "verify", "r1_aime24", "r1_math500", "--data-dir", str(shared_data)]) == 0
    out = capsys.readouterr().out
    assert out.count("ok (pinned)") == 3 and out.count("(pinned)") == 5 and "unpinned" not in out


def test_verify_names_unpinned_files(capsys, monkeypatch):
    monkeypatch.delenv("R1BENCH_SKIP_SHA256", raising=False)
    fixtures = REPO_ROOT / "tests" / "fixtures" / "data"
    main(["data", "verify", "r1_gpqa_diamond", "r1_moleculeqa100", "--data-dir", str(fixtures)])
    (line,) = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("unpinned")]
    assert "Idavidrein/gpqa/gpqa_diamond.csv" in line and "hcaoaf/MoleculeQA/JSON/All/test.json" in line


# --- one-line errors and --debug -----------------------------------------------------------------

def _missing_file(argv: list[str]) -> int:
    raise FileNotFoundError(2, "No such file or directory", argv[0])


def _bug(argv: list[str]) -> int:
    raise ZeroDivisionError("division by zero")


@pytest.mark.parametrize(("func", "rc", "line"), [
    ("_missing_file", 1, "r1bench boom: error: /no/such/file: No such file or directory (--debug shows the traceback)"),
    ("_bug", 1, "r1bench boom: internal error: ZeroDivisionError: division by zero; please report it"),
])
def test_failure_is_one_line_and_debug_shows_the_traceback(capsys, func, rc, line):
    from r1bench.cli import dispatch

    commands = {"boom": (f"{__name__}:{func}", "")}
    assert dispatch("r1bench", "", commands, "0", ["boom", "/no/such/file"]) == rc
    err = capsys.readouterr().err
    assert err.startswith(line) and err.count("\n") == 1
    with pytest.raises((FileNotFoundError, ZeroDivisionError)):
        dispatch("r1bench", "", commands, "0", ["boom", "--debug", "/no/such/file"])


def test_report_on_a_missing_folder_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["report", str(missing)]) != 0
    err = capsys.readouterr().err.strip()
    assert str(missing) in err and "\n" not in err and "Traceback" not in err


def test_leaderboard_bad_utf8_names_the_file(tmp_path, capsys):
    store = tmp_path / "results"
    shutil.copytree(REPO_ROOT / "results" / "leaderboards", store / "leaderboards")
    bad = store / "leaderboards" / "aime24.json"
    bad.write_bytes(bad.read_bytes().replace(b'"kind"', b'"\xff"', 1))
    assert main(["leaderboard", "validate", "--results-dir", str(store)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: line 3: not UTF-8" in err and "Traceback" not in err


# --- r1bench eval against hostile servers and paths ----------------------------------------------

SECRET = "sk-adversarial-0123456789abcdef"


def _eval(args: list[str], tmp_path: Path, **env) -> subprocess.CompletedProcess:
    full = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", **env)
    return subprocess.run([sys.executable, "-m", "r1bench.cli", "eval", *args], cwd=tmp_path, env=full,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(("model_args", "fragment"), [
    (f"base_url=http://127.0.0.1:9/v1,model=m,api_key={SECRET}", "secrets are not taken"),
    (f"base_url=http://127.0.0.1:9/v1,model=m,key={SECRET}", "secrets are not taken"),
    (f"base_url=http://127.0.0.1:9/v1,model=m,apikey={SECRET}", "secrets are not taken"),
    (f"base_url=http://127.0.0.1:9/v1,model=m,api_kee={SECRET}", "has no argument api_kee"),
])
def test_eval_refuses_secrets_and_unknown_args_without_echoing(tmp_path, model_args, fragment):
    proc = _eval(["--model", "r1bench-chat", "--model_args", model_args, "--tasks", "r1_smoke",
                  "--output_path", str(tmp_path / "out")], tmp_path)
    assert proc.returncode != 0
    assert SECRET not in proc.stdout + proc.stderr
    assert fragment in proc.stderr
    assert not list((tmp_path / "out").rglob("*.json"))


def test_eval_unwritable_output_path_fails_before_running(tmp_path):
    proc = _eval(["--model", "r1bench-chat", "--model_args", "base_url=http://127.0.0.1:9/v1,model=m",
                  "--tasks", "r1_smoke", "--output_path", "/dev/null/x"], tmp_path)
    # Exit 2 like every other refusal before work starts (it was 1 only because a traceback ended it).
    assert proc.returncode == 2
    assert "--output_path /dev/null/x: cannot create the results folder" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.server
@pytest.mark.parametrize(("faults", "rc", "incomplete"), [(["echo_auth"], 3, True), (["ok"], 0, False)])
def test_eval_with_failed_requests_exits_nonzero_and_marks_incomplete(tmp_path, faults, rc, incomplete):
    from api_servers.fault_server import FaultServer

    with FaultServer(default_faults=faults) as srv:
        proc = _eval(["--model", "r1bench-chat", "--tasks", "r1_smoke", "--limit", "2", "--log_samples",
                      "--model_args", f"base_url={srv.base_url},model=fault-model,max_retries=0,progress=False,"
                      f"store_path={tmp_path / 'store'}", "--output_path", str(tmp_path / "out")],
                     tmp_path, OPENAI_API_KEY=SECRET)
    assert proc.returncode == rc, proc.stderr[-3000:]
    (results,) = (tmp_path / "out").rglob("results_*.json")
    data = json.loads(results.read_text())
    assert data["incomplete"] is incomplete
    assert (data["failed_samples"] > 0) is incomplete
    assert SECRET not in proc.stdout + proc.stderr + results.read_text()
    if incomplete:
        assert "marked incomplete" in proc.stderr and "--allow-incomplete" in proc.stderr


@pytest.mark.server
def test_html_error_page_is_named_as_such(tmp_path):
    from api_servers.fault_server import FaultServer

    from r1bench.api import ChatConfig, ChatRequest, run_chat_requests

    with FaultServer() as srv:
        cfg = ChatConfig(base_url=srv.base_url, model="fault-model", store_path=str(tmp_path / "s"),
                         max_retries=0, timeout=5)
        [res] = run_chat_requests([ChatRequest([{"role": "user", "content": "Q FAULTS:html"}],
                                               {"max_gen_toks": 8})], cfg, progress=False)
    assert not res.ok
    assert "HTTP 200" in res.error and "text/html" in res.error and "502 Bad Gateway" in res.error
