"""``r1train validate --contamination`` / ``convert --decontaminate``: planted overlaps with the
benchmarks' questions (the repo's MATH-500 / AIME / GPQA / MoleculeQA fixtures and made-up text) are
found and named by id only; a clean set passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from r1train.data.cli import convert_main, validate_main
from r1train.data.contamination import build_index, normalize_tokens, row_hits

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "data"

# A made-up reference question (28 words) for --against.
REFERENCE = ("A gardener plants seventeen tulips in each of nine crooked rows beside the old stone wall, "
             "then gives away one third of them to the neighbours; how many tulips remain in the garden?")
REF_WORDS = normalize_tokens(REFERENCE).split()
GPQA_MADE_UP = "A made-up ball is dropped from 20 m with g = 10 m/s^2. How long does it fall?"


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize(
    "text, expected",
    [
        ("What is $3 + 4$?", "what is 3 4"),
        ("  Hello,\n\tWORLD!  ", "hello world"),
        ("\\frac{1}{2}", "frac12"),
    ],
)
def test_normalize_tokens_as_lm_eval(text: str, expected: str) -> None:
    assert normalize_tokens(text) == expected


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    ref = _write(tmp_path_factory.mktemp("ref") / "reference.jsonl", [{"id": "ref-1", "question": REFERENCE}])
    return build_index(data_dir=str(FIXTURES), against=[str(ref)])


def test_index_covers_the_four_benchmarks_and_the_reference(index) -> None:
    assert dict(index.questions) == {
        "r1_math500": 3, "r1_aime24": 3, "r1_gpqa_diamond": 4, "r1_moleculeqa100": 100, "reference.jsonl": 1,
    }
    assert index.skipped == {}


@pytest.mark.parametrize(
    "row, expected",
    [
        # Exact question after normalisation (too short for any 13-gram).
        ({"problem": "what is 3 + 4 ?", "answer": "7"}, {("r1_math500", "test/prealgebra/9001.json", "exact")}),
        ({"messages": [{"role": "user", "content": "What is $100 + 7$?"}, {"role": "assistant", "content": "107"}]},
         {("r1_aime24", "901", "exact")}),
        # 13 consecutive words of the reference inside other text, different case and punctuation.
        ({"problem": "Warm-up. " + " ".join(REF_WORDS[5:18]).upper() + "!! Then stop.", "answer": "1"},
         {("reference.jsonl", "ref-1", "ngram")}),
        # The made-up GPQA question in a solution.
        ({"problem": "Physics drill", "solution": "Recall: " + GPQA_MADE_UP + " Answer 2 s."},
         {("r1_gpqa_diamond", "recFAKE0000000001", "ngram")}),
    ],
)
def test_planted_overlaps_are_found(index, row: dict, expected: set) -> None:
    hits = row_hits(row, "train.jsonl:1", index)
    assert {(h.task, h.doc_id, h.match) for h in hits} == expected


@pytest.mark.parametrize(
    "row",
    [
        {"problem": "What is $3 + 5$?", "answer": "8"},  # close to a benchmark question, not equal
        {"problem": " ".join(REF_WORDS[5:17]), "answer": "1"},  # 12 shared words: below 13
        {"problem": "What is 3 + 4? Explain each step carefully.", "answer": "7"},  # contains it, not equal
        {"problem": "A made-up ball rolls down a slope of 30 degrees. How long does it roll?", "answer": "1"},
    ],
)
def test_near_misses_are_clean(index, row: dict) -> None:
    assert row_hits(row, "train.jsonl:1", index) == []


def _planted(tmp_path: Path) -> Path:
    return _write(tmp_path / "planted.jsonl", [
        {"problem": "Simplify $\\frac{6}{8}$.", "answer": "\\frac34"},
        {"problem": "Original question about seven apples and two pears on a table.", "answer": "9"},
        {"problem": "Physics drill", "solution": GPQA_MADE_UP},
    ])


def test_validate_contamination_reports_ids_and_fails(tmp_path: Path, capsys) -> None:
    report = tmp_path / "r.json"
    rc = validate_main(["--contamination", str(_planted(tmp_path)), "--data-dir", str(FIXTURES),
                        "--report", str(report)])
    out = capsys.readouterr()
    assert rc == 1
    assert "3 rows scanned, 2 contaminated" in out.out
    assert "r1_math500 id test/prealgebra/9002.json (exact question)" in out.out
    assert "r1_gpqa_diamond id recFAKE0000000001" in out.out
    assert "contaminated rows 2 > threshold 0" in out.err
    # GPQA text never appears in the report, printed or written.
    written = report.read_text()
    for text in (out.out, out.err, written):
        assert "made-up ball" not in text.lower()
    data = json.loads(written)
    assert data["contaminated_rows"] == 2
    assert data["by_benchmark"]["r1_gpqa_diamond"] == {
        "questions": 4, "questions_hit": 1, "rows_hit": 1, "exact": 0, "ngram": 1,
    }


def test_threshold_allows_some_rows(tmp_path: Path) -> None:
    argv = ["--contamination", str(_planted(tmp_path)), "--data-dir", str(FIXTURES)]
    assert validate_main([*argv, "--threshold", "2"]) == 0
    assert validate_main([*argv, "--threshold", "1"]) == 1


def test_clean_set_passes(tmp_path: Path, capsys) -> None:
    clean = _write(tmp_path / "clean.jsonl", [
        {"problem": "What is $3 + 5$?", "answer": "8"},
        {"problem": "A train leaves at noon travelling at sixty miles per hour toward a town two hundred miles away; "
                    "when does it arrive if it never stops?", "answer": "3:20"},
        {"messages": [{"role": "user", "content": "Name a molecule with a hydroxyl group."},
                      {"role": "assistant", "content": "<think>ethanol</think> Ethanol."}]},
    ])
    assert validate_main(["--contamination", str(clean), "--data-dir", str(FIXTURES)]) == 0
    assert "3 rows scanned, 0 contaminated" in capsys.readouterr().out


def test_no_benchmark_data_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    rc = validate_main(["--contamination", str(_planted(tmp_path)), "--data-dir", str(tmp_path),
                        "--benchmarks", "r1_math500"])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("r1train validate: no benchmark questions") and "Traceback" not in err


def test_convert_decontaminate_drops_the_hits(tmp_path: Path) -> None:
    traces = _write(tmp_path / "traces.jsonl", [
        {"question": "What is $5 \\cdot 5$?", "reasoning": "5 times 5 is 25.", "answer": "\\boxed{25}"},
        {"question": "What is 6 times 6?", "reasoning": "36.", "answer": "\\boxed{36}"},
        {"question": "Simplify $\\frac{6}{8}$.", "reasoning": "Divide by 2.", "answer": "\\boxed{\\frac34}"},
    ])
    out = tmp_path / "clean.jsonl"
    assert convert_main([str(traces), "-o", str(out), "--decontaminate", "--data-dir", str(FIXTURES)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["messages"][0]["content"] for r in rows] == ["What is 6 times 6?"]
    # Without the flag all three are kept.
    assert convert_main([str(traces), "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 3
