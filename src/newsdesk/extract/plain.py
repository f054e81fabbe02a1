"""Plain-text captures: a title line, then paragraphs separated by blank lines (or one per line)."""

from __future__ import annotations

import re

from newsdesk.extract.blocks import collapse
from newsdesk.extract.draft import Draft

_BLANK = re.compile(r"\n\s*\n")


def read_plain(text: str) -> Draft:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    chunks = [c for c in _BLANK.split(text) if c.strip()]
    if len(chunks) <= 2:
        # No blank-line paragraphs: each line is one.
        chunks = [line for line in text.split("\n") if line.strip()]
    blocks = [collapse(chunk) for chunk in chunks]
    title = None
    if len(blocks) > 1 and len(blocks[0]) <= 80 and not re.search(r"[。！？.!?]$", blocks[0]):
        title, blocks = blocks[0], blocks[1:]
    return Draft(format="plain", title=title, blocks=[b for b in blocks if b])
