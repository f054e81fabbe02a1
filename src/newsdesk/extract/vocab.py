"""The credit grammar's word lists, read once from `data/credits.toml`.

Words are written there in one script; each is also read in the other (`记者` / `記者`, `报导` /
`報導`, `台北` / `臺北`), so patterns built here match either script and capture names as printed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import opencc

_CONVERTERS = tuple(opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk", "t2s"))


@dataclass(frozen=True, slots=True)
class Entry:
    section: str
    words: tuple[str, ...]
    seen: tuple[str, ...]
    role: str | None = None
    bare: bool = False


def vocab_path() -> Path:
    return Path(str(resources.files("newsdesk") / "data" / "credits.toml"))


def variants(word: str) -> set[str]:
    """The word in both scripts (and the Taiwan and Hong Kong forms of the traditional one)."""
    forms = {word}
    for converter in _CONVERTERS:
        forms.add(converter.convert(word))
    return forms


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    data = tomllib.loads(vocab_path().read_text(encoding="utf-8"))
    found = []
    for section, items in data.items():
        for item in items:
            found.append(
                Entry(
                    section=section,
                    words=tuple(item["words"]),
                    seen=tuple(item.get("seen", ())),
                    role=item.get("role"),
                    bare=bool(item.get("bare", False)),
                )
            )
    return tuple(found)


@lru_cache(maxsize=64)
def words(section: str, role: str | None = None, bare: bool | None = None) -> frozenset[str]:
    """Every form of the words of a section (optionally one role, bare or not)."""
    found: set[str] = set()
    for entry in entries():
        if entry.section != section or (role is not None and entry.role != role):
            continue
        if bare is not None and entry.bare != bare:
            continue
        for word in entry.words:
            found |= variants(word)
    return frozenset(found)


def alternation(forms: frozenset[str] | set[str]) -> str:
    """A non-capturing alternation of the words, longest first (so `责任编辑` wins over `编辑`)."""
    if not forms:
        # An empty list matches nothing (an empty alternation would match everywhere).
        return "(?!)"
    ordered = sorted(forms, key=lambda w: (-len(w), w))
    # `文/图` is also printed `文／圖`: a slash inside a word matches either width.
    return "(?:" + "|".join(re.escape(w).replace("/", "[/／]") for w in ordered) + ")"


def section_pattern(section: str, role: str | None = None) -> str:
    return alternation(words(section, role))


@lru_cache(maxsize=1)
def label_roles() -> dict[str, str]:
    """Each label form → its role."""
    roles: dict[str, str] = {}
    for entry in entries():
        if entry.section == "label" and entry.role:
            for word in entry.words:
                for form in variants(word):
                    roles.setdefault(form, entry.role)
                    roles.setdefault(form.replace("/", "／"), entry.role)
    return roles
