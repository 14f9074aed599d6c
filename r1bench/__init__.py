"""r1bench: benchmarks and lm-eval tasks for DeepSeek-R1-style reasoning models.

The data flow (docs/design.md, section 1): raw output -> :func:`r1bench.reasoning.split_reasoning` ->
:mod:`r1bench.grading` (extract, compare) -> :func:`r1bench.records.score_response`
(per-sample record) -> :mod:`r1bench.metrics` -> results JSON -> :mod:`r1bench.results`.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
