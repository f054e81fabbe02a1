"""Extraction: any capture in, one clean `Article` out.

`extract_capture` is a pure function of the capture's bytes (or text) and its name;
it never raises for bad input: the article's `error` says what went wrong.
"""

from __future__ import annotations

from newsdesk.extract.pipeline import ExtractOptions, detect_format, extract_capture, extract_text

__all__ = ["ExtractOptions", "detect_format", "extract_capture", "extract_text"]
