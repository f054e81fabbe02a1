"""The one record every stage speaks: a capture becomes an `Article`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Image:
    src: str
    caption: str | None = None


@dataclass(slots=True)
class Article:
    """An article as read from one capture.

    `outlet` is the news organisation that wrote the story; `publisher` the site that
    re-published it (a mirror, a blog, a portal). `original_url` is the outlet's own
    address, `capture_url` where this copy was found. `published` is the outlet's date
    (ISO 8601), never the crawl time, which goes to `captured_at`. `error` says why a capture
    gave no article; `warnings` say what was lost or changed on the way to one that was read
    (a capture cut at the size budget), so nothing is lost silently.
    """

    file: str = ""
    format: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    original_url: str | None = None
    body: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    publisher: str | None = None
    capture_url: str | None = None
    captured_at: str | None = None
    encoding: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    # How sure extraction is that `body` is the article's text, 0..1 (None: the format leaves no doubt).
    confidence: float | None = None

    def to_record(self) -> dict[str, Any]:
        """The JSON shape of `newsdesk extract` (the fields of the gold spec, then extras)."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Article:
        known = {name: record[name] for name in cls.__dataclass_fields__ if name in record}
        known["images"] = [Image(**img) for img in known.get("images") or []]
        return cls(**known)
