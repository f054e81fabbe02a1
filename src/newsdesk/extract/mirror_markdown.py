"""Markdown mirrors of news sites: `### title`, nav bar, promos, article HTML, share block, footer."""

from __future__ import annotations

import html
import re

from newsdesk.extract.blocks import collapse, extract_blocks
from newsdesk.extract.chrome import MD_NAV_LINE, MD_RULE, SHARE_START, find_original_url, headline_link, is_foreign_link
from newsdesk.extract.dates import make_date
from newsdesk.extract.draft import Draft
from newsdesk.extract.html_tree import clean_tree
from newsdesk.extract.markdown import markdown_to_tree

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_REPOST_LINK = re.compile(r"\[\s*(?:转载自|轉載自|转自|轉自|来源|來源|原文)\s*[:：]?\s*(?P<name>[^\]]*)\]\((?P<url>https?://[^)\s]+)\)")
_INLINE_CODE_NAME = re.compile(r"`\s*(?P<name>[^`]{2,90}?)\s*`")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Wiki-style tag links some mirrors leave in the text: `[[zh:普京]]` is the word 普京.
WIKI_LINK = re.compile(r"\[\[(?:[a-z]{2}(?:-[a-z]+)?:)?([^\]|]+)(?:\|[^\]]*)?\]\]")
# GNews reposts stamp the byline with US-style UTC times: `10/17/2023 7:31 PM UTC`.
_US_STAMP = re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})\s*(?P<ampm>AM|PM)?)?\s*(?P<utc>UTC)?", re.I)


def us_stamp(text: str) -> str | None:
    m = _US_STAMP.search(text)
    if not m:
        return None
    date = make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if date is None or m["H"] is None:
        return date
    hour = int(m["H"]) % 12 + (12 if (m["ampm"] or "").upper() == "PM" else 0) if m["ampm"] else int(m["H"])
    zone = "+00:00" if m["utc"] else ""
    return f"{date}T{hour:02d}:{int(m['M']):02d}:00{zone}"
# An attribute list after a heading (Python-Markdown's attr_list, kramdown's IAL: `## 正文 { data-search-exclude }`,
# `### x {#id .class}`): the site generator's markup, never text.
_ATTR_LIST = re.compile(r"\s*\{:?\s*(?:[.#][\w-]+|[\w-]+(?:=\S*)?)(?:\s+(?:[.#][\w-]+|[\w-]+(?:=\S*)?))*\s*\}\s*$")
# A section heading naming the article's own text: the article is that section, up to the next heading of
# its level or above (the archive's summary, its record table and notices follow in sections of their own).
_BODY_SECTION = re.compile(r"^(?:正文|全文|原文|正文内容|正文內容|内文|內文)$")
# Markdown titles mirrors escape or decorate: `\[图\]`, `**…**`.
_TITLE_NOISE = re.compile(r"\\([\[\]()*_#])|\*\*")


def looks_like_mirror_markdown(text: str) -> bool:
    head = [line for line in text[:4000].splitlines() if line.strip()][:12]
    if not head:
        return False
    headings = sum(1 for line in head if _HEADING.match(line))
    return bool(_HEADING.match(head[0])) or (headings >= 2 and any(MD_NAV_LINE.match(line) for line in head))


def _title_line(lines: list[str]) -> tuple[int, str | None]:
    for i, line in enumerate(lines[:40]):
        m = _HEADING.match(line)
        if not m or MD_NAV_LINE.match(line):
            continue
        # Mirrors leave HTML character references in markdown titles (`&#8220;危中之危”`).
        title = html.unescape(_TITLE_NOISE.sub(r"\1", _MD_LINK.sub(r"\1", m["text"]))).strip()
        if title:
            return i, collapse(title)
    return -1, None


def read_mirror_markdown(text: str) -> Draft:
    lines = text.splitlines()
    title_at, title = _title_line(lines)
    draft = Draft(format="mirror-md", title=title)
    kept: list[str] = []
    share_at = None
    body_level = None
    for i, line in enumerate(lines[title_at + 1:], start=title_at + 1):
        if SHARE_START.search(line):
            share_at = i
            break
        heading = _HEADING.match(line)
        if heading:
            level, label = len(heading[1]), _ATTR_LIST.sub("", heading["text"]).strip()
            if body_level is not None and level <= body_level:
                share_at = i
                break
            if body_level is None and _BODY_SECTION.match(label):
                body_level = level
                kept.append("")
                continue
            line = line[: heading.start("text")] + label
        if MD_NAV_LINE.match(line) or MD_RULE.match(line):
            # A rule or nav line closes a paragraph; keep the break so text does not run together.
            kept.append("")
            continue
        repost = _REPOST_LINK.search(line)
        if repost and i - title_at <= 4:
            draft.original_url = repost["url"]
            draft.outlet_hints.append(repost["name"].strip())
            for code in _INLINE_CODE_NAME.finditer(line):
                stamp = us_stamp(code["name"])
                if stamp:
                    draft.published_hints.append(stamp)
                name = _US_STAMP.sub("", code["name"]).strip()
                if name:
                    draft.site_names.append(name)
            continue
        kept.append(line)
    tail = "\n".join(lines[share_at:]) if share_at is not None else ""
    draft.original_url = find_original_url(tail) or draft.original_url
    if draft.original_url is None:
        # Without a share block the `原文地址` line may sit anywhere near the end.
        body_text = "\n".join(kept)
        draft.original_url = find_original_url(body_text) or headline_link(text, title, is_foreign_link)
    tree = clean_tree(markdown_to_tree(WIKI_LINK.sub(r"\1", "\n".join(kept))))
    body = tree.find("body")
    draft.blocks, draft.images = extract_blocks(body if body is not None else tree, base_url=None)
    return draft
