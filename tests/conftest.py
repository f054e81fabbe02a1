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


def copy_archive(built: Path, to: Path) -> Path:
    """A private copy of an archive a fixture built once, for a test that writes to it: the database
    file as it is on disk, with its write-ahead log if one was left."""
    import shutil

    for suffix in ("", "-wal"):
        if Path(f"{built}{suffix}").exists():
            shutil.copyfile(f"{built}{suffix}", f"{to}{suffix}")
    return to
