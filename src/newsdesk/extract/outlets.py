"""One registry of outlets: names, aliases and domains, bundled and user-extendable."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import opencc

_T2S = opencc.OpenCC("t2s")


@dataclass(slots=True)
class Outlet:
    name: str
    aliases: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _key(name: str) -> str:
    return _T2S.convert("".join(name.split()).lower())


_LATIN_EDGE = re.compile(r"[a-z0-9]")


@lru_cache(maxsize=1024)
def _name_pattern(name: str) -> re.Pattern[str]:
    """A keyed name as it may be written in text: any spacing inside, whole words at Latin edges."""
    body = r"\s*".join(re.escape(ch) for ch in name)
    head = r"(?<![a-z0-9])" if _LATIN_EDGE.match(name[0]) else ""
    tail = r"(?![a-z0-9])" if _LATIN_EDGE.match(name[-1]) else ""
    return re.compile(head + body + tail)


def _strings(source: str | Path, index: int, entry: dict, field_name: str) -> list[str]:
    value = entry.get(field_name, [])
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError(
        f"{source}: [[outlet]] #{index} ({entry.get('name')!r}): {field_name} must be a string or a list of strings,"
        f" not {value!r}"
    )


_S2T = opencc.OpenCC("s2t")


def printed_name(outlet: Outlet, text: str) -> str | None:
    """The longest of the outlet's names the text prints (`德国之声中文网` over `德国之声`), if any."""
    found = [name for name in (outlet.name, *outlet.aliases) if len(name) >= 2 and name in text]
    return max(found, key=len) if found else None


def name_in_script(outlet: Outlet, language: str | None, text: str = "") -> str:
    """The outlet's name as this capture prints it.

    A name the capture itself uses wins (`自由亞洲電台` in a traditional RFA page); otherwise
    the spelling in the capture's script.
    """
    names = [outlet.name, *outlet.aliases]
    printed = printed_name(outlet, text)
    if printed:
        return printed
    if language == "zh-Hant":
        traditional = [n for n in names if _T2S.convert(n) != n]
        return traditional[0] if traditional else _S2T.convert(outlet.name)
    if language == "zh-Hans":
        simplified = [n for n in names if _T2S.convert(n) == n and _S2T.convert(n) != n]
        return outlet.name if _T2S.convert(outlet.name) == outlet.name else (simplified or [_T2S.convert(outlet.name)])[0]
    return outlet.name


class OutletRegistry:
    """Look outlets up by any of their names (either script, any case) or by host."""

    def __init__(self, outlets: list[Outlet] | None = None) -> None:
        self._by_name: dict[str, Outlet] = {}
        self._by_domain: dict[str, Outlet] = {}
        for outlet in outlets or []:
            self.add(outlet)

    def add(self, outlet: Outlet) -> None:
        existing = self._by_name.get(_key(outlet.name))
        if existing is not None:
            existing.aliases.extend(a for a in outlet.aliases if a not in existing.aliases)
            existing.domains.extend(d for d in outlet.domains if d not in existing.domains)
            outlet = existing
        for name in (outlet.name, *outlet.aliases):
            self._by_name.setdefault(_key(name), outlet)
        for domain in outlet.domains:
            self._by_domain[domain.lower().removeprefix("www.")] = outlet

    def by_name(self, name: str | None) -> Outlet | None:
        return self._by_name.get(_key(name)) if name else None

    def by_url(self, url: str | None) -> Outlet | None:
        if not url:
            return None
        try:
            host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
        except ValueError:
            return None
        parts = host.split(".")
        for i in range(len(parts) - 1):
            outlet = self._by_domain.get(".".join(parts[i:]))
            if outlet is not None:
                return outlet
        return None

    def find_in(self, text: str) -> Outlet | None:
        """An outlet named anywhere in a short text (`Aljazeera 半岛网`, `转载自GNews`).

        Latin names match whole words only: `DW` is not in `Edward`, nor `AP` in `Japan`.
        """
        key = _key(text)
        spaced = _T2S.convert(text.lower())
        best: tuple[int, Outlet] | None = None
        for name, outlet in self._by_name.items():
            if len(name) < 2 or name not in key or (best is not None and len(name) <= best[0]):
                continue
            latin_edge = _LATIN_EDGE.match(name[0]) or _LATIN_EDGE.match(name[-1])
            if latin_edge and not _name_pattern(name).search(spaced):
                continue
            best = (len(name), outlet)
        return best[1] if best else None

    @classmethod
    def from_toml(cls, *sources: str | Path) -> OutletRegistry:
        registry = cls()
        for source in sources:
            try:
                data = tomllib.loads(Path(source).read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{source}: not valid TOML: {exc}") from exc
            entries = data.get("outlet", [])
            if not isinstance(entries, list):
                raise ValueError(f"{source}: write each outlet as an [[outlet]] table (double brackets), not [outlet]")
            for index, entry in enumerate(entries, 1):
                if not isinstance(entry, dict):
                    raise ValueError(f"{source}: [[outlet]] #{index} must be a table, not {entry!r}")
                name = entry.get("name")
                if not isinstance(name, str) or not name.strip():
                    shown = {k: v for k, v in entry.items() if k != "name"}
                    raise ValueError(f'{source}: [[outlet]] #{index} {shown} needs a name = "..."')
                aliases = _strings(source, index, entry, "aliases")
                domains = _strings(source, index, entry, "domains")
                registry.add(Outlet(name.strip(), aliases, domains))
        return registry


def bundled_outlets_path() -> Path:
    return Path(str(resources.files("newsdesk") / "data" / "outlets.toml"))


@lru_cache(maxsize=8)
def load_registry(extra: tuple[str, ...] = ()) -> OutletRegistry:
    """The bundled registry plus user files (arguments, then `NEWSDESK_OUTLETS`, `:`-separated)."""
    env = tuple(p for p in os.environ.get("NEWSDESK_OUTLETS", "").split(os.pathsep) if p)
    return OutletRegistry.from_toml(bundled_outlets_path(), *extra, *env)
