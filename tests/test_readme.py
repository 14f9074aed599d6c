"""The README's commands, so it cannot rot: every command is parsed by the real argparse parsers,
the cheap ones run, and (slow) the demo commands run as written.

Commands come from fenced ``bash`` blocks and indented blocks. A few need a GPU, the network, an API
key or a server; they are listed in :data:`NOT_RUN` with the reason, and still parsed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
PROGRAMS = ("r1bench", "r1train", "lm_eval", "make", "python", "vllm", "export", "MODEL=")

# Commands (their start) that are not run here, with why; they are still parsed.
NOT_RUN = {
    "r1bench eval --model": "needs a real model from the hub (GPU or network)",
    "r1bench eval --tasks r1_smoke": "runs the embedded model (slow test below)",
    "r1bench eval --tasks r1_math500,r1_aime24": "runs the embedded model (slow test below)",
    "r1bench sweep": "one eval run per budget (the slow test in test_budget_e2e runs it)",
    "r1bench data fetch": "downloads from the hub",
    "r1bench data verify": "needs a data directory ($R1BENCH_DATA_DIR)",
    "r1bench leaderboard add": "needs a finished run folder",
    "r1bench report output/": "needs a finished run folder",
    "r1bench view runs/": "needs a finished run (the demo's)",
    "r1bench grade --input": "needs a responses file",
    "r1train": "training needs the train extra and minutes of CPU (training/tests cover it)",
    "lm_eval": "needs a real model from the hub (GPU or network)",
    "python -m r1bench.lm_eval": "needs an API server",
    "vllm serve": "GPU",
    "make": "installs packages",
    "python benchmarks/": "benchmarks take minutes (their figures are in the README table)",
    "export": "environment only",
    "MODEL=": "environment only",
    "pip install": "installs packages",
    "r1bench leaderboard build": "rewrites results/ (test_results_build checks it)",
    "python -c": "python snippet",
}


def readme_commands() -> list[str]:
    """Shell commands of the README: fenced bash blocks and indented blocks, continuations joined."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    blocks += ["\n".join(line[4:] for line in m.group(0).splitlines())
               for m in re.finditer(r"(?m)(?:^    .*\S.*\n)+", re.sub(r"```.*?```", "", text, flags=re.S))]
    commands = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("#") or not line.startswith(PROGRAMS):
                continue
            commands.append(line)
    return commands


def _not_run(cmd: str) -> str | None:
    return next((why for start, why in NOT_RUN.items() if cmd.startswith(start)), None)


def _parse(cmd: str) -> None:
    """Parse an r1bench / r1train / lm_eval command with the parser that would run it (no run)."""
    argv = shlex.split(cmd.replace("$MODEL", "/models/m").replace("$PWD", "/tmp"))
    prog, sub, rest = argv[0], (argv[1] if len(argv) > 1 else ""), argv[2:]
    if prog == "r1bench":
        from r1bench.cli import COMMANDS

        assert sub in COMMANDS, f"{cmd}: no such r1bench command {sub!r}"
        if sub == "eval":
            from lm_eval._cli import HarnessCLI

            from r1bench.lm_eval import cli as evaluate

            lm_argv, _ = evaluate.translate_args(rest, default_model=Path("/models/embedded"))
            saved = sys.argv
            sys.argv = ["lm-eval", "run", *lm_argv]
            try:
                HarnessCLI().parse_args()
            finally:
                sys.argv = saved
            return
        parsers = {
            "report": "r1bench.results.report:build_parser", "view": "r1bench.results.view:build_parser",
            "leaderboard": "r1bench.results.leaderboard_cli:build_parser", "data": "r1bench.datasets.cli:build_parser",
        }
        if sub in parsers:
            import importlib

            module, func = parsers[sub].split(":")
            getattr(importlib.import_module(module), func)().parse_args(rest)
    elif prog == "r1train" and sub == "eval":
        from r1train.evaluate import build_parser

        build_parser().parse_known_args(rest)


@pytest.mark.parametrize("cmd", readme_commands())
def test_readme_command_parses(cmd: str) -> None:
    _parse(cmd)


def test_readme_has_the_commands_we_expect() -> None:
    cmds = readme_commands()
    assert "r1bench eval --tasks r1_smoke" in cmds
    assert "r1bench eval --tasks r1_math500,r1_aime24 --data-dir ../shared/data --limit 2" in " ".join(
        README.read_text().split())
    assert any(c.startswith("r1bench view") for c in cmds)


CHEAP = [c for c in readme_commands() if _not_run(c) is None]


@pytest.mark.parametrize("cmd", CHEAP)
def test_cheap_readme_command_runs(cmd: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "training"),
                                                        os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(cmd, shell=True, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr


def test_every_readme_command_is_run_or_excused() -> None:
    assert CHEAP, "no cheap README command found: the extraction broke"
    for cmd in readme_commands():
        assert cmd in CHEAP or _not_run(cmd)


@pytest.mark.slow
def test_readme_demo_commands_run_verbatim(tmp_path: Path) -> None:
    """`r1bench eval --tasks r1_smoke` then the offline example, as the README writes them."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "training"),
                                                        os.environ.get("PYTHONPATH", "")])}
    cwd = REPO
    # The README's own relative path from the checkout (not the shared_data fixture: $R1BENCH_SHARED_DATA
    # cannot move where `--data-dir ../shared/data` points).
    if not (REPO.parent / "shared" / "data").is_dir():
        pytest.fail("../shared/data (MATH-500 and AIME files beside the checkout) is needed for the offline example")
    for cmd in ("r1bench eval --tasks r1_smoke",
                "r1bench eval --tasks r1_math500,r1_aime24 --data-dir ../shared/data --limit 2"):
        proc = subprocess.run(cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=3000)
        assert proc.returncode == 0, f"{cmd}\n{proc.stderr[-3000:]}"
        assert "open it: file://" in proc.stdout and "pass@1" in proc.stdout


def test_recipes_named_in_the_docs_exist() -> None:
    """Paths like training/recipes/.../x.yaml in the README and `leaderboard --help` are real files."""
    from r1bench.results import leaderboard_cli

    text = README.read_text(encoding="utf-8") + (leaderboard_cli.__doc__ or "")
    paths = set(re.findall(r"training/recipes/[\w./-]+\.(?:yaml|jsonl)", text))
    assert paths
    assert [p for p in sorted(paths) if not (REPO / p).is_file()] == []
