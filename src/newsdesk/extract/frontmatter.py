"""Blog posts with YAML front matter (RSS-to-blog exporters, static sites)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from newsdesk.extract import credits
from newsdesk.extract.blocks import extract_blocks, text_blocks
from newsdesk.extract.chrome import find_original_url, headline_link_credit, is_foreign_link
from newsdesk.extract.dates import names_publication, parse_any_date
from newsdesk.extract.draft import Draft
from newsdesk.extract.html_tree import clean_tree
from newsdesk.extract.markdown import markdown_to_tree
from newsdesk.model import Image

_FENCE = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(?P<yaml>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# Exporters replace quotes they cannot store with `_`: `反对_那些试图摧毁它的人_与…`.
_LOST_QUOTES = re.compile(r"(?<=[\u4e00-\u9fff])_(?=[\u4e00-\u9fff])")
_SITE_SUFFIX = re.compile(r"\s+-\s+.*$")
# libyaml's safe loader is an order of magnitude faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ANCHOR = re.compile(r"(?:^|[\s:\-\[,])&[\w-]+", re.M)
_ALIAS = re.compile(r"(?:^|[\s:\-\[,])\*[\w-]+", re.M)


def has_front_matter(text: str) -> bool:
    """Cheap test for format detection: a fenced block of `key: value` lines opens the text."""
    m = _FENCE.match(text)
    return bool(m) and bool(re.search(r"^[A-Za-z_][\w-]*\s*:", m["yaml"], re.M))


def split_front_matter(text: str) -> tuple[dict[str, Any], str] | None:
    m = _FENCE.match(text)
    if not m:
        return None
    raw = m["yaml"]
    if _ANCHOR.search(raw) and _ALIAS.search(raw):
        # Anchors and aliases have no business in a post's metadata, and they can expand
        # exponentially ("billion laughs"): read such front matter line by line instead.
        data: Any = _loose_yaml(raw)
    else:
        try:
            data = yaml.load(raw, Loader=_LOADER)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
            # PyYAML raises ValueError for impossible timestamps (`date: 2023-02-30`).
            data = _loose_yaml(raw)
    if not isinstance(data, dict):
        return None
    return data, text[m.end():]


def _loose_yaml(raw: str) -> dict[str, Any]:
    """`key: value` lines, for front matter that is not quite YAML (unquoted colons)."""
    data: dict[str, Any] = {}
    key = None
    for line in raw.splitlines():
        m = re.match(r"^([A-Za-z_][\w-]*):\s*(.*)$", line)
        if m:
            key, value = m.group(1), m.group(2).strip().strip("'\"")
            data[key] = value
        elif key and line.strip().startswith("- "):
            prev = data.get(key)
            data[key] = ([] if not isinstance(prev, list) else prev) + [line.strip()[2:].strip("'\"")]
        elif key and isinstance(data.get(key), str) and line.strip():
            data[key] = f"{data[key]}\n{line.strip()}"
    return data


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = str(value).strip()
    return text or None


def _title(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    # A title spread over lines (`19_42\n  北京大学黄益平：…`) carries a timestamp fragment first.
    lines = text_blocks(text)
    text = max(lines, key=len) if len(lines) > 1 else lines[0]
    return _LOST_QUOTES.sub(" ", text)


def _date_key(meta: dict[str, Any]) -> str | None:
    """The field holding the post's date: `date` (Jekyll, Hugo, Hexo), else a field whose name says
    publication (`pubDate` in Astro's blog template, Hugo's `publishDate`), never an update's (`lastmod`)."""
    if "date" in meta:
        return "date"
    return next((key for key in meta if isinstance(key, str) and names_publication(key)), None)


def read_frontmatter_post(text: str) -> Draft | None:
    split = split_front_matter(text)
    if split is None:
        return None
    meta, body = split
    draft = Draft(format="frontmatter-post", title=_title(meta.get("title")))
    date_key = _date_key(meta)
    if date_key is not None:
        draft.published_stated = True
        value = meta[date_key]
        draft.published = parse_any_date(value.isoformat() if hasattr(value, "isoformat") else str(value))
    author = _text(meta.get("author"))
    categories = meta.get("categories") or meta.get("category") or []
    if not isinstance(categories, list):
        categories = [categories]
    if author:
        # `记者吴婉英`, `不無` name writers; `IT 之家`, `品玩 - 用户` name the site.
        named = _SITE_SUFFIX.sub("", author) if " - " in author else author
        tags = meta.get("tags") or []
        # The feed's category carries the same suffix as its author (`品玩 - 用户` both; pingwest, bishijie).
        feeds = {_SITE_SUFFIX.sub("", str(c).strip()) for c in [*categories, *(tags if isinstance(tags, list) else [tags])] if c}
        if named in feeds:
            # RSS-to-blog exporters file each feed under its source: an author that is also a
            # category or tag (`author: 寒冬`, `categories: [news, 寒冬]`; `author: 品玩 - 用户`,
            # `categories: [新媒体, 品玩 - 用户]`) is the feed's outlet.
            draft.outlet_hints.append(named)
        else:
            writers, outlets = credits.front_matter_author(named)
            draft.authors.extend(writers)
            draft.outlet_hints.extend(outlets)
    # Categories are mostly topics or sections (`Archive`, `眾聞`); one may name the outlet, but
    # only as weakly as a site's own name does.
    draft.site_names.extend(_SITE_SUFFIX.sub("", str(c)) for c in categories if c)
    # `from:` is how RSS-to-blog exporters (nodebe4's feeds) name the item's link.
    for key in ("original_url", "source_url", "link", "canonical_url", "url", "from"):
        url = _text(meta.get(key))
        if url and url.startswith("http"):
            if "web.archive.org/web/" in url and key == "url":
                draft.capture_url = url
                continue
            draft.original_url = draft.original_url or url
    if draft.original_url is None:
        # Archive posts credit the original in their first lines (`原文来自X：~~[标题](…)~~`, `[原文](…)`).
        head = "\n".join(body.splitlines()[:40])
        draft.original_url = find_original_url(head)
    linked = headline_link_credit("\n".join(body.splitlines()[:40]), draft.title, is_foreign_link)
    if linked:
        url, before = linked
        draft.original_url = draft.original_url or url
        # `原文来自财新网：~~[标题](…)~~`, `原文来自「政见CNPolitics」：[…]`: the outlet credited for the link.
        credit = credits.read_credit_line(before, lenient=True) if before else None
        if credit:
            draft.outlet_hints.extend(credit.sources)
    tags = meta.get("tags") or []
    draft.tags = [str(t) for t in tags if isinstance(t, str | int | float)] if isinstance(tags, list) else [str(tags)]
    tree = clean_tree(markdown_to_tree(body))
    root = tree.find("body")
    draft.blocks, draft.images = extract_blocks(root if root is not None else tree)
    if not draft.images:
        # A post whose body shows no picture still has the feed's lead image.
        for key in ("headimg", "thumbnail", "image", "cover"):
            src = _text(meta.get(key))
            if src and src.startswith("http"):
                draft.images.append(Image(src=src))
                break
    return draft
