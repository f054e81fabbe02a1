"""Backfills: old captures arriving after newer ones are placed as one canonical pass would place them.

The stories (and everything placement stores: report vectors, story centroids and index terms, term
frequencies) of an archive whose middle arrived last, in several ingests, are those of one ingest of
everything; and a change a backfilled report makes travels as far down the canonical order as it goes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from newsdesk.analysis.stories import DAYS_AFTER, IDF_LOOKAHEAD_DAYS, Analysis, event_day
from newsdesk.archive import Archive, ingest

DATA = Path(__file__).parents[1] / "data"
EXAMPLES = Path(__file__).parents[2] / "examples"
REAL_CAPTURES = sorted((DATA / "stories-dev" / "captures").iterdir()) + sorted(EXAMPLES.glob("0*"))


def _placed(archive: Archive) -> tuple[dict[frozenset[str], str], str]:
    """Each story as the set of its captures' file names, with its id; and a hash of every placement table."""
    stories = {
        frozenset(Path(c).name for article in row.articles for c in article["captures"]): row.id
        for row in Analysis(archive).stories()
    }
    digest = hashlib.sha256()
    for query in ("SELECT article_id, story_id, score, day, vector FROM story_articles ORDER BY article_id",
                  "SELECT id, label, start, end, size, centroid FROM stories ORDER BY id",
                  "SELECT term, story_id, start FROM story_terms ORDER BY story_id, term",
                  "SELECT term, df FROM term_df ORDER BY term"):
        for row in archive.conn.execute(query):
            digest.update(repr(row).encode())
    return stories, digest.hexdigest()


def _ingests(db: Path, batches: list[list[Path]]) -> Archive:
    archive = Archive(db)
    for batch in batches:
        ingest(batch, archive)
        with archive.writing():
            Analysis(archive).update()
    return archive


def _event_days(files: list[Path], db: Path) -> dict[str, dt.date | None]:
    archive = Archive(db)
    ingest(files, archive)
    return {
        Path(path).name: event_day(archive.article(article_id))
        for path, article_id in archive.conn.execute("SELECT path, article_id FROM captures")
    }


def test_a_backfill_in_several_ingests_places_as_one_ingest_of_everything(tmp_path: Path) -> None:
    """The real captures of 2022-02-20 to 2023-03-25 (the middle of the archive's days, 2021-05 to 2023-10)
    arrive last, in three ingests out of date order, after the rest was placed: same stories, same ids and
    the same stored vectors, centroids, index terms and term frequencies as one ingest of everything."""
    days = _event_days(REAL_CAPTURES, tmp_path / "days.db")
    middle = [p for p in REAL_CAPTURES if (d := days[p.name]) is not None and dt.date(2022, 2, 20) <= d <= dt.date(2023, 3, 25)]
    ends = [p for p in REAL_CAPTURES if p not in middle]
    assert len(middle) > 30 and len(ends) > 10

    def in_span(first: str, last: str) -> list[Path]:
        return [p for p in middle if dt.date.fromisoformat(first) <= days[p.name] <= dt.date.fromisoformat(last)]  # type: ignore[operator]

    batches = [ends, in_span("2022-04-01", "2022-12-31"), in_span("2023-01-01", "2023-03-25"),
               in_span("2022-02-20", "2022-03-31")]
    assert sorted(p for b in batches for p in b) == sorted(REAL_CAPTURES)
    reference = _placed(_ingests(tmp_path / "one.db", [REAL_CAPTURES]))
    assert _placed(_ingests(tmp_path / "backfill.db", batches)) == reference


def _chain(folder: Path, source: Path, first: dt.date, copies: int, every: int, tag: str = "copy") -> list[Path]:
    """One real report republished every `every` days, each time at another address (`copies` captures from
    `first` on, named and addressed after `tag`)."""
    text = source.read_text(encoding="utf-8")
    stamp = re.search(r"`(\d\d)/(\d\d)/(\d{4}) ", text)
    assert stamp is not None
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(copies):
        day = first + dt.timedelta(days=n * every)
        copy = text.replace(stamp.group(0), f"`{day:%m/%d/%Y} ").replace("articles/", f"articles/{tag}{n}-")
        path = folder / f"{tag}{n:02d}_{source.name}"
        path.write_text(copy, encoding="utf-8")
        paths.append(path)
    return paths


def test_a_backfilled_report_changes_stories_far_beyond_its_own_days(tmp_path: Path) -> None:
    """A story accepts reports up to DAYS_AFTER days after its first, so one report republished every 4 days
    makes stories of two copies each; a copy 4 days before all of them, arriving last, pairs every copy with
    the one before instead, all the way down the chain (far beyond IDF_LOOKAHEAD_DAYS after it). The
    backfill must give that: the stories of one ingest of everything."""
    every = DAYS_AFTER - 1
    copies = (IDF_LOOKAHEAD_DAYS + 4 * DAYS_AFTER) // every + 2
    first = dt.date(2023, 10, 1)
    source = DATA / "stories-dev" / "captures" / "gna_1846466.md"
    chain = _chain(tmp_path / "chain", source, first, copies, every)
    early = _chain(tmp_path / "early", source, first - dt.timedelta(days=every), 1, every, tag="early")

    alone, _ = _placed(_ingests(tmp_path / "alone.db", [chain]))
    reference, reference_tables = _placed(_ingests(tmp_path / "one.db", [early + chain]))
    # Two copies a story: (early, 0), (1, 2), ... with the early copy; (0, 1), (2, 3), ... without.
    assert len(reference) == -(-(copies + 1) // 2) and len(alone) == -(-copies // 2)
    # The last copy, far beyond the backfilled one's window, is grouped otherwise than without it.
    assert (copies - 1) * every + every > IDF_LOOKAHEAD_DAYS + 2 * DAYS_AFTER
    last = chain[-1].name
    assert next(s for s in alone if last in s) != next(s for s in reference if last in s)

    backfilled = _ingests(tmp_path / "backfill.db", [chain, early])
    assert _placed(backfilled) == (reference, reference_tables)


def test_a_backfill_holding_few_stories_writes_what_one_ingest_writes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An update writes a story's row (centroid, dates, size) once it is done with it, not as each report joins:
    when it ends, and when it drops the states it holds (STATE_CACHE_STORIES, here 2, so that every few reports
    drop them). The backfill of the test above must then store what one ingest stores, and entity_stories (whose
    start a report placed meanwhile took from the row as then written) must equal its recount."""
    from newsdesk.analysis import stories as stories_module
    from newsdesk.archive.schema import aggregate_differences

    days = _event_days(REAL_CAPTURES, tmp_path / "days.db")
    middle = [p for p in REAL_CAPTURES if (d := days[p.name]) is not None and dt.date(2022, 2, 20) <= d <= dt.date(2023, 3, 25)]
    ends = [p for p in REAL_CAPTURES if p not in middle]
    # The middle's earlier half arrives last: its reports open stories before, or join stories of, reports placed.
    later = [p for p in middle if days[p.name] >= dt.date(2022, 6, 1)]  # type: ignore[operator]
    earlier = [p for p in middle if p not in later]
    assert later and earlier
    reference = _placed(_ingests(tmp_path / "one.db", [REAL_CAPTURES]))
    monkeypatch.setattr(stories_module, "STATE_CACHE_STORIES", 2)
    backfilled = _ingests(tmp_path / "backfill.db", [ends, later, earlier])
    assert _placed(backfilled) == reference
    assert aggregate_differences(backfilled.conn)["entity_stories"] == 0
    assert backfilled.conn.execute("SELECT COUNT(*) FROM entity_stories WHERE start IS NOT NULL").fetchone()[0] > 0
