"""One registry of outlets: names, aliases and domains, bundled and user-extendable."""

from __future__ import annotations

import os
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


def _key(name: str) -> str:
    return _T2S.convert("".join(name.split()).lower())


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
        """An outlet named anywhere in a short text (`Aljazeera 半岛网`, `转载自GNews`)."""
        key = _key(text)
        best: tuple[int, Outlet] | None = None
        for name, outlet in self._by_name.items():
            if len(name) >= 2 and name in key and (best is None or len(name) > best[0]):
                best = (len(name), outlet)
        return best[1] if best else None

    @classmethod
    def from_toml(cls, *sources: str | Path) -> OutletRegistry:
        registry = cls()
        for source in sources:
            data = tomllib.loads(Path(source).read_text(encoding="utf-8"))
            for entry in data.get("outlet", []):
                if not entry.get("name"):
                    raise ValueError(f"{source}: every [[outlet]] needs a name")
                registry.add(Outlet(entry["name"], list(entry.get("aliases", [])), list(entry.get("domains", []))))
        return registry


def bundled_outlets_path() -> Path:
    return Path(str(resources.files("newsdesk") / "data" / "outlets.toml"))


@lru_cache(maxsize=8)
def load_registry(extra: tuple[str, ...] = ()) -> OutletRegistry:
    """The bundled registry plus user files (arguments, then `NEWSDESK_OUTLETS`, `:`-separated)."""
    env = tuple(p for p in os.environ.get("NEWSDESK_OUTLETS", "").split(os.pathsep) if p)
    return OutletRegistry.from_toml(bundled_outlets_path(), *extra, *env)
