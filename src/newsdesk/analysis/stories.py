"""Stories: the reports of one real-world event, across outlets, grouped as they arrive.

Each article becomes a weighted vector of its headline and lead (character bigrams, TF-IDF)
and of the entities it names (weighted the same way, so 俄罗斯 counts for less than 拉夫罗夫).
A new article joins the most similar story whose dates are within a few days of its own,
when the similarity clears a threshold measured on labelled events (bench/stories.py);
otherwise it opens a story. Nothing already assigned is re-clustered, so adding articles
costs the same however large the archive is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from newsdesk.analysis.entities import Entity, Gazetteer, bundled_gazetteer, extract_mentions
from newsdesk.archive.store import Archive
from newsdesk.archive.text import bigram_tokens, fold
from newsdesk.extract.credits import DATELINE

# A story accepts an article at least this similar: a blend of text cosine and entity cosine.
JOIN_THRESHOLD = 0.3
TEXT_SHARE = 0.5
# Reports of one event fall within this many days of the story's dates.
MAX_GAP_DAYS = 3
# An event's reports run at most this many days from its first one.
MAX_SPAN_DAYS = 5
LEAD_CHARS = 400
TITLE_WEIGHT = 2.0
BODY_ENTITY_WEIGHT = 0.25
PAIR_BONUS = 0.3
IDF_PSEUDO_DOCS = 50
# Stories compared per article, those sharing most terms first: bounds the cost of placing an
# article however many stories the archive holds.
MAX_CANDIDATES = 40
ENTITY_WEIGHT = 3.0
CENTROID_TERMS = 300
INDEX_TERMS = 40
QUERY_TERMS = 16
_PAREN_BYLINE = re.compile(r"^[（(][^）)]{0,30}[）)]")


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
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


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items()) / (_norm(a) * _norm(b))


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


class Analysis:
    """Entities and stories of one archive, kept in the archive's own database."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.conn = archive.conn
        self.gazetteer = self._load_gazetteer()
        self._docs = self.conn.execute("SELECT COUNT(*) FROM story_articles").fetchone()[0]

    # --- entities ----------------------------------------------------------------------

    def _load_gazetteer(self) -> Gazetteer:
        gazetteer = bundled_gazetteer()
        for entity_id, kind, name, en, aliases, roles, _source in self.conn.execute(
            "SELECT id, kind, name, en, aliases, roles, source FROM entities"
        ):
            entity = Entity(entity_id, kind, name, en, set(json.loads(aliases)), Counter(json.loads(roles)))
            gazetteer.add(entity)
            gazetteer.entities[entity_id].roles = entity.roles
        for entity_name, alias in self.conn.execute("SELECT entity, alias FROM user_aliases ORDER BY rowid"):
            self._apply_alias(gazetteer, entity_name, alias)
        return gazetteer

    @staticmethod
    def _apply_alias(gazetteer: Gazetteer, name: str, alias: str) -> Entity:
        entity = gazetteer.lookup(name)
        other = gazetteer.lookup(alias)
        if entity is None and other is None:
            entity = gazetteer.add(Entity(f"person:{name}", "person", name))
        elif entity is None:
            entity = other
            gazetteer.add_alias(entity.id, name)
        if other is not None and other.id != entity.id:
            gazetteer.merge(entity.id, other.id)
        gazetteer.add_alias(entity.id, alias)
        return entity

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
        rows = [
            (e.id, e.kind, e.name, e.en, json.dumps(sorted(e.aliases), ensure_ascii=False),
             json.dumps(dict(e.roles), ensure_ascii=False), "learned")
            for e in self.gazetteer.entities.values()
            if e.aliases or e.roles or not _is_bundled(e.id)
        ]
        self.conn.executemany("INSERT OR REPLACE INTO entities VALUES (?,?,?,?,?,?,?)", rows)

    def find_entity(self, name: str) -> Entity | None:
        return self.gazetteer.lookup(name)

    # --- vectors -----------------------------------------------------------------------

    def _idf(self, terms: list[str]) -> dict[str, float]:
        found: dict[str, int] = {}
        for start in range(0, len(terms), 500):
            chunk = terms[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.conn.execute(f"SELECT term, df FROM term_df WHERE term IN ({marks})", chunk).fetchall())
        # Smoothed with pseudo-documents so a young archive's few articles do not swing the weights.
        n = self._docs + IDF_PSEUDO_DOCS
        return {t: math.log((n + 1) / (found.get(t, 0) + 1)) + 1.0 for t in terms}

    def _vector(self, title: str | None, body: list[str], entity_counts: Counter[str]) -> dict[str, float]:
        counts: Counter[str] = Counter()
        for token in bigram_tokens(fold(title or "")):
            counts[token] += TITLE_WEIGHT
        for token in bigram_tokens(fold(_lead(body))):
            counts[token] += 1.0
        for entity_id, weight in entity_counts.items():
            counts[f"e:{entity_id}"] += ENTITY_WEIGHT * (1 + math.log(1 + weight))
        idf = self._idf(list(counts))
        return {t: ((1 + math.log(c)) if c >= 1 else c) * idf[t] for t, c in counts.items()}

    # --- stories -----------------------------------------------------------------------

    def pending(self) -> list[str]:
        return [
            article_id
            for (article_id,) in self.conn.execute(
                "SELECT a.id FROM articles a LEFT JOIN story_articles s ON s.article_id = a.id WHERE s.article_id IS NULL"
                " ORDER BY a.published IS NULL, substr(a.published, 1, 10), a.seq"
            )
        ]

    def update(self) -> int:
        """Place every article not yet in a story; returns how many were placed."""
        pending = self.pending()
        for article_id in pending:
            self._place(article_id)
        if pending:
            self._save_entities()
        return len(pending)

    def _place(self, article_id: str) -> None:
        article = self.archive.article(article_id)
        mentions = extract_mentions(self.gazetteer, article.title, article.body)
        entity_counts: Counter[str] = Counter(m.entity_id for m in mentions)
        roles = {m.entity_id: m.role for m in mentions if m.role}
        self.conn.execute("DELETE FROM mentions WHERE article_id=?", (article_id,))
        self.conn.executemany(
            "INSERT INTO mentions(article_id, entity_id, count, role) VALUES (?,?,?,?)",
            [(article_id, e, c, roles.get(e)) for e, c in entity_counts.items()],
        )
        vector = self._vector(article.title, article.body, self._key_entities(article.title, article.body, entity_counts))
        people = self._title_people(article.title)
        story_id, score = self._best_story(vector, _day(article.published), people)
        if story_id is None:
            story_id = hashlib.sha256(f"story\0{article_id}".encode()).hexdigest()[:16]
            self.conn.execute(
                "INSERT INTO stories(id, label, start, end, size, centroid) VALUES (?,?,?,?,0,'{}')",
                (story_id, article.title, None, None),
            )
            score = 1.0
        self.conn.execute(
            "INSERT INTO story_articles(article_id, story_id, score) VALUES (?,?,?)", (article_id, story_id, score)
        )
        self._grow(story_id, vector, article.published, people)
        self.conn.executemany(
            "INSERT INTO term_df(term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
            [(t,) for t in vector],
        )
        self._docs += 1

    def _known(self, entity_id: str) -> bool:
        """Entities a story may be keyed on: from the gazetteer, or learned with an English name or a title
        (names guessed from part-of-speech tags alone are too noisy to group events by)."""
        entity = self.gazetteer.entities.get(entity_id)
        return entity is not None and (_is_bundled(entity_id) or bool(entity.en) or bool(entity.roles))

    def _key_entities(self, title: str | None, body: list[str], counts: Counter[str]) -> Counter[str]:
        """What the report is about: entities of the headline and lead count most, the rest a little."""
        from newsdesk.analysis.entities import _scan_form

        key: Counter[str] = Counter()
        for text, weight in ((title or "", 3.0), (_lead(body), 1.0)):
            for _, _, entity_id in self.gazetteer.scan(_scan_form(text)):
                if self._known(entity_id):
                    key[entity_id] += weight
        for entity_id, count in counts.items():
            if self._known(entity_id):
                key[entity_id] += BODY_ENTITY_WEIGHT * count
        return key

    def _top_people(self, entity_vector: dict[str, float]) -> frozenset[str]:
        people = [t for t in entity_vector if self.gazetteer.entities.get(t[2:]) is not None
                  and self.gazetteer.entities[t[2:]].kind == "person"]
        return frozenset(sorted(people, key=entity_vector.get, reverse=True)[:2])  # type: ignore[arg-type]

    def _title_people(self, title: str | None) -> set[str]:
        """The people a headline names: an event is who met whom (古特雷斯+拉夫罗夫 is not 古特雷斯+普京)."""
        if not title:
            return set()
        from newsdesk.analysis.entities import _scan_form

        return {
            entity_id for _, _, entity_id in self.gazetteer.scan(_scan_form(title))
            if self.gazetteer.entities[entity_id].kind == "person"
        }

    def _best_story(
        self, vector: dict[str, float], day: dt.date | None, people: set[str]
    ) -> tuple[str | None, float]:
        text_part, entity_part = _split(vector)
        top = sorted(text_part, key=text_part.get, reverse=True)[:QUERY_TERMS]  # type: ignore[arg-type]
        top += sorted(entity_part, key=entity_part.get, reverse=True)[:QUERY_TERMS // 2]  # type: ignore[arg-type]
        if not top:
            return None, 0.0
        marks = ",".join("?" * len(top))
        candidates = [
            row for row in self.conn.execute(
                f"SELECT s.id, s.centroid, s.start, s.end, s.title_people FROM stories s WHERE s.id IN"
                f" (SELECT story_id FROM story_terms WHERE term IN ({marks}) GROUP BY story_id"
                f" ORDER BY COUNT(*) DESC LIMIT {MAX_CANDIDATES})",
                top,
            )
        ]
        best, best_score = None, 0.0
        text, entities = _split(vector)
        for story_id, centroid, start, end, story_people in candidates:
            if day is not None and not _within(day, _day(start), _day(end)):
                continue
            story_people_set = set(json.loads(story_people))
            if people and story_people_set and not people & story_people_set:
                continue  # the headlines are about different people
            story_text, story_entities = _split(json.loads(centroid))
            score = TEXT_SHARE * cosine(text, story_text) + (1 - TEXT_SHARE) * cosine(entities, story_entities)
            pair = self._top_people(entities)
            if day is not None and _day(start) is not None and len(pair) == 2 and pair == self._top_people(story_entities):
                # Dated reports in the same days about the same two people are one event, however
                # differently each outlet tells it (布林肯 and 王毅 in Munich).
                score += PAIR_BONUS
            if score > best_score:
                best, best_score = story_id, score
        return (best, best_score) if best_score >= JOIN_THRESHOLD else (None, best_score)

    def _grow(self, story_id: str, vector: dict[str, float], published: str | None, people: set[str]) -> None:
        centroid_json, start, end, size, story_people = self.conn.execute(
            "SELECT centroid, start, end, size, title_people FROM stories WHERE id=?", (story_id,)
        ).fetchone()
        centroid: dict[str, float] = json.loads(centroid_json)
        norm = _norm(vector)
        for term, weight in vector.items():
            centroid[term] = centroid.get(term, 0.0) + weight / norm
        kept = dict(sorted(centroid.items(), key=lambda kv: kv[1], reverse=True)[:CENTROID_TERMS])
        day = (published or "")[:10] or None
        start = min(filter(None, [start, day]), default=None)
        end = max(filter(None, [end, day]), default=None)
        people_json = json.dumps(sorted(set(json.loads(story_people)) | people), ensure_ascii=False)
        self.conn.execute(
            "UPDATE stories SET centroid=?, start=?, end=?, size=?, title_people=? WHERE id=?",
            (json.dumps(kept, ensure_ascii=False), start, end, size + 1, people_json, story_id),
        )
        self.conn.execute("DELETE FROM story_terms WHERE story_id=?", (story_id,))
        text_terms, entity_terms = _split(kept)
        indexed = list(text_terms)[:INDEX_TERMS] + list(entity_terms)[: INDEX_TERMS // 2]
        self.conn.executemany("INSERT INTO story_terms(term, story_id) VALUES (?, ?)", [(t, story_id) for t in indexed])

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

    def stories(
        self, since: str | None = None, until: str | None = None, entity: str | None = None
    ) -> list[StoryRow]:
        clauses, params = [], []
        if since:
            clauses.append("(s.end IS NULL OR s.end >= ?)")
            params.append(since[:10])
        if until:
            clauses.append("(s.start IS NULL OR s.start <= ?)")
            params.append(until[:10])
        if entity:
            found = self.find_entity(entity)
            if found is None:
                return []
            clauses.append(
                "s.id IN (SELECT sa.story_id FROM story_articles sa JOIN mentions m ON m.article_id = sa.article_id"
                " WHERE m.entity_id = ?)"
            )
            params.append(found.id)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.conn.execute(
            f"SELECT s.id, s.label, s.start, s.end, s.centroid FROM stories s{where} ORDER BY s.start IS NULL, s.start, s.seq",
            params,
        ).fetchall()
        return [self._story_row(*row) for row in rows]

    def _story_row(self, story_id: str, label: str | None, start: str | None, end: str | None, centroid: str) -> StoryRow:
        articles = []
        for article_id, title, outlet, published in self.conn.execute(
            "SELECT a.id, a.title, a.outlet, a.published FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            " WHERE sa.story_id=? ORDER BY a.published IS NULL, a.published, a.seq",
            (story_id,),
        ):
            articles.append({"id": article_id, "title": title, "outlet": outlet, "published": published,
                             "captures": self.archive._capture_paths(article_id)})
        return StoryRow(story_id, label, start, end, self.story_entities(json.loads(centroid)), articles)

    def story(self, story_id: str) -> tuple[StoryRow, list[StoryRow]]:
        """A story and the related ones: sharing its key entities, about other events."""
        row = self.conn.execute(
            "SELECT id, label, start, end, centroid FROM stories WHERE id LIKE ? ORDER BY id LIMIT 2", (story_id + "%",)
        ).fetchall()
        if len(row) != 1:
            raise KeyError(f"no single story with id {story_id!r}: `newsdesk stories` lists them")
        story = self._story_row(*row[0])
        centroid = json.loads(row[0][4])
        keys = [t[2:] for t in sorted((t for t in centroid if t.startswith("e:")), key=centroid.get, reverse=True)[:4]]  # type: ignore[arg-type]
        related = []
        if keys:
            marks = ",".join("?" * len(keys))
            for other_id, _shared in self.conn.execute(
                "SELECT sa.story_id, COUNT(DISTINCT m.entity_id) AS shared FROM mentions m JOIN story_articles sa"
                f" ON sa.article_id = m.article_id WHERE m.entity_id IN ({marks}) AND sa.story_id != ?"
                " GROUP BY sa.story_id HAVING shared >= 2 ORDER BY shared DESC LIMIT 10",
                (*keys, story.id),
            ):
                other = self.conn.execute(
                    "SELECT id, label, start, end, centroid FROM stories WHERE id=?", (other_id,)
                ).fetchone()
                related.append(self._story_row(*other))
        return story, related

    def entity_report(self, name: str) -> dict[str, Any] | None:
        """Aliases, roles, mentions per outlet per month, and the stories of one entity."""
        entity = self.find_entity(name)
        if entity is None:
            return None
        per_month = [
            {"outlet": outlet or "(unknown)", "month": month or "unknown", "mentions": count, "articles": articles}
            for outlet, month, count, articles in self.conn.execute(
                "SELECT a.outlet, substr(a.published, 1, 7) AS month, SUM(m.count), COUNT(*) FROM mentions m"
                " JOIN articles a ON a.id = m.article_id WHERE m.entity_id=? GROUP BY a.outlet, month ORDER BY month, a.outlet",
                (entity.id,),
            )
        ]
        stories = [
            {"id": sid, "label": label, "start": start, "end": end, "mentions": count}
            for sid, label, start, end, count in self.conn.execute(
                "SELECT s.id, s.label, s.start, s.end, SUM(m.count) FROM mentions m JOIN story_articles sa"
                " ON sa.article_id = m.article_id JOIN stories s ON s.id = sa.story_id WHERE m.entity_id=?"
                " GROUP BY s.id ORDER BY s.start",
                (entity.id,),
            )
        ]
        return {"id": entity.id, "kind": entity.kind, "name": entity.name, "en": entity.en,
                "aliases": sorted(entity.aliases), "roles": dict(entity.roles.most_common()),
                "mentions": per_month, "stories": stories}


def _split(vector: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    text = {t: w for t, w in vector.items() if not t.startswith("e:")}
    entities = {t: w for t, w in vector.items() if t.startswith("e:")}
    return text, entities


def _within(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    """Within the story's first days: measured from its start, so a story cannot creep along
    the calendar one report at a time."""
    if start is None:
        return True
    return -MAX_GAP_DAYS <= (day - start).days <= MAX_SPAN_DAYS


def _is_bundled(entity_id: str) -> bool:
    return ":" not in entity_id
