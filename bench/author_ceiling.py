#!/usr/bin/env python3
"""How far could a learned accept/reject model over author candidates go on the corpus's TRAIN split?

    PYTHONPATH=src .venv/bin/python bench/author_ceiling.py

For each train capture whose authors are wrong, every name any credit source proposes anywhere on the
page is collected (JSON-LD and microdata authors, author meta tags, and on every short visible text: the
dateline reader, the `label：value` credit grammar, sign-offs, closing brackets). A model that only
accepts or rejects candidates can fix a capture only when its gold set is among them: the count is that
model's ceiling. The held-out split is not read.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree, html

from newsdesk.extract import credits, extract_capture
from newsdesk.extract.blocks import collapse
from newsdesk.extract.html_meta import read_page_meta

CORPUS = Path(__file__).resolve().parents[1] / "bench" / "data" / "corpus"
_TEXTS = etree.XPath("//text()[not(ancestor::script) and not(ancestor::style)]")
_SHORT_TEXT = 80


def decoded(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030", "big5"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def candidates(raw: bytes) -> dict[str, set[str]]:
    """Every name a credit source proposes on the page → the kinds of source that propose it."""
    found: dict[str, set[str]] = {}
    try:
        root = html.fromstring(decoded(raw))
    except (etree.ParserError, ValueError):
        return found
    page = read_page_meta(root)
    for kind, names in (("json-ld/microdata", page.ld_authors), ("meta", page.meta_authors)):
        for name in names:
            found.setdefault(name, set()).add(kind)
    for piece in _TEXTS(root):
        text = collapse(str(piece))
        if not text or len(text) > _SHORT_TEXT:
            continue
        dateline = credits.parse_dateline(text)
        line = credits.read_credit_line(text, lenient=True)
        for kind, names in (
            ("dateline", dateline.authors if dateline else []),
            ("credit", line.authors if line else []),
            ("signoff", credits.signoff_authors(text) or []),
            ("bracket", credits.closing_bracket_authors(text)),
        ):
            for name in names:
                found.setdefault(name, set()).add(kind)
    return found


def main() -> int:
    wrong = reachable = 0
    for gold_path in sorted((CORPUS / "gold").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold["split"] != "train":
            continue
        path = CORPUS / "captures" / gold["file"]
        raw = path.read_bytes()
        predicted = set(extract_capture(raw, str(path)).to_record()["authors"])
        wanted = set(gold.get("authors") or [])
        if predicted == wanted:
            continue
        wrong += 1
        proposed = candidates(raw)
        within = wanted <= set(proposed)
        reachable += within
        shown = {name: sorted(kinds) for name, kinds in list(proposed.items())[:6]}
        print(f"{gold['file'][:50]:50} gold={sorted(wanted)} within={within} candidates={shown}")
    print(f"train captures with wrong authors: {wrong}; gold set among the candidates: {reachable}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
