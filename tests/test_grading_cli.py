"""``r1bench grade``: one response, a JSONL file, and bad rows that are reported, not fatal."""

import json

from r1bench.cli import main


def test_grade_one_response(capsys):
    assert main(["grade", "--gold", "0.5", "--response", "<think>x</think> \\boxed{\\dfrac{1}{2}}"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("CORRECT") and "rule=boxed" in out


def test_grade_file_keeps_going_past_bad_rows(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    rows = [
        json.dumps({"response": "\\boxed{3}", "gold": "3"}),
        "not json",
        json.dumps({"response": "Answer: B", "gold": "1/2x", "kind": "choice"}),
        json.dumps({"response": "x", "gold": "1", "kind": "essay"}),
        json.dumps({"response": "<think>a</think>Answer: C", "gold": "C", "kind": "choice", "id": 7}),
    ]
    src.write_text("\n".join(rows) + "\n")
    dst = tmp_path / "out.jsonl"
    assert main(["grade", "--input", str(src), "--output", str(dst)]) == 1
    out = [json.loads(line) for line in dst.read_text().splitlines()]
    assert len(out) == 5
    assert out[0]["correct"] is True and out[4]["correct"] is True and out[4]["id"] == 7
    assert all("error" in r for r in out[1:4])
    err = capsys.readouterr().err
    assert f"{src}:2" in err and f"{src}:3" in err and f"{src}:4" in err
    assert "3 bad row(s)" in err
