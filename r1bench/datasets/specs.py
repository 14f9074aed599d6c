"""Where each benchmark's data lives: hub ids, files, pinned sha256 digests, pinned fingerprints.

One table (:data:`TASK_DATASETS`) that the loaders, ``r1bench data`` and the task READMEs share, so
a hub id or a checksum is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from r1bench.registry import get_task

__all__ = ["DataFile", "DatasetSpec", "TASK_DATASETS", "get_spec", "pinned_fingerprints"]


@dataclass(frozen=True)
class DataFile:
    """One file of a hub dataset repo; ``filename`` is its path in the repo and under a data dir.

    ``sha256`` lists the accepted digests (empty: unpinned). ``hub_mode="file"`` downloads the file
    itself; ``"dataset"`` builds it from ``datasets.load_dataset(repo_id, config, split=split)``
    (for repos that store only auto-converted parquet shards) and writes it as JSON lines.
    """

    repo_id: str
    filename: str
    sha256: tuple[str, ...] = ()
    hub_mode: Literal["file", "dataset"] = "file"
    config: str | None = None
    split: str | None = None
    gated: bool = False
    local_alternatives: tuple[str, ...] = ()  # other accepted names under <dir>/<repo_id>/ (globs)

    @property
    def rel_path(self) -> str:
        """Path of this file under a local data directory (the hub's repo layout)."""
        return f"{self.repo_id}/{self.filename}"


@dataclass(frozen=True)
class DatasetSpec:
    """A task's data: the main hub id, the files it reads, and alternatives (rows: the registry's size)."""

    task: str
    hub_id: str
    config: str | None
    split: str | None
    files: tuple[DataFile, ...]
    alternatives: tuple[DataFile, ...] = field(default=())  # other accepted sources (AIME)
    gated: bool = False
    note: str = ""
    # Accepted r1bench.datasets.dataset_fingerprint values of the full selection (sorted (id,
    # answer) pairs): a content pin that holds whatever bytes the file came in (jsonl, parquet).
    fingerprints: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        """The number of docs the loader must return: the task's size in :mod:`r1bench.registry`."""
        return get_task(self.task).n_questions

    def all_files(self) -> tuple[DataFile, ...]:
        """The main files followed by the alternative sources."""
        return self.files + self.alternatives


# sha256 provenance:
# - MATH-500 test.jsonl: the published file (HuggingFaceH4/MATH-500, test.jsonl), also the
#   byte-identical copy in ../shared/data.
# - Maxwell-Jia aime_2024_problems.parquet: 45fd2b81... is the git-lfs oid of the file on the hub
#   (commit 6ea1138, the only commit touching it); 3cb34696... is the re-encoded copy in
#   ../shared/data (same 30 rows; all answers checked equal to the HuggingFaceH4 copy).
# - HuggingFaceH4/aime_2024 train.jsonl: af2b8bd2... is the copy in ../shared/data (30 rows, ids
#   60-89). `r1bench data fetch` writes this file from the hub's parquet shards, so its bytes depend
#   on the writer: a copy whose bytes differ is accepted only when its 30 (id, answer) pairs give
#   the pinned fingerprint below (the same for both AIME sources, which agree on all 30 answers).
# - Fingerprints: dataset_fingerprint of the docs loaded from the pinned files above.
# - GPQA is gated and MoleculeQA's files were not available to us: these are unpinned, and
#   `r1bench data verify` says so and prints their digests.
H4_AIME_SHA256 = "af2b8bd2aa911b6333ad0df32f3ca05c7ae8ed10f1731f4372c8ae26990bf7ac"
MATH500_FINGERPRINT = "540ac3b3b19e18802df03568ea7b612d4fb02fea79b9a66726651e6e9ad58e88"
AIME24_FINGERPRINT = "03ba8667259d206a5a184ed2d29b20866c1649f0c601926771e0e940b0a46ff4"
MATH500_SHA256 = "35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132"
MAXWELL_AIME_SHA256 = (
    "45fd2b81a74900cc5dad330ba16227389b7836b123e001f7caa50bd7bc0bba7a",
    "3cb34696a75837f848ea16f15a42f4130be655d5995e8cd24efcc54f4e6e1524",
)

TASK_DATASETS: dict[str, DatasetSpec] = {
    "r1_math500": DatasetSpec(
        task="r1_math500",
        hub_id="HuggingFaceH4/MATH-500",
        config="default",
        split="test",
        files=(DataFile("HuggingFaceH4/MATH-500", "test.jsonl", sha256=(MATH500_SHA256,)),),
        fingerprints=(MATH500_FINGERPRINT,),
    ),
    "r1_aime24": DatasetSpec(
        task="r1_aime24",
        hub_id="HuggingFaceH4/aime_2024",
        config="default",
        split="train",
        files=(
            DataFile(
                "HuggingFaceH4/aime_2024",
                "train.jsonl",
                sha256=(H4_AIME_SHA256,),
                hub_mode="dataset",
                config="default",
                split="train",
                local_alternatives=("data/train-*.parquet",),
            ),
        ),
        alternatives=(
            DataFile(
                "Maxwell-Jia/AIME_2024", "aime_2024_problems.parquet", sha256=MAXWELL_AIME_SHA256
            ),
        ),
        note="also accepts Maxwell-Jia/AIME_2024 (ID/Problem/Solution/Answer)",
        fingerprints=(AIME24_FINGERPRINT,),
    ),
    "r1_gpqa_diamond": DatasetSpec(
        task="r1_gpqa_diamond",
        hub_id="Idavidrein/gpqa",
        config="gpqa_diamond",
        split="train",
        files=(DataFile("Idavidrein/gpqa", "gpqa_diamond.csv", gated=True),),
        gated=True,
        note="gated: accept the terms on the hub page, then set HF_TOKEN",
    ),
    "r1_moleculeqa100": DatasetSpec(
        task="r1_moleculeqa100",
        hub_id="hcaoaf/MoleculeQA",
        config=None,
        split="test",
        files=(
            DataFile("hcaoaf/MoleculeQA", "JSON/All/test.json"),
            DataFile("hcaoaf/MoleculeQA", "qid2category.json"),
        ),
        note="stratified 100 of 5,786 test questions",
    ),
    "r1_smoke": DatasetSpec(
        task="r1_smoke",
        hub_id="(embedded)",
        config=None,
        split=None,
        files=(),
        note="ships inside r1bench; no download",
    ),
}


def pinned_fingerprints(task: str) -> tuple[str, ...]:
    """The pinned dataset fingerprints of ``task`` (empty when its selection is not pinned)."""
    spec = TASK_DATASETS.get(task)
    return spec.fingerprints if spec is not None else ()


def get_spec(task: str) -> DatasetSpec:
    """The :class:`DatasetSpec` of ``task``; a clear error listing the known tasks otherwise."""
    try:
        return TASK_DATASETS[task]
    except KeyError:
        known = ", ".join(sorted(TASK_DATASETS))
        raise KeyError(f"unknown task {task!r}; known tasks: {known}") from None
