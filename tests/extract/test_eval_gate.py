"""Quality floors over the Chinese gold captures, per field and per format.

Floors only move up. Lowering one needs a reason in the commit that does it.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from newsdesk.extract import extract_capture
from tests.conftest import DEV, load_gold
from tests.scoring import FIELDS, body_prf, field_ok

BODY_F1_FLOOR = {"mirror-md": 0.96, "mirror-html": 0.97, "frontmatter-post": 0.94, "site-html": 0.85}
FIELD_FLOOR = {"title": 0.96, "published": 0.96, "outlet": 0.96, "authors": 0.96, "editor": 0.96, "original_url": 0.90}


@pytest.fixture(scope="module")
def scored() -> list[dict]:
    rows = []
    for gold in load_gold():
        path = DEV / "captures" / gold["file"]
        article = extract_capture(path.read_bytes(), str(path)).to_record()
        row = {"format": gold["format"], "f1": body_prf(gold["body"], article["body"])[2]}
        row.update({name: field_ok(name, gold.get(name), article.get(name)) for name in FIELDS})
        rows.append(row)
    return rows


def test_every_capture_is_scored(scored: list[dict]) -> None:
    assert len(scored) == 54


@pytest.mark.parametrize("fmt", sorted(BODY_F1_FLOOR))
def test_body_f1_floor_per_format(scored: list[dict], fmt: str) -> None:
    by_format = defaultdict(list)
    for row in scored:
        by_format[row["format"]].append(row["f1"])
    mean = sum(by_format[fmt]) / len(by_format[fmt])
    assert mean >= BODY_F1_FLOOR[fmt], f"{fmt}: body F1 {mean:.3f} below floor {BODY_F1_FLOOR[fmt]}"


@pytest.mark.parametrize("name", FIELDS)
def test_field_accuracy_floor(scored: list[dict], name: str) -> None:
    accuracy = sum(row[name] for row in scored) / len(scored)
    assert accuracy >= FIELD_FLOOR[name], f"{name}: accuracy {accuracy:.3f} below floor {FIELD_FLOOR[name]}"
