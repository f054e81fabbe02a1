"""Stories over a real archive: the seeds' events, incremental placement, the CLI's shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.analysis.stories import Analysis
from newsdesk.archive import Archive, ingest

EXAMPLES = Path(__file__).parents[2] / "examples"
NEWSDESK = str(Path(sys.executable).parent / "newsdesk")


@pytest.fixture()
def seeded(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "a.db")
    ingest([EXAMPLES], archive)
    analysis = Analysis(archive)
    archive.begin()
    analysis.update()
    archive.commit()
    return archive


def _story_of(archive: Archive) -> dict[str, str]:
    rows = archive.conn.execute(
        "SELECT c.path, s.story_id FROM captures c JOIN story_articles s ON s.article_id = c.article_id"
    ).fetchall()
    return {Path(path).name[:3]: story for path, story in rows}


def test_seed_events_are_grouped(seeded: Archive) -> None:
    story = _story_of(seeded)
    # 000 and 001 report the 2022-02-01 Blinken–Lavrov call; 002, 003, 004 are other events.
    assert story["000"] == story["001"]
    assert len({story["000"], story["002"], story["003"], story["004"]}) == 4


def test_placement_is_incremental(seeded: Archive, tmp_path: Path) -> None:
    before = _story_of(seeded)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "brief.txt").write_text("美国国务卿布林肯会见日本外相\n\n布林肯周五在东京会见日本外相，讨论地区局势。", encoding="utf-8")
    ingest([extra], seeded)
    analysis = Analysis(seeded)
    seeded.begin()
    placed = analysis.update()
    seeded.commit()
    assert placed == 1
    after = _story_of(seeded)
    assert {k: v for k, v in after.items() if k in before} == before
    assert analysis.update() == 0


def _run(*args: str) -> str:
    return subprocess.run([NEWSDESK, *args], check=True, capture_output=True, text=True).stdout


def test_cli_stories_entity_and_alias(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    _run("ingest", str(EXAMPLES), "--db", db)
    lines = [json.loads(line) for line in _run("stories", "--db", db, "--format", "jsonl").splitlines()]
    assert len(lines) == 4
    for story in lines:
        assert set(story) == {"id", "label", "start", "end", "entities", "articles"}
        for article in story["articles"]:
            assert set(article) == {"id", "title", "outlet", "published", "captures"}
            assert all(Path(c).exists() for c in article["captures"])
    zh = json.loads(_run("entity", "拉夫罗夫", "--db", db, "--format", "jsonl"))
    en = json.loads(_run("entity", "Sergey Lavrov", "--db", db, "--format", "jsonl"))
    assert zh["id"] == en["id"] and zh["mentions"]
    assert any("外长" in role for role in zh["roles"])
    lavrov_stories = [json.loads(x)["id"] for x in _run("stories", "--db", db, "--entity", "拉夫羅夫", "--format", "jsonl").splitlines()]
    assert {s["id"] for s in zh["stories"]} == set(lavrov_stories)
    _run("alias", "add", "拉夫罗夫", "老拉", "--db", db)
    assert json.loads(_run("entity", "老拉", "--db", db, "--format", "jsonl"))["id"] == zh["id"]
    story_id = lines[0]["id"]
    detail = json.loads(_run("story", story_id[:8], "--db", db, "--format", "jsonl"))
    assert detail["id"] == story_id and "related" in detail
