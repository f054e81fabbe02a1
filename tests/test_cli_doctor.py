"""`newsdesk doctor [--repair]` on real archives of the bundled examples damaged with SQL (and, in a copy,
with bytes written over a page). The checks run in process; the one-line errors and the full disk go
through the installed console script, as a user meets them."""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.archive.helpers import fts_is_sound
from tests.console import EXAMPLES, NEWSDESK, environment, invoke_newsdesk, needs_console_script, run_newsdesk

pytestmark = needs_console_script


def newsdesk(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return invoke_newsdesk(*args)


def doctor(db: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    run = newsdesk("doctor", "--db", db, "--format", "jsonl", *args)
    assert "Traceback" not in run.stderr, run.stderr
    return run.returncode, [json.loads(line) for line in run.stdout.splitlines()], run.stderr


def problems(findings: list[dict[str, Any]]) -> list[str]:
    return [f"{f['check']}: {f['detail']}" for f in findings if f["status"] == "problem"]


def sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def count(db: Path, query: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("doctor") / "examples.db"
    run = newsdesk("ingest", EXAMPLES, "--db", db)
    assert run.returncode == 0, run.stderr
    # Everything in the main file, so a copy of it is the whole archive.
    sql(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def db(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "news.db"
    shutil.copyfile(pristine, copy)
    return copy


def test_a_healthy_archive_passes_every_check(db: Path) -> None:
    code, findings, stderr = doctor(db)
    assert code == 0, findings
    assert {f["check"] for f in findings} >= {"integrity", "schema", "foreign keys", "full-text index", "orphans",
                                              "aggregates", "wal"}
    assert problems(findings) == []
    assert "healthy" in stderr
    table = newsdesk("doctor", "--db", db)
    assert table.returncode == 0 and "in sync: 5 articles" in table.stdout, table.stdout


def test_repair_puts_the_index_and_link_rows_right_without_losing_an_article(db: Path) -> None:
    articles, captures = count(db, "SELECT COUNT(*) FROM articles"), count(db, "SELECT COUNT(*) FROM captures")
    lost_seq, lost_title = sqlite3.connect(db).execute("SELECT seq, title FROM articles ORDER BY seq LIMIT 1").fetchone()
    sql(
        db,
        # One article drops out of the full-text index, a row of no article comes in, one is edited behind its article's back.
        f"DELETE FROM article_fts WHERE rowid={lost_seq}",
        "INSERT INTO article_fts(rowid, title, body, facets) VALUES (999, 'gone', 'gone', '')",
        "UPDATE article_fts SET title='other' WHERE rowid=(SELECT MAX(seq) FROM articles)",
        # The index's own bookkeeping disagrees with its text.
        "DELETE FROM article_fts_docsize WHERE id=(SELECT MIN(rowid) FROM article_fts_docsize WHERE id != 999)",
        "INSERT INTO mentions(article_id, entity_id, count) VALUES ('no-such-article', 'vladimir-putin', 1)",
        "INSERT INTO story_articles(article_id, story_id, score, vector) VALUES ('no-such-article', 'no-story', 1, '{}')",
        "INSERT INTO story_terms(term, story_id) VALUES ('普京', 'no-story')",
        "INSERT INTO lsh_bands(band, key, article_id) VALUES (1, 2, 'no-such-article')",
        "INSERT INTO revisions(article_id, number, signature, first_capture) VALUES ('no-such-article', 1, x'00', 1)",
        "INSERT INTO stories(id, label, size, centroid) VALUES ('empty-story', 'nothing', 0, '{}')",
    )
    assert newsdesk("search", lost_title, "--db", db, "--format", "jsonl").stdout == ""

    code, findings, _ = doctor(db)
    assert code == 1
    found = "\n".join(problems(findings))
    for expected in ("integrity-check", "1 articles are missing from the index", "1 index rows belong to no article",
                     "1 index rows hold another title", "1 entity mentions", "story places of articles that are gone",
                     "story terms of stories", "near-duplicate index rows", "revisions of articles", "stories without articles"):
        assert expected in found, (expected, found)

    code, findings, stderr = doctor(db, "--repair")
    assert code == 0, (problems(findings), stderr)
    fixed = "\n".join(f["detail"] for f in findings if f["status"] == "fixed")
    assert "rebuilt the full-text index" in fixed and "indexed 1 articles" in fixed and "deleted 1 mentions rows" in fixed
    backup = Path(stderr.split("backup of the archive before repair: ")[1].split()[0])
    assert backup.parent == db.parent and count(backup, "SELECT COUNT(*) FROM mentions WHERE article_id='no-such-article'") == 1

    assert doctor(db)[0] == 0
    assert fts_is_sound(db)
    assert count(db, "SELECT COUNT(*) FROM articles") == articles
    assert count(db, "SELECT COUNT(*) FROM captures") == captures
    found_again = newsdesk("search", lost_title, "--db", db, "--format", "jsonl")
    assert lost_title in found_again.stdout, found_again.stdout


def test_aggregates_that_differ_from_a_recount_are_reported_and_counted_again(db: Path) -> None:
    stories = count(db, "SELECT COUNT(*) FROM entity_stories WHERE story_id = (SELECT MIN(story_id) FROM entity_stories)")
    assert stories > 0
    sql(
        db,
        # Writes that bypass the triggers keeping the counts: a count off by one, rows gone, a row of nothing.
        "UPDATE entity_months SET articles = articles + 1"
        " WHERE (entity_id, month, outlet) = (SELECT entity_id, month, outlet FROM entity_months LIMIT 1)",
        "DELETE FROM entity_stories WHERE story_id = (SELECT MIN(story_id) FROM entity_stories)",
        "INSERT INTO outlet_weeks(week, outlet, articles) VALUES ('1999-01-04', 'nowhere', 3)",
    )
    code, findings, _ = doctor(db)
    assert code == 1
    found = [p for p in problems(findings) if p.startswith("aggregates: ")]
    # An edited row is one row too many and one missing, in the recount's eyes.
    assert found == [
        "aggregates: 2 rows of entity_months differ from a recount of the articles, mentions and stories (repair counts"
        " the table again)",
        f"aggregates: {stories} rows of entity_stories differ from a recount of the articles, mentions and stories"
        " (repair counts the table again)",
        "aggregates: 1 rows of outlet_weeks differ from a recount of the articles, mentions and stories (repair counts"
        " the table again)",
    ], found

    code, findings, stderr = doctor(db, "--repair")
    assert code == 0, (problems(findings), stderr)
    fixed = [f["detail"] for f in findings if f["status"] == "fixed"]
    assert [f for f in fixed if f.startswith("counted ")] == [
        "counted entity_months again from the articles, mentions and stories (2 rows differed)",
        f"counted entity_stories again from the articles, mentions and stories ({stories} rows differed)",
        "counted outlet_weeks again from the articles, mentions and stories (1 rows differed)",
    ]
    code, findings, _ = doctor(db)
    assert code == 0 and [f["status"] for f in findings if f["check"] == "aggregates"] == ["ok"]
    assert count(db, "SELECT COUNT(*) FROM outlet_weeks WHERE outlet = 'nowhere'") == 0
    assert count(db, "SELECT COUNT(*) FROM entity_stories") > 0


def test_a_capture_without_its_article_is_reported_and_kept(db: Path) -> None:
    sql(db, "UPDATE captures SET article_id='gone' WHERE seq=(SELECT MAX(seq) FROM captures)")
    before = digest(db)
    code, findings, _ = doctor(db)
    assert code == 1
    assert any("captures belong to no article" in p for p in problems(findings)), findings
    code, findings, stderr = doctor(db, "--repair")
    assert code == 1 and "nothing was changed" in stderr, stderr
    assert digest(db) == before and not list(db.parent.glob("*.before-repair-*"))


def test_a_damaged_page_is_reported_and_the_archive_left_alone(db: Path) -> None:
    page_size, root = sqlite3.connect(db).execute(
        "SELECT (SELECT page_size FROM pragma_page_size), rootpage FROM sqlite_master WHERE name='captures'"
    ).fetchone()
    with db.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(bytes(range(256)) * (page_size // 256))
    before = digest(db)
    code, findings, _ = doctor(db)
    assert code == 1 and any(p.startswith("integrity:") for p in problems(findings)), findings
    code, _, stderr = doctor(db, "--repair")
    assert code == 1 and "not repaired" in stderr and ".recover" in stderr, stderr
    assert digest(db) == before and not list(db.parent.glob("*.before-repair-*"))


def test_an_older_schema_is_migrated_and_a_newer_one_left_alone(db: Path) -> None:
    sql(db, "PRAGMA user_version = 4")
    code, findings, _ = doctor(db)
    assert code == 1 and any("older than this newsdesk" in p for p in problems(findings)), findings
    code, findings, stderr = doctor(db, "--repair")
    assert code == 0 and any("migrated the schema from version 4" in f["detail"] for f in findings), stderr
    sql(db, "PRAGMA user_version = 99")
    before = digest(db)
    code, findings, stderr = doctor(db, "--repair")
    assert code == 1 and any("upgrade newsdesk" in p for p in problems(findings)), findings
    assert digest(db) == before


def test_a_rollback_journal_is_set_back_to_wal(db: Path) -> None:
    sql(db, "PRAGMA journal_mode = DELETE")
    code, findings, _ = doctor(db)
    assert code == 1 and any(p.startswith("wal:") for p in problems(findings)), findings
    assert doctor(db, "--repair")[0] == 0
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_foreign_database_or_no_file_is_a_one_line_error(tmp_path: Path) -> None:
    foreign = tmp_path / "other.db"
    sql(foreign, "CREATE TABLE notes (x)")
    for target, words in ((foreign, "not a newsdesk archive"), (tmp_path / "missing.db", "no archive")):
        run = run_newsdesk("doctor", "--db", target, "--repair")
        assert run.returncode == 2 and words in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert not (tmp_path / "missing.db").exists()


def test_checking_while_another_process_writes_does_not_wait_for_it(db: Path) -> None:
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO failures(sha256, path, error) VALUES ('x', 'x', 'x')")
        code, findings, _ = doctor(db)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert code == 0, problems(findings)
    assert any("another newsdesk process is writing" in f["detail"] for f in findings if f["status"] == "note"), findings


def test_rows_of_a_table_doctor_does_not_know_are_reported_never_deleted(db: Path) -> None:
    # As a newer feature's table would be (a reader's notes on articles, say).
    sql(db, "CREATE TABLE annotations (article_id TEXT NOT NULL, note TEXT)",
        "INSERT INTO annotations SELECT id, outlet FROM articles",
        "INSERT INTO annotations VALUES ('no-such-article', 'x')")
    code, findings, _ = doctor(db)
    assert code == 1 and any("1 rows of annotations name articles that are gone" in p for p in problems(findings))
    assert doctor(db, "--repair")[0] == 1
    assert count(db, "SELECT COUNT(*) FROM annotations") == 6


def test_publications_are_recomputed_from_captures_and_orphans_removed(db: Path) -> None:
    before = count(db, "SELECT COUNT(*) FROM publications")
    assert before >= 5
    sql(db, "DELETE FROM publications WHERE article_id = (SELECT MIN(id) FROM articles)",
        "INSERT INTO publications(id, article_id, outlet) VALUES ('p-gone', 'no-such-article', 'x')")
    code, findings, _ = doctor(db)
    found = problems(findings)
    assert code == 1
    assert any("1 publications of articles that are gone" in p for p in found), found
    assert any("1 articles have captures no publication holds" in p for p in found), found
    code, findings, _ = doctor(db, "--repair")
    assert code == 0, problems(findings)
    assert any("recomputed the publications of 1 articles" in f["detail"] for f in findings if f["status"] == "fixed")
    assert count(db, "SELECT COUNT(*) FROM publications") == before
    assert count(db, "SELECT COUNT(*) FROM captures WHERE publication_id NOT IN (SELECT id FROM publications)") == 0


def test_a_backup_that_cannot_be_written_stops_the_repair_before_it_changes_anything(db: Path) -> None:
    sql(db, "DELETE FROM article_fts WHERE rowid=(SELECT MIN(seq) FROM articles)")
    before = digest(db)
    # A file size limit below the archive's size stands in for a full disk.
    run = subprocess.run(
        [NEWSDESK, "doctor", "--repair", "--db", str(db)], capture_output=True, text=True, timeout=300, env=environment(),
        check=False, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024)),
    )
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.returncode == 2 and len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert digest(db) == before
    assert [p.name for p in db.parent.iterdir() if "before-repair" in p.name] == []
