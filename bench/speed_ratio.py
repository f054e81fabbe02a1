#!/usr/bin/env python3
"""newsdesk's speed over trafilatura's, both timed in one process, document by document.

    PYTHONPATH=src .venv/bin/python bench/speed_ratio.py [SET] [WARMUP_SET]

SET defaults to bench/data/corpus/captures, WARMUP_SET to the shared dev captures. Each document
is given to `extract_capture(raw bytes, name)` and to trafilatura's
`bare_extraction(text, include_comments=False, with_metadata=True)` (as bench/extractors.py
calls them), in alternating order, so a busy machine slows both alike: on a shared 2-core VM
bench/extraction.py's separate passes drift 20-40 % between runs, this ratio a few percent.
One pass per process (both tools memoise per string), after 20 documents of WARMUP_SET.
Prints docs/s of each and their ratio. To compare revisions, run it with PYTHONPATH pointing at
each revision's src/ (`git archive REV src | tar -x -C DIR`).
"""

from __future__ import annotations

import gzip
import sys
import time
import unicodedata
from pathlib import Path

import trafilatura

from newsdesk.extract import extract_capture
from newsdesk.sources.decode import decode

BENCH = Path(__file__).resolve().parent
_WARMUP_DOCS = 20


def load(root: Path) -> list[tuple[str, bytes, str]]:
    """Every capture under `root`: name, raw bytes (newsdesk's input), decoded text (trafilatura's)."""
    docs = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        docs.append((path.name, data, decode(data).text))
    return docs


def run_trafilatura(text: str) -> None:
    doc = trafilatura.bare_extraction(text, include_comments=False, with_metadata=True)
    if doc is not None and not isinstance(doc, dict):
        unicodedata.normalize("NFC", doc.text or "")  # as the bench adapter does


def main(argv: list[str]) -> int:
    timed = load(Path(argv[0]) if argv else BENCH / "data" / "corpus" / "captures")
    warm = load(Path(argv[1]) if len(argv) > 1 else Path("/work/shared/eval/dev/captures"))
    for name, data, text in warm[:: max(1, len(warm) // _WARMUP_DOCS)][:_WARMUP_DOCS]:
        extract_capture(data, name)
        run_trafilatura(text)
    ours = theirs = 0.0
    for i, (name, data, text) in enumerate(timed):
        # Alternate who goes first, so neither always runs on caches the other warmed.
        for tool in ((0, 1) if i % 2 else (1, 0)):
            started = time.perf_counter()
            if tool == 0:
                extract_capture(data, name)
                ours += time.perf_counter() - started
            else:
                run_trafilatura(text)
                theirs += time.perf_counter() - started
    n = len(timed)
    print(f"{n} docs: newsdesk {n / ours:.1f} docs/s, trafilatura {n / theirs:.1f} docs/s, ratio {theirs / ours:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
