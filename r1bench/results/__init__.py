"""Results store: published references, versioned leaderboards, run reports (docs/design.md, section 5).

Modules: :mod:`~r1bench.results.schema` (JSON Schemas, validation, atomic writes),
:mod:`~r1bench.results.references`, :mod:`~r1bench.results.leaderboard` (protocol checks, add),
:mod:`~r1bench.results.ingest` (lm-eval output -> entries, from :mod:`~r1bench.results.runs`,
:mod:`~r1bench.results.protocol`, :mod:`~r1bench.results.model_info`, :mod:`~r1bench.results.lineage`
and :mod:`~r1bench.results.verify`), :mod:`~r1bench.results.summary` (efficiency summary written into
a run's results JSON), :mod:`~r1bench.results.build`
(LEADERBOARD.md + plots), :mod:`~r1bench.results.report` (per-run report). CLIs:
``r1bench leaderboard add|build|validate`` and ``r1bench report``.
"""
