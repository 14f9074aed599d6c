"""Converters from each trace format to chat messages, and the validation report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from r1train.data import convert_and_validate, convert_row, detect_format, read_rows
from r1train.data.cli import convert_main, validate_main
from r1train.data.io import DataFileError, iter_source_rows

STRATOS = {
    "system": "Your role as an assistant involves thoroughly exploring questions ... <|begin_of_thought|> ...",
    "conversations": [
        {"from": "user", "value": "Return your final response within \\boxed{}. What is 6 * 7?"},
        {
            "from": "assistant",
            "value": "<|begin_of_thought|>\n\nSix sevens are 42.\n\n<|end_of_thought|>\n\n"
            "<|begin_of_solution|>\n\nThe product is \\boxed{42}.\n\n<|end_of_solution|>",
        },
    ],
}
MAGPIE_CONV = {
    "conversations": [
        {"from": "human", "value": "Name a noble gas."},
        {"from": "gpt", "value": "<think>Group 18 elements.</think>Neon."},
    ]
}
MESSAGES_RC = {
    "messages": [
        {"role": "user", "content": "What is 1 + 1?"},
        {"role": "assistant", "content": "\\boxed{2}", "reasoning_content": "One plus one is two."},
    ]
}
THINK_ANSWER = {"question": "What is 3 - 1?", "response": "<think>Subtract.</think> <answer>2</answer>", "answer": "2"}
THINK_FIELDS = {"problem": "Is 7 prime?", "reasoning": "No divisor below 7.", "answer": "Yes"}
ALPACA = {"instruction": "Classify the molecule.", "input": "CCO", "output": "<think>An alcohol.</think>Ethanol"}
MAGPIE = {"instruction": "Explain ATP.", "response": "<think>Energy currency.</think>ATP stores energy."}
PROMPT_COMPLETION = {"prompt": "2^3?", "completion": "<think>2*2*2</think>\\boxed{8}"}


@pytest.mark.parametrize(
    "row, fmt, user, reasoning, answer",
    [
        (STRATOS, "sharegpt", "Return your final response within \\boxed{}. What is 6 * 7?", "Six sevens are 42.", "The product is \\boxed{42}."),
        (MAGPIE_CONV, "sharegpt", "Name a noble gas.", "Group 18 elements.", "Neon."),
        (MESSAGES_RC, "messages", "What is 1 + 1?", "One plus one is two.", "\\boxed{2}"),
        (THINK_ANSWER, "think_answer", "What is 3 - 1?", "Subtract.", "2"),
        (THINK_FIELDS, "think_answer", "Is 7 prime?", "No divisor below 7.", "Yes"),
        (ALPACA, "alpaca", "Classify the molecule.\n\nCCO", "An alcohol.", "Ethanol"),
        (MAGPIE, "magpie", "Explain ATP.", "Energy currency.", "ATP stores energy."),
        (PROMPT_COMPLETION, "prompt_completion", "2^3?", "2*2*2", "\\boxed{8}"),
    ],
)
def test_each_format_becomes_think_messages(row: dict, fmt: str, user: str, reasoning: str, answer: str) -> None:
    assert detect_format(row) == fmt
    conv = convert_row(row)
    assert conv.source_format == fmt
    assert conv.messages == [
        {"role": "user", "content": user},
        {"role": "assistant", "content": f"<think>\n{reasoning}\n</think>\n\n{answer}"},
    ]
    assert conv.think_closed and conv.tags_ok
    # Converting the output again changes nothing (the training format is a fixed point).
    assert convert_row(conv.to_training_row()).messages == conv.messages


def test_system_prompt_is_dropped_unless_kept() -> None:
    assert convert_row(STRATOS).prompt[0]["role"] == "user"
    kept = convert_row(STRATOS, keep_system=True).prompt
    assert kept[0]["role"] == "system" and kept[0]["content"].startswith("Your role")


@pytest.mark.parametrize(
    "row, reason",
    [
        ({"instruction": "x", "output": "just an answer"}, "empty_reasoning"),
        ({"instruction": "x", "output": "<think>never closed"}, "unclosed_tags"),
        ({"instruction": "x", "output": "<think>a</think><answer>3"}, "unclosed_tags"),
        ({"instruction": "x", "output": "<think>a</think>b</think>c"}, "unclosed_tags"),
        ({"instruction": "x", "output": "<|begin_of_thought|>a<|end_of_thought|><|begin_of_solution|>b"}, "unclosed_tags"),
        ({"instruction": "x", "output": "<think>a</think>   "}, "no_final_answer"),
        ({"instruction": "x", "output": "<think>" + "long " * 400 + "</think>ok"}, "too_long"),
        ({"conversations": [{"from": "human", "value": "hi"}]}, "bad_row"),
        ({"foo": 1}, "bad_row"),
        ({"instruction": "", "output": "<think>a</think>b"}, "bad_row"),
    ],
)
def test_drop_reasons(row: dict, reason: str, tmp_path: Path) -> None:
    good = {"instruction": "ok", "output": "<think>fine</think>done"}
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(row) + "\n")
    kept, report = convert_and_validate(iter_source_rows(path), max_length=200)
    assert report.total == 2 and report.kept == 1 and len(kept) == 1
    assert dict(report.dropped) == {reason: 1}
    assert report.examples[reason][0].startswith(f"{path}:2")


def test_math_answer_check_uses_the_extractor() -> None:
    rows = [{"instruction": "q", "output": "<think>r</think>The answer is \\boxed{5}"},
            {"instruction": "q", "output": "<think>r</think>I am not sure."}]
    from r1train.data.io import SourceRow

    kept, report = convert_and_validate([SourceRow(r, f"row{i}") for i, r in enumerate(rows)], answer_check="math")
    assert report.kept == 1 and report.dropped["no_final_answer"] == 1


def test_token_limit_counts_the_chat_template(tokenizer_dir: Path) -> None:
    from r1train.data.io import SourceRow
    from r1train.data.validate import chat_token_counter
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    counter = chat_token_counter(tok)
    row = convert_row(ALPACA)
    n = counter(row.messages)
    assert n == len(tok.apply_chat_template(row.messages, tokenize=True, return_dict=True)["input_ids"])
    _, at_limit = convert_and_validate([SourceRow(ALPACA, "a")], max_length=n, token_counter=counter)
    _, over = convert_and_validate([SourceRow(ALPACA, "a")], max_length=n - 1, token_counter=counter)
    assert at_limit.kept == 1 and over.dropped["too_long"] == 1


def test_reads_jsonl_json_parquet_and_folders(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [ALPACA, MAGPIE]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n")
    (tmp_path / "b.json").write_text(json.dumps({"data": rows}))
    pq.write_table(pa.Table.from_pylist([THINK_ANSWER, THINK_ANSWER]), tmp_path / "c.parquet")
    assert len(read_rows(tmp_path / "b.json")) == 2
    assert read_rows(tmp_path / "c.parquet")[0]["response"] == THINK_ANSWER["response"]
    kept, report = convert_and_validate(iter_source_rows(tmp_path))
    assert report.total == 7 and report.kept == 6
    assert report.examples["bad_row"] == [f"{tmp_path / 'a.jsonl'}:3: not valid JSON"]
    assert dict(report.formats) == {"alpaca": 2, "magpie": 2, "think_answer": 2}


def test_unknown_file_type_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(DataFileError, match=r"x\.csv: unknown file type"):
        list(iter_source_rows(tmp_path / "x.csv"))


def test_convert_and_validate_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in [STRATOS, ALPACA, {"instruction": "x", "output": "no think"}]))
    out, report = tmp_path / "out.jsonl", tmp_path / "report.json"
    assert convert_main([str(src), "-o", str(out), "--report", str(report)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 2 and all(set(r) == {"messages"} for r in lines)
    data = json.loads(report.read_text())
    assert data["kept"] == 2 and data["dropped"]["empty_reasoning"] == 1
    assert "dropped empty_reasoning: 1" in capsys.readouterr().out
    assert validate_main([str(src)]) == 0
    empty = tmp_path / "bad.jsonl"
    empty.write_text(json.dumps({"instruction": "x", "output": "no think"}) + "\n")
    assert validate_main([str(empty)]) == 1
    assert validate_main([str(tmp_path / "missing.jsonl")]) == 2
