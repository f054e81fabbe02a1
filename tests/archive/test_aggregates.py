"""The entity aggregates (archive/schema.py: per entity, outlet and month or week, and per entity and story)
stay equal to a recount from mentions, articles, story_articles and stories through every path that writes
those rows: ingest (folding re-captures, a better capture replacing an article's text), `merge` of shards,
alias merge and undo, `stories --rebuild`, deletions and `doctor --repair`; and the migration counts an
archive made before them. Real captures, the commands a user runs (in process), real SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newsdesk.archive.schema import MIGRATIONS, _entity_aggregates, aggregate_differences
from newsdesk.archive.store import Archive
from tests.conftest import copy_archive
from tests.console import invoke_newsdesk

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
STORIES = REPO / "tests" / "data" / "stories-dev" / "captures"
VARIANTS = REPO / "bench" / "data" / "stories-own" / "variants"
AGGREGATES = ("entity_months", "entity_weeks", "entity_stories", "outlet_weeks")


def newsdesk(*args: str | Path) -> str:
    result = invoke_newsdesk(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_exact(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        assert aggregate_differences(conn) == dict.fromkeys(AGGREGATES, 0)
        # Not vacuously: the archive names entities in stories.
        for table in AGGREGATES:
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0, table


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and the stories-dev reports in one ingest, then the re-reported variants in a second one
    (they fold into articles already placed, and a better capture unplaces its article)."""
    folder = tmp_path_factory.mktemp("aggregates")
    db = folder / "a.db"
    newsdesk("ingest", EXAMPLES, STORIES, "--db", db)
    newsdesk("ingest", VARIANTS, "--db", db)
    return db


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    return copy_archive(built, tmp_path / "a.db")


def test_ingests_keep_the_aggregates_exact(built: Path) -> None:
    assert_exact(built)
    with sqlite3.connect(built) as conn:
        # The second ingest folded captures into articles already placed.
        assert conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0] > conn.execute(
            "SELECT COUNT(*) FROM articles").fetchone()[0]


def test_alias_merge_and_undo_keep_them_exact(db: Path) -> None:
    newsdesk("alias", "add", "普京", "拉夫罗夫", "--merge", "--db", db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM entity_stories WHERE entity_id='sergey-lavrov'").fetchone()[0] == 0
    assert_exact(db)
    newsdesk("alias", "undo", "--db", db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM entity_stories WHERE entity_id='sergey-lavrov'").fetchone()[0] > 0
    assert_exact(db)


def test_rebuilding_the_stories_keeps_them_exact(db: Path) -> None:
    newsdesk("stories", "--rebuild", "--db", db)
    assert_exact(db)


def test_deletions_and_doctor_repair_keep_them_exact(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        # A story deleted under its reports, an article deleted under its mentions and story place (orphans,
        # as a crash or a hand edit leaves them), an article's outlet and day changed in place.
        story_id = conn.execute("SELECT story_id FROM story_articles GROUP BY story_id ORDER BY COUNT(*) DESC").fetchone()[0]
        conn.execute("DELETE FROM stories WHERE id=?", (story_id,))
        article_id = conn.execute(
            "SELECT article_id FROM mentions GROUP BY article_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
        seq = conn.execute("SELECT seq FROM articles WHERE id=?", (article_id,)).fetchone()[0]
        conn.execute("PRAGMA foreign_keys=OFF")
        for table in ("captures", "publications", "revisions", "signatures", "lsh_bands", "quotes", "quote_scans"):
            conn.execute(f"DELETE FROM {table} WHERE article_id=?", (article_id,))
        conn.execute("DELETE FROM article_fts WHERE rowid=?", (seq,))
        conn.execute("DELETE FROM articles WHERE id=?", (article_id,))
        conn.execute("UPDATE articles SET outlet='另一家', event_day='2019-12-30', published=NULL"
                     " WHERE id=(SELECT article_id FROM mentions ORDER BY article_id LIMIT 1)")
    assert_exact(db)
    result = invoke_newsdesk("doctor", "--repair", "--db", db)
    assert "orphan" in result.stdout, result.stdout + result.stderr
    assert_exact(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM mentions WHERE article_id=?", (article_id,)).fetchone()[0] == 0


def test_merging_shards_keeps_them_exact(tmp_path: Path) -> None:
    from newsdesk.archive.shards import plan, write_shard
    from newsdesk.extract.pipeline import ExtractOptions

    shards = tmp_path / "shards"
    options = ExtractOptions()
    for unit in plan([EXAMPLES, STORIES, VARIANTS], options):
        write_shard(unit, shards, options)
    db = tmp_path / "merged.db"
    newsdesk("ingest", EXAMPLES, "--db", db)
    newsdesk("merge", shards, "--db", db)
    assert_exact(db)


def test_the_migration_counts_an_archive_made_before_it(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        expected = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in AGGREGATES}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        for table in AGGREGATES:
            conn.execute(f"DROP TABLE {table}")
        # Back to just before this migration (those after it, idempotent too, run again).
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_entity_aggregates)}")
        # Written before the migration: counted by its backfill, kept by its triggers afterwards.
        conn.execute("DELETE FROM mentions WHERE article_id = (SELECT MIN(article_id) FROM mentions)")
    with Archive(db) as archive:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert_exact(db)
    with sqlite3.connect(db) as conn:
        assert {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in AGGREGATES} != expected
    # Idempotent: run again over what it made, it changes nothing.
    with sqlite3.connect(db) as conn:
        before = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in AGGREGATES}
        conn.execute("BEGIN")
        _entity_aggregates(conn)
        conn.execute("COMMIT")
        assert {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in AGGREGATES} == before
