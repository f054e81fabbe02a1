"""Listings of pages to fetch: RSS/Atom feeds (read by feedparser) and sitemaps (news sitemaps,
sitemap indexes, gzipped sitemaps), parsed from bytes already fetched.

Nothing here touches the network: feedparser is only ever given bytes (given a string it would
fetch it as a URL), and sitemaps are parsed by lxml with entities and network access turned off.
"""

from __future__ import annotations

import calendar
import gzip
import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

# A gzipped sitemap is unpacked to at most this much (the sitemap protocol's own limit is 50 MB).
MAX_LISTING_BYTES = 64 * 1024 * 1024
# Entries taken from one listing, at most (the protocol allows 50,000 per sitemap).
MAX_LINKS = 50_000


class ListingError(ValueError):
    """The bytes are neither a feed nor a sitemap."""


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    # When the listing says the page last changed (ISO 8601, UTC), if it says.
    updated: str | None = None
    title: str | None = None


@dataclass(slots=True)
class Listing:
    kind: str  # "rss", "atom", "feed" (another feedparser format), "sitemap", "sitemap-index"
    pages: list[Link] = field(default_factory=list)
    # The sitemaps a sitemap index lists: listings to poll in turn.
    listings: list[Link] = field(default_factory=list)
    title: str | None = None


def _web_url(url: str | None, base: str) -> str | None:
    if not url:
        return None
    absolute = urljoin(base, url.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    # The fragment names a place in the page, not another page.
    return absolute.split("#", 1)[0]


def _iso(value: str | None) -> str | None:
    """A sitemap date (W3C datetime: a day, or a date-time with an offset) as UTC ISO 8601."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _struct_iso(value: time.struct_time | None) -> str | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return None


def _unpacked(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            unpacked = stream.read(MAX_LISTING_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise ListingError(f"gzipped listing cannot be unpacked: {exc}") from exc
    if len(unpacked) > MAX_LISTING_BYTES:
        raise ListingError(f"gzipped listing unpacks to over {MAX_LISTING_BYTES:,} bytes")
    return unpacked


_SITEMAP_ROOTS = {"urlset": "sitemap", "sitemapindex": "sitemap-index"}


def _local(tag: object) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name and child.text:
            return str(child.text).strip()
    return None


def _news_fields(element: etree._Element) -> tuple[str | None, str | None]:
    """A Google News sitemap entry's `<news:news>`: its publication date and title."""
    for child in element:
        if _local(child.tag) == "news":
            return _child_text(child, "publication_date"), _child_text(child, "title")
    return None, None


def _sitemap(root: etree._Element, base: str) -> Listing:
    kind = _SITEMAP_ROOTS[_local(root.tag)]
    listing = Listing(kind)
    entry_tag = "url" if kind == "sitemap" else "sitemap"
    for element in root:
        if _local(element.tag) != entry_tag:
            continue
        url = _web_url(_child_text(element, "loc"), base)
        if url is None:
            continue
        published, title = _news_fields(element)
        # lastmod says when the page last changed; a news sitemap's publication date is the fallback.
        link = Link(url, _iso(_child_text(element, "lastmod")) or _iso(published), title)
        (listing.pages if kind == "sitemap" else listing.listings).append(link)
        if len(listing.pages) + len(listing.listings) >= MAX_LINKS:
            break
    return listing


def _xml_root(data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _feed(data: bytes, base: str, content_type: str | None) -> Listing:
    import feedparser

    headers = {"content-location": base}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False)
    version = str(parsed.get("version") or "")
    if not version and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise ListingError("neither a feed nor a sitemap" + (f" ({problem})" if problem else ""))
    kind = "rss" if version.startswith("rss") else "atom" if version.startswith("atom") else "feed"
    listing = Listing(kind, title=parsed.feed.get("title"))
    for entry in parsed.entries[:MAX_LINKS]:
        link = entry.get("link")
        if not link:
            alternates = [x.get("href") for x in entry.get("links", []) if x.get("rel", "alternate") == "alternate"]
            link = alternates[0] if alternates else None
        url = _web_url(link, base)
        if url is None:
            continue
        # `in` first: feedparser warns when `updated_parsed` is read on an entry that only has a published date.
        updated = _struct_iso(entry["updated_parsed"]) if "updated_parsed" in entry else None
        updated = updated or _struct_iso(entry.get("published_parsed"))
        listing.pages.append(Link(url, updated, entry.get("title")))
    return listing


def parse_listing(data: bytes, url: str, content_type: str | None = None) -> Listing:
    """The pages (and, for a sitemap index, the sitemaps) a feed or sitemap fetched from `url` lists.
    Raises ListingError for anything else."""
    data = _unpacked(data)
    head = data[:2048].lstrip().lower()
    if b"urlset" in data[:4096] or b"sitemapindex" in data[:4096] or head.startswith(b"<?xml"):
        root = _xml_root(data)
        if root is not None and _local(root.tag) in _SITEMAP_ROOTS:
            return _sitemap(root, url)
    return _feed(data, url, content_type)
