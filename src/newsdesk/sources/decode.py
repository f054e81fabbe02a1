"""Bytes to text, honestly: BOM, then declared charset, then detection.

GB2312 and GBK declarations are decoded as GB18030 (their superset) because real
pages labelled GB2312 routinely use GBK/GB18030 characters; Big5 likewise as
Big5-HKSCS. The encoding actually used is reported so callers can record it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-]+)|^<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_\-]+)""",
    re.IGNORECASE,
)
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
    "cp936": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs", "x-euc-tw": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8",
}
# Text with more replacement characters than this (per 1,000 characters) is not trusted.
_MAX_BAD_PER_MILLE = 5


class DecodeError(ValueError):
    """The bytes are not text in any encoding we could find."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def _canonical(name: str) -> str | None:
    name = name.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def looks_binary(data: bytes) -> bool:
    """NUL bytes or mostly control characters in the first 4 KiB: not a text capture."""
    head = data[:4096]
    if not head:
        return False
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls / len(head) > 0.1


def decode(data: bytes) -> Decoded:
    """Decode capture bytes; raise `DecodeError` for binary junk."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(encoding, errors="replace"), encoding)
    if looks_binary(data):
        raise DecodeError("binary content, not a text capture")
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    declared = _DECLARED.search(data[:8192])
    if declared:
        encoding = _canonical((declared.group(1) or declared.group(2)).decode("ascii", "ignore"))
        if encoding:
            text = _strict(data, encoding)
            if text is not None:
                return Decoded(text, encoding)
    best = from_bytes(data[:200_000], cp_isolation=None).best()
    if best is not None:
        encoding = _canonical(best.encoding) or best.encoding
        text = data.decode(encoding, errors="replace")
        if text.count("\ufffd") * 1000 <= len(text) * _MAX_BAD_PER_MILLE:
            return Decoded(text, encoding)
    # Last resort: the most plausible East Asian reading, lossy but honest about it.
    for encoding in ("gb18030", "big5hkscs", "utf-8"):
        text = data.decode(encoding, errors="replace")
        if text.count("\ufffd") * 1000 <= len(text) * _MAX_BAD_PER_MILLE:
            return Decoded(text, encoding)
    raise DecodeError("could not decode: no encoding gives readable text")
