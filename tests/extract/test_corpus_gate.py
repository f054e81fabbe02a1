"""Quality floors on the held-out split of the labelled corpus (bench/data/corpus).

The held-out split is every capture of the sites whose SHA-1 falls in one quarter (the gold's
"split" field): no rule or model is tuned on those sites, so these floors are the project's own
estimate of how it does on sites it has never seen. Floors sit just below what is achieved and
only move up; lowering one needs a reason in the commit that does it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pytest

from newsdesk.extract import extract_capture
from tests.scoring import FIELDS, body_prf, field_ok

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "data" / "corpus"

HELDOUT_BODY_F1_FLOOR = 0.948
HELDOUT_FIELD_FLOOR = {"title": 0.92, "published": 0.88, "outlet": 0.73, "authors": 0.70, "editor": 0.84, "original_url": 0.91}


def corpus_gold() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((CORPUS / "gold").glob("*.gold.json"))]


def expected_split(site: str) -> str:
    return "heldout" if int(hashlib.sha1(site.encode()).hexdigest(), 16) % 4 == 0 else "train"


@pytest.fixture(scope="module")
def extracted() -> list[tuple[dict, dict]]:
    pairs = []
    for gold in corpus_gold():
        path = CORPUS / "captures" / gold["file"]
        pairs.append((gold, extract_capture(path.read_bytes(), str(path)).to_record()))
    return pairs


def test_corpus_is_present_and_split_by_site() -> None:
    gold = corpus_gold()
    assert len(gold) >= 50, "the labelled corpus is missing: bench/data/corpus/gold"
    for record in gold:
        assert (CORPUS / "captures" / record["file"]).is_file(), record["file"]
        assert record["split"] == expected_split(record["site"]), record["file"]
        assert record["file"].startswith(record["site"] + "__"), record["file"]
    assert {r["split"] for r in gold} == {"train", "heldout"}


def test_no_capture_gives_an_empty_body_without_an_error(extracted: list[tuple[dict, dict]]) -> None:
    silent = [gold["file"] for gold, article in extracted if not article["body"] and not article["error"]]
    assert not silent


def test_heldout_floors(extracted: list[tuple[dict, dict]]) -> None:
    heldout = [(gold, article) for gold, article in extracted if gold["split"] == "heldout"]
    precision = sum(body_prf(g["body"], a["body"])[0] for g, a in heldout) / len(heldout)
    recall = sum(body_prf(g["body"], a["body"])[1] for g, a in heldout) / len(heldout)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = defaultdict(float)
    for gold, article in heldout:
        for name in FIELDS:
            accuracy[name] += field_ok(name, gold.get(name), article.get(name)) / len(heldout)
    report = f"held-out ({len(heldout)} captures): body F1 {f1:.3f}, " + ", ".join(f"{n} {accuracy[n]:.2f}" for n in FIELDS)
    assert f1 >= HELDOUT_BODY_F1_FLOOR, report
    for name in FIELDS:
        assert accuracy[name] >= HELDOUT_FIELD_FLOOR[name], report
    print(report)
