"""What a format reader hands on: the article's raw parts before credits are read."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsdesk.model import Image


@dataclass(slots=True)
class Draft:
    format: str
    title: str | None = None
    blocks: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    original_url: str | None = None
    capture_url: str | None = None
    # A date the format states authoritatively (front matter), and weaker hints (HTML meta).
    published: str | None = None
    published_stated: bool = False
    published_hints: list[str] = field(default_factory=list)
    # Stamps that count only when nothing better is printed: update times, dates not under the headline.
    weak_published_hints: list[str] = field(default_factory=list)
    # Candidate outlet names, strongest first: credits and bylines, then the site's own name.
    outlet_hints: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    # The name the site declares for itself (og:site_name, the publisher): what it prints, over the registry's.
    own_name: str | None = None
    # A name printed beside the date under the headline, without a label: weaker than a credit line.
    header_outlets: list[str] = field(default_factory=list)
    # Where an outlet or site name above was read (name → the first signal that gave it: `og:site_name`,
    # `title_suffix`, …), for the learned outlet chooser (extract/outlet_model.py).
    outlet_kinds: dict[str, str] = field(default_factory=dict)
    publisher: str | None = None
    authors: list[str] = field(default_factory=list)
    # Writers the page's meta tags name: used only when the visible text credits nobody.
    fallback_authors: list[str] = field(default_factory=list)
    editor: str | None = None
    # An editor named only in a bracketed credit somewhere on the page (`（編輯：X）`): when nothing else names one.
    fallback_editor: str | None = None
    tags: list[str] = field(default_factory=list)
    language_hint: str | None = None
    # How sure the reader is that `blocks` are the article's (0..1); None when it does not say.
    confidence: float | None = None
