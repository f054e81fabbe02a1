"""A user's aliases (`newsdesk alias add/list/remove/undo`): checked before they change anything,
and every change logged with what it replaced, so that any of them can be taken back.

An alias that would make two known entities one (普京 and 马克龙) is refused unless the user says
`--merge`; a merge records both entities as they were and the mentions it moved, and undoing it
puts them back (articles placed since are read again for the two entities)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsdesk.analysis.entities import Entity, Gazetteer, archive_gazetteer, extract_mentions, fold_name

if TYPE_CHECKING:
    from newsdesk.analysis.stories import Analysis

class AliasRefused(ValueError):
    """An alias newsdesk will not add as asked (the message says why and what to do instead)."""


@dataclass(frozen=True)
class AliasChange:
    name: str
    alias: str
    entity: Entity
    merged: Entity | None
    created: bool


def _describe(entity: Entity) -> str:
    english = f", {entity.en}" if entity.en and entity.en != entity.name else ""
    return f"{entity.name} ({entity.kind}{english}, id {entity.id})"


def check_alias(gazetteer: Gazetteer, name: str, alias: str, merge: bool = False) -> tuple[Entity | None, Entity | None]:
    """The entities NAME and ALIAS name now; AliasRefused for an alias that names nothing new or
    would merge two known entities without `merge`."""
    name_key, alias_key = fold_name(name), fold_name(alias)
    for value, key in ((name, name_key), (alias, alias_key)):
        if len(key) < 2:
            raise AliasRefused(f"{value.strip()!r} is too short to be a name (at least two letters or characters)")
    if name_key == alias_key:
        raise AliasRefused(f"{name!r} and {alias!r} are the same name (compared across scripts, width, case and dots)")
    entity, other = gazetteer.lookup(name), gazetteer.lookup(alias)
    if entity is not None and other is not None and entity.id != other.id and not merge:
        raise AliasRefused(
            f"{name!r} is {_describe(entity)} and {alias!r} is {_describe(other)}: two different entities. "
            "If they really are one, run again with --merge (`newsdesk alias undo` takes it back)"
        )
    return entity, other


def _snapshot(entity: Entity) -> str:
    return json.dumps(
        {"id": entity.id, "kind": entity.kind, "name": entity.name, "en": entity.en,
         "aliases": sorted(entity.aliases), "roles": dict(entity.roles)},
        ensure_ascii=False,
    )


def _entity_from(snapshot: str) -> Entity:
    data = json.loads(snapshot)
    return Entity(data["id"], data["kind"], data["name"], data["en"], set(data["aliases"]), Counter(data["roles"]))


def add_alias(analysis: Analysis, name: str, alias: str, merge: bool = False) -> AliasChange | None:
    """Make ALIAS another name of NAME's entity, logged; None when it already is one. The caller holds
    the write transaction."""
    gazetteer, conn = analysis.gazetteer, analysis.conn
    entity, other = check_alias(gazetteer, name, alias, merge)
    if entity is not None and other is not None and entity.id == other.id:
        return None
    merging = entity is not None and other is not None
    mentions_before = None
    if merging:
        assert entity is not None and other is not None
        mentions_before = json.dumps(conn.execute(
            "SELECT article_id, entity_id, count, role FROM mentions WHERE entity_id IN (?, ?) ORDER BY article_id, entity_id",
            (entity.id, other.id),
        ).fetchall(), ensure_ascii=False)
    entity_before = _snapshot(entity) if entity is not None else (_snapshot(other) if other is not None else None)
    merged_before = _snapshot(other) if merging and other is not None else None
    result = analysis.add_alias(name, alias)
    conn.execute(
        "INSERT INTO alias_log(name, alias, entity_id, merged_id, created, entity_before, merged_before, mentions_before,"
        " added_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (name, alias, result.id, other.id if merging and other is not None else None,
         int(entity is None and other is None), entity_before, merged_before, mentions_before, _now()),
    )
    return AliasChange(name, alias, result, other if merging else None, entity is None and other is None)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def list_aliases(conn: sqlite3.Connection, gazetteer: Gazetteer) -> list[dict[str, Any]]:
    """The user's aliases in the order added, each with the entity it resolves to and the merge it made."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='alias_log'").fetchone():
        # An older archive opened read-only: its aliases, with no log yet.
        return [{"name": n, "alias": a, "entity_id": None, "entity": None, "merged": None, "added": None}
                for n, a in conn.execute("SELECT entity, alias FROM user_aliases ORDER BY rowid")]
    logged = {
        (name, alias): (merged_id, added_at)
        for name, alias, merged_id, added_at in conn.execute(
            "SELECT name, alias, merged_id, added_at FROM alias_log WHERE undone_at IS NULL ORDER BY seq"
        )
    }
    rows = []
    for name, alias in conn.execute("SELECT entity, alias FROM user_aliases ORDER BY rowid"):
        entity = gazetteer.lookup(alias) or gazetteer.lookup(name)
        merged_id, added_at = logged.get((name, alias), (None, None))
        rows.append({"name": name, "alias": alias, "entity_id": entity.id if entity else None,
                     "entity": entity.name if entity else None, "merged": merged_id, "added": added_at})
    return rows


def list_refused(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Name pairs articles printed that were not learned because they name two known entities."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='alias_refused'").fetchone():
        return []
    return [{"text": text, "entities": json.loads(entities), "seen": seen}
            for text, entities, seen in conn.execute("SELECT text, entities, seen FROM alias_refused ORDER BY rowid")]


def save_refused(conn: sqlite3.Connection, gazetteer: Gazetteer) -> int:
    """Store the learned aliases the gazetteer refused since the last save; returns how many."""
    refused, gazetteer.refused = gazetteer.refused, []
    conn.executemany(
        "INSERT INTO alias_refused(text, entities, seen) VALUES (?, ?, 1) ON CONFLICT(text) DO UPDATE SET seen = seen + 1",
        [(r.text, json.dumps(list(r.entity_ids), ensure_ascii=False)) for r in refused],
    )
    return len(refused)


def remove_alias(analysis: Analysis, name: str, alias: str) -> dict[str, Any]:
    """Take back `alias add NAME ALIAS`: the alias goes, and a merge it made is undone (both entities
    as they were, their mentions as they were). KeyError if the user never added it."""
    conn = analysis.conn
    found = conn.execute("SELECT rowid FROM user_aliases WHERE entity=? AND alias=?", (name, alias)).fetchone()
    if found is None:
        raise KeyError(f"{name!r} → {alias!r} is not one of your aliases: `newsdesk alias list` shows them")
    log = conn.execute(
        "SELECT seq, entity_id, merged_id, created, entity_before, merged_before, mentions_before FROM alias_log"
        " WHERE name=? AND alias=? AND undone_at IS NULL ORDER BY seq DESC LIMIT 1",
        (name, alias),
    ).fetchone()
    conn.execute("DELETE FROM user_aliases WHERE entity=? AND alias=?", (name, alias))
    entity = analysis.gazetteer.lookup(alias) or analysis.gazetteer.lookup(name)
    entity_id = log[1] if log else (entity.id if entity else None)
    restored: str | None = None
    if log and log[2] and log[5]:
        restored = _unmerge(analysis, entity_id, log[2], log[4], log[5], json.loads(log[6] or "[]"))
    elif entity_id is not None:
        _strip_alias(conn, entity_id, alias, created=bool(log and log[3]), name=name)
    if log:
        conn.execute("UPDATE alias_log SET undone_at=? WHERE seq=?", (_now(), log[0]))
    analysis.gazetteer = archive_gazetteer(conn)
    if entity_id is not None:
        # Without a merge only articles that write the alias can have counted it.
        _reread_mentions(analysis, [i for i in (entity_id, restored) if i], None if restored else fold_name(alias))
    return {"name": name, "alias": alias, "entity_id": entity_id, "restored": restored, "logged": log is not None}


def undo_last(analysis: Analysis) -> dict[str, Any] | None:
    """Take back the latest alias still in effect (None when there is none)."""
    row = analysis.conn.execute(
        "SELECT l.name, l.alias FROM alias_log l JOIN user_aliases u ON u.entity = l.name AND u.alias = l.alias"
        " WHERE l.undone_at IS NULL ORDER BY l.seq DESC LIMIT 1"
    ).fetchone()
    return remove_alias(analysis, *row) if row else None


def _stored(conn: sqlite3.Connection, entity_id: str) -> Entity | None:
    row = conn.execute("SELECT id, kind, name, en, aliases, roles FROM entities WHERE id=?", (entity_id,)).fetchone()
    if row is None:
        return None
    return Entity(row[0], row[1], row[2], row[3], set(json.loads(row[4])), Counter(json.loads(row[5])))


def _write(conn: sqlite3.Connection, entity: Entity) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO entities VALUES (?,?,?,?,?,?,?)",
        (entity.id, entity.kind, entity.name, entity.en, json.dumps(sorted(entity.aliases), ensure_ascii=False),
         json.dumps(dict(entity.roles), ensure_ascii=False), "learned"),
    )


def _unmerge(
    analysis: Analysis, entity_id: str, merged_id: str, entity_before: str | None, merged_before: str,
    mentions_before: list[list[Any]],
) -> str:
    """Both entities back as they were before the merge; what the kept one learned since stays with it."""
    conn = analysis.conn
    merged = _entity_from(merged_before)
    kept_before = _entity_from(entity_before) if entity_before else None
    current = _stored(conn, entity_id)
    if current is not None:
        theirs = {fold_name(n) for n in merged.names()}
        mine = {fold_name(n) for n in kept_before.names()} if kept_before else set()
        current.aliases = {a for a in current.aliases if fold_name(a) not in theirs or fold_name(a) in mine}
        current.roles = current.roles - merged.roles
        if kept_before is not None:
            current.roles |= kept_before.roles
        _write(conn, current)
    _write(conn, merged)
    articles = sorted({row[0] for row in mentions_before})
    for start in range(0, len(articles), 500):
        chunk = articles[start : start + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM mentions WHERE entity_id IN (?, ?) AND article_id IN ({marks})", (entity_id, merged_id, *chunk))
    conn.executemany("INSERT OR REPLACE INTO mentions(article_id, entity_id, count, role) VALUES (?,?,?,?)", mentions_before)
    # Articles read since the merge credited the kept entity with both: they are read again below.
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS alias_before(article_id TEXT PRIMARY KEY)"
    )
    conn.execute("DELETE FROM alias_before")
    conn.executemany("INSERT OR IGNORE INTO alias_before VALUES (?)", [(a,) for a in articles])
    return merged_id


def _strip_alias(conn: sqlite3.Connection, entity_id: str, alias: str, created: bool, name: str) -> None:
    current = _stored(conn, entity_id)
    if current is None:
        return
    if created and not conn.execute("SELECT 1 FROM mentions WHERE entity_id=? LIMIT 1", (entity_id,)).fetchone():
        # The entity existed only because of this alias.
        conn.execute("DELETE FROM entities WHERE id=?", (entity_id,))
        return
    key = fold_name(alias)
    current.aliases = {a for a in current.aliases if fold_name(a) != key}
    _write(conn, current)


def _reread_mentions(analysis: Analysis, entity_ids: list[str], writing: str | None) -> None:
    """Mentions of the given entities counted again, in articles not restored from the merge's record
    (and, with `writing`, only in those whose folded text holds it)."""
    conn = analysis.conn
    restored: set[str] = set()
    if conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name='alias_before'").fetchone():
        restored = {a for (a,) in conn.execute("SELECT article_id FROM alias_before")}
        conn.execute("DROP TABLE temp.alias_before")
    marks = ",".join("?" * len(entity_ids))
    articles = [
        a for (a,) in conn.execute(f"SELECT DISTINCT article_id FROM mentions WHERE entity_id IN ({marks})", entity_ids)
        if a not in restored
    ]
    # Roles were counted when the articles were first read: reading them again must not count them twice.
    roles_before = {i: Counter(e.roles) for i, e in analysis.gazetteer.entities.items()}
    for article_id in articles:
        article = analysis.archive.article(article_id)
        if writing is not None and writing not in fold_name("\n".join([article.title or "", *article.body])):
            continue
        mentions = extract_mentions(analysis.gazetteer, article.title, article.body)
        counts = Counter(m.entity_id for m in mentions)
        roles = {m.entity_id: m.role for m in mentions if m.role}
        conn.execute("DELETE FROM mentions WHERE article_id=?", (article_id,))
        conn.executemany(
            "INSERT INTO mentions(article_id, entity_id, count, role) VALUES (?,?,?,?)",
            [(article_id, e, c, roles.get(e)) for e, c in counts.items()],
        )
    for entity_id, roles in roles_before.items():
        if entity_id in analysis.gazetteer.entities:
            analysis.gazetteer.entities[entity_id].roles = roles
    analysis._save_entities()


__all__ = ["AliasChange", "AliasRefused", "add_alias", "check_alias", "list_aliases", "remove_alias", "undo_last"]
