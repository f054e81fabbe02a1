"""What the entity, story and search pages read from the aggregates and narrow indexes (issue 11) agrees with
the base tables of the same archive: related stories as documented, the entity page's story count, search
totals and facets, the outlet comparison by event day."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html

from newsdesk.analysis.stories import RELATED_DAYS, RELATED_STORIES
from newsdesk.web.app import create_app


def key_entities(conn: sqlite3.Connection, story_id: str) -> list[str]:
    centroid = json.loads(conn.execute("SELECT centroid FROM stories WHERE id=?", (story_id,)).fetchone()[0])
    return [t[2:] for t in sorted((t for t in centroid if t.startswith("e:")), key=centroid.get, reverse=True)[:4]]


def test_related_stories_name_two_key_entities_and_start_near_the_story(client: TestClient, web_db: Path) -> None:
    conn = sqlite3.connect(web_db)
    named: dict[str, set[str]] = {}
    for story_id, entity_id in conn.execute(
        "SELECT DISTINCT sa.story_id, m.entity_id FROM story_articles sa JOIN mentions m ON m.article_id = sa.article_id"
    ):
        named.setdefault(story_id, set()).add(entity_id)
    starts = dict(conn.execute("SELECT id, start FROM stories"))
    ends = dict(conn.execute("SELECT id, end FROM stories"))
    seen = 0
    for story_id in starts:
        keys = set(key_entities(conn, story_id))
        response = client.get(f"/api/stories/{story_id}")
        assert response.status_code == 200, response.text
        record = response.json()
        related = [r["id"] for r in record["related"]]
        # Recounted from mentions and story_articles: every story the definition admits, best first.
        expected = []
        for other, entities in named.items():
            if other == story_id or len(keys & entities) < 2 or len(keys) < 2:
                continue
            if starts[story_id] is None:
                near = starts[other] is None
            else:
                first = dt.date.fromisoformat(starts[story_id]) - dt.timedelta(days=RELATED_DAYS)
                last = dt.date.fromisoformat(ends[story_id] or starts[story_id]) + dt.timedelta(days=RELATED_DAYS)
                near = starts[other] is not None and first.isoformat() <= starts[other] <= last.isoformat()
            if near:
                expected.append(other)
        assert set(related) <= set(expected)
        assert len(related) == min(len(expected), RELATED_STORIES)
        seen += bool(related)
    assert seen > 0


def test_entity_page_counts_all_stories_and_lists_the_first(client: TestClient) -> None:
    report = client.get("/api/entities/普京").json()
    doc = html.fromstring(client.get("/entities/普京").text)
    section = doc.get_element_by_id("entity-stories")
    assert section.findtext("h2") == f"Stories ({len(report['stories'])})"
    listed = [a.get("href").rsplit("/", 1)[1] for a in section.xpath(".//li/a")]
    assert listed == [s["id"] for s in report["stories"][:50]]
    # By start, then id (undated first, as SQLite orders NULL).
    assert [s["start"] or "" for s in report["stories"]] == sorted(s["start"] or "" for s in report["stories"])


def test_entity_page_lists_its_stories_a_page_at_a_time(web_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.web import pages

    monkeypatch.setattr(pages, "ENTITY_PAGE_STORIES", 5)
    with TestClient(create_app(web_db)) as small_pages:
        every = small_pages.get("/api/entities/俄罗斯", params={"limit": 100000}).json()["stories"]
        assert len(every) > 10, "three pages at least"
        listed: list[str] = []
        for number in range(1, (len(every) + 4) // 5 + 1):
            doc = html.fromstring(small_pages.get("/entities/俄罗斯", params={"page": number}).text)
            section = doc.get_element_by_id("entity-stories")
            assert section.findtext("h2") == f"Stories ({len(every)})"
            listed += [a.get("href").rsplit("/", 1)[1] for a in section.xpath("./ul/li/a")]
            assert bool(doc.xpath("//a[@rel='next']")) == (number * 5 < len(every))
            assert bool(doc.xpath("//a[@rel='prev']")) == (number > 1)
        assert listed == [s["id"] for s in every]


def test_search_total_and_facets_count_every_match_by_event_day(client: TestClient, web_db: Path) -> None:
    conn = sqlite3.connect(web_db)
    for query in ("普京", "乌克兰", "拉夫罗夫"):
        data = client.get("/api/search", params={"q": query, "limit": 100000}).json()
        doc = html.fromstring(client.get("/search", params={"q": query}).text)
        ids = [row["id"] for row in data]
        marks = ",".join("?" * len(ids))
        months: dict[str, int] = {}
        for (day,) in conn.execute(f"SELECT event_day FROM articles WHERE id IN ({marks})", ids):
            month = day[:7] if day else "unknown"
            months[month] = months.get(month, 0) + 1
        shown = {li.text_content().split()[0]: int(li.findtext("span")) for li in doc.xpath("//ul[@id='facet-months']/li")}
        assert shown == months
        assert ids and doc.get_element_by_id("showing").text_content().strip().endswith(f"of {len(ids)} results")
