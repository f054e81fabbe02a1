"""Captures over the size budget: what is never text goes before anything is cut.

A saved page can carry megabytes that are never article text ahead of its article: an inline
picture as a `data:` URI, a bundled script or stylesheet, an inline SVG, a commented-out block.
Cutting such a page at `ExtractOptions.max_chars` cut the article and kept the payload. `shrink`
empties those payloads first, in one linear pass (a regex finds where each starts, `find` or a
second search where it ends, so an unterminated `<script` or `<!--` cannot make it quadratic).
What still exceeds the budget is cut by the caller, and the cut is reported, never silent.

The patterns are ASCII, so they work on bytes too, in every ASCII-compatible encoding we read:
GBK, GB18030 and Big5 trail bytes never take the values of `<`, `>`, quotes or whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AnyStr, Generic

# A `data:` URI shorter than this is not worth a cut (and is most likely a tracking pixel).
_MIN_PAYLOAD = 64
# JSON-LD carries dates and credits (html_meta reads it); a block larger than this is not metadata.
_MAX_KEPT_JSON_LD = 200_000
# Short comments can be metadata too: saved pages name their address in one (`<!-- saved from url=…`).
_MAX_KEPT_COMMENT = 1_000
_RAW_NAMES = ("script", "style", "svg", "noscript")
_START = (
    r"(?P<comment><!--)"
    r"|<(?P<raw>script|style|svg|noscript)\b[^<>]*>"
    # `data:image/png;base64,` — a media type, parameters, then the payload after the comma.
    r"|(?P<data>\bdata:[\w.+/-]{0,100}(?:;[\w.+=-]{0,100}){0,8},)"
)
# The payload ends where an attribute value, a CSS `url(…)` or a markdown link ends.
_PAYLOAD = r"""[^"'\s<>)\\]*"""


@dataclass(frozen=True, slots=True)
class _Patterns(Generic[AnyStr]):
    start: re.Pattern[AnyStr]
    payload: re.Pattern[AnyStr]
    ends: dict[str, re.Pattern[AnyStr]]
    comment_end: AnyStr
    json_ld: AnyStr
    # What ends a `data:` URI opened by a quote or a parenthesis (CSS `url(`, markdown `](`).
    closers: dict[AnyStr, AnyStr]


_TEXT = _Patterns(
    re.compile(_START, re.IGNORECASE),
    re.compile(_PAYLOAD),
    {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _RAW_NAMES},
    "-->",
    "ld+json",
    {'"': '"', "'": "'", "(": ")"},
)
_BYTES = _Patterns(
    re.compile(_START.encode("ascii"), re.IGNORECASE),
    re.compile(_PAYLOAD.encode("ascii")),
    {name: re.compile(rf"</{name}\s*>".encode("ascii"), re.IGNORECASE) for name in _RAW_NAMES},
    b"-->",
    b"ld+json",
    {b'"': b'"', b"'": b"'", b"(": b")"},
)


def _data_end(text: AnyStr, start: int, payload_start: int, patterns: _Patterns[AnyStr]) -> int:
    """Where the `data:` URI starting at `start` ends: at the quote or parenthesis that opened it
    (base64 wrapped over lines and SVG markup stay inside), else where a URI cannot go on."""
    opener = text[start - 1 : start]
    closer = patterns.closers.get(opener) if opener else None
    if closer is not None:
        end = text.find(closer, payload_start)
        if end >= 0:
            return end
    payload = patterns.payload.match(text, payload_start)
    return payload.end() if payload else payload_start


def shrink(text: AnyStr) -> AnyStr:
    """`text` without the payloads that are never article text: the contents of scripts, styles,
    inline SVG and `<noscript>`, long comments, and `data:` URI payloads (their media type stays).

    The markup around them stays, so the page parses the same. An unterminated comment or script
    is left alone: parsers read it to the end of the page, and so nothing after it was text anyway.
    """
    patterns: _Patterns[AnyStr] = _TEXT if isinstance(text, str) else _BYTES  # type: ignore[assignment]
    pieces: list[AnyStr] = []
    last = pos = 0
    while True:
        m = patterns.start.search(text, pos)
        if m is None:
            break
        if m.group("comment"):
            end = text.find(patterns.comment_end, m.end())
            if end < 0:
                break
            pos = end + len(patterns.comment_end)
            if end - m.end() > _MAX_KEPT_COMMENT:
                pieces.append(text[last : m.start()])
                last = pos
        elif m.group("raw"):
            name = m.group("raw").lower()
            closing = patterns.ends[name if isinstance(name, str) else name.decode("ascii")].search(text, m.end())
            if closing is None:
                break
            pos = closing.end()
            json_ld = patterns.json_ld in m.group(0).lower()
            if not (json_ld and closing.start() - m.end() <= _MAX_KEPT_JSON_LD):
                pieces.append(text[last : m.end()])
                last = closing.start()
        else:
            end = _data_end(text, m.start(), m.end(), patterns)
            if end - m.end() >= _MIN_PAYLOAD:
                pieces.append(text[last : m.end()])
                last = end
            pos = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return text[:0].join(pieces)


TRUNCATION_MARK = "[…truncated]"


@dataclass(frozen=True, slots=True)
class Cut:
    """A capture cut to the size budget: where, and of how much."""

    kept: int
    unit: str  # "characters" or "bytes"
    total: int
    total_unit: str

    def warning(self) -> str:
        of = f"{self.total:,}" if self.unit == self.total_unit else f"{self.total:,} {self.total_unit}"
        return f"capture cut at {self.kept:,} {self.unit} (of {of})"
