"""MoleculeQA-100: a deterministic stratified sample of MoleculeQA's test set as choice docs.

Reads ``JSON/All/test.json`` and ``qid2category.json`` from ``hcaoaf/MoleculeQA``. Within each
category the questions are ordered by ``sha256(f"{seed}:{id}")`` and the first ``quota`` kept, so
the same files always give the same 100; ``selection_fingerprint`` (sha256 of the sorted chosen
ids) is on every doc. The default quotas (Structure 30, Property 7, Usage 60, Source 3) are the
ones specified for this benchmark, not the dataset's own shares: by the per-category test counts in
the authors' repository (Structure 3,113, Property 731, Usage 599, Source 1,343 of 5,786) about
54/13/10/23 %, while the project brief quotes about 63/10/5/22 % for the whole dataset; neither was
checked against the real files here. ``allocation="proportional"`` follows the loaded file's own
shares, whatever they are, and the loader logs them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from r1bench.datasets.files import SchemaError, locate, read_json, read_records, require_fields
from r1bench.datasets.specs import get_spec

__all__ = [
    "TASK",
    "CATEGORIES",
    "DEFAULT_QUOTAS",
    "load",
    "build_docs",
    "parse_category_map",
    "parse_question",
    "allocate",
    "select_ids",
    "selection_fingerprint",
]

logger = logging.getLogger(__name__)

TASK = "r1_moleculeqa100"
CATEGORIES = ("Structure", "Property", "Usage", "Source")
DEFAULT_QUOTAS: dict[str, int] = {"Structure": 30, "Property": 7, "Usage": 60, "Source": 3}
_ALIASES = {c.lower(): c for c in CATEGORIES} | {"application": "Usage", "applications": "Usage"}
FIELDS = ("id", "question", "answer")
_OPTION_RE = re.compile(r"Option\s*([A-D])\s*[:：]\s*")
_ANSWER_RE = re.compile(r"^(?:option\s*)?\(?([A-D])\)?[.:]?$", re.IGNORECASE)

Allocation = Literal["specified", "proportional"]
Molecule = Literal["smiles", "selfies"]


def canonical_category(name: Any) -> str | None:
    """``"usage"``, ``"Application"`` -> ``"Usage"``; None for names that are not categories."""
    return _ALIASES.get(str(name).strip().lower())


def parse_category_map(data: Any, path: Path) -> dict[str, str]:
    """Validate ``qid2category.json`` and return ``{question id: category}``.

    Accepts ``{category: [ids...]}`` or ``{id: category}``; anything else is a
    :class:`SchemaError` naming the file and describing what was found.
    """
    expected = (
        'expected {"Structure": [ids...], "Property": [...], "Usage": [...], "Source": [...]} '
        'or {"<question id>": "<category>", ...}'
    )
    if not isinstance(data, dict) or not data:
        raise SchemaError(
            f"{path}: unexpected category map: top level is {type(data).__name__}; {expected}"
        )
    mapping: dict[str, str] = {}
    if all(isinstance(v, list) for v in data.values()):
        for key, ids in data.items():
            category = canonical_category(key)
            if category is None:
                raise SchemaError(
                    f"{path}: unknown category {key!r} (known: {', '.join(CATEGORIES)}); {expected}"
                )
            for qid in ids:
                if not isinstance(qid, (int, str)) or isinstance(qid, bool):
                    raise SchemaError(
                        f"{path}: category {key!r}: id {qid!r} is not an int or string"
                    )
                previous = mapping.setdefault(str(qid), category)
                if previous != category:
                    raise SchemaError(f"{path}: id {qid!r} is in both {previous} and {category}")
        return mapping
    if all(isinstance(v, str) for v in data.values()):
        for qid, name in data.items():
            category = canonical_category(name)
            if category is None:
                raise SchemaError(
                    f"{path}: id {qid!r}: unknown category {name!r} (known: {', '.join(CATEGORIES)})"
                )
            mapping[str(qid)] = category
        return mapping
    kinds = sorted({type(v).__name__ for v in data.values()})
    sample = ", ".join(repr(k) for k in list(data)[:3])
    raise SchemaError(
        f"{path}: unexpected category map shape: values are {'/'.join(kinds)} (first keys: {sample}); {expected}"
    )


def parse_question(text: str, where: str) -> tuple[str, list[str]]:
    """Split a MoleculeQA question into its stem and the four options "Option A: ..." .. "D"."""
    marks = list(_OPTION_RE.finditer(text))
    letters = [m.group(1) for m in marks]
    if letters != list("ABCD"):
        raise SchemaError(
            f"{where}: expected options A, B, C, D in the question text, found {letters or 'none'}"
        )
    stem = text[: marks[0].start()].strip()
    options = []
    for mark, nxt in zip(marks, marks[1:] + [None]):
        body = text[mark.end() : nxt.start() if nxt else len(text)]
        if nxt is None:  # drop any trailer after option D ("Your answer for this question:")
            body = body.split("\n", 1)[0]
        options.append(body.strip())
    if not stem or any(not o for o in options):
        raise SchemaError(f"{where}: empty question stem or option")
    return stem, options


def fill_placeholders(text: str, molecule: Molecule, sequence: str) -> str:
    """Replace ``<BIO-SEQ-TYPE>`` / ``<BIO-SEQ>`` (prefix a molecule line when they are absent)."""
    label = "SMILES" if molecule == "smiles" else "SELFIES"
    if "<BIO-SEQ>" not in text:
        return f"Molecule {label}: {sequence}\n{text}"
    return text.replace("<BIO-SEQ-TYPE>", label).replace("<BIO-SEQ>", sequence)


def allocate(sizes: Mapping[str, int], n: int = 100) -> dict[str, int]:
    """Proportional quotas summing to ``n`` (largest remainder; ties in category order)."""
    total = sum(sizes.values())
    if n > total:
        raise ValueError(f"cannot sample {n} questions from {total}")
    exact = {c: n * sizes.get(c, 0) / total for c in CATEGORIES}
    quotas = {c: int(v) for c, v in exact.items()}
    order = sorted(CATEGORIES, key=lambda c: (-(exact[c] - quotas[c]), CATEGORIES.index(c)))
    for c in order[: n - sum(quotas.values())]:
        quotas[c] += 1
    return quotas


def _rank(seed: int | str, qid: str) -> str:
    return hashlib.sha256(f"{seed}:{qid}".encode()).hexdigest()


def select_ids(
    by_category: Mapping[str, list[str]], quotas: Mapping[str, int], seed: int | str = 0
) -> list[str]:
    """The chosen ids: per category (in CATEGORIES order) the ``quota`` lowest sha256(seed:id)."""
    chosen: list[str] = []
    for category in CATEGORIES:
        quota = quotas.get(category, 0)
        pool = by_category.get(category, [])
        if quota > len(pool):
            raise ValueError(
                f"{TASK}: quota {quota} for {category} exceeds the {len(pool)} questions in that category"
            )
        chosen += sorted(pool, key=lambda q: _rank(seed, q))[:quota]
    return chosen


def selection_fingerprint(ids: list[str]) -> str:
    """sha256 of the sorted chosen ids, one per line: names the sample in every result."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def _quotas(
    quotas: Mapping[str, int] | None, allocation: Allocation, sizes: Mapping[str, int], n: int
) -> dict[str, int]:
    if quotas is not None:
        resolved: dict[str, int] = {}
        for name, value in quotas.items():
            category = canonical_category(name)
            if category is None:
                raise ValueError(
                    f"{TASK}: unknown category {name!r} in quotas (known: {', '.join(CATEGORIES)}, Application)"
                )
            if not isinstance(value, int) or value < 0:
                raise ValueError(
                    f"{TASK}: quota for {name!r} must be a non-negative int, got {value!r}"
                )
            resolved[category] = value
        return resolved
    if allocation == "specified":
        return dict(DEFAULT_QUOTAS)
    if allocation == "proportional":
        return allocate(sizes, n)
    raise ValueError(
        f"{TASK}: allocation must be 'specified' or 'proportional', got {allocation!r}"
    )


def build_docs(
    rows: list[dict[str, Any]],
    category_map: Mapping[str, str],
    *,
    rows_path: Path,
    map_path: Path,
    quotas: Mapping[str, int] | None = None,
    allocation: Allocation = "specified",
    n: int = 100,
    seed: int | str = 0,
    molecule: Molecule = "smiles",
) -> list[dict[str, Any]]:
    """Select the stratified sample from ``rows`` and turn it into choice docs."""
    if molecule not in ("smiles", "selfies"):
        raise ValueError(f"{TASK}: molecule must be 'smiles' or 'selfies', got {molecule!r}")
    by_id: dict[str, tuple[int, dict[str, Any]]] = {}
    by_category: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    unmapped = []
    for i, row in enumerate(rows):
        require_fields(row, FIELDS, rows_path, i)
        qid = str(row["id"])
        if qid in by_id:
            raise SchemaError(f"{rows_path}: row {i + 1}: duplicate id {qid!r}")
        by_id[qid] = (i, row)
        category = category_map.get(qid)
        if category is None:
            unmapped.append(qid)
        else:
            by_category[category].append(qid)
    if unmapped:
        raise SchemaError(
            f"{map_path}: {len(unmapped)} question id(s) of {rows_path} have no category "
            f"(first: {', '.join(unmapped[:5])}); the category map does not match the question file"
        )
    sizes = {c: len(v) for c, v in by_category.items()}
    resolved = _quotas(quotas, allocation, sizes, n)
    chosen = select_ids(by_category, resolved, seed)
    fingerprint = selection_fingerprint(chosen)
    logger.info("%s: sizes %s, quotas %s, fingerprint %s", TASK, sizes, resolved, fingerprint[:12])
    docs = []
    for qid in chosen:
        i, row = by_id[qid]
        where = f"{rows_path}: row {i + 1} (id {qid})"
        sequence = str(row.get(molecule) or "").strip()
        if not sequence:
            raise SchemaError(f"{where}: no {molecule} to fill the molecule placeholder")
        stem, options = parse_question(
            fill_placeholders(str(row["question"]), molecule, sequence), where
        )
        match = _ANSWER_RE.match(str(row["answer"]).strip())
        if not match:
            raise SchemaError(f"{where}: answer {row['answer']!r} is not a letter A-D")
        docs.append(
            {
                "id": qid,
                "kind": "choice",
                "question": stem,
                "choices": options,
                "answer": match.group(1).upper(),
                "category": category_map[qid],
                "cid": str(row.get("cid", "")),
                "smiles": str(row.get("smiles") or ""),
                "selfies": str(row.get("selfies") or ""),
                "selection_fingerprint": fingerprint,
            }
        )
    return docs


def load(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    quotas: Mapping[str, int] | None = None,
    allocation: Allocation = "specified",
    n: int = 100,
    seed: int | str = 0,
    molecule: Molecule = "smiles",
    verify: bool = True,
) -> list[dict[str, Any]]:
    """Load MoleculeQA-100 (see the module docstring for the sampling rule and options)."""
    spec = get_spec(TASK)
    rows_path = locate(spec.files[0], TASK, data_dir, verify=verify)
    map_path = locate(spec.files[1], TASK, data_dir, verify=verify)
    category_map = parse_category_map(read_json(map_path), map_path)
    return build_docs(
        read_records(rows_path),
        category_map,
        rows_path=rows_path,
        map_path=map_path,
        quotas=quotas,
        allocation=allocation,
        n=n,
        seed=seed,
        molecule=molecule,
    )
