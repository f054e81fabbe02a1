"""The day a report is placed by is the day every command uses: an undated re-post placed in a story by
the day its lead gives (`2月28日，…`) is listed, searched, counted and shown on that day, marked inferred,
on real captures (tests/data/stories-dev: re-posts that lost their dates)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsdesk.archive import Archive
from newsdesk.archive.schema import MIGRATIONS, _aliases_and_event_days
from newsdesk.archive.text import facet_tokens
from tests.console import invoke_newsdesk, needs_console_script

STORIES = Path(__file__).resolve().parent / "data" / "stories-dev" / "captures"

pytestmark = needs_console_script


def _jsonl(*args: str | Path) -> list[dict[str, object]]:
    done = invoke_newsdesk(*args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("days") / "a.db"
    done = invoke_newsdesk("ingest", STORIES, "--db", db)
    assert done.returncode == 0, done.stderr
    return db


def _inferred(db: Path) -> list[tuple[str, str, str]]:
    """(article id, inferred day, the day its story placed it by) of undated articles."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.id, a.event_day, sa.day FROM articles a JOIN story_articles sa ON sa.article_id = a.id"
            " WHERE a.published IS NULL AND a.event_day IS NOT NULL ORDER BY a.id"
        ).fetchall()


def test_the_stored_day_is_the_day_stories_place_by(archive: Path) -> None:
    inferred = _inferred(archive)
    assert len(inferred) >= 5, "stories-dev holds undated re-posts whose leads give the day"
    assert all(day == placed for _, day, placed in inferred)


def test_list_and_search_find_an_undated_report_on_its_inferred_day(archive: Path) -> None:
    for article_id, day, _ in _inferred(archive):
        listed = _jsonl("list", "--since", day, "--until", day, "--db", archive, "-f", "jsonl")
        row = next((r for r in listed if r["id"] == article_id), None)
        assert row is not None, (article_id, day)
        assert row["published"] is None and row["day"] == day and row["day_inferred"] is True
        title = next(r["title"] for r in listed if r["id"] == article_id)
        found = _jsonl("search", f'"{str(title)[:6]}"', "--since", day, "--until", day, "--db", archive, "-f", "jsonl")
        assert article_id in {r["id"] for r in found}, (article_id, title)
    table = invoke_newsdesk("list", "--db", archive)
    assert "(inferred)" in table.stdout


def test_stories_and_list_agree_on_a_window(archive: Path) -> None:
    """Every article `list` gives for a window is in a story `stories` gives for it, and no story without
    any day (undated reports whose leads give none) is in any window."""
    for since, until in [("2022-02-25", "2022-02-28"), ("2022-04-26", "2022-04-30"), ("2022-05-19", "2022-05-27")]:
        listed = {r["id"] for r in _jsonl("list", "--since", since, "--until", until, "--db", archive, "-f", "jsonl")}
        stories = _jsonl("stories", "--since", since, "--until", until, "--db", archive, "-f", "jsonl")
        in_stories = {a["id"] for s in stories for a in s["articles"]}  # type: ignore[attr-defined]
        assert listed and listed <= in_stories, (since, until, listed - in_stories)
        assert all(s["start"] and s["end"] for s in stories)
        for story in stories:
            days = [(a["published"] and str(a["published"])[:10]) or a["day"] for a in story["articles"]]  # type: ignore[attr-defined]
            assert any(d and since <= d <= until for d in days), story["id"]


def test_stats_entity_and_story_timelines_count_the_inferred_day(archive: Path) -> None:
    article_id, day, _ = _inferred(archive)[0]
    with Archive(archive, read_only=True) as opened:
        outlet = opened.conn.execute("SELECT outlet FROM articles WHERE id=?", (article_id,)).fetchone()[0]
        entity_id = opened.conn.execute(
            "SELECT entity_id FROM mentions WHERE article_id=? AND entity_id NOT LIKE '%:%' ORDER BY count DESC",
            (article_id,),
        ).fetchone()[0]
    stats = _jsonl("stats", "--db", archive, "-f", "jsonl")
    row = next(r for r in stats if r["outlet"] == (outlet or "(unknown)") and r["month"] == day[:7])
    assert int(row["inferred"]) >= 1  # type: ignore[call-overload]

    report = _jsonl("entity", entity_id, "--db", archive, "-f", "jsonl")[0]
    months = report["mentions"]
    assert any(m["month"] == day[:7] and m["inferred"] >= 1 for m in months)  # type: ignore[union-attr,index]

    story = next(s for s in _jsonl("stories", "--db", archive, "-f", "jsonl")
                 if article_id in {a["id"] for a in s["articles"]})  # type: ignore[attr-defined]
    shown = next(a for a in story["articles"] if a["id"] == article_id)  # type: ignore[attr-defined]
    assert shown["day"] == day and shown["day_inferred"] is True
    timeline = invoke_newsdesk("story", str(story["id"]), "--db", archive)
    assert f"{day} (inferred)" in timeline.stdout


def test_an_older_archive_gets_its_event_days(archive: Path, tmp_path: Path) -> None:
    """The migration fills every article's event day and dates undated articles' search facets with it."""
    old = tmp_path / "old.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(old) as copy:
        source.backup(copy)
    with sqlite3.connect(old) as conn:
        expected = conn.execute("SELECT id, event_day FROM articles ORDER BY id").fetchall()
        facets = conn.execute("SELECT rowid, facets FROM article_fts ORDER BY rowid").fetchall()
        # As an older newsdesk indexed them: an undated article had no date facets.
        for seq, outlet in conn.execute("SELECT seq, outlet FROM articles WHERE published IS NULL").fetchall():
            conn.execute("UPDATE article_fts SET facets=? WHERE rowid=?", (facet_tokens(outlet, None), seq))
        # What later migrations made on the column goes with it (they run again after this one).
        for kind, name in conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql LIKE '%event_day%'"
        ).fetchall():
            conn.execute(f"DROP {kind.upper()} {name}")
        conn.execute("ALTER TABLE articles DROP COLUMN event_day")
        # The version before the event-day migration, wherever it stands among the migrations after it.
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_aliases_and_event_days)}")
    with Archive(old) as opened:
        assert opened.conn.execute("SELECT id, event_day FROM articles ORDER BY id").fetchall() == expected
    doctor = invoke_newsdesk("doctor", "--db", old)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    with sqlite3.connect(old) as conn:
        undated = {seq for (seq,) in conn.execute("SELECT seq FROM articles WHERE published IS NULL AND event_day IS NOT NULL")}
        refaceted = dict(conn.execute("SELECT rowid, facets FROM article_fts").fetchall())
    assert all(refaceted[rowid] == text for rowid, text in facets if rowid in undated)


OWN = Path(__file__).resolve().parent.parent / "bench" / "data" / "stories-own" / "captures"


def test_an_older_archive_dates_undated_articles_by_their_address(tmp_path: Path) -> None:
    """An undated capture whose original address states its day (RFA's `…-07172020100549.html`), stored by a
    newsdesk that did not read addresses: the migration gives it that day and the date facet that goes with it."""
    from newsdesk.archive.schema import _event_days_from_addresses

    db = tmp_path / "a.db"
    done = invoke_newsdesk("ingest", OWN / "oped2_rfa_1048348.md", "--db", db)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        seq, outlet, published, day = conn.execute("SELECT seq, outlet, published, event_day FROM articles").fetchone()
        assert (published, day) == (None, "2020-07-17")
        # As the older newsdesk left it: no day, no date facet.
        conn.execute("UPDATE articles SET event_day=NULL WHERE seq=?", (seq,))
        conn.execute("UPDATE article_fts SET facets=? WHERE rowid=?", (facet_tokens(outlet, None), seq))
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_event_days_from_addresses)}")
    with Archive(db) as opened:
        assert opened.conn.execute("SELECT event_day FROM articles").fetchone() == ("2020-07-17",)
        assert opened.conn.execute("SELECT facets FROM article_fts WHERE rowid=?", (seq,)).fetchone() == (
            facet_tokens(outlet, "2020-07-17"),)
    listed = _jsonl("list", "--db", db, "--since", "2020-07-17", "--until", "2020-07-17", "--format", "jsonl")
    assert len(listed) == 1
