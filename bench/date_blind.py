#!/usr/bin/env python3
"""Published dates from the visible text alone, on the labelled corpus's TRAIN split.

    PYTHONPATH=src .venv/bin/python bench/date_blind.py [--list]

A site never seen may state its date in meta tags newsdesk does not know, or in none: each train
HTML capture is read again with its machine-readable stamps removed (`<meta>` tags naming a date, time
or publication, JSON-LD scripts, `<time datetime>` attributes), so only what the page prints can date
it. Prints how many are dated as the gold says (`--list`: which are not). The held-out split is not read.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from newsdesk.extract import extract_capture

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
_DATE_META = re.compile(rb"<meta[^>]+(?:date|time|publish)[^>]*>", re.I)
_JSON_LD = re.compile(rb"<script[^>]+ld\+json.*?</script>", re.I | re.S)
_TIME_ATTR = re.compile(rb"""(<time[^>]*?)\sdatetime=["'][^"']*["']""", re.I)


def blind(raw: bytes) -> bytes:
    return _TIME_ATTR.sub(rb"\1", _JSON_LD.sub(b"", _DATE_META.sub(b"", raw)))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="name the captures dated wrong")
    args = parser.parse_args()
    right = total = 0
    for gold_path in sorted((CORPUS / "gold").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold["split"] != "train" or not gold["file"].endswith((".html", ".htm")):
            continue
        raw = blind((CORPUS / "captures" / gold["file"]).read_bytes())
        published = (extract_capture(raw, gold["file"]).published or "")[:10] or None
        total += 1
        right += published == gold.get("published")
        if args.list and published != gold.get("published"):
            print(f"{gold['file']}\tpred {published}\tgold {gold.get('published')}")
    print(f"train HTML captures dated right from the visible text alone: {right}/{total} ({right / total:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
