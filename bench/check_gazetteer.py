"""Check src/newsdesk/data/gazetteer.toml and print what it holds.

    python bench/check_gazetteer.py [path/to/gazetteer.toml]

Fails (exit 1) when an alias folds to the same key as an alias of another entity (fold: NFKC, lower case,
OpenCC t2s; and again with spaces, middle dots and hyphens removed, as the entity matcher looks names up), when an entity lacks an id, a kind in {person, place, org}, an English name or a Chinese name,
when two entities share an id, or when a field has the wrong type.
"""

from __future__ import annotations

import re
import sys
import tomllib
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import opencc

DEFAULT = Path(__file__).resolve().parent.parent / "src" / "newsdesk" / "data" / "gazetteer.toml"
KINDS = {"person", "place", "org"}
KNOWN_KEYS = {"id", "kind", "name", "en", "aliases", "roles", "country"}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
COUNTRY = re.compile(r"[A-Z]{2}")

_t2s = opencc.OpenCC("t2s")
_DOTS = re.compile(r"[\s·‧•・.．\-‐_]+")


def fold(text: str) -> str:
    return _t2s.convert(unicodedata.normalize("NFKC", text).lower())


def fold_loose(text: str) -> str:
    return _DOTS.sub("", fold(text))


def check(path: Path) -> int:
    with path.open("rb") as f:
        data = tomllib.load(f)
    entities = data.get("entity", [])
    errors: list[str] = []
    owners: dict[str, dict[str, str]] = defaultdict(dict)  # folded key -> {entity id: spelling}
    loose: dict[str, dict[str, str]] = defaultdict(dict)  # the same without spaces, dots and hyphens
    ids: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    spellings = 0

    for n, e in enumerate(entities, 1):
        ident = e.get("id")
        where = f"entity #{n} ({ident or 'no id'})"
        if not isinstance(ident, str) or not ID.fullmatch(ident):
            errors.append(f"{where}: id must be a lower-case slug")
            ident = f"#{n}"
        ids[ident] += 1
        for key in sorted(set(e) - KNOWN_KEYS):
            errors.append(f"{where}: unknown key {key!r}")
        kind = e.get("kind")
        if kind not in KINDS:
            errors.append(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
        kinds[kind] += 1
        name, en = e.get("name"), e.get("en")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: no name")
            name = ""
        if not isinstance(en, str) or not en.strip():
            errors.append(f"{where}: no English name (en)")
            en = ""
        aliases = e.get("aliases", [])
        roles = e.get("roles", [])
        for key, value in (("aliases", aliases), ("roles", roles)):
            if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
                errors.append(f"{where}: {key} must be a list of non-empty strings")
        if not isinstance(aliases, list):
            aliases = []
        country = e.get("country")
        if country is not None and not (isinstance(country, str) and COUNTRY.fullmatch(country)):
            errors.append(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code")

        names = [x for x in (name, en, *aliases) if isinstance(x, str) and x.strip()]
        if not any(CJK.search(x) for x in names):
            errors.append(f"{where}: no Chinese name")
        for dup, count in Counter(names).items():
            if count > 1:
                errors.append(f"{where}: {dup!r} listed {count} times")
        spellings += len(set(names))
        for x in names:
            owners[fold(x)].setdefault(ident, x)
            loose[fold_loose(x)].setdefault(ident, x)

    for ident, count in ids.items():
        if count > 1:
            errors.append(f"id {ident!r} used by {count} entities")
    collisions = {key: who for key, who in owners.items() if len(who) > 1}
    for key, who in sorted(collisions.items()):
        errors.append(f"alias {key!r} names " + ", ".join(f"{i} (as {s!r})" for i, s in sorted(who.items())))
    loose_collisions = {key: who for key, who in loose.items() if len(who) > 1 and key not in collisions}
    for key, who in sorted(loose_collisions.items()):
        errors.append(
            f"alias {key!r} (spaces and dots removed) names "
            + ", ".join(f"{i} (as {s!r})" for i, s in sorted(who.items()))
        )

    print(f"{path}: {len(entities)} entities")
    for kind in sorted(kinds, key=str):
        print(f"  {kind}: {kinds[kind]}")
    print(f"  spellings (name, en, aliases): {spellings}")
    print(f"  distinct folded keys: {len(owners)}")
    print(f"  entities with roles: {sum(1 for e in entities if e.get('roles'))}")
    print(f"  collisions: {len(collisions)} (plus {len(loose_collisions)} with spaces and dots removed)")
    for line in errors:
        print(f"error: {line}", file=sys.stderr)
    print("ok" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
