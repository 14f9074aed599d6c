"""Published reference numbers: load ``results/references/*.json`` and find conflicting reports.

A *conflict* is two sources giving different values for the same measurement: same model,
benchmark and metric, measured by the same party (e.g. DeepSeek's README says QwQ-32B-Preview
scores 44.0 on AIME 2024, its paper PDF 50.0). A reproduction by someone else is a different
measurement, shown side by side but not a conflict. Conflicts are kept, never resolved.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from r1bench.results.schema import ResultsFileError, load_document

__all__ = ["Reference", "load_references", "find_conflicts"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reference:
    """One published number with its source (values in percent)."""

    id: str
    model: str
    benchmark: str
    metric: str
    value: float
    measured_by: str
    source_id: str
    source_kind: str
    source_title: str
    source_url: str | None
    location: str
    protocol: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    notes: str = ""
    file: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the number claims to measure: (model, benchmark, metric, measured_by)."""
        return (self.model, self.benchmark, self.metric, self.measured_by)


def load_references(folder: str | Path) -> list[Reference]:
    """All reference entries of every ``*.json`` in ``folder`` (validated), sorted by id."""
    refs: list[Reference] = []
    seen: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.json")):
        doc = load_document(path, kind="references")
        for entry in doc["entries"]:
            if entry["id"] in seen:
                raise ResultsFileError(path, f"duplicate id (also in {seen[entry['id']]})",
                                       entry=entry["id"], field="id")
            seen[entry["id"]] = path.name
            src = doc["sources"][entry["source"]]
            refs.append(
                Reference(
                    id=entry["id"],
                    model=entry["model"],
                    benchmark=entry["benchmark"],
                    metric=entry["metric"],
                    value=float(entry["value"]),
                    measured_by=entry["measured_by"],
                    source_id=entry["source"],
                    source_kind=src["kind"],
                    source_title=src["title"],
                    source_url=src.get("url"),
                    location=entry["location"],
                    protocol=dict(entry.get("protocol") or {}),
                    notes=entry.get("notes", ""),
                    file=path.name,
                )
            )
    refs.sort(key=lambda r: r.id)
    log.debug("loaded %d reference numbers from %s", len(refs), folder)
    return refs


def find_conflicts(refs: list[Reference]) -> list[list[Reference]]:
    """Groups of references that claim the same measurement but disagree on the value."""
    groups: dict[tuple[str, str, str, str], list[Reference]] = defaultdict(list)
    for ref in refs:
        groups[ref.key].append(ref)
    out = []
    for key in sorted(groups):
        members = groups[key]
        if len({round(r.value, 6) for r in members}) > 1:
            out.append(sorted(members, key=lambda r: r.id))
    return out
