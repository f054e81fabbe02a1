"""HTML from captures, made harmless before a page shows it as HTML.

Pages show capture text through Jinja's autoescape (text, never markup). Where markup must survive
(the `<b>` marks of a search snippet), it passes nh3 (Ammonia) with a small allow-list: no script,
style, event handler, form, frame, image or other remote load, and links only to http(s) addresses.
"""

from __future__ import annotations

import nh3
from markupsafe import Markup

# Text-level and block elements a capture's HTML may keep; nothing that loads, runs or submits.
ALLOWED_TAGS = {"a", "b", "strong", "i", "em", "u", "s", "sub", "sup", "br", "p", "blockquote", "ul", "ol", "li",
                "h2", "h3", "h4", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https"}


def clean_html(html: str) -> Markup:
    """A capture's HTML reduced to the allow-list; links get rel="noopener noreferrer nofollow"."""
    return Markup(nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", strip_comments=True,
        clean_content_tags={"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math"},
    ))


def snippet_html(snippet: str | None) -> Markup:
    """A search snippet: its text is escaped by the archive, its `<b>` marks are the only tags kept."""
    return Markup(nh3.clean(snippet or "", tags={"b"}, attributes={}, clean_content_tags={"script", "style"}))
