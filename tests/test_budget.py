"""Budget forcing's phase logic (r1bench.budget), with a scripted stand-in for the model."""

from __future__ import annotations

import pickle

import pytest

from r1bench.budget import (
    FORCED_CLOSE,
    PROTOCOL_FIELDS,
    BudgetConfig,
    Piece,
    Step,
    parse_budget,
    run_budget,
)
from r1bench.records import score_response
from r1bench.response import Response


def scripted(pieces: list[Piece]):
    """A generate() that returns the given pieces in order and keeps the steps it was asked for."""
    steps: list[Step] = []

    def generate(text: str, step: Step) -> Piece:
        steps.append(step)
        return pieces[len(steps) - 1]

    return generate, steps


@pytest.mark.parametrize(
    "gen_kwargs, budget, extend, rest",
    [
        ({"thinking_budget": "16", "temperature": 0.6}, 16, 0, {"temperature": 0.6}),
        ({"thinking_budget": 512}, 512, 0, {}),
        ({"thinking_extend": "2", "until": []}, None, 2, {"until": []}),
        ({"thinking_budget": 8, "thinking_extend": 1}, 8, 1, {}),
        ({"thinking_budget": 16.0}, 16, 0, {}),  # a whole number as a float (JSON, lm-eval's parser)
    ],
)
def test_parse_budget(gen_kwargs, budget, extend, rest):
    cfg, left = parse_budget(gen_kwargs)
    assert cfg is not None and (cfg.budget, cfg.extend) == (budget, extend)
    assert left == rest


@pytest.mark.parametrize("gen_kwargs", [{}, {"temperature": 0.6}, {"thinking_extend": 0}, {"thinking_budget": None}])
def test_no_budget_is_none(gen_kwargs):
    assert parse_budget(gen_kwargs)[0] is None


@pytest.mark.parametrize(
    "gen_kwargs, message",
    [
        ({"thinking_budget": "abc"}, "thinking_budget must be an integer >= 1, got 'abc'"),
        ({"thinking_budget": 0}, "thinking_budget must be an integer >= 1, got 0"),
        ({"thinking_budget": True}, "thinking_budget must be an integer >= 1, got True"),
        ({"thinking_extend": -1}, "thinking_extend must be an integer >= 0, got -1"),
        ({"thinking_budget": 2.5}, "thinking_budget must be an integer >= 1, got 2.5"),
        ({"thinking_extend": 1, "thinking_extend_str": "  "}, "thinking_extend_str must not be empty"),
    ],
)
def test_bad_values_one_line(gen_kwargs, message):
    with pytest.raises(ValueError) as err:
        parse_budget(gen_kwargs)
    assert str(err.value) == message


def test_budget_reached_forces_the_close_then_answers():
    cfg = BudgetConfig(budget=16)
    generate, steps = scripted([Piece("a" * 40, 16, "length"), Piece(" \\boxed{3}", 5, "eos")])
    out = run_budget(cfg, 100, generate)
    assert [(s.phase, s.max_tokens, s.stop_at_close) for s in steps] == [("thinking", 16, True), ("answer", 84, False)]
    assert out.text == "a" * 40 + FORCED_CLOSE + "Final answer: \\boxed{3}"
    assert (out.close, out.thinking_tokens, out.answer_tokens, out.completion_tokens) == ("forced", 16, 5, 21)
    assert out.finish_reason == "stop"
    assert out.record(cfg) == {"thinking_budget": 16, "thinking_extend": 0, "thinking_tokens": 16,
                               "answer_tokens": 5, "close": "forced", "extensions": 0}


def test_natural_close_under_the_budget():
    generate, steps = scripted([Piece("short", 3, "close"), Piece("The answer is 3.", 6, "eos")])
    out = run_budget(BudgetConfig(budget=16), 100, generate)
    assert out.text == "short</think>The answer is 3."
    assert (out.close, out.thinking_tokens, out.answer_tokens) == ("natural", 3, 6)
    assert steps[1] == Step(97, False, "answer")


def test_close_kept_in_the_piece_is_cut_there():
    # A backend that returns the stop string (or text past it) still closes the thinking once.
    generate, _ = scripted([Piece("think</think>tail", 4, "eos"), Piece("3", 1, "eos")])
    out = run_budget(BudgetConfig(budget=16), 100, generate)
    assert out.text == "think</think>3" and out.close == "natural"


def test_extend_replaces_the_close_with_wait():
    generate, steps = scripted([Piece("x = 2.", 4, "close"), Piece(" no, x = 3.", 5, "close"), Piece("3", 1, "eos")])
    out = run_budget(BudgetConfig(extend=1), 50, generate)
    assert out.text == "x = 2.Wait no, x = 3.</think>3"
    assert (out.extensions, out.close, out.thinking_tokens) == (1, "natural", 9)
    assert [s.max_tokens for s in steps] == [50, 46, 41]


def test_extend_with_a_budget_stops_extending_at_the_budget():
    generate, steps = scripted([Piece("aa", 8, "close"), Piece("bb", 0, "length"), Piece("3", 1, "eos")])
    # Budget 8 reached exactly at the first close: no room to think on, so no "Wait".
    out = run_budget(BudgetConfig(budget=8, extend=2), 50, generate)
    assert out.extensions == 0 and out.close == "natural" and len(steps) == 2


def test_max_gen_toks_before_the_budget_is_a_length_cut_not_a_forced_close():
    generate, steps = scripted([Piece("a", 10, "length")])
    out = run_budget(BudgetConfig(budget=64), 10, generate)
    assert (out.close, out.finish_reason, len(steps)) == ("none", "length", 1)


def test_eos_or_loop_while_thinking_ends_the_sample():
    for ended, reason in (("eos", "stop"), ("loop", "loop")):
        generate, steps = scripted([Piece("abc", 3, ended)])
        out = run_budget(BudgetConfig(budget=64), 100, generate)
        assert (out.close, out.finish_reason, len(steps)) == ("none", reason, 1)


def test_answer_tokens_is_the_answer_phase_limit():
    generate, steps = scripted([Piece("a", 4, "length"), Piece("b", 7, "length")])
    out = run_budget(BudgetConfig(budget=4, answer_tokens=7), 8, generate)
    assert steps[1].max_tokens == 7 and out.finish_reason == "length" and out.close == "forced"


def test_protocol_names_the_options():
    assert BudgetConfig(budget=512).protocol() == {"thinking_budget": 512, "thinking_extend": None,
                                                   "thinking_extend_str": None, "thinking_answer_tokens": None,
                                                   "thinking_answer_cue": "Final answer:"}
    assert BudgetConfig(extend=2).protocol() == {"thinking_budget": None, "thinking_extend": 2,
                                                 "thinking_extend_str": "Wait", "thinking_answer_tokens": None,
                                                 "thinking_answer_cue": None}  # no forced close, no cue
    assert BudgetConfig(budget=64, answer_tokens=32, answer_cue="Answer:").protocol() == {
        "thinking_budget": 64, "thinking_extend": None, "thinking_extend_str": None,
        "thinking_answer_tokens": 32, "thinking_answer_cue": "Answer:"}
    assert BudgetConfig().protocol() == dict.fromkeys(PROTOCOL_FIELDS)


def test_budget_travels_with_the_response_and_into_the_record():
    rec = {"thinking_budget": 16, "close": "forced"}
    resp = pickle.loads(pickle.dumps(Response("<think>a</think> 3", budget=rec)))
    assert resp.metadata()["budget"] == rec
    assert score_response(str(resp), "3", budget=resp.budget).budget == rec
    assert score_response("<think>a</think> 3", "3").budget is None


def test_extend_counts_an_end_of_output_while_thinking_as_an_early_close():
    # s1: the end of the thinking is also the end of the output of a model that never writes </think>.
    generate, steps = scripted([Piece("The answer is 3.", 6, "eos"), Piece(" Let me check.", 4, "eos")])
    out = run_budget(BudgetConfig(extend=1), 50, generate)
    assert out.text == "The answer is 3.Wait Let me check."
    assert (out.extensions, out.close, out.finish_reason, out.thinking_tokens, len(steps)) == (1, "none", "stop", 10, 2)


def test_loop_while_thinking_is_never_extended():
    generate, steps = scripted([Piece("a a a", 30, "loop")])
    out = run_budget(BudgetConfig(extend=2), 50, generate)
    assert (out.extensions, out.finish_reason, len(steps)) == (0, "loop", 1)


def test_seed_for_is_the_seed_first_then_new_for_every_continuation():
    from r1bench.budget import BudgetRun

    run = BudgetRun(BudgetConfig(budget=4, extend=1), 50)
    seeds = [run.seed_for(100)]
    assert seeds == [100]  # the first step draws like an unbudgeted sample
    for piece in (Piece("a", 4, "length"), Piece("b", 3, "eos")):
        run.next_step()
        run.feed(piece)
        seeds.append(run.seed_for(100))
    seeds.append(run.seed_for(100, extra_tokens=2))  # a step continued in chunks
    # Never a repeat, and never a sibling sample's seed (group seed + index, k up to 64).
    assert len(set(seeds)) == 4 and not any(100 < s <= 164 for s in seeds[1:])


def test_score_doc_keeps_the_budget_record_and_a_rescoring_keeps_it_too():
    import json

    from r1bench.lm_eval import filter as glue
    from r1bench.lm_eval.hooks import stamp_docs

    doc = stamp_docs([{"id": "q1", "kind": "math", "problem": "2+3?", "answer": "5"}], task="r1_test",
                          k=1, prompt_spec="deepseek-r1", max_gen_toks=100)[0]
    rec = {"thinking_budget": 16, "thinking_extend": 0, "thinking_tokens": 16, "answer_tokens": 4,
           "close": "forced", "extensions": 0}
    out = Response("a b c" + FORCED_CLOSE + "Final answer: \\boxed{5}", finish_reason="stop",
                   usage={"completion_tokens": 20, "reasoning_tokens": 16}, source="engine", budget=rec)
    (scored,) = glue.score_doc(doc, [out])
    assert scored["budget"] == rec and scored["correct"] is True and scored["reasoning_tokens"] == 16
    saved = [json.loads(str(scored))]
    assert [dict(r) for r in glue.score_doc(doc, [str(out)], saved)] == saved
    (plain,) = glue.score_doc(doc, [Response("\\boxed{5}", finish_reason="stop", source="engine")])
    assert plain["budget"] is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "hf", "--gen_kwargs", "thinking_budget=16"],
         "r1bench eval: error: thinking_budget/thinking_extend need a backend that generates in phases "
         "(r1bench-hf, r1bench-vllm, r1bench-chat); --model hf would not honour them"),
        (["--model", "r1bench-hf", "--gen_kwargs", "thinking_budget=abc"],
         "r1bench eval: error: thinking_budget must be an integer >= 1, got 'abc'"),
        (["--model", "r1bench-hf", "--gen_kwargs", "thinking_extend=-1"],
         "r1bench eval: error: thinking_extend must be an integer >= 0, got -1"),
    ],
)
def test_r1bench_eval_refuses_bad_budget_options_before_loading_a_model(extra, message, tmp_path, capsys,
                                                                      monkeypatch):
    import lm_eval.utils

    from r1bench.lm_eval import cli as evaluate
    from r1bench.models.default import ensure_default_model

    # lm-eval's logging handler would keep this test's captured stderr after it is closed.
    monkeypatch.setattr(lm_eval.utils, "_LOGGING_CONFIGURED", True)

    argv = ["--tasks", "r1_smoke", "--model_args", f"pretrained={ensure_default_model()}",
            "--output_path", str(tmp_path / "out"), *extra]
    assert evaluate.main(argv) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == message
    assert not list(tmp_path.glob("out/**/results_*.json"))  # nothing ran
