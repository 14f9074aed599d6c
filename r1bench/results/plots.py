"""Deterministic PNG plotting: Agg backend, fixed style and font, no timestamps in the file.

Every PNG carries two text chunks: ``Software`` (r1bench + matplotlib version) and ``Comment``
(sha256 of the plotted data), so a check can tell "same data" from "same pixels" when the
matplotlib version differs between machines.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["RC", "figure_context", "render_png", "data_hash", "png_text_chunks", "SOFTWARE"]

SOFTWARE = f"r1bench (matplotlib {matplotlib.__version__})"
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "path.simplify": True,
    "svg.hashsalt": "r1bench",
    "image.interpolation": "nearest",
}


@contextmanager
def figure_context() -> Iterator[None]:
    """matplotlib's default style plus :data:`RC`, whatever the user's matplotlibrc says."""
    with plt.style.context("default"), matplotlib.rc_context(RC):
        yield


def data_hash(data: Any) -> str:
    """sha256 of the plotted data (canonical JSON), stored in the PNG's Comment chunk."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def render_png(draw: Callable[[], Any], data: Any) -> bytes:
    """Run ``draw()`` (which creates and fills the current figure) and return the PNG bytes."""
    with figure_context():
        fig = draw()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": SOFTWARE, "Comment": data_hash(data)})
        plt.close(fig)
    return buf.getvalue()


def png_text_chunks(data: bytes) -> dict[str, str]:
    """The tEXt chunks of a PNG (keyword -> text); raises ValueError if ``data`` is not a PNG."""
    import struct

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG file")
    out: dict[str, str] = {}
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if ctype == b"tEXt" and b"\x00" in body:
            key, _, val = body.partition(b"\x00")
            out[key.decode("latin-1")] = val.decode("latin-1")
        if ctype == b"IEND":
            break
        pos += 12 + length
    return out
