"""A model output that carries how it ended: the text plus finish_reason, token usage and error.

lm-eval 0.4.13 keeps the object a model's ``generate_until`` returns: it goes into
``Instance.resps`` as is, the ``r1`` filter receives those lists, and the samples file writes it
with ``json.dumps`` (a ``str`` subclass is written as a plain string). So the metadata travels with
its own response, never through a global keyed by text (two identical texts keep their own finish
reasons). It pickles with its metadata (lm-eval's ``--use_cache`` and multi-process gathers).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Response", "response_metadata"]


class Response(str):
    """Output text with ``finish_reason`` (``stop``/``length``/``loop``/None), ``usage``
    (``completion_tokens``, optional ``reasoning_tokens``), ``error`` (a failed request) and
    ``source`` (``api`` or ``engine``: who counted the tokens) and ``budget`` (how a budget-forced
    sample's thinking ended, :meth:`r1bench.budget.BudgetOutcome.record`; None when unbudgeted) and
    ``latency`` (a streamed API sample's phase latency, :func:`r1bench.api.stream.phase_latency`)."""

    finish_reason: str | None
    usage: dict[str, int]
    error: str | None
    source: str
    from_store: bool
    budget: dict[str, Any] | None
    latency: dict[str, Any] | None

    def __new__(
        cls,
        text: str,
        *,
        finish_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        error: str | None = None,
        source: str = "api",
        from_store: bool = False,
        budget: dict[str, Any] | None = None,
        latency: dict[str, Any] | None = None,
    ) -> Response:
        obj = super().__new__(cls, text)
        obj.finish_reason = finish_reason
        obj.usage = {k: int(v) for k, v in (usage or {}).items() if isinstance(v, int) and not isinstance(v, bool)}
        obj.error = error
        obj.source = source
        obj.from_store = from_store
        obj.budget = dict(budget) if budget else None
        obj.latency = dict(latency) if latency else None
        return obj

    def metadata(self) -> dict[str, Any]:
        """``{"finish_reason", "usage", "source"}`` plus ``"error"`` for a failed request and
        ``"budget"`` for a budget-forced sample and ``"latency"`` for a streamed one."""
        meta: dict[str, Any] = {"finish_reason": self.finish_reason, "usage": dict(self.usage),
                                "source": self.source}
        if self.error is not None:
            meta["error"] = self.error
        if self.budget is not None:
            meta["budget"] = dict(self.budget)
        if self.latency is not None:
            meta["latency"] = dict(self.latency)
        return meta

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (str(self), self.finish_reason, self.usage, self.error, self.source, self.from_store,
                           self.budget, self.latency))


def _rebuild(text: str, finish_reason: str | None, usage: dict[str, int], error: str | None,
             source: str, from_store: bool, budget: dict[str, Any] | None = None,
             latency: dict[str, Any] | None = None) -> Response:
    return Response(text, finish_reason=finish_reason, usage=usage, error=error, source=source,
                    from_store=from_store, budget=budget, latency=latency)


def response_metadata(text: Any) -> dict[str, Any]:
    """The metadata a :class:`Response` carries; ``{}`` for a plain string."""
    return text.metadata() if isinstance(text, Response) else {}
