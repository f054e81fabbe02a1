"""Stories: the reports of one real-world event, across outlets, grouped as they arrive.

Each article becomes a weighted vector of its headline and lead (character bigrams, TF-IDF)
and of the entities it is about: those of the headline and the lead count most, whatever the
body goes on to name, with a damped IDF so 俄罗斯 counts for less than 拉夫罗夫 without a
name seen once in a body outweighing the headline's. A new article joins the story holding
the most similar report (single link) among stories that began within a few days of its
event day; otherwise it opens a story. The event day is the publication date or, for an
undated capture, the date its text gives (`2月28日` with the year of the page's upload paths
or dates). Articles are placed in one canonical order (by event day, then by content), and new
ones re-place only the reports from a month before their first day on (`Analysis.update`): the
stories are those of one pass over the archive in that order, whatever order the captures arrived
in, and adding the day's news costs the same however large the archive is. The constants are measured
in bench/stories.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import math
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsdesk.analysis.entities import (
    Entity,
    Gazetteer,
    _scan_form,
    apply_alias,
    archive_gazetteer,
    extract_mentions,
)
from newsdesk.archive.store import Archive
from newsdesk.archive.text import bigram_tokens, fold, published_day
from newsdesk.extract.credits import DATELINE
from newsdesk.model import Article

# A story accepts an article at least this similar to one of its reports: a blend of text cosine
# and entity cosine.
JOIN_THRESHOLD = 0.35
TEXT_SHARE = 0.65
# Without a day on one side the date cannot vouch for the match: the text must say more.
UNDATED_MARGIN = 0.1
# Reports of the same or the next day: time is evidence too (an aftermath piece a day later tells
# the event with other people in its headline).
NEAR_DAY_BONUS = 0.1
# Two reports sharing only places (台湾, 中国, 日本) are two of the many events there: their entity cosine
# counts this much. A shared person or organisation says who the event is about.
PLACES_ONLY_SHARE = 0.5
# Two reports whose headlines and leads share almost no words (text cosine below this) and whose headlines name
# no one: the institutions both name in passing (the State Department, the White House) are all they have in
# common, as many events of the same days do; their entity cosine counts PLACES_ONLY_SHARE too (the US app ban
# and an explainer of the WeChat order, the same day: text 0.017). Other angles on one event that share few
# words name its people in a headline (习近平会见普京, 普京在北京答记者问: text 0.02). Any value from 0.02 to 0.1
# gives the same stories on stories-dev and the own set (0.15 splits reports with one word in common).
WORDLESS_TEXT = 0.05
NEAR_DAYS = 1
# Past the near days, each further day between two reports takes this much off their similarity: the
# look-alikes of an event (the office opening five days after the appointment, the release a week after
# the arrest) name its people and words again, while other angles on one event mostly come within a day or two.
DAY_GAP_PENALTY = 0.02
# Reports of one event fall between this many days before a story's first report and this many after.
DAYS_BEFORE = 3
DAYS_AFTER = 5
LEAD_CHARS = 400
ENTITY_LEAD_CHARS = 200
TITLE_WEIGHT = 2.0
# Where an entity is named: the headline says what the report is about, the lead who and where.
ENTITY_TITLE_WEIGHT = 3.0
ENTITY_LEAD_WEIGHT = 1.0
ENTITY_BODY_WEIGHT = 0.1
ENTITY_BODY_CAP = 5
# IDF ** this for entities: damped, so rare body names do not drown the headline's people.
ENTITY_IDF_POWER = 0.5
IDF_PSEUDO_DOCS = 50
# A report's IDF counts the reports of its own day, every earlier one and this many days after: new
# articles take back the reports placed this many days before them. 30 (not 7-21) keeps the own set's
# B³ F1 at 0.959 (0.948 below it; stories-dev 0.964 from 7 on; bench/RESULTS.md, "Stories across ingests").
IDF_LOOKAHEAD_DAYS = 30
# Stories compared per article, those sharing most terms first (after the date window): bounds
# the cost of placing an article however many stories the archive holds.
MAX_CANDIDATES = 40
MAX_MEMBERS = 30
# Terms of a report kept for comparing it.
MEMBER_TEXT_TERMS = 100
MEMBER_ENTITY_TERMS = 30
CENTROID_TERMS = 300
INDEX_TERMS = 40
QUERY_TERMS = 16
_PAREN_BYLINE = re.compile(r"^[（(][^）)]{0,30}[）)]")
# Dates a text gives: `2022年2月28日`, `2022-02-28`, `/2022/02/` (upload paths, dated URLs), `2月28日`.
_YEAR_MONTH = re.compile(r"(?<!\d)(20[0-4]\d|199\d)\s*[/年\-.]\s*(0?[1-9]|1[0-2])(?!\d)(?:\s*[/月\-.]\s*(0?[1-9]|[12]\d|3[01])(?!\d))?")
_URL = re.compile(r"https?://\S+")
# Where an undated report says its day: the headline and the lead's first sentence or two.
DATE_LEAD_CHARS = 120
_US_DATE = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/(20[0-4]\d)(?!\d)")
# `普京28日与…`: a day of the month with no month, as Chinese news writes the day of the event.
_BARE_DAY = re.compile(r"(?<![\d月/.-])([12]\d|3[01]|0?[1-9])\s*日(?![\d])")
_MONTH_DAY = re.compile(r"(?<![\d年/.-])(0?[1-9]|1[0-2])\s*月\s*(0?[1-9]|[12]\d|3[01])\s*日")
# The day an outlet's own address gives: `/2020/07/06/`, `/20200706/`, `-2020-07-06`, or a US-ordered stamp
# with the time after it (`-07062020074929.html`).
_URL_DAY = re.compile(r"(?<!\d)(20[0-4]\d)([/-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")
_URL_US_STAMP = re.compile(r"(?<!\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(20[0-4]\d)\d{6}(?!\d)")


def event_day(article: Article) -> dt.date | None:
    """The day an article reports on: its publication date, else the first date its lead gives.

    An undated capture (a repost without its date) still opens `2月28日，瑞士表示…`,
    `普京28日与…` or `By:秘翻新闻2022-02-23`; a month-day or a bare day takes its year and month
    from the months the page's images and links name (`/uploads/2022/03/`). Dates further into
    the body are left alone: there they are mostly history (`自2月24日入侵以来`).
    """
    published = published_day(article.published)
    if published is not None:
        return published
    addressed = _url_day(article.original_url)
    if addressed is not None:
        return addressed
    lead = (article.title or "") + "\n" + _lead(article.body)[:DATE_LEAD_CHARS]
    evidence = _page_month(article)
    found: list[tuple[int, dt.date]] = []
    for m in _YEAR_MONTH.finditer(lead):
        if m.group(3):
            with contextlib.suppress(ValueError):
                found.append((m.start(), dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    for m in _US_DATE.finditer(lead):
        with contextlib.suppress(ValueError):
            found.append((m.start(), dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))))
    if evidence is not None:
        year, month = evidence
        for m in _MONTH_DAY.finditer(lead):
            wanted = int(m.group(1))
            nearest = min((year - 1, year, year + 1), key=lambda y: abs((y * 12 + wanted) - (year * 12 + month)))
            with contextlib.suppress(ValueError):
                found.append((m.start(), dt.date(nearest, wanted, int(m.group(2)))))
        for m in _BARE_DAY.finditer(lead):
            with contextlib.suppress(ValueError):
                found.append((m.start(), dt.date(year, month, int(m.group(1)))))
    return min(found)[1] if found else None


def _url_day(url: str | None) -> dt.date | None:
    """The publication day an address states (the outlet's own date, as good as a printed one for an
    undated re-post that kept its original address)."""
    if not url:
        return None
    path = url.split("?", 1)[0]
    for m in _URL_DAY.finditer(path):
        with contextlib.suppress(ValueError):
            return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    for m in _URL_US_STAMP.finditer(path):
        with contextlib.suppress(ValueError):
            return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    return None


def _page_month(article: Article) -> tuple[int, int] | None:
    """The year and month the page was made in, by its address, upload paths and dated links (their
    own time), else by the year-months its text names."""
    text = "\n".join(article.body)
    urls = [article.original_url or ""] + [i.src for i in article.images] + _URL.findall(text)
    for source in ("\n".join(urls), _URL.sub(" ", text)):
        months = Counter((int(m.group(1)), int(m.group(2))) for m in _YEAR_MONTH.finditer(source))
        if months:
            return months.most_common(1)[0][0]
    return None


def _lead(body: list[str]) -> str:
    text = "".join(body)
    m = DATELINE.match(text)
    if m:
        text = text[m.end():]
    text = _PAREN_BYLINE.sub("", text.lstrip())
    return text[:LEAD_CHARS]


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vector.values())) or 1.0


@dataclass
class StoryRow:
    id: str
    label: str | None
    start: str | None
    end: str | None
    entities: list[str] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "start": self.start, "end": self.end,
                "entities": self.entities, "articles": self.articles}


@dataclass(slots=True)
class Member:
    """One report as stories compare it: its text and entity vectors scaled to unit length, and its day."""

    text: dict[str, float]
    entities: dict[str, float]
    day: dt.date | None
    # The article's place in the canonical order (see `Analysis.update`): its content, not its arrival.
    key: str = ""
    # The people the headline names (who acts), and all those the report names.
    heads: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    # Its entity terms that are people or organisations (the rest are places).
    anchors: frozenset[str] = frozenset()
    # The terms of `text` and `entities`, as sets made once: a report is compared with hundreds of others,
    # and intersecting two dicts' keys copies one of them into a new set each time.
    text_terms: frozenset[str] = field(init=False, repr=False, compare=False)
    entity_terms: frozenset[str] = field(init=False, repr=False, compare=False)
    # The day as a day number: subtracting two dates makes a timedelta per comparison.
    ordinal: int | None = field(init=False, repr=False, compare=False)
    # Its terms as numbers and weights, text then entities (`_TermNumbers.arrays`), made when first compared.
    numbered: tuple[_TermNumbers, np.ndarray, np.ndarray, int] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.text_terms = frozenset(self.text)
        self.entity_terms = frozenset(self.entities)
        self.ordinal = self.day.toordinal() if self.day is not None else None
        self.numbered = None

    @classmethod
    def of(cls, vector: dict[str, float], day: dt.date | None, key: str = "",
           actors: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
           anchors: frozenset[str] = frozenset()) -> Member:
        # The heaviest terms carry the comparison; the long tail of lead bigrams costs time and
        # moves cosines little.
        text, entities = _split(vector)
        # Rounded as stored: a report compared from memory must score as it does read back from
        # the archive, or a resumed ingest would place articles otherwise than an uninterrupted one.
        return cls(_rounded(_unit(_top(text, MEMBER_TEXT_TERMS))), _rounded(_unit(_top(entities, MEMBER_ENTITY_TERMS))),
                   day, key, *actors, anchors)

    @classmethod
    def from_json(cls, data: str, day: dt.date | None) -> Member:
        parts = json.loads(data)
        return cls(parts["text"], parts["entities"], day, parts.get("key", ""), frozenset(parts.get("heads", ())),
                   frozenset(parts.get("names", ())), frozenset(parts.get("anchors", ())))

    def to_json(self, counted: Counter[str] | None = None) -> str:
        """Stored with the entity terms the report counted in term_df (`counted`), so they can be taken out
        again exactly when it is placed again (its bigrams follow from its text)."""
        data: dict[str, Any] = {"text": self.text, "entities": self.entities, "key": self.key,
                                "heads": sorted(self.heads), "names": sorted(self.names),
                                "anchors": sorted(self.anchors & self.entities.keys())}
        if counted is not None:
            data["df_entities"] = sorted(t for t in counted if t.startswith("e:"))
        return json.dumps(data, ensure_ascii=False)

    def distinct_actors(self, other: Member) -> bool:
        """Two events with one person in common, not one event told from two angles: each headline names
        someone the other report never names (`古特雷斯会见拉夫罗夫` and `古特雷斯会见普京`, the same day
        in Moscow). Another angle on one event still names the other headline's people somewhere."""
        return bool(self.heads - other.names) and bool(other.heads - self.names)

    @property
    def order(self) -> tuple[bool, str, str]:
        """Where the report stands in the canonical order: by event day (undated last), then by content."""
        return (self.day is None, self.day.isoformat() if self.day else "", self.key)

    def similarity(self, other: Member) -> float:
        """Text and entity cosines blended, and the near-day bonus when both are dated; nothing for two
        reports whose headlines name different people acting (see `distinct_actors`)."""
        return self.blend(other, _dot(self.text, other.text, self.text_terms & other.text_terms),
                          _dot(self.entities, other.entities, self.entity_terms & other.entity_terms))

    def blend(self, other: Member, text_dot: float, entity_dot: float) -> float:
        """`similarity` given the two reports' text and entity dot products (the one formula: `similarity` makes
        the dots one pair at a time, `best_similarity` takes them from a numpy batch)."""
        # Either headline naming nobody is the common case: no set difference made for it.
        if self.heads and other.heads and self.distinct_actors(other):
            return 0.0
        if entity_dot and (self.anchors.isdisjoint(other.anchors)
                           or (text_dot < WORDLESS_TEXT and not self.heads and not other.heads)):
            entity_dot *= PLACES_ONLY_SHARE
        score = TEXT_SHARE * text_dot + (1 - TEXT_SHARE) * entity_dot
        if self.ordinal is not None and other.ordinal is not None:
            gap = abs(self.ordinal - other.ordinal)
            if gap <= NEAR_DAYS:
                score += NEAR_DAY_BONUS
            else:
                # Never below nothing: `best_similarity` takes 0.0 for a story with no reports to compare.
                score = max(score - DAY_GAP_PENALTY * (gap - NEAR_DAYS), 0.0)
        return score

    def best_similarity(self, members: list[Member], dots: list[float]) -> float:
        """The highest `similarity` of this report to any of `members` (0.0 for none), the same floats, given
        `dots`: the text and entity dot products with each of them in turn (`_TermNumbers.dots`). Placing a
        report compares it with up to MAX_CANDIDATES × MAX_MEMBERS others (a million comparisons for a
        quarter's backfill at scale)."""
        # No score is below 0.0 (every weight is positive), so the default changes no maximum.
        return max(map(self.blend, members, dots[0::2], dots[1::2]), default=0.0)


class _TermNumbers:
    """Terms numbered, so that one report's dot products with a batch of others are made by numpy: the
    products of the terms they share, each summed exactly (fsum), so each dot is the float `_dot` gives.
    Intersecting two reports' term sets (a hundred lookups each) was most of comparing them."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        # The weights of the report being compared, by term number (zero elsewhere, and again after each batch).
        self.weights = np.zeros(4096)

    def arrays(self, member: Member) -> tuple[np.ndarray, np.ndarray, int]:
        """The member's term numbers and weights, text then entities, and how many of them are text (made once
        per member: a report is in the batches of many others)."""
        held = member.numbered
        if held is not None and held[0] is self:
            return held[1], held[2], held[3]
        numbers = self.numbers
        ids = np.array([numbers.setdefault(t, len(numbers)) for part in (member.text, member.entities) for t in part],
                       dtype=np.intp)
        weights = np.fromiter(itertools.chain(member.text.values(), member.entities.values()), dtype=np.float64,
                              count=len(ids))
        member.numbered = (self, ids, weights, len(member.text))
        return ids, weights, len(member.text)

    def batch(self, members: list[Member]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The members' term numbers and weights, each member's text then entities, and where each of those
        parts ends."""
        parts = [self.arrays(m) for m in members]
        if not parts:
            return np.zeros(0, dtype=np.intp), np.zeros(0), np.zeros(0, dtype=np.intp)
        ends = np.cumsum([n for ids, _, text in parts for n in (text, len(ids) - text)], dtype=np.intp)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), ends

    def dots(self, query: Member, batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[float]:
        """[text dot, entity dot] of `query` with each member of the `batches` in turn, flattened."""
        parts = sum(len(ends) for _, _, ends in batches)
        dots = [0.0] * parts
        if not parts:
            return dots
        query_ids, query_weights, _ = self.arrays(query)
        if len(self.numbers) > len(self.weights):
            self.weights = np.zeros(2 * len(self.numbers))
        offsets = itertools.accumulate((len(ids) for ids, _, _ in batches[:-1]), initial=0)
        ends = np.concatenate([b[2] + offset for b, offset in zip(batches, offsets, strict=True)])
        weights = self.weights
        weights[query_ids] = query_weights
        try:
            # A term the query lacks multiplies a zero: only shared terms give products (a product of zero adds
            # nothing to an exact sum either).
            products = weights[np.concatenate([b[0] for b in batches])] * np.concatenate([b[1] for b in batches])
        finally:
            weights[query_ids] = 0.0
        shared = np.flatnonzero(products)
        if not shared.size:
            return dots
        owners = np.searchsorted(ends, shared, side="right")
        values = products[shared].tolist()
        # Runs of one owner (a member's text or entity part), in batch order.
        starts = np.flatnonzero(np.diff(owners, prepend=-1)).tolist()
        owner_of = owners.tolist()
        for start, stop in zip(starts, [*starts[1:], len(values)], strict=True):
            dots[owner_of[start]] = math.fsum(values[start:stop])
        return dots


class Analysis:
    """Entities and stories of one archive, kept in the archive's own database."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.conn = archive.conn
        self.gazetteer = self._load_gazetteer()
        self._docs = self.conn.execute("SELECT COUNT(*) FROM story_articles").fetchone()[0]
        # Reports of the stories compared so far (unit text and entity vectors, day): a batch compares
        # with the same few stories over and over.
        self._members: dict[str, list[Member]] = {}
        # term_df as placement changes it, written back once at the end of `update`: a report placed again
        # counts its few hundred terms out and in again, a write each (half of placing it, at scale).
        self._df: dict[str, int] = {}
        self._df_changed: set[str] = set()
        # The index rows (start, terms) written for each story this analysis changed: a report joining a
        # story moves few of its index terms, so only those rows are written again.
        self._indexed: dict[str, tuple[str | None, list[str]]] = {}
        # The centroid, dates and size last written for each of those stories (not read back and parsed again).
        self._state: dict[str, tuple[dict[str, float], str | None, str | None, int]] = {}
        # The stories whose row (centroid, dates, size) lags their `_state`: written when the update ends or their
        # state is dropped, not as each report joins (a 300-term centroid as JSON, for every report placed).
        self._unsaved: set[str] = set()
        # Each report's headline and lead terms (`_text_terms`) during an update, by article id: a report taken
        # back needs them to count it out of term_df and again to place it (their bigrams were a seventh of a
        # backfill's time, made two or three times over). Dropped as the report is placed, and at the update's end.
        self._text_terms_held: dict[str, Counter[str]] = {}
        # Terms numbered for comparing reports in batches (`_scores`), and each story's reports so numbered
        # (with the list they were made from, and its length then: a report joining makes them again).
        self._term_numbers = _TermNumbers()
        self._batches: dict[str, tuple[list[Member], int, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        # Learned aliases refused (they named two known entities) while this analysis read articles.
        self.refused_aliases = 0

    # --- entities ----------------------------------------------------------------------

    def _load_gazetteer(self) -> Gazetteer:
        return archive_gazetteer(self.conn)

    _apply_alias = staticmethod(apply_alias)

    def add_alias(self, name: str, alias: str) -> Entity:
        """`newsdesk alias add 拉夫罗夫 "Sergey Lavrov"`: one entity from now on (mentions merged too)."""
        before = {e.id for e in self.gazetteer.entities.values()}
        entity = self._apply_alias(self.gazetteer, name, alias)
        for gone in before - set(self.gazetteer.entities):
            self._move_mentions(gone, entity.id)
        self.conn.execute("INSERT OR IGNORE INTO user_aliases(entity, alias) VALUES (?, ?)", (name, alias))
        self._save_entities()
        return entity

    def _move_mentions(self, old: str, new: str) -> None:
        for article_id, count, role in self.conn.execute(
            "SELECT article_id, count, role FROM mentions WHERE entity_id=?", (old,)
        ).fetchall():
            self.conn.execute(
                "INSERT INTO mentions(article_id, entity_id, count, role) VALUES (?,?,?,?)"
                " ON CONFLICT(article_id, entity_id) DO UPDATE SET count = count + excluded.count",
                (article_id, new, count, role),
            )
        self.conn.execute("DELETE FROM mentions WHERE entity_id=?", (old,))
        self.conn.execute("DELETE FROM entities WHERE id=?", (old,))

    def _save_entities(self) -> None:
        """Entities added or edited since the last save (all of them would grow with the archive)."""
        changed = (self.gazetteer.entities[i] for i in sorted(self.gazetteer.changed) if i in self.gazetteer.entities)
        rows = [
            (e.id, e.kind, e.name, e.en, json.dumps(sorted(e.aliases), ensure_ascii=False),
             json.dumps(dict(e.roles), ensure_ascii=False), "learned")
            for e in changed
            if e.aliases or e.roles or not _is_bundled(e.id)
        ]
        self.conn.executemany("INSERT OR REPLACE INTO entities VALUES (?,?,?,?,?,?,?)", rows)
        self.gazetteer.changed.clear()
        if self.gazetteer.refused:
            from newsdesk.analysis.aliases import save_refused

            self.refused_aliases += save_refused(self.conn, self.gazetteer)

    def find_entity(self, name: str) -> Entity | None:
        return self.gazetteer.lookup(name)

    # --- vectors -----------------------------------------------------------------------

    def _idf(self, terms: list[str]) -> dict[str, float]:
        found = self._df_of(terms)
        # Smoothed with pseudo-documents so a young archive's few articles do not swing the weights.
        n = self._docs + IDF_PSEUDO_DOCS
        return {t: math.log((n + 1) / (found[t] + 1)) + 1.0 for t in terms}

    def _df_of(self, terms: Any) -> dict[str, int]:
        """The document frequencies, as this analysis has counted them so far (read from term_df once)."""
        df = self._df
        missing = [t for t in terms if t not in df]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found = dict(self.conn.execute(f"SELECT term, df FROM term_df WHERE term IN ({marks})", chunk).fetchall())
            for t in chunk:
                df[t] = found.get(t, 0)
        return df

    def _count(self, terms: Any) -> None:
        """One more report counted in the frequencies of its terms."""
        df = self._df_of(terms)
        for t in terms:
            df[t] += 1
        self._df_changed.update(terms)

    def _save_df(self) -> None:
        """term_df as counted: a term no report counts any more has no row."""
        changed = sorted(self._df_changed)
        self.conn.executemany(
            "INSERT INTO term_df(term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = excluded.df",
            [(t, self._df[t]) for t in changed if self._df[t] > 0],
        )
        self.conn.executemany("DELETE FROM term_df WHERE term = ?", [(t,) for t in changed if self._df[t] <= 0])
        self._df_changed.clear()

    def _terms(self, article_id: str, article: Article, entity_counts: Counter[str], last_use: bool = False) -> Counter[str]:
        """Headline and lead bigrams and `e:` terms for the entities the report is about, with raw weights
        (`last_use`: the report's text terms are not needed again in this update)."""
        counts = self._report_text_terms(article_id, article, last_use)
        for entity_id, weight in self._prominence(article, entity_counts).items():
            counts[f"e:{entity_id}"] = weight
        return counts

    def _report_text_terms(self, article_id: str, article: Article, last_use: bool = False) -> Counter[str]:
        """`_text_terms` of the report, made once per update; the caller's own Counter (it may add to it)."""
        held = self._text_terms_held
        if last_use:
            counts = held.pop(article_id, None)
            return self._text_terms(article) if counts is None else counts
        counts = held.get(article_id)
        if counts is None:
            counts = held[article_id] = self._text_terms(article)
        return Counter(counts)

    @staticmethod
    def _text_terms(article: Article) -> Counter[str]:
        """Headline and lead bigrams with raw weights: the report's text alone decides them."""
        counts: Counter[str] = Counter()
        for token in bigram_tokens(fold(article.title or "")):
            counts[token] += TITLE_WEIGHT
        for token in bigram_tokens(fold(_lead(article.body))):
            counts[token] += 1.0
        return counts

    def _vector(self, terms: Counter[str]) -> dict[str, float]:
        """TF-IDF for the bigrams; for entities their prominence times a damped IDF."""
        idf = self._idf(list(terms))
        return {
            t: w * idf[t] ** ENTITY_IDF_POWER if t.startswith("e:") else (1 + math.log(w)) * idf[t]
            for t, w in terms.items()
        }

    def _actors(self, article: Article, entity_counts: Counter[str]) -> tuple[frozenset[str], frozenset[str]]:
        """The people the headline names, and all the people the report names."""
        heads = {e for _, _, e in self.gazetteer.scan(_scan_form(article.title or "")) if self._person(e)}
        return frozenset(heads), frozenset(heads | {e for e in entity_counts if self._person(e)})

    def _anchors(self, terms: Counter[str]) -> frozenset[str]:
        """The entity terms naming people or organisations."""
        return frozenset(
            t for t in terms
            if t.startswith("e:") and (entity := self.gazetteer.entities.get(t[2:])) is not None and entity.kind != "place"
        )

    def _person(self, entity_id: str) -> bool:
        entity = self.gazetteer.entities.get(entity_id)
        return entity is not None and entity.kind == "person" and self._known(entity_id)

    def _prominence(self, article: Article, counts: Counter[str]) -> Counter[str]:
        """How much the report is about each entity: named in the headline, in the lead, or only further on."""
        key: Counter[str] = Counter()
        lead = _lead(article.body)[:ENTITY_LEAD_CHARS]
        for text, weight in ((article.title or "", ENTITY_TITLE_WEIGHT), (lead, ENTITY_LEAD_WEIGHT)):
            for _, _, entity_id in self.gazetteer.scan(_scan_form(text)):
                if self._known(entity_id):
                    key[entity_id] += weight
        for entity_id, count in counts.items():
            if self._known(entity_id):
                key[entity_id] += ENTITY_BODY_WEIGHT * min(count, ENTITY_BODY_CAP)
        return key

    # --- stories -----------------------------------------------------------------------

    def pending(self) -> list[str]:
        return [
            article_id
            for (article_id,) in self.conn.execute(
                "SELECT a.id FROM articles a LEFT JOIN story_articles s ON s.article_id = a.id WHERE s.article_id IS NULL"
                " ORDER BY a.seq"
            )
        ]

    def update(self) -> int:
        """Place every article not yet in a story; returns how many.

        Placement is one sequential pass over the archive in a canonical order, whatever order the
        articles arrived in: by event day (undated last), then by content (the smallest SHA-256 of the
        article's captures). The reports of a day are placed once those of the next IDF_LOOKAHEAD_DAYS
        days are counted in the term frequencies, so a report's IDF is that of the reports up to a few
        days after its own, which no later arrival changes. New articles therefore change nothing before
        IDF_LOOKAHEAD_DAYS before the first of their days: the reports from there on (and every undated
        one) leave their stories and are placed again with the new ones (from the mentions read when
        they arrived), which gives the stories `rebuild` would. New news sorts last, so this is usually
        the new articles and the month before them; a backfill re-places everything after its earliest day.
        """
        if self._placed_by_older_version():
            self._forget_stories()
        pending = self.pending()
        if not pending:
            return 0
        # Counted from term_df as it stands (another analysis may have changed it since this one last did).
        self._forget_cached()
        # Days first, articles read again day by day: holding every pending article at once kept
        # the text of every article not yet placed in memory (all of it, after a first ingest).
        days: dict[str, dt.date | None] = {a: event_day(self.archive.article(a)) for a in pending}
        first = min(days.values(), key=_day_order)
        lookahead = dt.timedelta(days=IDF_LOOKAHEAD_DAYS)
        again = self._take_back_from(first and first - lookahead)
        days.update(again)
        order_keys = self._keys(list(days))
        by_day: dict[dt.date | None, list[str]] = {}
        for article_id, day in days.items():
            by_day.setdefault(day, []).append(article_id)
        ordered = sorted(by_day, key=_day_order)
        read: dict[dt.date | None, list[tuple[str, str | None, Any]]] = {}
        unread = 0
        for day in ordered:
            # Counted before any of the day is placed: its own reports and those of the next few days,
            # in whatever order they arrived (an undated report counts every report).
            horizon = None if day is None else day + lookahead
            while unread < len(ordered) and (horizon is None or (ordered[unread] or dt.date.max) <= horizon):
                later = ordered[unread]
                unread += 1
                read[later] = []
                for article_id in sorted(by_day[later], key=order_keys.__getitem__):
                    article = self._headline_and_body(article_id)
                    # A report taken back was read when it arrived: its stored mentions stand (reading
                    # them again, with the tagger, was half the cost of placing it again).
                    terms = self._reread(article_id, article) if article_id in again else self._read(article_id, article)
                    read[later].append((article_id, article.title, terms))
            for article_id, title, (terms, actors) in read.pop(day):
                member = Member.of(self._vector(terms), day, order_keys[article_id], actors, self._anchors(terms))
                self._place(article_id, title, member, self._scores(member), terms)
        self._text_terms_held.clear()
        self._write_stories()
        self._save_df()
        self._save_entities()
        return len(pending)

    def _take_back_from(self, day: dt.date | None) -> dict[str, dt.date | None]:
        """Reports placed on or after `day` (and every undated one, placed last), taken out of their
        stories and out of the term frequencies, to be placed again; returns their event days.

        The stories then hold exactly the reports before `day`, as the canonical pass leaves them."""
        where = "day IS NULL" if day is None else "day IS NULL OR day >= ?"
        params = () if day is None else (day.isoformat(),)
        rows = self.conn.execute(
            f"SELECT article_id, story_id, day, json_extract(vector, '$.df_entities') FROM story_articles WHERE {where}",
            params,
        ).fetchall()
        if not rows:
            return {}
        counted: Counter[str] = Counter()
        for article_id, _, _, entity_terms in rows:
            article = self._headline_and_body(article_id)
            # The terms this report added to term_df: its headline and lead bigrams (its text decides
            # them) and the entity terms stored with it (the gazetteer may know more names by now).
            text_terms = set(self._report_text_terms(article_id, article))
            stored = json.loads(entity_terms) if entity_terms else [
                t for t in self._terms(article_id, article, self._stored_mentions(article_id)) if t.startswith("e:")
            ]
            counted.update(text_terms | set(stored))
        df = self._df_of(counted)
        for t, n in counted.items():
            df[t] = max(df[t] - n, 0)
        self._df_changed.update(counted)
        self._docs -= len(rows)
        self.conn.execute(f"DELETE FROM story_articles WHERE {where}", params)
        # A story that lost every report is gone, in one statement per table (a backfill over years empties
        # most stories of the archive: one by one, that was three statements each); the others are made again.
        touched = sorted({r[1] for r in rows})
        kept: set[str] = set()
        for start in range(0, len(touched), 500):
            chunk = touched[start : start + 500]
            kept.update(story_id for (story_id,) in self.conn.execute(
                f"SELECT DISTINCT story_id FROM story_articles WHERE story_id IN ({','.join('?' * len(chunk))})", chunk
            ))
        emptied = [story_id for story_id in touched if story_id not in kept]
        for start in range(0, len(emptied), 500):
            chunk = emptied[start : start + 500]
            marks = ",".join("?" * len(chunk))
            self.conn.execute(f"DELETE FROM story_terms WHERE story_id IN ({marks})", chunk)
            self.conn.execute(f"DELETE FROM stories WHERE id IN ({marks})", chunk)
        for story_id in emptied:
            self._members.pop(story_id, None)
            self._indexed.pop(story_id, None)
            self._state.pop(story_id, None)
            self._unsaved.discard(story_id)
        for story_id in touched:
            if story_id in kept:
                self._refresh(story_id)
        return {article_id: published_day(day_) for article_id, _, day_, _ in rows}

    def _headline_and_body(self, article_id: str) -> Article:
        """The article as placing it reads it: its headline and body, all its terms and mentions come from (a
        backfill reads every report it places again twice; its images, tags and capture warnings were parsed
        for nothing)."""
        row = self.conn.execute("SELECT title, body FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            raise KeyError(article_id)
        return Article(file=article_id, title=row[0], body=json.loads(row[1]))

    def _stored_mentions(self, article_id: str) -> Counter[str]:
        return Counter(dict(self.conn.execute(
            "SELECT entity_id, count FROM mentions WHERE article_id=? ORDER BY entity_id", (article_id,)
        )))

    def rebuild(self) -> int:
        """Every article placed again from nothing (in the caller's transaction); returns how many.
        What the stories learned about entities stays; mentions, terms and stories are made again."""
        self._forget_stories()
        return self.update()

    def _forget_stories(self) -> None:
        for table in ("story_terms", "story_articles", "stories", "term_df", "mentions"):
            self.conn.execute(f"DELETE FROM {table}")
        self._docs = 0
        self._forget_cached()

    def _forget_cached(self) -> None:
        """What this analysis holds of the stored stories and term frequencies, to be read again."""
        self._members.clear()
        self._df.clear()
        self._df_changed.clear()
        self._indexed.clear()
        self._state.clear()
        self._unsaved.clear()
        self._text_terms_held.clear()
        self._term_numbers = _TermNumbers()
        self._batches.clear()

    def _placed_by_older_version(self) -> bool:
        """Stories placed before the canonical order (their reports carry no content key) are placed
        again once, or their old arrival-order decisions would stay."""
        # One row tells: the first update of this version places every article again.
        row = self.conn.execute("SELECT json_extract(vector, '$.key') FROM story_articles LIMIT 1").fetchone()
        return row is not None and row[0] is None

    def _keys(self, article_ids: list[str]) -> dict[str, str]:
        """Each article's smallest capture hash: the same whichever of its captures came first."""
        keys: dict[str, str] = {}
        for start in range(0, len(article_ids), 500):
            chunk = article_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            keys.update(self.conn.execute(
                f"SELECT article_id, MIN(sha256) FROM captures WHERE article_id IN ({marks}) GROUP BY article_id", chunk
            ).fetchall())
        return {a: keys.get(a) or a for a in article_ids}

    def _read(
        self, article_id: str, article: Article
    ) -> tuple[Counter[str], tuple[frozenset[str], frozenset[str]]]:
        """An article's mentions (stored), story terms (counted in term_df) and the people it names."""
        mentions = extract_mentions(self.gazetteer, article.title, article.body)
        # In entity order, as `_stored_mentions` reads them back for a report placed again: the order decides
        # which of equally weighted entity terms a report keeps, so both must be the same.
        entity_counts: Counter[str] = Counter(dict(sorted(Counter(m.entity_id for m in mentions).items())))
        roles = {m.entity_id: m.role for m in mentions if m.role}
        self.conn.execute("DELETE FROM mentions WHERE article_id=?", (article_id,))
        self.conn.executemany(
            "INSERT INTO mentions(article_id, entity_id, count, role) VALUES (?,?,?,?)",
            [(article_id, e, c, roles.get(e)) for e, c in entity_counts.items()],
        )
        return self._counted(article_id, article, entity_counts)

    def _reread(
        self, article_id: str, article: Article
    ) -> tuple[Counter[str], tuple[frozenset[str], frozenset[str]]]:
        """`_read` for a report placed before: its terms counted again, from the mentions stored then."""
        return self._counted(article_id, article, self._stored_mentions(article_id))

    def _counted(
        self, article_id: str, article: Article, entity_counts: Counter[str]
    ) -> tuple[Counter[str], tuple[frozenset[str], frozenset[str]]]:
        """The report's story terms, counted in term_df as one more report, and the people it names."""
        terms = self._terms(article_id, article, entity_counts, last_use=True)
        self._count(terms)
        self._docs += 1
        return terms, self._actors(article, entity_counts)

    def _place(
        self, article_id: str, title: str | None, member: Member, scores: list[list[Any]], terms: Counter[str]
    ) -> None:
        story_id, score = _best(scores)
        if story_id is None:
            story_id = _story_id(member.key)
            if self.conn.execute("SELECT 1 FROM stories WHERE id=?", (story_id,)).fetchone():
                # The story this report once opened kept its other reports when the report left it
                # (its text changed on a later capture): that story is named after its first report now.
                self._rename(story_id)
            self.conn.execute(
                "INSERT INTO stories(id, label, start, end, size, centroid) VALUES (?,?,?,?,0,'{}')",
                (story_id, title, None, None),
            )
            # A new row: nothing of a story that had this id before holds for it.
            self._indexed.pop(story_id, None)
            self._state.pop(story_id, None)
            self._unsaved.discard(story_id)
            score = 1.0
        self.conn.execute(
            "INSERT INTO story_articles(article_id, story_id, score, day, vector) VALUES (?,?,?,?,?)",
            (article_id, story_id, score, member.day and member.day.isoformat(), member.to_json(terms)),
        )
        members = self._story_members(story_id)
        if len(members) < MAX_MEMBERS:
            members.append(member)
        self._grow(story_id, member)

    def _rename(self, story_id: str) -> None:
        first = self.conn.execute(
            "SELECT json_extract(vector, '$.key') FROM story_articles WHERE story_id=?"
            " ORDER BY day IS NULL, day, json_extract(vector, '$.key') LIMIT 1", (story_id,)
        ).fetchone()
        new_id = _story_id(first[0] if first and first[0] else story_id)
        if new_id == story_id or self.conn.execute("SELECT 1 FROM stories WHERE id=?", (new_id,)).fetchone():
            new_id = _story_id(f"{story_id}\0renamed")
        self.conn.execute("UPDATE stories SET id=? WHERE id=?", (new_id, story_id))
        for table in ("story_articles", "story_terms"):
            self.conn.execute(f"UPDATE {table} SET story_id=? WHERE story_id=?", (new_id, story_id))
        self._members.pop(story_id, None)
        if story_id in self._indexed:
            self._indexed[new_id] = self._indexed.pop(story_id)
        if story_id in self._state:
            self._state[new_id] = self._state.pop(story_id)
        if story_id in self._unsaved:
            self._unsaved.discard(story_id)
            self._unsaved.add(new_id)

    def _refresh(self, story_id: str) -> None:
        """A story that lost reports: its dates, size, centroid and index made again from those it keeps
        (in canonical order, as they were added); gone if it keeps none."""
        self._members.pop(story_id, None)
        kept = sorted(
            (Member.from_json(vector, published_day(day)) for vector, day in self.conn.execute(
                "SELECT vector, day FROM story_articles WHERE story_id=?", (story_id,)
            )),
            key=lambda m: m.order,
        )
        if not kept:
            self.conn.execute("DELETE FROM story_terms WHERE story_id=?", (story_id,))
            self.conn.execute("DELETE FROM stories WHERE id=?", (story_id,))
            self._indexed.pop(story_id, None)
            self._state.pop(story_id, None)
            self._unsaved.discard(story_id)
            return
        # Grown report by report as `_grow` does (each step keeps the heaviest terms), written once.
        state: tuple[dict[str, float], str | None, str | None, int] = ({}, None, None, 0)
        for member in kept:
            state = _grown(*state, member)
        self._save_story(story_id, *state)

    def _known(self, entity_id: str) -> bool:
        """Entities a story may be keyed on: from the gazetteer, or learned with an English name or a title
        (names guessed from part-of-speech tags alone are too noisy to group events by)."""
        entity = self.gazetteer.entities.get(entity_id)
        return entity is not None and (_is_bundled(entity_id) or bool(entity.en) or bool(entity.roles))

    def _candidates(self, article: Member, day: dt.date | None) -> list[tuple[str, str | None]]:
        """(id, start) of the stories worth comparing: in the date window, sharing most terms."""
        text_part, entity_part = article.text, article.entities
        top = sorted(text_part, key=text_part.__getitem__, reverse=True)[:QUERY_TERMS]
        top += sorted(entity_part, key=entity_part.__getitem__, reverse=True)[: QUERY_TERMS // 2]
        if not top:
            return []
        marks = ",".join("?" * len(top))
        if day is None:
            rows = self.conn.execute(
                f"SELECT story_id, start, COUNT(*) FROM story_terms WHERE term IN ({marks}) GROUP BY story_id", top
            ).fetchall()
        else:
            # The window is applied before the cap, through the (term, start) index: at scale most stories
            # sharing a term are other days'. Undated stories are in every window.
            window = [(day - dt.timedelta(days=DAYS_AFTER)).isoformat(), (day + dt.timedelta(days=DAYS_BEFORE)).isoformat()]
            rows = self.conn.execute(
                f"SELECT story_id, start, COUNT(*) FROM story_terms WHERE term IN ({marks}) AND start BETWEEN ? AND ?"
                " GROUP BY story_id", [*top, *window],
            ).fetchall() + self.conn.execute(
                f"SELECT story_id, start, COUNT(*) FROM story_terms WHERE term IN ({marks}) AND start IS NULL GROUP BY story_id",
                top,
            ).fetchall()
        rows.sort(key=lambda row: (-row[2], row[0]))
        return [(story_id, start) for story_id, start, _ in rows[:MAX_CANDIDATES]]

    def _story_members(self, story_id: str) -> list[Member]:
        members = self._members.get(story_id)
        if members is None:
            members = self._members[story_id] = [
                Member.from_json(vector, published_day(day)) for vector, day in self.conn.execute(
                    # The first reports in canonical order, not the first to arrive.
                    "SELECT vector, day FROM story_articles WHERE story_id=?"
                    " ORDER BY day IS NULL, day, json_extract(vector, '$.key') LIMIT ?", (story_id, MAX_MEMBERS)
                )
            ]
        return members

    def _story_batch(self, story_id: str, members: list[Member]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The story's reports numbered for `_TermNumbers.dots`, made again once the reports held change."""
        held = self._batches.get(story_id)
        if held is None or held[0] is not members or held[1] != len(members):
            if len(self._batches) >= BATCH_CACHE_STORIES:
                # A rebuild compares with every story of the archive: their batches are made again, not all held.
                self._batches.clear()
            held = self._batches[story_id] = (members, len(members), self._term_numbers.batch(members))
        return held[2]

    def _scores(self, article: Member) -> list[list[Any]]:
        """[story id, best score against its reports, score needed to join it] of each candidate story."""
        scores: list[list[Any]] = []
        candidates = self._candidates(article, article.day)
        groups = [self._story_members(story_id) for story_id, _ in candidates]
        # The dot products with every report of every candidate, in one batch.
        dots = self._term_numbers.dots(article, [self._story_batch(story_id, members)
                                                 for (story_id, _), members in zip(candidates, groups, strict=True)])
        at = 0
        for (story_id, start), members in zip(candidates, groups, strict=True):
            need = JOIN_THRESHOLD + (UNDATED_MARGIN if article.day is None or start is None else 0.0)
            best = article.best_similarity(members, dots[2 * at : 2 * (at + len(members))])
            at += len(members)
            scores.append([story_id, best, need])
        return scores

    def _best_story(self, article: Member) -> tuple[str | None, float]:
        return _best(self._scores(article))

    def _grow(self, story_id: str, member: Member) -> None:
        state = self._state.get(story_id)
        if state is None:
            centroid_json, start, end, size = self.conn.execute(
                "SELECT centroid, start, end, size FROM stories WHERE id=?", (story_id,)
            ).fetchone()
            state = (json.loads(centroid_json), start, end, size)
        self._save_story(story_id, *_grown(*state, member))

    def _save_story(self, story_id: str, centroid: dict[str, float], start: str | None, end: str | None, size: int) -> None:
        """A story's centroid, dates and size (its row written by `_write_stories`), and its index terms (from the
        centroid, written now: the next report's candidates are found by them)."""
        indexed = _index_terms(centroid)
        before = self._indexed.get(story_id)
        if before is None:
            self.conn.execute("DELETE FROM story_terms WHERE story_id=?", (story_id,))
            added = indexed
        else:
            old_start, old_terms = before
            if old_start != start:
                self.conn.execute("UPDATE story_terms SET start=? WHERE story_id=?", (start, story_id))
            kept = set(indexed)
            self.conn.executemany("DELETE FROM story_terms WHERE story_id=? AND term=?",
                                  [(story_id, t) for t in old_terms if t not in kept])
            had = set(old_terms)
            added = [t for t in indexed if t not in had]
        self.conn.executemany(
            "INSERT INTO story_terms(term, story_id, start) VALUES (?, ?, ?)", [(t, story_id, start) for t in added]
        )
        self._indexed[story_id] = (start, indexed)
        if len(self._state) >= STATE_CACHE_STORIES:
            # A backfill grows most stories of the archive: their centroids are read again, not all held.
            self._write_stories()
            self._state.clear()
        self._state[story_id] = (centroid, start, end, size)
        self._unsaved.add(story_id)

    def _write_stories(self) -> None:
        """The rows of the stories whose state changed since they were last written. Their start reaches
        entity_stories through the stories triggers (archive/schema.py) as it is written: a report placed in
        the meantime took the start then stored, and the trigger sets every row of the story to the new one."""
        self.conn.executemany(
            "UPDATE stories SET centroid=?, start=?, end=?, size=? WHERE id=?",
            [(json.dumps(centroid, ensure_ascii=False), start, end, size, story_id)
             for story_id in sorted(self._unsaved)
             for centroid, start, end, size in (self._state[story_id],)],
        )
        self._unsaved.clear()

    # --- reading -----------------------------------------------------------------------

    def story_entities(self, centroid: dict[str, float], limit: int = 5) -> list[str]:
        names = []
        for term in sorted((t for t in centroid if t.startswith("e:")), key=centroid.get, reverse=True):  # type: ignore[arg-type]
            entity = self.gazetteer.entities.get(term[2:])
            if (entity is not None and entity.kind in {"person", "org"}) or (entity is not None and len(names) < 2):
                names.append(entity.name)
            if len(names) >= limit:
                break
        return names

    def story_filter(
        self, since: str | None = None, until: str | None = None, entity: str | None = None
    ) -> tuple[str, list[Any]] | None:
        """The WHERE clause (over `stories s`, empty when nothing filters) and its parameters that the
        `stories` filters make; None when the entity is unknown, which no story names."""
        clauses: list[str] = []
        params: list[Any] = []
        # A story with no day at all (undated reports whose leads give none) is in no window, as its
        # articles are in no `list --since/--until`.
        if since:
            clauses.append("s.end >= ?")
            params.append(since[:10])
        if until:
            clauses.append("s.start <= ?")
            params.append(until[:10])
        if entity:
            found = self.find_entity(entity)
            if found is None:
                return None
            clauses.append("s.id IN (SELECT story_id FROM entity_stories WHERE entity_id = ?)")
            params.append(found.id)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def stories(
        self, since: str | None = None, until: str | None = None, entity: str | None = None
    ) -> list[StoryRow]:
        selected = self.story_filter(since, until, entity)
        if selected is None:
            return []
        where, params = selected
        rows = self.conn.execute(
            f"SELECT s.id, s.label, s.start, s.end, s.centroid FROM stories s{where} ORDER BY s.start IS NULL, s.start, s.seq",
            params,
        ).fetchall()
        return [self._story_row(*row) for row in rows]

    def _story_row(self, story_id: str, label: str | None, start: str | None, end: str | None, centroid: str) -> StoryRow:
        articles = []
        for article_id, title, outlet, published, day in self.conn.execute(
            "SELECT a.id, a.title, a.outlet, a.published, sa.day FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            " WHERE sa.story_id=? ORDER BY COALESCE(a.published, sa.day) IS NULL, COALESCE(a.published, sa.day), a.seq",
            (story_id,),
        ):
            # `day` is the day the report was placed by: for an undated one, inferred from its lead.
            articles.append({"id": article_id, "title": title, "outlet": outlet, "published": published, "day": day,
                             "day_inferred": published is None and day is not None,
                             "captures": self.archive._capture_paths(article_id)})
        return StoryRow(story_id, label, start, end, self.story_entities(json.loads(centroid)), articles)

    def story(self, story_id: str) -> tuple[StoryRow, list[StoryRow]]:
        """A story and the related ones: sharing its key entities, about other events."""
        # A whole id (as every link gives) through the unique index; a prefix scans every story's id.
        row = self.conn.execute("SELECT id, label, start, end, centroid FROM stories WHERE id = ?", (story_id,)).fetchall()
        if not row:
            row = self.conn.execute(
                # A prefix compared as text: `_` and `%` typed by a user are not wildcards.
                "SELECT id, label, start, end, centroid FROM stories WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 2",
                (len(story_id), story_id),
            ).fetchall()
        if len(row) != 1:
            raise KeyError(f"no single story with id {story_id!r}: `newsdesk stories` lists them")
        story = self._story_row(*row[0])
        return story, self.related(story, json.loads(row[0][4]))

    def related(self, story: StoryRow, centroid: dict[str, float]) -> list[StoryRow]:
        """Other events about the same people and places at about the same time: the stories naming at least
        two of this story's key entities (the four heaviest in its centroid) whose start falls within
        RELATED_DAYS of its dates (an undated story: the undated ones), most key entities shared first, then
        most mentions of them, then nearest in time. Read from `entity_stories` through its (entity, start)
        index: a bounded read however many stories name 普京. The rows carry no articles (only id, label,
        dates and entities are shown)."""
        keys = [t[2:] for t in sorted((t for t in centroid if t.startswith("e:")), key=centroid.get, reverse=True)[:4]]  # type: ignore[arg-type]
        if len(keys) < 2:
            return []
        marks = ",".join("?" * len(keys))
        if story.start is None:
            # Undated: no day to be near to.
            window, params, nearness = "es.start IS NULL", [], ""
        else:
            first = dt.date.fromisoformat(story.start[:10]) - dt.timedelta(days=RELATED_DAYS)
            last = dt.date.fromisoformat((story.end or story.start)[:10]) + dt.timedelta(days=RELATED_DAYS)
            window, params = "es.start BETWEEN ? AND ?", [first.isoformat(), last.isoformat()]
            nearness = f"abs(julianday(MIN(es.start)) - julianday('{dt.date.fromisoformat(story.start[:10]).isoformat()}')), "
        found = self.conn.execute(
            "SELECT es.story_id, COUNT(*) AS shared, SUM(es.mentions) AS named FROM entity_stories es"
            f" WHERE es.entity_id IN ({marks}) AND {window} AND es.story_id != ? GROUP BY es.story_id"
            f" HAVING shared >= 2 ORDER BY shared DESC, named DESC, {nearness}es.story_id LIMIT ?",
            (*keys, *params, story.id, RELATED_STORIES),
        ).fetchall()
        rows = {row[0]: row for row in self.conn.execute(
            f"SELECT id, label, start, end, centroid FROM stories WHERE id IN ({','.join('?' * len(found))})",
            [story_id for story_id, _, _ in found],
        )}
        return [StoryRow(story_id, label, start, end, self.story_entities(json.loads(centroid_json)))
                for story_id, label, start, end, centroid_json in (rows[f[0]] for f in found if f[0] in rows)]

    def entity_report(self, name: str, story_limit: int | None = None, story_offset: int = 0) -> dict[str, Any] | None:
        """Aliases, roles, mentions per outlet per month, and the stories of one entity by start (`story_limit` of
        them after the first `story_offset`, with `story_count` saying how many there are, when a limit is given).
        Read from the entity aggregates (archive/schema.py), not from every mention."""
        entity = self.find_entity(name)
        if entity is None:
            return None
        # By the day each article is placed by; `inferred` counts the undated ones placed by their lead's day.
        per_month = [
            {"outlet": outlet or "(unknown)", "month": month or "unknown", "mentions": count, "articles": articles,
             "inferred": inferred}
            for outlet, month, count, articles, inferred in self.conn.execute(
                "SELECT outlet, month, mentions, articles, inferred FROM entity_months WHERE entity_id=?"
                " ORDER BY month, outlet",
                (entity.id,),
            )
        ]
        report = {"id": entity.id, "kind": entity.kind, "name": entity.name, "en": entity.en,
                  "aliases": sorted(entity.aliases), "roles": dict(entity.roles.most_common()),
                  "mentions": per_month, "stories": self.entity_stories(entity.id, story_limit, story_offset)}
        if story_limit is not None:
            # From the aggregate alone (a story deleted under its reports, which `doctor --repair` clears,
            # would be counted and not listed).
            report["story_count"] = self.conn.execute(
                "SELECT COUNT(*) FROM entity_stories WHERE entity_id=?", (entity.id,)
            ).fetchone()[0]
        return report

    def entity_stories(self, entity_id: str, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """The stories naming the entity by start, then id: `limit` of them (all when None) after the first `offset`."""
        return [
            {"id": sid, "label": label, "start": start, "end": end, "mentions": count}
            for sid, label, start, end, count in self.conn.execute(
                "SELECT s.id, s.label, s.start, s.end, es.mentions FROM entity_stories es JOIN stories s"
                " ON s.id = es.story_id WHERE es.entity_id=? ORDER BY es.start, es.story_id LIMIT ? OFFSET ?",
                (entity_id, -1 if limit is None else limit, offset),
            )
        ]


# Stories whose centroid an update keeps in memory between reports (each up to CENTROID_TERMS terms).
STATE_CACHE_STORIES = 5000
# Stories whose reports an update keeps numbered for comparing (`Analysis._story_batch`; a few kB each): what a
# year's backfill at 100,000 compares with, bounded for a rebuild (which compares with every story).
BATCH_CACHE_STORIES = 20000

# Related stories (`Analysis.related`): how many, and how far before or after a story they may start.
RELATED_STORIES = 10
RELATED_DAYS = 30


def _best(scores: list[list[Any]]) -> tuple[str | None, float]:
    """The story with the most similar report among those the report may join (the first candidate on ties)."""
    best, best_score = None, 0.0
    for story_id, score, need in scores:
        if score >= need and score > best_score:
            best, best_score = story_id, score
    return best, best_score


def _grown(
    centroid: dict[str, float], start: str | None, end: str | None, size: int, member: Member
) -> tuple[dict[str, float], str | None, str | None, int]:
    """A story's centroid (its CENTROID_TERMS heaviest terms, rounded as stored), dates and size once `member`
    joins it."""
    centroid = dict(centroid)
    # From the report's stored vectors, so a story made again from its stored reports is the same.
    for part in (member.text, member.entities):
        for term, weight in part.items():
            centroid[term] = centroid.get(term, 0.0) + weight
    kept = dict(sorted(centroid.items(), key=lambda kv: kv[1], reverse=True)[:CENTROID_TERMS])
    iso = member.day.isoformat() if member.day else None
    start = min(filter(None, [start, iso]), default=None)
    end = max(filter(None, [end, iso]), default=None)
    return _rounded(kept), start, end, size + 1


def _day_order(day: dt.date | None) -> tuple[bool, dt.date]:
    return (day is None, day or dt.date.min)


def _story_id(key: str) -> str:
    """A story is named after its first report in canonical order, by content, so the same story gets
    the same id whatever order its reports arrived in."""
    return hashlib.sha256(f"story\0{key}".encode()).hexdigest()[:16]


def _top(vector: dict[str, float], n: int) -> dict[str, float]:
    return dict(sorted(vector.items(), key=lambda kv: kv[1], reverse=True)[:n]) if len(vector) > n else vector


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = _norm(vector)
    return {t: w / norm for t, w in vector.items()}


def _dot(a: dict[str, float], b: dict[str, float], common: frozenset[str]) -> float:
    """The dot product of two vectors over their `common` terms. Two reports share few of their terms:
    intersecting the key sets (in C) beats looking up every one, and the products are made in C too (a
    generator's step per term was most of the cost of comparing). The set's order changes with each
    process's string hashing; fsum's exact sum does not."""
    return math.fsum(map(operator.mul, map(a.__getitem__, common), map(b.__getitem__, common)))


def _rounded(vector: dict[str, float]) -> dict[str, float]:
    return {t: round(w, 5) for t, w in vector.items()}


def _index_terms(centroid: dict[str, float]) -> list[str]:
    """The terms a story is found by: its first INDEX_TERMS text terms and INDEX_TERMS // 2 entity terms in the
    centroid's order (heaviest first), text then entities. Read until both are found, not split whole: a story
    is indexed again as each report joins it, and its centroid holds up to CENTROID_TERMS terms."""
    text: list[str] = []
    entities: list[str] = []
    for term in centroid:
        if term.startswith("e:"):
            if len(entities) < INDEX_TERMS // 2:
                entities.append(term)
            elif len(text) >= INDEX_TERMS:
                break
        elif len(text) < INDEX_TERMS:
            text.append(term)
        elif len(entities) >= INDEX_TERMS // 2:
            break
    return text + entities


def _split(vector: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    text = {t: w for t, w in vector.items() if not t.startswith("e:")}
    entities = {t: w for t, w in vector.items() if t.startswith("e:")}
    return text, entities


def _is_bundled(entity_id: str) -> bool:
    return ":" not in entity_id
