"""Results store: published references, versioned leaderboards, run reports (docs/design.md, section 5).

Modules: :mod:`~r1bench.results.schema` (JSON Schemas, validation, atomic writes),
:mod:`~r1bench.results.references`, :mod:`~r1bench.results.leaderboard` (protocol checks, add),
:mod:`~r1bench.results.ingest` (lm-eval output -> entries), :mod:`~r1bench.results.build`
(LEADERBOARD.md + plots), :mod:`~r1bench.results.report` (per-run report). CLIs:
``r1bench leaderboard add|build|validate`` and ``r1bench report``.
"""
