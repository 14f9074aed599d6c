"""Diagnostics: repetition loops, truncation, token counts."""

import time

import pytest

from r1bench.diagnostics import count_tokens, detect_loop, is_truncated

LOOPS = [
    ("tail-loop", "Setup. " + "Wait, let me recheck the sum of the digits. " * 40, True),
    ("line-loop", "\n".join(["Let me verify this step again carefully."] * 15 + ["ok, done now"]), True),
    ("normal", "We compute 3 + 4 = 7. Then 7 * 2 = 14. So the answer is \\boxed{14}.", False),
    ("short-repeat", "ha " * 5, False),
    ("empty", "", False),
    ("whitespace-run", "answer" + " " * 10000, False),
    (
        "long-reasoning-with-recurring-phrase",
        "\n".join(
            f"Step {i}: we compute the value of term number {i} and add it to the sum."
            + ("\nLet me double-check the calculation here." if i % 20 == 0 else "")
            for i in range(400)
        ),
        False,
    ),
]


@pytest.mark.parametrize("text,looping", [c[1:] for c in LOOPS], ids=[c[0] for c in LOOPS])
def test_detect_loop(text, looping):
    assert detect_loop(text).looping is looping


def test_loop_report_names_span():
    r = detect_loop("intro " + "abcdefghij" * 30)
    assert r.looping and r.period == 10 and r.repeats >= 8 and len(r.span) == 10


def test_detect_loop_fast_on_megabyte():
    import random

    rng = random.Random(0)
    text = "".join(rng.choice("abcdefgh \n") for _ in range(1_000_000))
    start = time.monotonic()
    detect_loop(text)
    assert time.monotonic() - start < 2.0


def test_is_truncated():
    assert is_truncated(think_closed=False)
    assert is_truncated(think_closed=True, finish_reason="length")
    assert is_truncated(think_closed=True, completion_tokens=100, max_gen_toks=100)
    assert not is_truncated(think_closed=True, completion_tokens=99, max_gen_toks=100, finish_reason="stop")


def test_count_tokens():
    assert count_tokens("") == 0
    assert count_tokens("hello world", tokenizer=lambda s: s.split()) == 2
    est = count_tokens("Let me compute \\frac{1}{2} + 3 = 3.5 carefully")
    assert 10 <= est <= 30
