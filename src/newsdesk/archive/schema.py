"""The archive's SQLite schema, as numbered migrations (recorded in `PRAGMA user_version`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from newsdesk.archive.fold import band_keys, body_text, identity_key, signature, signature_bytes
from newsdesk.archive.text import facet_tokens, fts_row


def _reindex_with_facets(conn: sqlite3.Connection) -> None:
    """3: the full-text index gains a `facets` column (outlet and date tokens, so filters are part
    of the MATCH) and bigram text gains the first character of a CJK run after digits or Latin
    (`39楼` as a phrase, not a prefix); every article is indexed again."""
    row = conn.execute("SELECT value FROM meta WHERE key='tokenizer'").fetchone()
    tokenizer = row[0] if row else "bigram"
    conn.execute("DROP TABLE article_fts")
    conn.execute(FTS_TABLE)
    rows = conn.execute("SELECT seq, title, body, outlet, published FROM articles ORDER BY seq")
    conn.executemany(
        "INSERT INTO article_fts(rowid, title, body, facets) VALUES (?,?,?,?)",
        ((seq, *fts_row(title, json.loads(body), outlet, published, tokenizer)) for seq, title, body, outlet, published in rows),
    )


def _capture_url_keys(conn: sqlite3.Connection) -> None:
    """5: every capture records the identity key of the original it names (None for none, or for a
    home, section, feed or listing page), so folding compares a capture with the originals of all
    of an article's captures; `articles.url_key` becomes the first of them, never a trivial address.
    Articles that were folded on a trivial address before stay folded: re-ingest into a new archive
    to split them."""
    # An archive whose version was set back by hand may have the column already.
    if "url_key" not in {row[1] for row in conn.execute("PRAGMA table_info(captures)")}:
        conn.execute("ALTER TABLE captures ADD COLUMN url_key TEXT")
    conn.execute("CREATE INDEX IF NOT EXISTS captures_url_key ON captures(url_key)")
    # Only the address leaves SQLite: the records hold whole bodies.
    rows = conn.execute("SELECT seq, json_extract(record, '$.original_url') FROM captures").fetchall()
    conn.executemany("UPDATE captures SET url_key=? WHERE seq=?", ((identity_key(url), seq) for seq, url in rows))
    conn.execute(
        "UPDATE articles SET url_key = (SELECT c.url_key FROM captures c WHERE c.article_id = articles.id"
        " AND c.url_key IS NOT NULL ORDER BY c.seq LIMIT 1)"
    )


def _publications(conn: sqlite3.Connection) -> None:
    """6: publications, one outlet's address of an article (re-captures and editions of that
    address fold into it; see archive/publications.py), and each capture's publication. Every
    article's publications are derived from its captures. Each capture keeps its MinHash signature
    and is indexed in the LSH bands (they held one entry per revision). Articles are not folded again: texts an
    earlier schema kept apart because they named different addresses stay apart (re-ingest into a
    new archive to fold re-posts and wire copies into one article)."""
    from newsdesk.archive.publications import rebuild

    conn.execute(PUBLICATIONS_TABLE)
    conn.execute("CREATE INDEX IF NOT EXISTS publications_article ON publications(article_id)")
    conn.execute("CREATE INDEX IF NOT EXISTS publications_outlet ON publications(outlet)")
    if "publication_id" not in {row[1] for row in conn.execute("PRAGMA table_info(captures)")}:
        conn.execute("ALTER TABLE captures ADD COLUMN publication_id TEXT")
    conn.execute("CREATE INDEX IF NOT EXISTS captures_publication ON captures(publication_id)")
    for (article_id,) in conn.execute("SELECT id FROM articles ORDER BY seq").fetchall():
        rebuild(conn, article_id)
    # Every capture's signature, and LSH bands for each capture instead of one per revision: a new
    # capture is compared with each capture of an article.
    if "minhash" not in {row[1] for row in conn.execute("PRAGMA table_info(captures)")}:
        conn.execute("ALTER TABLE captures ADD COLUMN minhash BLOB")
    from newsdesk.model import Article

    conn.execute("DELETE FROM lsh_bands")
    # A page at a time (`_paged`): reading every record at once took 4.7 GB for 7,601 captures of long pages.
    query = "SELECT seq, article_id, record FROM captures WHERE seq > ? ORDER BY seq LIMIT ?"
    for seq, article_id, record in _paged(conn, query):
        minhash = signature(body_text(Article.from_record(json.loads(record))))
        conn.execute("UPDATE captures SET minhash=? WHERE seq=?", (signature_bytes(minhash), seq))
        conn.executemany(
            "INSERT INTO lsh_bands(band, key, article_id) VALUES (?,?,?)",
            [(band, key, article_id) for band, key in band_keys(minhash)],
        )


def _quotes(conn: sqlite3.Connection) -> None:
    """Quotes (who said what, analysis/quotes.py): each article's attributed statements with their
    speaker (as printed, folded for lookup, and the entity it resolves to), and which capture each
    article's quotes were read from (an article whose best capture changes is read again). Filled
    as `ingest` places articles, or by the next reading command."""
    for statement in _statements(QUOTES_TABLES):
        conn.execute(statement)


QUOTES_TABLES = """
CREATE TABLE IF NOT EXISTS quotes (
    article_id TEXT NOT NULL REFERENCES articles(id), n INTEGER NOT NULL, block INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, speaker TEXT NOT NULL, speaker_key TEXT NOT NULL,
    entity_id TEXT, via TEXT, kind TEXT NOT NULL, cue TEXT NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (article_id, n)
);
CREATE INDEX IF NOT EXISTS quotes_speaker_key ON quotes(speaker_key);
CREATE INDEX IF NOT EXISTS quotes_entity ON quotes(entity_id);
CREATE TABLE IF NOT EXISTS quote_scans (article_id TEXT PRIMARY KEY REFERENCES articles(id), best_capture INTEGER);
"""

def _aliases_and_event_days(conn: sqlite3.Connection) -> None:
    """Entities and days (issue 12).

    The log of `newsdesk alias add`: what each alias changed (the entities a merge made one, and
    their mentions as they were), so `alias remove`/`alias undo` can put it back; and the learned
    aliases refused because they would have merged two known entities.

    Each article's event day (`articles.event_day`): its publication day or, undated, the day its lead
    gives (analysis/stories.py `event_day`, the day stories place it by), which `list --since/--until`,
    `search`'s date facets, `stats` and the entity and story timelines use. Aliases added
    before it have no log: removing one drops the alias, but a merge it made stays."""
    conn.execute(
        """CREATE TABLE IF NOT EXISTS alias_log (
            seq INTEGER PRIMARY KEY,
            name TEXT NOT NULL, alias TEXT NOT NULL,
            entity_id TEXT NOT NULL, merged_id TEXT, created INTEGER NOT NULL DEFAULT 0,
            entity_before TEXT, merged_before TEXT, mentions_before TEXT,
            added_at TEXT NOT NULL, undone_at TEXT
        )"""
    )
    # Name pairs articles printed that were not learned because they name two known entities.
    conn.execute(
        "CREATE TABLE IF NOT EXISTS alias_refused (text TEXT PRIMARY KEY, entities TEXT NOT NULL, seen INTEGER NOT NULL)"
    )
    if "event_day" not in {row[1] for row in conn.execute("PRAGMA table_info(articles)")}:
        conn.execute("ALTER TABLE articles ADD COLUMN event_day TEXT")
    conn.execute("CREATE INDEX IF NOT EXISTS articles_event_day ON articles(event_day)")
    from newsdesk.analysis.stories import event_day
    from newsdesk.model import Article, Image

    for seq, title, published, outlet, body, images in _paged(
        conn, "SELECT seq, title, published, outlet, body, images FROM articles WHERE seq > ? ORDER BY seq LIMIT ?"
    ):
        article = Article(file="", title=title, published=published, body=json.loads(body),
                          images=[Image(**i) for i in json.loads(images)])
        day = event_day(article)
        conn.execute("UPDATE articles SET event_day=? WHERE seq=?", (day and day.isoformat(), seq))
        if published is None and day is not None:
            # The undated article's inferred day becomes its date facet, as `list` filters by it.
            conn.execute("UPDATE article_fts SET facets=? WHERE rowid=?", (facet_tokens(outlet, day.isoformat()), seq))


def _event_days_from_addresses(conn: sqlite3.Connection) -> None:
    """An undated article's event day as its address gives it (issue 12, branch stories4): `event_day` reads
    the outlet's date from `original_url` (`/2020/07/14/`, `20200714`, a US-ordered stamp) before the lead's,
    and its month dates a lead's month-day. Undated articles stored before read no address: their day (and
    date facet) is made again; the rest are left alone. Idempotent (the same day comes out twice)."""
    from newsdesk.analysis.stories import event_day
    from newsdesk.model import Article, Image

    if "event_day" not in {row[1] for row in conn.execute("PRAGMA table_info(articles)")}:
        return
    for seq, title, outlet, url, body, images, stored in _paged(
        conn,
        "SELECT seq, title, outlet, original_url, body, images, event_day FROM articles"
        " WHERE seq > ? AND published IS NULL AND original_url IS NOT NULL ORDER BY seq LIMIT ?",
    ):
        article = Article(file="", title=title, original_url=url, body=json.loads(body),
                          images=[Image(**i) for i in json.loads(images)])
        day = event_day(article)
        iso = day and day.isoformat()
        if iso != stored:
            conn.execute("UPDATE articles SET event_day=? WHERE seq=?", (iso, seq))
            conn.execute("UPDATE article_fts SET facets=? WHERE rowid=?", (facet_tokens(outlet, iso), seq))


def _entity_aggregates(conn: sqlite3.Connection) -> None:
    """Per-entity counts the entity and story pages read instead of every mention (issue 11):
    articles and mentions per (entity, outlet, month) and articles per (entity, outlet, week) by
    each article's event day, per (entity, story) with the story's start, and every outlet's articles per
    week (the attention shares' denominators). SQLite triggers on mentions, story_articles, articles and
    stories keep them exact whatever writes those rows (ingest, merge, alias merge and undo, `stories
    --rebuild`, deletions, `doctor --repair`); existing archives are counted once here (about two minutes
    for 100,000 articles). Three indexes: mentions by (entity, article), for a uniform sample of an entity's
    articles; articles by (outlet, event day), and by seq with outlet and event day (search facets)."""
    for statement in _statements(AGGREGATE_TABLES):
        conn.execute(statement)
    for statement in AGGREGATE_TRIGGERS:
        conn.execute(statement)
    for table in AGGREGATE_RECOUNTS:
        recount_aggregate(conn, table)


# An outlet or a day the article lacks is stored as '' (a key column cannot be NULL and still conflict).
_MONTH = "COALESCE(substr({a}.event_day, 1, 7), '')"
# Monday of the event day's week (SQLite: to the next Sunday, or that day if one, less 6 days).
_WEEK_OF = "date(substr({a}.event_day, 1, 10), 'weekday 0', '-6 days')"
_INFERRED = "({a}.published IS NULL AND {a}.event_day IS NOT NULL)"

AGGREGATE_TABLES = """
CREATE TABLE IF NOT EXISTS entity_months (
    entity_id TEXT NOT NULL, outlet TEXT NOT NULL, month TEXT NOT NULL,
    articles INTEGER NOT NULL, mentions INTEGER NOT NULL, inferred INTEGER NOT NULL,
    PRIMARY KEY (entity_id, month, outlet)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entity_weeks (
    entity_id TEXT NOT NULL, week TEXT NOT NULL, outlet TEXT NOT NULL, articles INTEGER NOT NULL,
    PRIMARY KEY (entity_id, week, outlet)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entity_stories (
    entity_id TEXT NOT NULL, story_id TEXT NOT NULL, start TEXT,
    articles INTEGER NOT NULL, mentions INTEGER NOT NULL,
    PRIMARY KEY (entity_id, story_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_stories_start ON entity_stories(entity_id, start, story_id);
CREATE INDEX IF NOT EXISTS entity_stories_story ON entity_stories(story_id);
CREATE TABLE IF NOT EXISTS outlet_weeks (
    week TEXT NOT NULL, outlet TEXT NOT NULL, articles INTEGER NOT NULL, PRIMARY KEY (week, outlet)
) WITHOUT ROWID;
-- An entity's articles in id order (a uniform sample of them: ids are hashes) without reading its mention rows.
CREATE INDEX IF NOT EXISTS mentions_entity_article ON mentions(entity_id, article_id);
-- Articles per outlet and month by event day (the outlet comparison) from the index alone; and a search's
-- matches counted per outlet and month by looking each up in a narrow index, not in the rows (bodies).
CREATE INDEX IF NOT EXISTS articles_outlet_event_day ON articles(outlet, event_day);
CREATE INDEX IF NOT EXISTS articles_facets ON articles(seq, outlet, event_day);
"""

# What the aggregates hold, counted from the base tables: the migration's backfill, and what the tests
# compare the kept counts with.
ENTITY_MONTHS_RECOUNT = (
    "SELECT m.entity_id, COALESCE(a.outlet, ''), " + _MONTH.format(a="a") + ", COUNT(*), SUM(m.count), SUM("
    + _INFERRED.format(a="a") + ") FROM mentions m JOIN articles a ON a.id = m.article_id GROUP BY 1, 2, 3"
)
ENTITY_WEEKS_RECOUNT = (
    "SELECT m.entity_id, " + _WEEK_OF.format(a="a") + " AS wk, COALESCE(a.outlet, ''), COUNT(*) FROM mentions m"
    " JOIN articles a ON a.id = m.article_id WHERE wk IS NOT NULL GROUP BY 1, 2, 3"
)
OUTLET_WEEKS_RECOUNT = (
    "SELECT " + _WEEK_OF.format(a="a") + " AS wk, COALESCE(a.outlet, ''), COUNT(*) FROM articles a"
    " WHERE wk IS NOT NULL GROUP BY 1, 2"
)
ENTITY_STORIES_RECOUNT = (
    "SELECT m.entity_id, sa.story_id, (SELECT s.start FROM stories s WHERE s.id = sa.story_id), COUNT(*), SUM(m.count)"
    " FROM mentions m JOIN story_articles sa ON sa.article_id = m.article_id GROUP BY 1, 2"
)


def _outlet_rows(mention: str, article: str) -> str:
    """The per-outlet aggregate keys of mention rows: of the mention `mention` (NEW or OLD) in its article, or,
    with `mention` None, of every mention of the article `article` (NEW or OLD of articles)."""
    a = "a" if mention else article
    m = mention or "m"
    source = (f"FROM articles a WHERE a.id = {mention}.article_id" if mention
              else f"FROM mentions m WHERE m.article_id = {article}.id")
    return (f"SELECT {m}.entity_id AS entity_id, COALESCE({a}.outlet, '') AS outlet, {_MONTH.format(a=a)} AS month,"
            f" {_WEEK_OF.format(a=a)} AS week, {m}.count AS n, {_INFERRED.format(a=a)} AS inferred {source}")


def _story_rows(mention: str | None, placed: str | None) -> str:
    """The (entity, story) keys of the mention `mention` (NEW or OLD) in its article's story, or of every
    mention of the story place `placed` (NEW or OLD of story_articles)."""
    if mention:
        return (f"SELECT {mention}.entity_id AS entity_id, sa.story_id AS story_id, {mention}.count AS n"
                f" FROM story_articles sa WHERE sa.article_id = {mention}.article_id")
    return (f"SELECT m.entity_id AS entity_id, {placed}.story_id AS story_id, m.count AS n"
            f" FROM mentions m WHERE m.article_id = {placed}.article_id")


def _add_outlets(rows: str) -> list[str]:
    return [
        "INSERT INTO entity_months(entity_id, outlet, month, articles, mentions, inferred)"
        f" SELECT entity_id, outlet, month, 1, n, inferred FROM ({rows}) WHERE true"
        " ON CONFLICT DO UPDATE SET articles = articles + 1, mentions = mentions + excluded.mentions,"
        " inferred = inferred + excluded.inferred",
        f"INSERT INTO entity_weeks(entity_id, week, outlet, articles) SELECT entity_id, week, outlet, 1 FROM ({rows})"
        " WHERE week IS NOT NULL ON CONFLICT DO UPDATE SET articles = articles + 1",
    ]


def _take_outlets(rows: str) -> list[str]:
    return [
        "UPDATE entity_months SET articles = articles - 1, mentions = mentions - x.n,"
        " inferred = entity_months.inferred - x.inferred"
        f" FROM ({rows}) x WHERE entity_months.entity_id = x.entity_id AND entity_months.outlet = x.outlet"
        " AND entity_months.month = x.month",
        f"DELETE FROM entity_months WHERE (entity_id, outlet, month) IN (SELECT entity_id, outlet, month FROM ({rows}))"
        " AND articles <= 0",
        f"UPDATE entity_weeks SET articles = articles - 1 FROM ({rows}) x WHERE entity_weeks.entity_id = x.entity_id"
        " AND entity_weeks.week = x.week AND entity_weeks.outlet = x.outlet",
        f"DELETE FROM entity_weeks WHERE (entity_id, week, outlet) IN (SELECT entity_id, week, outlet FROM ({rows}))"
        " AND articles <= 0",
    ]


def _add_stories(rows: str) -> list[str]:
    return [
        "INSERT INTO entity_stories(entity_id, story_id, start, articles, mentions) SELECT x.entity_id, x.story_id,"
        f" (SELECT s.start FROM stories s WHERE s.id = x.story_id), 1, x.n FROM ({rows}) x WHERE true"
        " ON CONFLICT DO UPDATE SET articles = articles + 1, mentions = mentions + excluded.mentions",
    ]


def _take_stories(rows: str) -> list[str]:
    return [
        f"UPDATE entity_stories SET articles = articles - 1, mentions = mentions - x.n FROM ({rows}) x"
        " WHERE entity_stories.entity_id = x.entity_id AND entity_stories.story_id = x.story_id",
        f"DELETE FROM entity_stories WHERE (entity_id, story_id) IN (SELECT entity_id, story_id FROM ({rows}))"
        " AND articles <= 0",
    ]


def _add_article(article: str) -> list[str]:
    """Every outlet's articles per week: the denominators of the entities' attention shares."""
    week = _WEEK_OF.format(a=article)
    return [f"INSERT INTO outlet_weeks(week, outlet, articles) SELECT {week}, COALESCE({article}.outlet, ''), 1"
            f" WHERE {week} IS NOT NULL ON CONFLICT DO UPDATE SET articles = articles + 1"]


def _take_article(article: str) -> list[str]:
    week = _WEEK_OF.format(a=article)
    key = f"week = {week} AND outlet = COALESCE({article}.outlet, '')"
    return [f"UPDATE outlet_weeks SET articles = articles - 1 WHERE {key}",
            f"DELETE FROM outlet_weeks WHERE {key} AND articles <= 0"]


def _trigger(name: str, when: str, body: list[str]) -> str:
    return f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN " + "; ".join(body) + "; END"


_ARTICLE_KEYS_CHANGED = ("OLD.id IS NOT NEW.id OR OLD.outlet IS NOT NEW.outlet OR OLD.event_day IS NOT NEW.event_day"
                         " OR OLD.published IS NOT NEW.published")

AGGREGATE_TRIGGERS = [
    _trigger("mentions_counted", "AFTER INSERT ON mentions",
             _add_outlets(_outlet_rows("NEW", "")) + _add_stories(_story_rows("NEW", None))),
    _trigger("mentions_uncounted", "AFTER DELETE ON mentions",
             _take_outlets(_outlet_rows("OLD", "")) + _take_stories(_story_rows("OLD", None))),
    _trigger("mentions_recounted", "AFTER UPDATE ON mentions",
             _take_outlets(_outlet_rows("OLD", "")) + _take_stories(_story_rows("OLD", None))
             + _add_outlets(_outlet_rows("NEW", "")) + _add_stories(_story_rows("NEW", None))),
    _trigger("story_articles_counted", "AFTER INSERT ON story_articles", _add_stories(_story_rows(None, "NEW"))),
    _trigger("story_articles_uncounted", "AFTER DELETE ON story_articles", _take_stories(_story_rows(None, "OLD"))),
    _trigger("story_articles_recounted",
             "AFTER UPDATE OF article_id, story_id ON story_articles"
             " WHEN OLD.article_id IS NOT NEW.article_id OR OLD.story_id IS NOT NEW.story_id",
             _take_stories(_story_rows(None, "OLD")) + _add_stories(_story_rows(None, "NEW"))),
    # An article's mentions count under its outlet and days while it exists (deleted first or last).
    _trigger("articles_counted", "AFTER INSERT ON articles",
             _add_outlets(_outlet_rows("", "NEW")) + _add_article("NEW")),
    _trigger("articles_uncounted", "BEFORE DELETE ON articles",
             _take_outlets(_outlet_rows("", "OLD")) + _take_article("OLD")),
    _trigger("articles_recounted", f"AFTER UPDATE ON articles WHEN {_ARTICLE_KEYS_CHANGED}",
             _take_outlets(_outlet_rows("", "OLD")) + _take_article("OLD")
             + _add_outlets(_outlet_rows("", "NEW")) + _add_article("NEW")),
    # The story's start, kept beside each of its entities (the entity page lists them by it).
    _trigger("stories_start_counted", "AFTER INSERT ON stories",
             ["UPDATE entity_stories SET start = NEW.start WHERE story_id = NEW.id"]),
    _trigger("stories_start_recounted",
             "AFTER UPDATE OF id, start ON stories WHEN OLD.id IS NOT NEW.id OR OLD.start IS NOT NEW.start",
             ["UPDATE entity_stories SET start = NULL WHERE story_id = OLD.id AND OLD.id IS NOT NEW.id",
              "UPDATE entity_stories SET start = NEW.start WHERE story_id = NEW.id"]),
    _trigger("stories_start_uncounted", "AFTER DELETE ON stories",
             ["UPDATE entity_stories SET start = NULL WHERE story_id = OLD.id"]),
]

# Captures a migration reads at once.
MIGRATION_PAGE = 200


def _paged(conn: sqlite3.Connection, query: str) -> Iterator[tuple[Any, ...]]:
    """The rows of `query`, read MIGRATION_PAGE at a time: its first column is `seq`, its parameters the last
    seq read and the page size. Migrations read captures and articles so: their rows hold whole bodies, and
    reading them all at once took memory in proportion to the archive."""
    last = 0
    while rows := conn.execute(query, (last, MIGRATION_PAGE)).fetchall():
        yield from rows
        last = rows[-1][0]

PUBLICATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS publications (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL REFERENCES articles(id),
    url_key TEXT, edition_key TEXT, outlet TEXT, url TEXT, published TEXT, first_captured TEXT,
    best_capture INTEGER
)"""

FTS_TABLE = "CREATE VIRTUAL TABLE article_fts USING fts5(title, body, facets, tokenize = 'unicode61 remove_diacritics 0')"

MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # 1: captures (provenance), articles (one per story as published), revisions, failures,
    #    MinHash signatures and LSH bands, full-text index.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url_key TEXT,
        title TEXT, published TEXT, outlet TEXT, authors TEXT NOT NULL, editor TEXT,
        original_url TEXT, body TEXT NOT NULL, images TEXT NOT NULL, tags TEXT NOT NULL,
        language TEXT, format TEXT,
        best_capture INTEGER, best_reason TEXT,
        revisions INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX articles_url_key ON articles(url_key);
    CREATE INDEX articles_outlet_published ON articles(outlet, published);
    CREATE INDEX articles_published ON articles(published);
    CREATE TABLE captures (
        seq INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        capture_url TEXT, captured_at TEXT,
        article_id TEXT NOT NULL REFERENCES articles(id),
        revision INTEGER NOT NULL,
        fold_reason TEXT NOT NULL,
        score REAL NOT NULL,
        score_reason TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX captures_article ON captures(article_id);
    CREATE TABLE revisions (
        article_id TEXT NOT NULL REFERENCES articles(id),
        number INTEGER NOT NULL,
        signature BLOB NOT NULL,
        first_capture INTEGER NOT NULL,
        PRIMARY KEY (article_id, number)
    );
    CREATE TABLE signatures (article_id TEXT PRIMARY KEY REFERENCES articles(id), minhash BLOB NOT NULL);
    CREATE TABLE lsh_bands (band INTEGER NOT NULL, key INTEGER NOT NULL, article_id TEXT NOT NULL);
    CREATE INDEX lsh_bands_key ON lsh_bands(band, key);
    CREATE TABLE failures (
        sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, error TEXT NOT NULL, capture_url TEXT
    );
    CREATE VIRTUAL TABLE article_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0');
    """,
    # 2: analysis: entities with their aliases, mentions per article, stories of events.
    """
    CREATE TABLE entities (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, en TEXT,
        aliases TEXT NOT NULL, roles TEXT NOT NULL, source TEXT NOT NULL
    );
    CREATE TABLE user_aliases (entity TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY (entity, alias));
    CREATE TABLE mentions (
        article_id TEXT NOT NULL REFERENCES articles(id), entity_id TEXT NOT NULL, count INTEGER NOT NULL,
        role TEXT, PRIMARY KEY (article_id, entity_id)
    );
    CREATE INDEX mentions_entity ON mentions(entity_id);
    CREATE TABLE stories (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, label TEXT, start TEXT, end TEXT,
        size INTEGER NOT NULL, centroid TEXT NOT NULL, title_people TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE story_articles (
        article_id TEXT PRIMARY KEY REFERENCES articles(id), story_id TEXT NOT NULL, score REAL NOT NULL
    );
    CREATE INDEX story_articles_story ON story_articles(story_id);
    CREATE TABLE story_terms (term TEXT NOT NULL, story_id TEXT NOT NULL);
    CREATE INDEX story_terms_term ON story_terms(term);
    CREATE TABLE term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
    """,
    _reindex_with_facets,
    # 4: stories are placed by their most similar report (each keeps its vector and event day), not
    #    a centroid; earlier placements are dropped so the next `newsdesk ingest`/`stories` places
    #    every article again. story_terms carries each story's start, indexed with the term, so
    #    the stories in an article's date window are found without reading every story of a common term.
    """
    DROP TABLE story_terms;
    DROP TABLE story_articles;
    DROP TABLE stories;
    DELETE FROM term_df;
    CREATE TABLE stories (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, label TEXT, start TEXT, end TEXT,
        size INTEGER NOT NULL, centroid TEXT NOT NULL
    );
    CREATE INDEX stories_start ON stories(start);
    CREATE TABLE story_articles (
        article_id TEXT PRIMARY KEY REFERENCES articles(id), story_id TEXT NOT NULL, score REAL NOT NULL,
        day TEXT, vector TEXT NOT NULL
    );
    CREATE INDEX story_articles_story ON story_articles(story_id);
    CREATE TABLE story_terms (term TEXT NOT NULL, story_id TEXT NOT NULL, start TEXT);
    CREATE INDEX story_terms_term_start ON story_terms(term, start);
    CREATE INDEX story_terms_story ON story_terms(story_id);
    """,
    _capture_url_keys,
    _publications,
    # Following feeds (archive/follow.py): the feeds and sitemaps followed (with the sitemaps an index
    # lists, `parent` naming it), what a conditional GET needs of each; every page they listed, where its
    # fetch stands (the queue a killed `fetch` resumes); the capture files (WARC) fetches wrote and
    # whether they have been ingested.
    """
    CREATE TABLE IF NOT EXISTS follows (
        url TEXT PRIMARY KEY, parent TEXT, added TEXT NOT NULL, kind TEXT,
        etag TEXT, last_modified TEXT, polled_at TEXT, status INTEGER, error TEXT
    );
    CREATE TABLE IF NOT EXISTS fetched_pages (
        url TEXT PRIMARY KEY, listing TEXT, listed_updated TEXT, discovered TEXT NOT NULL,
        state TEXT NOT NULL, final_url TEXT, status INTEGER, fetched_at TEXT,
        etag TEXT, last_modified TEXT, error TEXT, runs INTEGER NOT NULL DEFAULT 0,
        warc TEXT, warc_offset INTEGER, warc_end INTEGER
    );
    CREATE INDEX IF NOT EXISTS fetched_pages_state ON fetched_pages(state);
    CREATE TABLE IF NOT EXISTS fetch_files (path TEXT PRIMARY KEY, created TEXT NOT NULL, ingested TEXT);
    """,
    _quotes,
    _aliases_and_event_days,
    # Stories are placed again from the first day new reports bring (analysis/stories.py): the reports
    # placed on or after a day are found through this index, not by reading every placement.
    "CREATE INDEX IF NOT EXISTS story_articles_day ON story_articles(day);",
    _entity_aggregates,
    # An article's id follows from its captures (store.Archive._settle_ids), so it may change when a capture
    # joins it or it merges into another; every id an article had still finds it through this table. Its
    # rows move under the new id, the near-duplicate index's by this index.
    """
    CREATE TABLE IF NOT EXISTS article_aliases (id TEXT PRIMARY KEY, article_id TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS article_aliases_article ON article_aliases(article_id);
    CREATE INDEX IF NOT EXISTS lsh_bands_article ON lsh_bands(article_id);
    """,
    # A report's candidate stories (analysis/stories.py, `_candidates`) are counted from the index alone: with
    # story_id in it, the rows of the terms in the date window are not each looked up in the table. It replaces
    # the (term, start) index, which it serves as well.
    """
    CREATE INDEX IF NOT EXISTS story_terms_term_start_story ON story_terms(term, start, story_id);
    DROP INDEX IF EXISTS story_terms_term_start;
    """,
    # Undated articles dated by their address, as stories place them (analysis/stories.py `event_day`).
    _event_days_from_addresses,
]


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration script, one by one (executescript would end the
    transaction the migration runs in)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending.strip())
            pending = ""
    return statements


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the newest schema; returns the version it is at.

    Each migration is one write transaction that re-reads the version once it holds the write
    lock: two processes opening a new archive at once (two ingests, say) migrate it once."""
    while True:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"this archive has schema version {version}, newer than this newsdesk knows ({len(MIGRATIONS)}): upgrade newsdesk"
            )
        if version == len(MIGRATIONS):
            return version
        # One transaction per migration: a crash leaves the archive at the previous version.
        conn.execute("BEGIN IMMEDIATE")
        try:
            number = conn.execute("PRAGMA user_version").fetchone()[0] + 1
            if number <= len(MIGRATIONS):
                script = MIGRATIONS[number - 1]
                if isinstance(script, str):
                    for statement in _statements(script):
                        conn.execute(statement)
                else:
                    script(conn)
                conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


# Each kept aggregate and the query that counts it from the base tables.
AGGREGATE_RECOUNTS = {
    "entity_months": ENTITY_MONTHS_RECOUNT, "entity_weeks": ENTITY_WEEKS_RECOUNT,
    "entity_stories": ENTITY_STORIES_RECOUNT, "outlet_weeks": OUTLET_WEEKS_RECOUNT,
}


def recount_aggregate(conn: sqlite3.Connection, table: str) -> None:
    """The kept aggregate `table` counted again from the base tables (the triggers keep it from then on)."""
    conn.execute(f"DELETE FROM {table}")
    conn.execute(f"INSERT INTO {table} {AGGREGATE_RECOUNTS[table]}")


def aggregate_differences(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows where a kept entity aggregate differs from a recount of the base tables, per table (all 0 when
    the triggers did their work)."""
    found = {}
    for table, recount in AGGREGATE_RECOUNTS.items():
        found[table] = conn.execute(
            f"SELECT COUNT(*) FROM (SELECT * FROM ({recount}) EXCEPT SELECT * FROM {table}"
            f" UNION ALL SELECT * FROM (SELECT * FROM {table} EXCEPT SELECT * FROM ({recount})))"
        ).fetchone()[0]
    return found
