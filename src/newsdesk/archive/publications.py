"""Publications: an article as each outlet put it out.

A capture belongs to one article (`fold.py` decides which: the same text); within the article it
belongs to one publication, one outlet's address of that text:

- captures naming the same address, or editions of it, are one publication (`edition_key`:
  `/gb/` and `/b5/`, `zh-hans` and `zh-hant` paths or query values, `m.`/`amp.`/`wap.` hosts and AMP
  paths, a trailing `index.html`, tracking parameters are one address);
- a capture naming no address (a mirror without its `原文地址` line, a page whose canonical link is
  the site's home page) joins its outlet's publication when the article holds exactly one
  addressed publication by that outlet; otherwise the article's captures of that outlet without
  an address are one publication of their own (one per outlet: nothing tells two apart).

Publications are derived from the article's captures alone (`group`), recomputed whenever the
article's captures change (`rebuild`), so they do not depend on the order captures arrived in.
A publication's `published` is the earliest date its captures print, `first_captured` the
earliest crawl time (`captured_at`) any of them carries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from newsdesk.archive.fold import capture_time, identity_key
from newsdesk.archive.text import fold

# Path segments and query values that name a script or language edition of one page.
_EDITION_SEGMENTS = frozenset({
    "gb", "b5", "big5", "gbk", "zh-hans", "zh-hant", "zh-cn", "zh-tw", "zh-hk", "zh-sg", "zh-mo", "zh_cn", "zh_tw",
    "zh_hk", "hans", "hant", "simp", "trad", "simplified", "traditional", "chs", "cht", "amp",
})
_EDITION_PARAMS = frozenset({"variant", "lang", "hl", "locale", "language", "edition", "amp", "outputtype", "output"})
_MOBILE_HOST = re.compile(r"^(?:m|mobile|wap|amp|3g|touch)\.", re.I)
_AMP_FILE = re.compile(r"(?:[._-]amp)(?=\.s?html?$)|\.amp$", re.I)
_INDEX_FILE = re.compile(r"^(?:index|default)\.(?:s?html?|php\d?|aspx?|jsp)$", re.I)


# Publications are regrouped from all of an article's captures whenever one is added: the keys of
# the same addresses and names are asked for again and again.
@lru_cache(maxsize=65536)
def edition_key(url: str | None) -> str | None:
    """The key every edition of one page shares: its identity key (`fold.identity_key`) with the
    script edition (`/gb/`, `/b5/`, `zh-hant`, `?variant=zh-tw`), mobile and AMP forms and a
    trailing index file left out. None for no address or a trivial one (a home or section page)."""
    key = identity_key(url)
    if key is None:
        return None
    parts = urlsplit("//" + key)
    host = _MOBILE_HOST.sub("", parts.netloc)
    segments = [s for s in parts.path.split("/") if s and s.lower() not in _EDITION_SEGMENTS]
    if segments:
        segments[-1] = _AMP_FILE.sub("", segments[-1])
        if _INDEX_FILE.match(segments[-1]):
            segments.pop()
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _EDITION_PARAMS])
    return host + "/" + "/".join(segments) + (f"?{query}" if query else "")


@lru_cache(maxsize=65536)
def outlet_key(name: str | None) -> str:
    """One key for every name of an outlet: the registry's name when it knows the outlet (大紀元,
    The Epoch Times), else the name folded to one script, width and case; empty for none."""
    if not name:
        return ""
    from newsdesk.extract.outlets import load_registry

    known = load_registry().by_name(name)
    return fold(known.name if known is not None else name)


@dataclass(frozen=True, slots=True)
class CaptureFacts:
    """What grouping needs of a capture."""

    seq: int
    url: str | None  # the original address the capture prints
    outlet: str | None
    published: str | None
    captured_at: str | None
    score: float


@dataclass(slots=True)
class Publication:
    id: str
    article_id: str
    url_key: str | None
    edition_key: str | None
    outlet: str | None
    url: str | None
    published: str | None
    first_captured: str | None
    best_capture: int
    captures: list[int] = field(default_factory=list)


def published_moment(value: str | None) -> dt.datetime | None:
    """A publication date or date-time as an instant in UTC (a date alone: its midnight, UTC)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            moment = dt.datetime.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _publication_id(article_id: str, group_key: str) -> str:
    return hashlib.sha256(f"{article_id}\0{group_key}".encode()).hexdigest()[:16]


def group(article_id: str, captures: list[CaptureFacts]) -> list[Publication]:
    """The article's publications from its captures, earliest first (by publication date, else
    first crawl time; undated ones last)."""
    addressed: dict[str, list[CaptureFacts]] = defaultdict(list)
    bare: list[CaptureFacts] = []
    for capture in captures:
        key = edition_key(capture.url)
        (addressed[key] if key else bare).append(capture)
    editions_of: dict[str, set[str]] = defaultdict(set)
    for key, members in addressed.items():
        for capture in members:
            editions_of[outlet_key(capture.outlet)].add(key)
    groups: dict[str, list[CaptureFacts]] = {f"url:{key}": members for key, members in addressed.items()}
    for capture in bare:
        outlet = outlet_key(capture.outlet)
        editions = editions_of.get(outlet, set()) if outlet else set()
        target = f"url:{next(iter(editions))}" if len(editions) == 1 else f"outlet:{outlet}"
        groups.setdefault(target, []).append(capture)
    out = []
    for group_key, members in groups.items():
        best = max(members, key=lambda c: (c.score, -c.seq))
        with_url = [c for c in members if edition_key(c.url)]
        shown = max(with_url, key=lambda c: (c.score, -c.seq)) if with_url else None
        named = [c for c in members if c.outlet]
        outlet = max(named, key=lambda c: (c.score, -c.seq)).outlet if named else None
        dated = [(m, c.published) for c in members if (m := published_moment(c.published)) is not None]
        crawled = [m for c in members if (m := capture_time(c.captured_at)) is not None]
        out.append(Publication(
            id=_publication_id(article_id, group_key), article_id=article_id,
            url_key=identity_key(shown.url) if shown else None,
            edition_key=group_key[4:] if group_key.startswith("url:") else None,
            outlet=outlet, url=shown.url if shown else None,
            published=min(dated, key=lambda d: d[0])[1] if dated else None,
            first_captured=min(crawled).isoformat() if crawled else None,
            best_capture=best.seq, captures=sorted(c.seq for c in members),
        ))
    # Ties (two publications dated the same day) go first to a publication on its outlet's own site
    # (the registry's domains), then by outlet and address, never by which was archived first: the
    # order must not depend on the order of ingest.
    return sorted(out, key=lambda p: (_sort_time(p) is None, _sort_time(p) or dt.datetime.min.replace(tzinfo=dt.UTC),
                                      not _on_own_site(p), outlet_key(p.outlet), p.url or "", p.id))


def _on_own_site(publication: Publication) -> bool:
    """True when the publication's address is on a site the registry gives its outlet."""
    if not publication.url or not publication.outlet:
        return False
    from newsdesk.extract.outlets import load_registry

    registry = load_registry()
    site = registry.by_url(publication.url)
    return site is not None and site is registry.by_name(publication.outlet)


def _sort_time(publication: Publication) -> dt.datetime | None:
    moment = published_moment(publication.published)
    if moment is None and publication.first_captured:
        moment = dt.datetime.fromisoformat(publication.first_captured)
    return moment


def rebuild(conn: sqlite3.Connection, article_id: str) -> list[Publication]:
    """Recompute the article's publications from its captures (inside the caller's transaction)."""
    rows = conn.execute(
        "SELECT seq, json_extract(record, '$.original_url'), json_extract(record, '$.outlet'),"
        " json_extract(record, '$.published'), captured_at, score FROM captures WHERE article_id=?",
        (article_id,),
    ).fetchall()
    conn.execute("DELETE FROM publications WHERE article_id=?", (article_id,))
    publications = group(article_id, [CaptureFacts(*row) for row in rows])
    for publication in publications:
        conn.execute(
            "INSERT INTO publications(id, article_id, url_key, edition_key, outlet, url, published, first_captured,"
            " best_capture) VALUES (?,?,?,?,?,?,?,?,?)",
            (publication.id, article_id, publication.url_key, publication.edition_key, publication.outlet,
             publication.url, publication.published, publication.first_captured, publication.best_capture),
        )
        conn.executemany(
            "UPDATE captures SET publication_id=? WHERE seq=?", [(publication.id, seq) for seq in publication.captures]
        )
    return publications
