"""The ANTLR runtime pin: latex2sympy2-extended's grammar is generated per runtime, and verdicts
differ between 4.11 and 4.13. r1bench pins 4.13.2 (see pyproject.toml); this checks that the
runtime actually loaded is that one and that LaTeX parsing works with it."""

from importlib.metadata import version

from r1bench.grading.symbolic import symbolic_equal


def test_antlr_runtime_is_pinned_version():
    assert version("antlr4-python3-runtime") == "4.13.2"


def test_latex_parsing_works_with_pinned_runtime():
    # These go through latex2sympy2's ANTLR parser: with a mismatched runtime they fail to parse.
    assert symbolic_equal("\\frac{x^2-1}{x-1}", "x+1", timeout=10).equal
    assert symbolic_equal("\\sqrt{12}", "2\\sqrt{3}", timeout=10).equal
    assert not symbolic_equal("\\sqrt{12}", "3\\sqrt{2}", timeout=10).equal
