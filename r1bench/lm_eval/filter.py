"""The ``r1`` filter: each doc's k raw outputs -> k :class:`~r1bench.records.SampleRecord` dicts
through :func:`r1bench.scoring.score_sample` (the call the leaderboard's re-grade makes too),
written into the samples file's ``filtered_resps``.

An API request that failed comes back as a failure sentinel (:mod:`r1bench.api.failures`); its
record is scored as no answer, with ``finish_reason`` None and the error in ``extra["api_error"]``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lm_eval.api.filter import Filter
from lm_eval.api.registry import register_filter

from r1bench.lm_eval import chat_template, metadata
from r1bench.lm_eval.hooks import SampleCountError, check_count
from r1bench.lm_eval.unscored import save_unscored

__all__ = ["RecordDict", "score_doc", "R1Filter"]

logger = logging.getLogger(__name__)


class RecordDict(dict):
    """A SampleRecord dict whose ``str()`` is JSON: lm-eval writes ``str(x)`` of every filtered
    response into the samples file, so each record there is a parseable JSON string."""

    def __str__(self) -> str:
        return json.dumps(self, ensure_ascii=False, default=str)


def score_doc(
    doc: Mapping[str, Any],
    outputs: Sequence[str | None],
    saved: Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Score one doc's k raw outputs into k SampleRecord dicts (the ``r1`` filter's output).

    ``saved``: the doc's records from an earlier scoring (a samples file); their finish_reason,
    API token counts and API error are reused, since a new process has no API metadata. The dicts
    are :class:`RecordDict`, so the samples file shows each as a JSON string.
    """
    from r1bench.scoring import saved_metadata, score_sample

    check_count(doc, len(outputs))
    if saved is not None and len(saved) != len(outputs):
        saved = None
    name = doc.get("r1_tokenizer")
    tok = chat_template.load_tokenizer(name) if name else None
    encode: Callable[[str], list] | None = (
        (lambda s: tok.encode(s, add_special_tokens=False)) if tok is not None else None
    )
    records = []
    for i, raw in enumerate(outputs):
        text = raw if isinstance(raw, str) else ""
        # r1bench's backends (r1bench-chat, r1bench-hf, r1bench-vllm) return responses that carry
        # their finish_reason and token usage; a rescoring takes them from the saved record.
        rec = saved[i] if saved is not None else None
        meta = saved_metadata(rec) if rec is not None else metadata.live_metadata(text)
        record = score_sample(doc, text, i, meta, saved=rec, encode=encode)
        records.append(RecordDict(record.to_dict()))
    return records


@register_filter("r1")
class R1Filter(Filter):
    """The ``r1`` filter: per doc, the list of k raw outputs -> the list of k record dicts."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def apply(self, resps: Sequence[Sequence[str]], docs: Sequence[Mapping[str, Any]]) -> list:
        """Score every doc; on any error (wrong sample count, bad gold, tokenizer failure...) save
        all raw outputs first, then re-raise: generations may have cost hours."""
        try:
            for outs, doc in zip(resps, docs):
                check_count(doc, len(outs))
            return [score_doc(doc, outs) for outs, doc in zip(resps, docs)]
        except Exception as exc:
            saved = save_unscored(resps, docs)
            logger.error(
                "scoring failed (%s: %s); raw outputs saved to %s", type(exc).__name__, exc, saved
            )
            if isinstance(exc, SampleCountError):
                raise SampleCountError(f"{exc} Raw outputs saved to {saved}.") from None
            if hasattr(exc, "add_note"):  # Python 3.11+
                exc.add_note(f"r1bench: raw outputs saved to {saved}")
            raise
