"""The republication network: which outlets publish an article after which, and how much later.

An article with several publications (archive/publications.py) was put out first by one outlet
and later by others (or again by the same outlet, at another address: a re-post by another
account). Each publication is placed in time by its publication date-time when the capture
prints one, else by its date alone (midnight UTC), else by its first crawl time (`captured_at`);
`basis` says which. A publication with neither cannot be placed: it is listed, with no lag.
Two publications at the same moment (often: two dated the same day) have lag 0, and which one
is listed first is not known (one on its outlet's own site comes first, then by outlet and address). Pairs leave out
publications whose outlet is unknown (`--article` lists them).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsdesk.archive.publications import outlet_key, published_moment
from newsdesk.archive.text import published_day

if TYPE_CHECKING:
    from newsdesk.archive.store import Archive

BASIS_PUBLISHED = "published"
BASIS_DAY = "published day"
BASIS_CRAWLED = "first captured"


@dataclass(frozen=True, slots=True)
class Placed:
    """A publication placed in time."""

    outlet: str | None
    url: str | None
    published: str | None
    first_captured: str | None
    captures: int
    moment: dt.datetime | None
    basis: str | None

    def to_record(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet, "url": self.url, "published": self.published, "first_captured": self.first_captured,
            "captures": self.captures, "time": self.moment.isoformat() if self.moment else None, "timed_by": self.basis,
        }


def _place(outlet: str | None, url: str | None, published: str | None, first_captured: str | None, captures: int) -> Placed:
    moment = published_moment(published)
    if moment is not None:
        basis = BASIS_PUBLISHED if published and len(published.strip()) > 10 else BASIS_DAY
    elif first_captured:
        moment, basis = dt.datetime.fromisoformat(first_captured), BASIS_CRAWLED
    else:
        basis = None
    return Placed(outlet, url, published, first_captured, captures, moment, basis)


def lag_hours(first: Placed, later: Placed) -> float | None:
    if first.moment is None or later.moment is None:
        return None
    return round((later.moment - first.moment).total_seconds() / 3600, 2)


@dataclass(slots=True)
class ArticleCopies:
    """One article: its first publication and the later ones (with their lag after the first)."""

    id: str
    title: str | None
    first: Placed
    later: list[Placed]

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "first": self.first.to_record(),
            "later": [{**p.to_record(), "lag_hours": lag_hours(self.first, p)} for p in self.later],
        }

    def rows(self) -> list[dict[str, Any]]:
        """One flat record per publication (for tables and CSV): `order` 0 is the first."""
        return [
            {"id": self.id, "title": self.title, "order": n, **p.to_record(),
             "lag_hours": None if n == 0 else lag_hours(self.first, p)}
            for n, p in enumerate((self.first, *self.later))
        ]


@dataclass(slots=True)
class PairRow:
    """Articles one outlet published first and another (or the same, at another address) later."""

    first: str
    later: str
    articles: int = 0
    lags: list[float] = field(default_factory=list)
    bases: Counter[str] = field(default_factory=Counter)

    @property
    def median_lag_hours(self) -> float | None:
        return round(statistics.median(self.lags), 2) if self.lags else None

    @property
    def timed_by(self) -> str:
        return ", ".join(f"{basis} ({n})" for basis, n in sorted(self.bases.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_record(self) -> dict[str, Any]:
        return {
            "first": self.first, "later": self.later, "articles": self.articles, "timed": len(self.lags),
            "median_lag_hours": self.median_lag_hours, "timed_by": self.timed_by,
        }


def article_copies(archive: Archive, article_id: str) -> ArticleCopies:
    """The article's publications placed in time, the first apart (KeyError: no such article)."""
    row = archive.conn.execute("SELECT title FROM articles WHERE id=?", (article_id,)).fetchone()
    if row is None:
        raise KeyError(f"no article with id {article_id!r}")
    placed = [
        _place(outlet, url, published, first_captured, captures)
        for outlet, url, published, first_captured, captures in archive.conn.execute(
            "SELECT p.outlet, p.url, p.published, p.first_captured,"
            " (SELECT COUNT(*) FROM captures c WHERE c.publication_id = p.id)"
            " FROM publications p WHERE p.article_id=? ORDER BY p.seq", (article_id,)
        ).fetchall()
    ]
    return ArticleCopies(article_id, row[0], placed[0], placed[1:])


def copied_articles(
    archive: Archive, outlet: str | None = None, since: str | None = None, until: str | None = None
) -> list[ArticleCopies]:
    """Every article with more than one publication whose first publication falls in [since, until]
    (days, inclusive) and, with `outlet`, that the outlet published (first or later), earliest first."""
    wanted = _outlet_keys(archive, outlet) if outlet else None
    first_day = published_day(since) if since else None
    last_day = published_day(until) if until else None
    out = []
    for (article_id,) in archive.conn.execute(
        "SELECT article_id FROM publications GROUP BY article_id HAVING COUNT(*) > 1"
    ).fetchall():
        copies = article_copies(archive, article_id)
        day = copies.first.moment.date() if copies.first.moment else None
        if (first_day or last_day) and day is None:
            continue
        if (first_day and day < first_day) or (last_day and day > last_day):  # type: ignore[operator]
            continue
        if wanted is not None and not any(outlet_key(p.outlet) in wanted for p in (copies.first, *copies.later)):
            continue
        out.append(copies)
    return sorted(out, key=lambda c: (c.first.moment is None, c.first.moment or dt.datetime.min.replace(tzinfo=dt.UTC), c.id))


def copy_pairs(
    archive: Archive, outlet: str | None = None, since: str | None = None, until: str | None = None
) -> list[PairRow]:
    """Per ordered pair of outlets (first publisher, later publisher): how many articles, and the
    median lag of the later outlet's first publication of them after the first one. With
    `outlet`, the pairs it is part of."""
    wanted = _outlet_keys(archive, outlet) if outlet else None
    pairs: dict[tuple[str, str], PairRow] = {}
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for copies in copied_articles(archive, None, since, until):
        # A publication whose outlet is unknown (a copy that names neither address nor outlet) says
        # nothing about who copies whom: pairs are between the publications that name their outlet.
        named = [p for p in (copies.first, *copies.later) if p.outlet]
        if len(named) < 2:
            continue
        first, *rest = named
        first_key = outlet_key(first.outlet)
        names[first_key][first.outlet or ""] += 1
        seen: set[str] = set()
        for later in rest:  # earliest first: each outlet counts with its first later publication
            later_key = outlet_key(later.outlet)
            names[later_key][later.outlet or ""] += 1
            if later_key in seen:
                continue
            seen.add(later_key)
            if wanted is not None and first_key not in wanted and later_key not in wanted:
                continue
            row = pairs.setdefault((first_key, later_key), PairRow(first_key, later_key))
            row.articles += 1
            lag = lag_hours(first, later)
            if lag is not None:
                row.lags.append(lag)
                row.bases[first.basis if first.basis == later.basis else f"{first.basis} / {later.basis}"] += 1
            else:
                row.bases["untimed"] += 1
    for row in pairs.values():
        # Shown under the name the archive holds most often for the outlet (ties: the first in order).
        row.first = min(names[row.first].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        row.later = min(names[row.later].items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return sorted(pairs.values(), key=lambda r: (-r.articles, r.first, r.later))


def _outlet_keys(archive: Archive, outlet: str) -> set[str]:
    """The keys of every name `outlet` goes by (Archive.outlet_names), and its own."""
    return {outlet_key(outlet), *(outlet_key(name) for name in archive.outlet_names(outlet))}
