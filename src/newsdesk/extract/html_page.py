"""HTML captures: pages saved from news sites, and HTML mirror pages (table layouts, side columns)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import trafilatura
from lxml import etree, html

from newsdesk.extract import credits, vocab
from newsdesk.extract.blocks import BLOCK_TAGS, collapse, extract_blocks, text_blocks
from newsdesk.extract.chrome import SHARE_START, is_foreign_link, markdown_heading, names_an_original, unwrap_archived
from newsdesk.extract.dates import (
    UPDATED,
    YMD_CN,
    YMD_NUMERIC,
    calendar_badge_date,
    is_utc_stamp,
    local_day_of_utc_stamp,
    parse_any_date,
    printed_dates,
    restated_in_own_zone,
)
from newsdesk.extract.draft import Draft
from newsdesk.extract.html_meta import VISIBLE_TEXTS, PageMeta, best_title, json_ld_authors, read_page_meta
from newsdesk.extract.html_tree import LIBXML_TEXT_LIMIT, clean_tree, parse_html
from newsdesk.extract.outlets import OutletRegistry, load_registry
from newsdesk.extract.region import clean_page, find_region, generic_blocks, read_region

_ORIGINAL_CUE = re.compile(r"(?:原文|原文地址|原文链接|原文連結|浏览原文|瀏覽原文|阅读原文|閱讀原文|原始网址)\s*[:：︰]?\s*$")
_REPOST_CUE = re.compile(r"(?:本文)?(?:转自|轉自|转载自|轉載自|来自|來自)\s*$")
_CREDIT_CUES = re.compile(r"原文|转自|轉自|转载|轉載|来自|來自")
# `题图来自 <a>Unsplash</a>`, `图片来自<a>视觉中国</a>`: a picture's credit, not the story's source.
_PHOTO_CUE = re.compile(vocab.section_pattern("label", "photo") + r"\s*$")
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Counted by runs: one match per run instead of a string per character (a third to a half cheaper).
_LATIN_RUN = re.compile(r"[A-Za-z]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _count(runs: re.Pattern[str], text: str, end: int = -1) -> int:
    """How many characters of `text` (up to `end`) the run pattern's class holds."""
    return sum(map(len, runs.findall(text) if end < 0 else runs.findall(text, 0, end)))


def looks_like_html(text: str) -> bool:
    head = text[:4000].lstrip().lower()
    if head.startswith("<") and re.search(r"<(?:html|body|div|p|table|a|head|meta|!doctype)\b", head):
        return True
    # Pages saved inside something else (a JS template literal, a JSON string) still carry a document head.
    return bool(re.search(r"<(?:html|head|title|meta)\b", head)) and head.count("<") >= 10


def is_full_document(text: str) -> bool:
    head = text[:4000].lower()
    return "<head" in head or "<!doctype" in head or "<meta" in head




def _original_links(root: html.HtmlElement) -> tuple[str | None, list[str]]:
    """Links a mirror labels as the original (`浏览原文：<a>`), and outlets it credits (`本文转自<a>大纪元</a>`)."""
    original, outlets = None, []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href.startswith("http"):
            continue
        # Whether the link is a mirror's is asked only of the few links a cue names (parsing every
        # URL of the page cost more than the cues): a mirror's link is neither original nor outlet.
        before = _text_before(a)
        if original is None and (_ORIGINAL_CUE.search(before) or re.search(r"^(?:原文|阅读原文|閱讀原文)", a.text_content().strip())):
            if names_an_original(href):
                original = href
        elif (
            (cue := _REPOST_CUE.search(before))
            and not _PHOTO_CUE.search(before[: cue.start()])
            and a.text_content().strip()
            and names_an_original(href)
        ):
            outlets.append(collapse(a.text_content()))
    return original, outlets


def _text_before(el: html.HtmlElement) -> str:
    prev = el.getprevious()
    if prev is not None:
        return (prev.tail or "")[-20:] if (prev.tail or "").strip() else collapse(prev.text_content())[-20:]
    parent = el.getparent()
    return (parent.text or "")[-20:] if parent is not None else ""


def _heading_title(root: html.HtmlElement) -> str | None:
    for tag in ("h1", "h2", "h3", "h4", "h5"):
        for el in root.iter(tag):
            text = collapse(el.text_content())
            if 4 <= len(text) <= 120:
                return text
    return None


def _heading_before(root: html.HtmlElement, region: html.HtmlElement) -> str | None:
    """The last heading (h1-h6) printed before the article's region: its headline when the page's
    title is only the site's name."""
    found = None
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6", region.tag):
        if el is region:
            return found
        if el.tag != region.tag:
            text = collapse(el.text_content())
            if 6 <= len(text) <= 120:
                found = text
    return None


# Text nodes that may hold an editor's credit (`责任编辑`, `責編`), found in C rather than by walking the page.
_EDITOR_TEXTS = etree.XPath(
    "//text()[(contains(., '编') or contains(., '編')) and not(ancestor::script) and not(ancestor::style)]"
)


# A credit group set in brackets, wherever the page prints it: `（編輯：X）1120823` closing an article,
# `【编辑:X】` under it, `（翻译/X 编辑/Y）` after a translated one.
_BRACKETED = re.compile(r"[（(【\[]([^（）()【】\[\]]{3,40})[）)】\]]")


def _bracketed_editor(texts: list[str]) -> str | None:
    """The editor a bracketed credit group names (read by the credit grammar), for pages that name
    no editor otherwise."""
    for text in texts:
        for m in _BRACKETED.finditer(text):
            found = credits.read_credit_line(m.group(1))
            if found is not None and found.editor:
                return found.editor
    return None


# A text opening with the author label, wherever the template prints it: under the article in a tool bar
# (news.cn: `[作者: 刘满仓 责任编辑: 杨丹宇 ]`) or in a layout table beside the date (xinhuanet.com:
# `作者： 记者王敬照`), places the region and its header lines do not reach.
_AUTHOR_LABEL_TEXTS = etree.XPath(
    "//text()[(contains(., '作者')) and not(ancestor::script) and not(ancestor::style) and not(ancestor::a)"
    " and not(ancestor::*[contains(@class, 'comment') or contains(@id, 'comment')])]"
)
_AUTHOR_LABEL_START = re.compile(r"^[\[【（(]?\s*作者\s*[:：︰]")


def _labelled_authors(root: html.HtmlElement) -> list[str]:
    """The writers a short `作者：X` credit names anywhere on the page (the first that names someone)."""
    for piece in _AUTHOR_LABEL_TEXTS(root)[:20]:
        text = collapse(str(piece))
        if len(text) > 60 or not _AUTHOR_LABEL_START.match(text):
            continue
        line = credits.read_credit_line(text.strip("[]【】（）() "), lenient=True)
        if line and line.authors:
            return line.authors
    return []


def _is_english(root: html.HtmlElement) -> bool:
    # Visible paragraph text only: scripts and styles are Latin whatever the page's language.
    pieces: list[str] = []
    size = 0
    for el in root.iter("p", "h1", "h2", "li"):
        piece = el.text_content()
        pieces.append(piece)
        size += len(piece)
        if size > 5000:
            break
    sample = "".join(pieces)
    return _count(_LATIN_RUN, sample) > 20 * max(1, _count(_CJK_RUN, sample))


_CAPTURE_COMMENT = re.compile(r"\A\s*(?:<!DOCTYPE[^>]*>\s*)?<!--\s*(?:saved from url=\(\d+\))?\s*(?P<url>https?://[^\s>]+?)\s*-->", re.I)


def _capture_url(text: str) -> str | None:
    """Saved pages name where they came from in a leading comment (`<!--https://…-->`, `saved from url=`)."""
    m = _CAPTURE_COMMENT.match(text[:2000])
    return m["url"] if m else None


_HEADER_LIMIT = 15
# Headline-like elements before an element in document order (its ancestors and what precedes them),
# found in C: numbering every element of the page in Python to compare positions cost more.
_TITLE_LIKE_BEFORE = etree.XPath(
    "(ancestor::* | preceding::*)[self::h1 or self::h2 or self::h3 or contains(@class,'title') or "
    "contains(@class,'Title') or contains(@id,'title')]"
)


def _fold(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def _title_element(root: html.HtmlElement, region: html.HtmlElement, title: str | None) -> html.HtmlElement | None:
    """The element that prints the headline above the article body (the last such before the region)."""
    if not title:
        return None
    key = _fold(title)
    if len(key) < 4:
        return None
    found = None
    for el in _TITLE_LIKE_BEFORE(region):
        text = el.text_content()
        if len(text) > 2 * len(title) + 40:
            continue
        folded = _fold(text)
        if folded and (folded == key or (key in folded and len(folded) <= len(key) + 12)):
            found = el
    return found


# Pictures between inline pieces of a header line: view, clock and share icons (`<img src=eye.png>`, an empty
# `<i class="icon-eye">`; inline SVG is gone by then, cleaning drops it).
_ICON_TAGS = frozenset({"img"})


def _lines_between(root: html.HtmlElement, start: html.HtmlElement | None, stop: html.HtmlElement) -> list[str]:
    """Block-level lines of text after `start` (or from the top) up to `stop`: inline pieces joined."""
    lines: list[str] = []
    buffer: list[str] = []
    started = start is None

    def flush() -> None:
        text = collapse("".join(buffer))
        buffer.clear()
        if text:
            lines.append(text)

    for event, el in etree.iterwalk(root, events=("start", "end")):
        if el is stop:
            break
        if not started:
            if event == "end" and el is start:
                started = True
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            elif tag in _ICON_TAGS or (tag == "i" and not el.text and not len(el)):
                # An icon sets the fields it stands between apart (`来源: X<img alt=views>159<span>分享到</span>`:
                # a view counter and a share label printed after the source, with no space between them).
                buffer.append(" ")
            if el.text and tag:
                buffer.append(el.text)
        else:
            if tag in BLOCK_TAGS:
                flush()
            if el.tail:
                buffer.append(el.tail)
    flush()
    return lines


def header_lines(root: html.HtmlElement, region: html.HtmlElement, title: str | None) -> tuple[list[str], bool]:
    """The short lines between the headline and the article body, where pages print date, source and
    byline; and whether the headline was found (without it, the last lines above the body)."""
    title_el = _title_element(root, region, title)
    lines = [line for line in _lines_between(root, title_el, region) if len(line) <= 120]
    return lines[-_HEADER_LIMIT:], title_el is not None


def _read_unlabelled_credits(lines: list[str], draft: Draft, channels: set[str]) -> None:
    """The name printed beside the date under a headline (`华夏人文 2020-03-09 18:14`, `洪毅 2023年08月31日`),
    or alone on the line just before or after it (`上海证券报网络版` / `2005.08.26 05:39`).

    `channels`: the page's own section names: a channel printed beside the date (`社會 17:30 2020/08/09`,
    hket) is no writer."""
    for i, line in enumerate(lines):
        if not credits.date_in(line) or not credits.is_date_line(line):
            continue
        found = credits.unlabelled_credit(credits.date_line_remainder(line), allow_person=True)
        for j in (i - 1, i + 1):
            if found is None and 0 <= j < len(lines) and not credits.date_in(lines[j]):
                found = credits.unlabelled_credit(lines[j], allow_person=False)
        if found and not (found[0] == "author" and _fold(found[1]) in channels):
            kind, name = found
            (draft.authors if kind == "author" else draft.header_outlets).append(name)
        return


def _channels(page: PageMeta) -> set[str]:
    """The section names a page files itself under (`article:section`, JSON-LD `articleSection`). (Not the
    `<title>`'s parts: columnists' pages put the writer's name there, `標題 - 紀曉風 - 信報網站`.)"""
    return {folded for n in page.sections if (folded := _fold(n))}


# Site names are short; a title part this long that the headline holds (or that holds it) is the headline's.
_HEADLINE_PIECE = 8


def _doc_title_site(doc_title: str | None, registry: OutletRegistry, headline: str | None = None) -> str | None:
    """The site's name in the document title (`headline_频道_网站`): a known or outlet-like part, else the last.

    A part that is the headline, or a long piece of it, is none (`网站--标题：副题`, the site first; `专题｜标题`)."""
    if not doc_title:
        return None
    parts = [p for p in re.split(r"\s*[|｜_\-–—]\s*", doc_title) if p]
    if len(parts) < 2:
        return None
    if headline and (key := _fold(headline)):
        kept = [parts[0]]
        for part in parts[1:]:
            folded = _fold(part)
            if folded != key and not (len(folded) >= _HEADLINE_PIECE and (folded in key or key in folded)):
                kept.append(part)
        parts = kept
        if len(parts) < 2:
            return None
    for part in parts[1:]:
        if registry.find_in(part):
            return part
    for part in reversed(parts[1:]):
        if len(part) > 2 and credits.looks_like_outlet(part):
            return part
    return parts[-1]


# Copyright notices found in the page's source (a regular expression over the text is far cheaper than a
# walk of every text node); the markup around them is dropped before they are read.
_COPYRIGHT_MARK = re.compile(r"版[权權]所有|Copyright|&copy;|©")
_TAG_OR_ENTITY = re.compile(r"<[^>]*>|&nbsp;|&#160;")
_LOGO_ALTS = etree.XPath(
    "//img[contains(@src, 'logo') or ancestor-or-self::*[contains(@class, 'logo') or contains(@id, 'logo')]]/@alt"
)
_HOLDER_AFTER = re.compile(
    r"(?:版[权權]所有|Copyright|©)\s*[:：︰]?\s*(?:©\s*)?(?:(?:19|20)\d\d\s*(?:[-–—~]\s*(?:19|20)\d\d)?\s*年?)?\s*"
    r"(?P<name>[\u4e00-\u9fff]{3,20})"
)
_HOLDER_BEFORE = re.compile(r"(?P<name>[\u4e00-\u9fff]{3,20})\s*版[权權]所有")
# Footers also print the site's licences and sponsors (`营业执照`, `ICP备案号`, `X承办`, `可信网站` badges).
_NOT_A_HOLDER = re.compile(
    r"(?:公司|有限|集团|集團|未经|未經|不得|转载|轉載|授权|授權|违者|違者|必究|首页|首頁|执照|執照|备案|備案|主办|主辦|承办|承辦"
    r"|可信网站|可信網站)"
)


_AUTHOR_ELEMENTS = etree.XPath(
    "//*[(contains(@class, 'author') or contains(@id, 'author')) and not(self::meta)"
    " and not(ancestor-or-self::*[contains(@class, 'comment') or contains(@id, 'comment')])]"
)


# Elements a template names for the date it prints (`<p class="time">`, `<div class="date">`, `pubtime`).
_DATE_ELEMENTS = etree.XPath(
    "//*[contains(@class, 'time') or contains(@class, 'date') or contains(@id, 'time') or contains(@id, 'date')]"
)


def _in_comments(el: html.HtmlElement) -> bool:
    return any("comment" in (a.get("class") or "") + (a.get("id") or "") for a in el.iterancestors())


# Publication-date labels of the credit grammar (`发布日期：`, `發佈時間：`), read wherever the page prints them.
_PUBLISHED_WORDS = sorted(w for w in vocab.words("label", "date") if w.startswith(("发布", "發布", "發佈", "发表", "發表", "刊发", "刊發")))
_PUBLISHED_LABEL = re.compile(vocab.alternation(set(_PUBLISHED_WORDS)) + r"\s*[:：︰]")


def _date_element_stamp(root: html.HtmlElement, source: str) -> str | None:
    """The first short date-marked element (or labelled date) that states a date, read only when the
    page gives no other."""
    for label in itertools.islice(_PUBLISHED_LABEL.finditer(source), 5):
        # The date follows the label, perhaps across a tag or a comment (`发布日期：<!-- begin -->2019-03-06`).
        after = collapse(_TAG_OR_ENTITY.sub(" ", source[label.end() : label.end() + 200]))
        date = credits.date_in(after[:30])
        if date:
            return date
    for el in _DATE_ELEMENTS(root)[:30]:
        if el.tag in ("meta", "script", "style") or "comment" in (el.get("class") or "") + (el.get("id") or ""):
            continue
        if _in_comments(el):
            continue
        # A script printing the stamp in the reader's time zone (`document.write(ConvertToLocalTime(…))`)
        # is no text: the date the page prints beside it is.
        text = collapse(_own_text(el))
        if len(text) <= 40 and credits.is_date_line(text):
            date = credits.date_in(text)
            if date:
                return date
    return None


# Calendar badges print the date in pieces, one element each (`<div class="day">21</div>
# <div class="year">2024年02月</div>`); the element marked as the year holds the badge together.
_BADGE_YEARS = etree.XPath("//*[contains(concat(' ', normalize-space(@class), ' '), ' year ')]")


def _calendar_badge_stamp(root: html.HtmlElement) -> str | None:
    """The date of the first calendar badge outside comments, read only when the page gives no other."""
    for year_el in _BADGE_YEARS(root)[:5]:
        badge = year_el.getparent()
        if badge is None or _in_comments(year_el):
            continue
        month = None
        days: list[str] = []
        for piece in badge:
            if piece is year_el or not isinstance(piece.tag, str):
                continue
            roles = set((piece.get("class") or "").lower().split())
            text = collapse(piece.text_content())
            if roles & {"month", "mon"}:
                month = text
            elif roles & {"day", "date"}:
                days.append(text)
        date = calendar_badge_date(collapse(year_el.text_content()), month, days)
        if date:
            return date
    return None


def _printed_own_names(root: html.HtmlElement, source: str) -> list[str]:
    """The site's name where the page prints it for itself: the copyright line's holder
    (`版权所有 湖南省中医药研究院附属医院`, `中央通訊社版權所有`), the logo's alt text (`<img alt="61閱讀">`).

    Weak evidence, read only when nothing names the outlet: a company (`网易公司`) or a notice
    (`不得轉載`) is not a name."""
    names: list[str] = []
    pieces = []
    for mark in itertools.islice(_COPYRIGHT_MARK.finditer(source), 6):
        window = source[max(0, mark.start() - 80) : mark.end() + 160].replace("&copy;", "©")
        pieces.append(_TAG_OR_ENTITY.sub(" ", window))
    for piece in pieces:
        for pattern in (_HOLDER_AFTER, _HOLDER_BEFORE):
            for m in pattern.finditer(str(piece)):
                if not _NOT_A_HOLDER.search(m["name"]):
                    names.append(m["name"])
    alts = []
    for alt in _LOGO_ALTS(root)[:6]:
        alt = collapse(str(alt))
        if 3 <= len(alt) <= 20 and re.search(r"[\u4e00-\u9fff]", alt) and not _NOT_A_HOLDER.search(alt):
            alts.append(alt)
    # A footer or logo repeated in every column is one signal, not several that agree.
    return [*dict.fromkeys(names), *dict.fromkeys(alts)]


_COPYRIGHT_WORDS = re.compile(
    r"copyright|all rights reserved|©|&copy;|\(c\)|版[权權]所有|(?:19|20)\d\d(?:\s*[-–—~]\s*(?:19|20)\d\d)?\s*年?", re.I
)
_COMPANY_OR_HOST = re.compile(r"\b(?:inc|ltd|limited|co|corp|llc|gmbh)\b\.?|\.(?:com|net|org|cn|hk|tw)\b", re.I)


def _meta_copyright_name(value: str | None) -> str | None:
    """The site's name in `<meta name="copyright">` (`聯合新聞網`, `证券时报网版权所有`, `Copyright © 2024 TVBS`);
    None for a company or a host (`AD Internet Limited`, `hkheadline.com`), which name no outlet."""
    if not value:
        return None
    name = collapse(_COPYRIGHT_WORDS.sub(" ", value)).strip(" ,，.。:：")
    if not 2 <= len(name) <= 20 or _COMPANY_OR_HOST.search(name) or _NOT_A_HOLDER.search(name):
        return None
    return name


# Elements a template names as the headline, read where no `<h1>`-`<h3>` prints it.
_TITLE_CLASSED = etree.XPath(
    "//*[contains(@class, 'title') or contains(@class, 'headline') or contains(@id, 'title')]"
    "[not(self::title) and not(self::meta)]"
)
_NO_TEXT = frozenset({"script", "style", "noscript"})


def _headline_candidates(root: html.HtmlElement) -> Iterator[html.HtmlElement]:
    yield from root.iter("h1", "h2", "h3")
    # Searched only when no heading element prints the headline.
    yield from _TITLE_CLASSED(root)[:100]


def _texts(el: html.HtmlElement) -> Iterator[str]:
    """The element's texts in document order, its tail last; scripts and styles say nothing."""
    if isinstance(el.tag, str) and el.tag not in _NO_TEXT:
        if el.text:
            yield el.text
        for child in el:
            yield from _texts(child)
    if el.tail:
        yield el.tail


def _own_text(el: html.HtmlElement) -> str:
    """The element's visible text, without its tail."""
    pieces = list(_texts(el))
    if el.tail:
        pieces.pop()
    return "".join(pieces)


def _texts_after(el: html.HtmlElement) -> Iterator[str]:
    """The texts after the element in document order, lazily (its following siblings, then its
    parent's, and so on up)."""
    if el.tail:
        yield el.tail
    node = el
    while (parent := node.getparent()) is not None:
        for sibling in node.itersiblings():
            yield from _texts(sibling)
        if parent.tail:
            yield parent.tail
        node = parent


# How far after the headline the date line may stand: a few short lines (byline, source, share counts).
_AFTER_HEADLINE_CHARS = 400


def _same_day(date: str, stamps: list[str | None]) -> bool:
    return any(stamp and (parse_any_date(stamp) or "")[:10] == date[:10] for stamp in stamps)


def _date_after_headline(root: html.HtmlElement, title: str | None) -> str | None:
    """The date printed in the short lines right after the headline element, in document order, however
    the template nests them: `<h1>…</h1><div>BBC記者<time>2023年8月31日</time></div>`, `…MYERS2023年9月13日`.
    The region's header lines miss it where the headline stands inside the article's own container
    (nothing above the body anchors them); a date further down (related stories, comments) is past the
    first line of prose and never read."""
    folded = _fold(title or "")
    if len(folded) < 4:
        return None
    try:
        return _first_date_after(root, folded)
    except RecursionError:
        # Markup nested deeper than Python recurses (hostile or broken pages): no date from here.
        return None


def _first_date_after(root: html.HtmlElement, folded: str) -> str | None:
    for el in _headline_candidates(root):
        if _fold(el.text_content()) != folded:
            continue
        seen = 0
        previous = ""
        updated: str | None = None
        for piece in itertools.islice((t for t in _texts_after(el) if t.strip()), 24):
            text = collapse(piece)
            seen += len(text)
            if seen > _AFTER_HEADLINE_CHARS or len(text) > 120:
                break
            if credits.is_date_line(text) and (YMD_NUMERIC.search(text) or YMD_CN.search(text)):
                date = credits.date_in(text)
                # An update time (`更新：…`, the label in the line or just before it) counts only when
                # no publication date follows.
                if date and (UPDATED.search(text) or (len(previous) <= 8 and UPDATED.search(previous))):
                    updated = updated or date
                elif date:
                    return date
            if re.search(r"[。！？]", text):
                break
            previous = text
        return updated
    return None


def _header_date(texts: list[str]) -> str | None:
    """The first date under the headline, preferring one not labelled as an update; never a banner's."""
    dated = [t for t in texts if (YMD_NUMERIC.search(t) or YMD_CN.search(t)) and credits.is_date_line(t)]
    fresh = [t for t in dated if not UPDATED.search(t)]
    for text in fresh or dated:
        date = credits.date_in(text)
        if date:
            return date
    return None


_META_TAG = re.compile(r"<meta\s[^>]*>", re.I)
_META_KEY = re.compile(r"""(?:property|name|itemprop)\s*=\s*["']([^"']+)["']""", re.I)
_META_CONTENT = re.compile(r"""content\s*=\s*["']([^"']*)["']""", re.I)
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
# Fewer Han characters than this in a page's first 200 KB: not a Chinese page.
_MIN_CJK = 30
_KANA = re.compile(r"[\u3040-\u30ff]")
_NOT_HAN_OR_KANA = re.compile(r"[^\u3040-\u30ff\u4e00-\u9fff]+")
# How far into a page a first look for Chinese reaches, to choose how to count (not what is counted).
_CHINESE_PROBE_CHARS = 10_000
_MAX_KANA_SHARE = 0.1


def _sniff_meta(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in _META_TAG.findall(text[:100_000]):
        key, content = _META_KEY.search(tag), _META_CONTENT.search(tag)
        if key and content:
            found.setdefault(key.group(1).lower(), content.group(1).strip())
    return found


def read_generic_page(text: str) -> Draft:
    """Pages in other languages: trafilatura decides the main content; the head gives the metadata.

    Handing trafilatura the markup (not our tree) lets it use its own lean parser.
    """
    draft = Draft(format="site-html")
    # trafilatura's parser ends the tree at a text over libxml2's 10 MB limit, losing it and all after
    # it; a page long enough to hold one (4 bytes a character at most) is given our tree, which keeps it.
    source = parse_html(text) if len(text) > LIBXML_TEXT_LIMIT // 4 else text
    # Fast mode (no readability/justext second opinions) with recall favoured: on the
    # article-extraction-benchmark this is both faster and more accurate than the defaults
    # (bench/RESULTS.md).
    body = trafilatura.extract(source, include_comments=False, fast=True, favor_recall=True)
    draft.blocks = text_blocks(body)
    if not draft.blocks:
        # trafilatura found nothing (or its parser gave up on the markup): our own reading decides.
        root = clean_tree(parse_html(text))
        region, _ = find_region(root)
        body_el = root.find("body")
        target = region if region is not None else (body_el if body_el is not None else root)
        draft.blocks, draft.images = extract_blocks(target)
    meta = _sniff_meta(text)
    title = meta.get("og:title") or meta.get("twitter:title")
    if not title:
        m = _TITLE_TAG.search(text[:100_000])
        title = html.fromstring(m.group(1)).text_content() if m and m.group(1).strip() else None
    draft.title = collapse(title) if title else None
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date"):
        if meta.get(key):
            draft.published_hints.append(meta[key])
    # JSON-LD names the writers as on Chinese pages; the author meta tag is the fallback.
    site = collapse(meta.get("og:site_name") or "")
    ld_authors = [name for name in json_ld_authors(text) if name != site]
    if ld_authors:
        draft.authors = ld_authors
    elif meta.get("author") and not meta["author"].startswith("http"):
        draft.authors = [collapse(meta["author"])]
    if meta.get("og:site_name"):
        draft.site_names.append(meta["og:site_name"])
    if (meta.get("og:url") or "").startswith("http"):
        draft.original_url = meta["og:url"]
    return draft


_TITLE_PARTS = re.compile(r"\s*[|｜_\-–—]\s*")


def _note_kinds(draft: Draft, kind: str, names: list[str | None]) -> None:
    for name in names:
        if name:
            draft.outlet_kinds.setdefault(name, kind)


def read_html(text: str, mirror: bool) -> Draft:
    head = text[:200_000]
    if _count(_CJK_RUN, head, _CHINESE_PROBE_CHARS) < _MIN_CJK:
        # Little or no Chinese at the top (English pages): a findall with little to collect is the
        # cheapest count, and most such pages stop here.
        han = _count(_CJK_RUN, head)
        if han < _MIN_CJK:
            return read_generic_page(text)
        kana = len(_KANA.findall(head))
    elif _KANA.search(head) is None:
        # Most Chinese pages print no kana at all, and then the share test below passes whatever the Han
        # count (the probe found at least _MIN_CJK): a search finding nothing costs half the counting pass.
        han, kana = _MIN_CJK, 0
    else:
        # Chinese pages: one pass keeps only the Han and kana characters, both counts come from those
        # (two findalls collecting every ideograph cost more).
        ideographs = _NOT_HAN_OR_KANA.sub("", head)
        kana = len(_KANA.findall(ideographs))
        han = len(ideographs) - kana
    # The region model learned from Chinese pages only; Japanese ones (kana beside the kanji) keep the rule.
    learned_page = kana < han * _MAX_KANA_SHARE
    root = parse_html(text)
    page = read_page_meta(root, text)
    # Weak evidence, looked for only where the page's metadata is silent (and before cleaning drops it).
    own_names = [] if mirror or page.site_names() else _printed_own_names(root, text)
    element_date = (
        None if mirror or page.published or page.weak_published
        else _date_element_stamp(root, text) or _calendar_badge_stamp(root)
    )
    # Only mirrors label original links, always in Chinese: skip the anchor walk on other pages.
    original, repost_outlets = _original_links(root) if _CREDIT_CUES.search(text) else (None, [])
    draft = Draft(format="mirror-html" if mirror else "site-html", original_url=original)
    draft.outlet_hints.extend(repost_outlets)
    _note_kinds(draft, "repost_link", repost_outlets)
    draft.tags = page.tags
    draft.language_hint = page.language
    draft.capture_url = _capture_url(text)
    if not mirror and page.canonical and names_an_original(page.canonical):
        # A saved page's canonical link is the outlet's own address for the story.
        draft.original_url = draft.original_url or page.canonical
    registry = load_registry()
    known = registry.by_url(page.canonical) or registry.by_url(draft.capture_url)
    site_names = [known.name, *known.aliases] if known else []
    # A page whose title is only the site's name (`浙江省淡水水产研究所`, `中国地理学会官网`) prints its
    # headline in a lesser heading.
    draft.title = _heading_title(root) if mirror else best_title(page, [*site_names, *own_names])
    if mirror:
        # Markdown allows HTML blocks: a fragment that opens with a markdown heading is a markdown
        # post (RSS-to-markdown feeds: `[标题](https://outlet/…)` over `------`), and that is its title.
        heading = markdown_heading(text)
        if heading:
            draft.title, linked = heading
            if linked and is_foreign_link(linked):
                draft.original_url = draft.original_url or unwrap_archived(linked)
    # Read before cleaning, which may drop the header the date stands in.
    headline_date = None if mirror else _date_after_headline(root, draft.title)
    # The site's own names in the document title and the copyright meta: portals print their brand as
    # the author meta too (163.com `author: 网易` beside `网易版权所有`; csdn.net `CSDN.NET` as the title's
    # last part), which names no writer on a site never seen.
    site_part = _doc_title_site(page.doc_title, registry, draft.title)
    meta_holder = _meta_copyright_name(page.copyright)
    page_sites = [*site_names, *page.site_names(), *(n for n in (site_part, meta_holder) if n)]
    ld_authors, ld_outlets = credits.meta_authors(page.ld_authors, page_sites)
    tag_authors, tag_outlets = credits.meta_authors(page.meta_authors, page_sites)
    if _is_english(root):
        # Ordinary English news pages: the generic main-content decision is trafilatura's.
        draft.published_hints.extend([*page.published, *page.weak_published])
        draft.blocks = generic_blocks(root)
        draft.site_names.extend(page.site_names())
        draft.fallback_authors = ld_authors or tag_authors
        return draft
    # Sites print `责任编辑：X` below the article, often inside a share or tool bar that cleaning drops.
    editor_texts = []
    for piece in _EDITOR_TEXTS(root):
        editor_texts.append(collapse(piece))
        editor = credits.editor_anywhere(editor_texts[-1])
        if editor:
            draft.editor = editor
            break
    else:
        # Only a page naming no editor this way needs the bracketed credits (the article's own lines still outrank them).
        draft.fallback_editor = _bracketed_editor(editor_texts)
    # A UTC meta stamp late in the evening is the next day where the page is read; the page's
    # printed dates (read before cleaning drops the header) say which day it shows.
    local_day = None
    if page.published and is_utc_stamp(page.published[0]):
        local_day = local_day_of_utc_stamp(page.published[0], printed_dates(" ".join(VISIBLE_TEXTS(root))))
        local_day = local_day or restated_in_own_zone(page.published)
    # Read before cleaning (which drops the tool bars and layout tables they stand in); needed only without JSON-LD's.
    labelled_authors = [] if ld_authors else _labelled_authors(root)
    clean_page(root, None if learned_page else False)
    # JSON-LD names writers; an author meta tag often names the web editor, so it counts only when
    # the page prints the name as something else than an editor credit.
    if not ld_authors and tag_authors:
        page_text = root.text_content()
        tag_authors = [a for a in tag_authors if credits.printed_as_writer(a, page_text)]
    draft.fallback_authors = ld_authors or tag_authors or labelled_authors
    if not draft.fallback_authors:
        # Templates mark the writer's name with an author class (`<span class="author">`).
        texts = [el.text_content() for el in _AUTHOR_ELEMENTS(root)[:20]]
        named = credits.element_author(texts)
        draft.fallback_authors = [named] if named else []
        # On platforms the author element names the account, which is the outlet (weighed by outlet_model).
        _note_kinds(draft, "author_element", [t for t in map(collapse, texts[:3]) if 2 <= len(t) <= 20])
    found_region = read_region(root, draft.title, learned_page)
    region = found_region.element
    draft.confidence = found_region.confidence
    header_date = None
    if region is not None:
        lines, anchored = header_lines(root, region, None if mirror else draft.title)
        for line in lines:
            found = credits.header_credits(line)
            if found is None:
                continue
            draft.authors.extend(found.authors)
            draft.outlet_hints.extend(found.sources)
            _note_kinds(draft, "header_credit", found.sources)
            if found.lead:
                draft.outlet_hints.append(found.lead)
                _note_kinds(draft, "header_credit", [found.lead])
            if found.editor and not draft.editor:
                draft.editor = found.editor
        header_date = _header_date(lines)
        if anchored:
            _read_unlabelled_credits(lines, draft, _channels(page))
        if header_date and anchored:
            # A date printed under the headline is the article's; meta stamps are often UTC or the crawl's.
            draft.published_hints.append(header_date)
            header_date = None
    # The date printed under the headline outranks meta stamps that name another day (UTC, the crawl's, a
    # republication's); after one naming the same day, which is kept for the time it adds.
    headline_first = bool(headline_date) and not _same_day(headline_date, [s for s in [local_day, *page.published] if s][:1])
    if headline_first:
        draft.published_hints.append(headline_date)
    if local_day:
        draft.published_hints.append(local_day)
    draft.published_hints.extend(page.published)
    if headline_date and not headline_first:
        draft.published_hints.append(headline_date)
    if header_date:
        # Not anchored under the headline, a date may be a banner's or a neighbouring story's.
        draft.weak_published_hints.append(header_date)
    draft.weak_published_hints.extend(page.weak_published)
    if element_date:
        draft.weak_published_hints.append(element_date)
    # A JSON-LD author that is an outlet is the account re-posting a wire (`author: 新华社`); an author
    # meta tag naming one is usually the site's own default.
    draft.outlet_hints.extend(ld_outlets)
    draft.site_names.extend([*page.site_names(), *tag_outlets])
    draft.own_name = next(iter(page.site_names()), None)
    if site_part:
        draft.site_names.append(site_part)
    if meta_holder:
        draft.site_names.append(meta_holder)
    draft.site_names.extend(own_names)
    for kind, names in (
        ("ld_author_outlet", ld_outlets), ("site_name", [page.site_name]), ("publisher", [page.publisher]),
        ("meta_author_outlet", tag_outlets), ("title_suffix", [site_part]), ("meta_copyright", [meta_holder]),
        ("footer_or_logo", own_names), ("title_part", _TITLE_PARTS.split(page.doc_title or "")[1:]),
    ):
        _note_kinds(draft, kind, names)
    draft.blocks, draft.images = found_region.blocks, found_region.images
    if region is None or found_region.method == "generic":
        return draft
    if draft.title is None:
        draft.title = _heading_title(region) or _heading_before(root, region)
    # Mirror pages put the share block inside the region: nothing after it is the article's.
    for i, block in enumerate(draft.blocks):
        if SHARE_START.search(block):
            draft.blocks = draft.blocks[:i]
            break
    return draft
