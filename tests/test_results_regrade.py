"""``leaderboard add`` re-grades a run the way the ``r1`` filter scored it, so an honest run passes.

The filter (live and rescoring) and :func:`r1bench.results.verify.regrade` must build the same
``score_response`` call: a choice answer that names an option's text (grader rule
``answer_content``) is graded with the shown options on both sides, never right in one and wrong
in the other. The fixture's GPQA rows and their option texts are made up.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from results_fixture import FIXTURE, seed_store

from r1bench.lm_eval.filter import score_doc
from r1bench.lm_eval.rescore import rescore_samples, saved_records
from r1bench.results.leaderboard import load_board
from r1bench.results.leaderboard_cli import add_run
from r1bench.results.runs import load_task_runs
from r1bench.results.verify import regrade

TASKS = ("r1_math500", "r1_gpqa_diamond", "r1_moleculeqa100")


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    dst = tmp_path / "out"
    shutil.copytree(FIXTURE, dst)
    return dst


def _rescore_one_output(run_dir: Path, task: str, doc: int, sample: int, text: str) -> Path:
    """Replace one raw output, score that doc again through the ``r1`` filter (as a real run would
    have), and write the task's metrics into the results JSON as lm-eval would."""
    path = next(run_dir.rglob(f"samples_{task}_*.jsonl"))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    row = lines[doc]
    row["resps"][0][sample] = text
    row["filtered_resps"] = [[str(r) for r in score_doc(row["doc"], row["resps"][0], saved_records(row))]]
    path.write_text("".join(json.dumps(ln) + "\n" for ln in lines))
    metrics = rescore_samples(path)["metrics"]
    results_path = next(run_dir.rglob("results_*.json"))
    data = json.loads(results_path.read_text())
    for key in ("pass@1", "maj@k"):
        data["results"][task][f"{key},r1"] = metrics[key]
    results_path.write_text(json.dumps(data))
    return path


# (task, doc, sample, answer, expected rule): an answer naming an option's made-up text, graded
# correct by the filter. Each raises the run's correct samples from 21/32 to 22/32.
CONTENT_ANSWERS = [
    # doc 0 (gold B): sample 0 said "A".
    ("r1_gpqa_diamond", 0, 0, "Answer: made-up option B", "answer_content"),
    # doc 2 (gold D): sample 1 said "A".
    ("r1_gpqa_diamond", 2, 1, "So \\boxed{made-up option D}", "boxed_content"),
]
BOARD = {"r1_gpqa_diamond": "gpqa_diamond"}


@pytest.mark.parametrize(("task", "doc", "sample", "answer", "rule"), CONTENT_ANSWERS)
def test_an_answer_naming_the_option_text_is_accepted(run_dir, tmp_path, task, doc, sample, answer, rule):
    path = _rescore_one_output(run_dir, task, doc, sample, f"<think>Weigh the options.</think>\n{answer}")
    row = json.loads(path.read_text().splitlines()[doc])
    record = json.loads(row["filtered_resps"][0][sample])
    assert (record["correct"], record["extracted"], record["rule"]) == (True, row["doc"]["answer"], rule)

    store = seed_store(tmp_path / "results")
    add_run(run_dir, results_dir=store, tasks=[task])
    (entry,) = load_board(store / "leaderboards" / f"{BOARD[task]}.json")["entries"]
    assert entry["metrics"]["pass@1"]["value"] == pytest.approx(68.75)  # 22 of 32 samples


@pytest.mark.parametrize("edit", [None, *CONTENT_ANSWERS])
def test_filter_and_regrade_agree_on_every_sample(run_dir, edit):
    """Every sample of the fixture run (as is, and with one answer naming an option's text): the
    filter's rescoring and the leaderboard's re-grade give the same verdict, extracted answer and rule."""
    if edit is not None:
        task, doc, sample, answer, _rule = edit
        _rescore_one_output(run_dir, task, doc, sample, f"<think>Weigh the options.</think>\n{answer}")
    runs = {r.task: r for r in load_task_runs(run_dir, tasks=list(TASKS))}
    assert sorted(runs) == sorted(TASKS)
    for task, run in runs.items():
        regraded = regrade(run)
        assert len(regraded) == len(run.docs)
        for d, graded in zip(run.docs, regraded):
            filtered = score_doc(d.doc, d.outputs, d.records)
            assert len(graded) == len(filtered) == len(d.records)
            for a, b in zip(filtered, graded):
                where = (task, d.doc_id, a["sample_index"])
                assert (a["correct"], a["extracted"], a["rule"]) == (b.correct, b.extracted, b.rule), where


class _WordTokenizer:
    """A stand-in tokenizer: one token per whitespace-separated word."""

    def encode(self, text: str, add_special_tokens: bool = False) -> list[str]:
        return text.split()


@pytest.mark.parametrize(
    ("output", "cap", "correct"),
    [
        # 5 words, no think tags: the cap of 5 tokens was reached, so the length-cap rule says no answer.
        ("so the answer is \\boxed{5}", 5, False),
        # The same 5 words under a cap of 6: a finished answer, correct.
        ("so the answer is \\boxed{5}", 6, True),
        # Reasoning closed before the cap was reached: the boxed answer counts.
        ("<think>a b</think> \\boxed{5}", 4, True),
    ],
)
def test_regrade_keeps_the_token_counts_of_a_retokenized_run(monkeypatch, output, cap, correct):
    """A run whose tokens the filter counted with the model's tokenizer (no backend counts): the
    re-grade loads no tokenizer but reuses the saved counts, so the cap decides the same way."""
    from r1bench.lm_eval import chat_template
    from r1bench.results.runs import RunFiles, SampleDoc, TaskRun

    monkeypatch.setattr(chat_template, "load_tokenizer", lambda name: _WordTokenizer())
    doc = {"id": "m-0", "kind": "math", "answer": "5", "r1_task": "r1_math500", "r1_k": 1,
           "r1_max_gen_toks": cap, "r1_starts_in_reasoning": False, "r1_tokenizer": "word-tokenizer"}
    (record,) = score_doc(doc, [output])
    assert record["correct"] is correct and record["extra"]["token_count"] == "retokenized:word-tokenizer"
    run = TaskRun(RunFiles(Path("results_x.json"), "x", {}), {}, "r1_math500",
                  [SampleDoc(0, doc, "5", [json.loads(str(record))], 1, [output])])
    (graded,) = regrade(run)[0]
    assert (graded.correct, graded.extracted, graded.rule, graded.truncated) == (
        record["correct"], record["extracted"], record["rule"], record["truncated"])
    assert graded.completion_tokens == record["completion_tokens"] == len(output.split())


@pytest.mark.parametrize(
    ("doc", "options_kept", "message"),
    [
        ({"kind": "choice", "answer": "B", "choices": [f"made-up {i}" for i in range(30)]}, None,
         "num_choices must be in 2..10, got 30"),
        ({"kind": "choice", "answer": "B", "choices": 7}, [f"made-up {c}" for c in "abcdefghijkl"],
         "num_choices must be in 2..10, got 12"),
    ],
)
def test_regrade_names_the_doc_it_cannot_grade(doc, options_kept, message):
    """A doc whose options no grader can take is refused with its file, line and sample named."""
    from r1bench.results.runs import RunFiles, SampleDoc, TaskRun
    from r1bench.results.schema import ResultsFileError

    rec = {"correct": False, "sample_index": 0, "raw_output": "<think>x</think>Answer: B",
           "extra": {"options": options_kept} if options_kept else {}}
    samples = Path("samples_r1_gpqa_diamond_x.jsonl")
    run = TaskRun(RunFiles(Path("results_x.json"), "x", {"r1_gpqa_diamond": samples}), {}, "r1_gpqa_diamond",
                  [SampleDoc(3, doc, "B", [rec], 4, [rec["raw_output"]])])
    with pytest.raises(ResultsFileError) as err:
        regrade(run)
    text = str(err.value)
    assert str(samples) in text and "line 4" in text and "doc 3 sample 0" in text and message in text
