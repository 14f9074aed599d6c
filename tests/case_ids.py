"""Readable, unique pytest ids for the labeled case tables (shared by the table test files)."""

from __future__ import annotations

import pytest


def short(s: str | None, n: int) -> str:
    """``s`` on one line, cut to ``n`` characters."""
    s = "<None>" if s is None else s.replace("\n", "\\n")
    return s if len(s) <= n else s[: n - 3] + "..."


def params(group: str, rows: list[tuple], gold_width: int = 20) -> list:
    """``(a, b, expected, *rest)`` rows -> pytest params with ids like ``frac-03[1/2 ~ 0.5]->T``."""
    out = []
    for i, row in enumerate(rows):
        a, b, exp = row[0], row[1], row[2]
        label = f"{group}-{i:02d}[{short(a, 40)} ~ {short(str(b), gold_width)}]->{'T' if exp else 'F'}"
        out.append(pytest.param(*row, id=label))
    return out
