"""Trace data: read files, convert the common formats to chat ``messages``, validate with a report."""

from __future__ import annotations

from r1train.data.convert import (
    FORMATS,
    ConversionError,
    ConvertedRow,
    convert_row,
    detect_format,
    format_assistant,
)
from r1train.data.io import read_rows, rows_sha256, write_jsonl
from r1train.data.validate import ValidationReport, convert_and_validate, validate_row

__all__ = [
    "FORMATS",
    "ConversionError",
    "ConvertedRow",
    "ValidationReport",
    "convert_and_validate",
    "convert_row",
    "detect_format",
    "format_assistant",
    "read_rows",
    "rows_sha256",
    "validate_row",
    "write_jsonl",
]
