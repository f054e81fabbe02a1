from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
DEV = DATA / "dev"


def load_gold() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((DEV / "gold").glob("*.gold.json"))]


@pytest.fixture(scope="session")
def dev_gold() -> list[dict]:
    return load_gold()
