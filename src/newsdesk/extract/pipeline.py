"""Capture → format reader → credits and metadata → `Article`."""

from __future__ import annotations

import datetime as dt
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

import opencc

from newsdesk.extract import credits
from newsdesk.extract.blocks import collapse, fold
from newsdesk.extract.chrome import (
    INLINE_BOX_LABEL,
    JUNK_BLOCK,
    LIST_HEADING,
    SHARE_START,
    SOURCE_TAIL,
    TAIL_HEADING_ONLY,
    TAIL_MARKER,
    is_caption,
    is_punctuation_only,
    is_site_notice,
)
from newsdesk.extract.dates import (
    RFC2822_STAMP,
    UPDATED,
    YMD_CN,
    YMD_NUMERIC,
    date_from_url,
    make_date,
    parse_any_date,
)
from newsdesk.extract.draft import Draft
from newsdesk.extract.frontmatter import has_front_matter, read_frontmatter_post
from newsdesk.extract.html_page import is_full_document, looks_like_html, read_html
from newsdesk.extract.language import detect_language, script_counts
from newsdesk.extract.mirror_markdown import looks_like_mirror_markdown, read_mirror_markdown
from newsdesk.extract.outlet_model import choose_outlet
from newsdesk.extract.outlets import OutletRegistry, load_registry, name_in_script
from newsdesk.extract.oversize import TRUNCATION_MARK, Cut, shrink
from newsdesk.extract.plain import read_plain
from newsdesk.model import Article
from newsdesk.sources.decode import DecodeError, decode

FORMATS = ("mirror-md", "mirror-html", "frontmatter-post", "site-html", "plain")


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """Everything extraction can be told; one object, passed down."""

    outlet_files: tuple[str, ...] = ()
    # Captures beyond this many characters are cut before parsing (memory and time stay bounded).
    max_chars: int = 8_000_000
    # Wall-clock bound on one capture (decode + extract), so one pathological page cannot stall a
    # batch. Enforced with SIGALRM, hence only in the main thread; None or 0 turns it off.
    timeout_seconds: float | None = 30.0
    extra: dict[str, str] = field(default_factory=dict)


_DEFAULT = ExtractOptions()


def detect_format(text: str) -> str:
    if has_front_matter(text):
        return "frontmatter-post"
    if looks_like_mirror_markdown(text):
        return "mirror-md"
    if looks_like_html(text):
        return "site-html" if is_full_document(text) else "mirror-html"
    return "plain"


def _read(text: str, fmt: str) -> Draft:
    if fmt == "frontmatter-post":
        draft = read_frontmatter_post(text)
        if draft is not None:
            return draft
        fmt = "plain"
    if fmt == "mirror-md":
        return read_mirror_markdown(text)
    if fmt in {"site-html", "mirror-html"}:
        return read_html(text, mirror=fmt == "mirror-html")
    return read_plain(text)


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = fold(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


@dataclass(slots=True)
class _Credits:
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    chief_editor: bool = False
    sources: list[str] = field(default_factory=list)
    header_dates: list[str] = field(default_factory=list)
    # Dates stated by the article's own credit lines (`发布时间: 2015年11月22日 10:31`, `时间：2023年9月20日`).
    credit_dates: list[str] = field(default_factory=list)
    original_title: str | None = None
    dateline: credits.Dateline | None = None


def _strip_title_echo(blocks: list[str], title: str | None) -> list[str]:
    """The headline is not body, wherever a wrapper repeats it."""
    if not title or not blocks:
        return blocks
    key = fold(title)
    # Only blocks of about the headline's length can be it; folding long paragraphs costs memory.
    longest = 2 * len(title) + 16
    return [b for b in blocks if len(b) > longest or fold(b) != key]


def _is_headline_only(blocks: list[str], title: str | None) -> bool:
    """The article's text is its headline alone (a flash item): the blocks repeat the title."""
    if not title:
        return False
    key = fold(title)
    return any(len(b) <= 2 * len(title) + 16 and fold(b) == key for b in blocks)


_T2S = opencc.OpenCC("t2s")
# Credit and furniture patterns are written once, in simplified script; blocks are matched in
# that script and what the patterns capture is read back from the block as printed.
_PROBE_CHARS = 160


def _has_traditional(blocks: list[str]) -> bool:
    return script_counts("".join(blocks)[:2000])[0] > 0


def _probe(block: str) -> str:
    head = _T2S.convert(block[:_PROBE_CHARS])
    return head + block[_PROBE_CHARS:] if len(head) == min(len(block), _PROBE_CHARS) else block


def _as_printed(value: str | None, probe: str, block: str) -> str | None:
    if not value or probe is block or len(probe) != len(block):
        return value
    at = probe.find(value)
    return block[at : at + len(value)] if at >= 0 else value


def _all_as_printed(values: list[str], probe: str, block: str) -> list[str]:
    return [_as_printed(v, probe, block) or v for v in values]


# Credits, furniture and notices are short; a block longer than this is the article's prose.
_PROSE_CHARS = 240
# The article has begun once this much of its text is read (a list heading after it ends it).
_ARTICLE_BEGUN_CHARS = 50
# A "related" list's items are headlines: short, and not closed like a sentence.
_TEASER_CHARS = 40
_CLOSED_SENTENCE = re.compile(r"[。！？!?]\s*[”」』\"）)]?\s*$")
# Less than a paragraph read before the heading (a promotion, a video's caption): the article has not begun.
# Past that, what follows a "related" heading is other stories (pages that load the next article below).
_PROSE_BEFORE_LIST_CHARS = 120
# Prose after a list that opens the region: this much, and more than twice what came before it.
_PROSE_AFTER_LIST_CHARS = 150


def _list_before_article(blocks: list[str], at: int, read_chars: int) -> int:
    """How many blocks from `at` (a "related" heading) are a list that precedes the article, else 0.

    Some pages put a "相关新闻：" box of headlines at the top of the article's region; ending the
    article at its heading would drop the whole article that follows it. The heading is the
    list's only when less than a paragraph came before it and the headlines it introduces are
    followed by more closed prose than that: then the heading and its headlines are skipped and
    the article read on.
    """
    if read_chars >= _PROSE_BEFORE_LIST_CHARS:
        return 0
    end = at + 1
    while end < len(blocks) and len(blocks[end]) <= _TEASER_CHARS and not _CLOSED_SENTENCE.search(blocks[end]):
        end += 1
    # (No headlines after it: the region's reader already dropped the list's links.)
    prose_after = sum(len(b) for b in blocks[end:] if _CLOSED_SENTENCE.search(b))
    if prose_after >= _PROSE_AFTER_LIST_CHARS and prose_after > 2 * read_chars:
        return end - at
    return 0


# A box's headlines: unclosed lines no longer than this (a headline with a rubric: `Healthy Life｜…`).
_BOX_HEADLINE_CHARS = 80
# Prose resumes after a box with a paragraph longer than a headline, or a closed one at least this long
# (a paragraph may close on a colon that opens a quote: `…並留言寫道：`; a headline may close on `？`).
_BOX_PROSE_CHARS = 20
_BOX_PROSE_END = re.compile(r"[。！!：:…]\s*[”」』\"）)]?\s*$")


# Another box's label this few blocks after one: a list of boxes (other stories' cards), which closes the article.
_BOX_RUN_BLOCKS = 8


def _inline_box(blocks: list[str], at: int, probe: Callable[[str], str]) -> int | None:
    """How many blocks from `at` (a box's label) are the box when the article's prose follows it; None when
    what follows is no prose, or more boxes (the box closes the article: other stories' lists or cards)."""
    if any(INLINE_BOX_LABEL.match(probe(b)) for b in blocks[at + 1 : at + 1 + _BOX_RUN_BLOCKS]):
        return None
    end = at + 1
    while end < len(blocks) and len(blocks[end]) <= _BOX_HEADLINE_CHARS and not _BOX_PROSE_END.search(blocks[end]):
        end += 1
    if end < len(blocks) and (
        len(blocks[end]) > _BOX_HEADLINE_CHARS or (len(blocks[end]) >= _BOX_PROSE_CHARS and _BOX_PROSE_END.search(blocks[end]))
    ):
        return end - at
    return None


def _read_credits(blocks: list[str], found: _Credits) -> list[str]:
    """Separate credit, source and furniture blocks from the body; record what they say."""
    body: list[str] = []
    probes: list[str] = []
    rosters: set[str] = set()
    captions: list[tuple[str, str]] = []
    ended = False
    # Simplified text needs no probe: converting it would change nothing.
    traditional = _has_traditional(blocks)
    skip = 0
    for at, block in enumerate(blocks):
        if skip:
            skip -= 1
            continue
        if is_punctuation_only(block):
            continue
        probe = _probe(block) if traditional else block
        if len(block) > _PROSE_CHARS:
            # Running prose: only an end-of-article notice can open a block this long.
            if TAIL_MARKER.search(probe[:40]):
                ended = True
            if not ended:
                body.append(block)
                probes.append(probe)
            continue
        related = TAIL_HEADING_ONLY.match(probe)
        if related and related.group(1).strip():
            continue
        if INLINE_BOX_LABEL.match(probe) and not ended:
            # A box of other stories inside the article (skipped) or after it (the article has ended).
            box = _inline_box(blocks, at, _probe if traditional else str)
            if box is None:
                ended = sum(map(len, body)) >= _ARTICLE_BEGUN_CHARS
            else:
                skip = box - 1
            continue
        if LIST_HEADING.match(probe):
            # Other stories' teasers follow; before the article has begun it is a page section's name.
            ended = ended or sum(map(len, body)) >= _ARTICLE_BEGUN_CHARS
            continue
        if related and not ended:
            skip = _list_before_article(blocks, at, sum(map(len, body)))
            if skip:
                skip -= 1
                continue
        if (body and (related or SOURCE_TAIL.match(probe))) or TAIL_MARKER.search(probe) or SHARE_START.search(probe):
            # Past the article's end only credits are read (editors often sign below the sources).
            ended = True
        line = credits.read_credit_line(probe, max_chars=100)
        if line and line.date and not UPDATED.search(probe):
            # The grammar's date item: a credit line's date is the article's, never an update time's.
            found.credit_dates.append(line.date)
        elif _is_date_line(block) and (stamp := _stamp_before_update(probe)):
            # `输入 : 2025-02-10 10:12 | 更新 : 2025-02-10 11:26`, `2023/8/23 15:06（8/23 15:31 更新）`: a stamp
            # printed before an update's is the publication's, whatever labels it.
            found.credit_dates.append(stamp)
        if line and line.roles:
            _record_credit_line(line, probe, block, found, ended)
            if line.is_byline and not ended:
                # An opening or closing byline that names only writers is printed as part of the article.
                rosters.add(block)
                body.append(block)
                probes.append(probe)
            continue
        if ended or JUNK_BLOCK.search(probe) or is_site_notice(probe):
            continue
        if is_caption(probe):
            captions.append((block, probe))
            continue
        body.append(block)
        probes.append(probe)
    if not body and captions:
        # Only captions: a picture story (or a region that holds only its pictures) keeps them.
        body, probes = [b for b, _ in captions], [p for _, p in captions]
    for i in range(len(body)):
        # `…（編輯：李亨山）1120823`, `…Compute（翻译/王辉 编辑/郭雪梅）`: a credit closing a paragraph.
        # The last paragraphs may close with any credit; earlier ones only with an editor's, since
        # a bracket mid-article more often cites a source than credits the article.
        trailing = credits.trailing_bracket_credit(probes[i])
        if not trailing or trailing[0].is_byline:
            continue
        line, cut = trailing
        if i < len(body) - 2 and line.editor is None:
            continue
        _record_credit_line(line, probes[i], body[i], found, ended=False)
        body[i] = body[i][: len(cut)] if len(probes[i]) == len(body[i]) else body[i]
        probes[i] = cut
    pairs = list(zip(body, probes, strict=True))
    for block, probe in pairs[:3]:
        found.dateline = credits.parse_dateline(probe)
        if found.dateline:
            found.dateline.outlet = _as_printed(found.dateline.outlet, probe, block)
            found.authors.extend(_all_as_printed(found.dateline.authors, probe, block))
            break
    for block, probe in pairs[:3] + pairs[-3:]:
        if block in rosters:
            continue
        names = credits.signoff_authors(probe)
        if names:
            found.authors.extend(_all_as_printed(names, probe, block))
    for block, probe in pairs[:2] + pairs[-2:]:
        found.authors.extend(_all_as_printed(credits.trailing_credit(probe), probe, block))
    if pairs and not found.authors:
        # Only the article's last block can close with its reporters in brackets; earlier, a
        # bracket at a paragraph's end more often names a source or a photo.
        block, probe = pairs[-1]
        found.authors.extend(_all_as_printed(credits.closing_bracket_authors(probe), probe, block))
    return body


def _record_credit_line(line: credits.CreditLine, probe: str, block: str, found: _Credits, ended: bool) -> None:
    found.authors.extend(_all_as_printed(line.authors, probe, block))
    if line.editor and (found.editor is None or (line.chief_editor and not found.chief_editor)):
        # `责任编辑`/`责编` outranks a plain `编辑` credit (thepaper: 编辑|甲 责编|乙).
        found.editor = _as_printed(line.editor, probe, block)
        found.chief_editor = line.chief_editor
    if not ended:
        # Past the article's end a source line credits whatever came after it.
        found.sources.extend(_all_as_printed(line.sources, probe, block))
        if line.lead:
            found.sources.append(_as_printed(line.lead, probe, block) or line.lead)


_BREADCRUMB = re.compile(r"^[^。，！？]{1,20}(?:\s*[>›»＞]\s*[^。，！？]{1,20})+$")
_ORIGINAL_TITLE = re.compile(r"^(?:本文)?原(?:标题|標題)\s*[:：︰]\s*《?(?P<title>[^》]+)》?")


def _stamp_before_update(line: str) -> str | None:
    """The date a line prints before an update label, when it prints one."""
    update = UPDATED.search(line)
    return credits.date_in(line[: update.start()]) if update else None


def _is_date_line(block: str) -> bool:
    short = len(block) <= 60 and not re.search(r"[。！？]", block)
    stated = YMD_NUMERIC.search(block) or YMD_CN.search(block) or RFC2822_STAMP.search(block)
    return short and bool(stated) and not credits.parse_dateline(block)


# RSS-to-markdown mirrors open with the headline as a link to the original over a rule
# (`[标题](https://outlet/…)` / `------`); the date line follows it.
_HEADLINE_LINK = re.compile(r"^\[[^\]]{1,200}\]\(\S+\)\s*(?:[-=]{3,})?$|^[-=]{3,}$")


def _strip_leading_meta(blocks: list[str], found: _Credits) -> list[str]:
    """Portal headers caught inside the body region: breadcrumbs, `2019-08-13 14:07来源：…` lines, and
    the source or byline printed just above such a date (`新华社` / `2020-01-03 18:13`)."""
    start = 0
    head = blocks[:6]
    for i, block in enumerate(head):
        short = len(block) <= 60 and not re.search(r"[。！？]", block)
        if (short and JUNK_BLOCK.search(_probe(block))) or (i <= 1 and start == i and _HEADLINE_LINK.match(block)):
            pass
        elif _is_date_line(block):
            found.header_dates.append(block)
            line = credits.read_credit_line(block, lenient=True)
            if line:
                found.sources[:0] = line.sources
                found.authors.extend(line.authors)
        elif _ORIGINAL_TITLE.match(block):
            found.original_title = collapse(_ORIGINAL_TITLE.match(block)["title"])
        elif short and _BREADCRUMB.match(block):
            pass
        elif len(block) <= 24 and i + 1 < len(head) and _is_date_line(head[i + 1]) and not re.search(r"[，。！？\d]", block):
            line = credits.header_credits(block)
            if line:
                found.authors.extend(line.authors)
                found.sources.extend(line.sources)
            else:
                named = credits.unlabelled_credit(block, allow_person=False)
                if named is None:
                    # Unread (a byline in a form not known, `null 张慈` where a feed left a field empty), the
                    # line stays in the body, and so does the date under it; that date is still the page's.
                    found.header_dates.append(head[i + 1])
                    break
                found.sources.append(named[1])
        else:
            break
        start += 1
    return blocks[start:]


def _outlet_as_printed(hint: str) -> str | None:
    """An outlet hint cut to the outlet's name, as printed: no channel, byline or note
    (`人民网-文化频道` → 人民网, `证券时报网作者：李在山` → 证券时报网)."""
    name = credits.outlet_part(hint)
    return name if name and not credits.is_non_outlet(name) else None


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _own_site_name(draft: Draft, registry: OutletRegistry, language: str | None, text: str) -> str | None:
    """The name of the site a page was saved from: the Chinese name it gives itself (`og:site_name`,
    JSON-LD publisher), else the registry's name for its host. None for mirrors and posts."""
    if draft.format != "site-html":
        return None
    own = _outlet_as_printed(draft.own_name) if draft.own_name and _HAN.search(draft.own_name) else None
    outlet = registry.by_url(draft.capture_url)
    if outlet:
        return own or name_in_script(outlet, language, text)
    return own


def _same_outlet(a: str, b: str, registry: OutletRegistry) -> bool:
    known_a, known_b = registry.find_in(a), registry.find_in(b)
    return fold(a) == fold(b) or (known_a is not None and known_a is known_b)


def _resolve_outlet(
    draft: Draft, found: _Credits, registry: OutletRegistry, language: str | None, text: str
) -> str | None:
    """The writing outlet, as the capture names it.

    What the capture credits wins over what it is: the dateline, then labelled sources (`来源：X`,
    the front matter's author), then a name printed beside the date, then the host the registry
    knows, then the site's own name. Within a group, a name the registry knows goes first.
    A wire's dateline on a site's own page (`新华社北京9月6日电` on a Hong Kong paper's site) names the
    outlet only when a source credit says the page re-posts it; else the site wrote its own report.
    """
    line = found.dateline
    if line and line.outlet and (line.date or registry.find_in(line.outlet) or credits.is_outlet_name(line.outlet)):
        own_site = _own_site_name(draft, registry, language, text)
        if own_site is None or found.sources or line.own_report or _same_outlet(line.outlet, own_site, registry):
            # An own-report dateline (`【大公報訊】` on the paper's portal 大公文匯網, tkww.hk; `【侨报讯】`,
            # uschinapress.com) names the paper that wrote the story, under whichever name its site goes by.
            return line.outlet
        # A wire dateline on an outlet's own page, no source credit: the page quotes the wire, the site wrote it.
        return own_site
    if draft.format in {"mirror-md", "mirror-html"}:
        # A mirror names the outlet it copied by linking to it.
        by_url = registry.by_url(draft.original_url)
        if by_url:
            return name_in_script(by_url, language, text)
    header = draft.header_outlets
    if header and draft.format == "site-html" and _self_named(draft.site_names):
        # An unlabelled name beside the date on a site that names itself twice over (og:site_name, the
        # publisher, the title's suffix) is its channel, column or a player button (`教育熱點`, `今日大文`,
        # `听新闻`), not a writer: only a name the registry knows is kept. Seen on dotdotnews.com, tkww.hk and
        # worldjournal.com (corpus-fresh batches 1-2); accounts beside the date on platforms name no site.
        # A name the page's own signals also give (the title's suffix: `… - 中國時報` on a site calling itself
        # 中時新聞網, the paper the story ran in) is no channel either: the agreement the registry would give.
        own_keys = {fold(name) for name in map(_outlet_as_printed, draft.site_names) if name}
        header = [h for h in header if registry.find_in(h) or fold(h) in own_keys]
    groups = [[*found.sources, *draft.outlet_hints], header]
    for group in groups:
        hints = [h.strip() for h in group if h and h.strip()]
        known = [h for h in hints if registry.find_in(h)]
        for hint in [*known, *hints]:
            name = _outlet_as_printed(hint)
            if name:
                return name
    own = _outlet_as_printed(draft.own_name) if draft.own_name and _HAN.search(draft.own_name) else None
    for url in (draft.original_url, draft.capture_url):
        outlet = registry.by_url(url)
        if outlet:
            # The site's own Chinese name is what the capture prints (`頭條日報` on a host the registry
            # files under 星島日報, `自由時報電子報`); an English brand goes to the registry's name.
            if own and registry.by_name(credits.without_latin_head(own)) is outlet:
                # `Apple Daily 蘋果日報`: a bilingual name is filed under its Chinese part the registry knows.
                return credits.without_latin_head(own)
            return own or name_in_script(outlet, language, text)
    weak = [h.strip() for h in draft.site_names if h and h.strip()]
    for hint in weak:
        known = registry.find_in(hint)
        if known:
            # Site names are often the English brand (`The Paper`): file under the outlet's own name.
            if re.fullmatch(r"[\x00-\x7f]+", hint):
                return name_in_script(known, language, text)
            return _outlet_as_printed(hint)
    return _agreed_site_name(weak)


def _self_named(hints: list[str]) -> bool:
    """Whether two of a page's own signals (og:site_name, publisher, title suffix, copyright, logo) name
    the same site: one name containing the other (`點新聞-dotdotnews` / `點新聞`)."""
    keys = [key for key in (fold(name) for name in map(_outlet_as_printed, hints) if name) if key]
    return any(sum(1 for other in keys if key in other or other in key) >= 2 for key in keys)


def _agreed_site_name(hints: list[str]) -> str | None:
    """The name most of a page's own signals agree on (og:site_name, application-name, the publisher, the
    title's suffix, the copyright holder, the logo's alt): one stray signal (a slogan in the logo, a
    section's title) loses to two that name the same site. Signals agree when one name contains the
    other (`DIGITIMES` / `DIGITIMES 科技網`); the agreeing group speaks through its strongest signal
    (listed first), and so do ties."""
    names = [name for name in map(_outlet_as_printed, hints) if name]
    keys = [fold(name) for name in names]
    best: tuple[int, int] | None = None
    for key in keys:
        if not key:
            continue
        agreeing = [i for i, other in enumerate(keys) if other and (key in other or other in key)]
        if best is None or len(agreeing) > best[0]:
            best = (len(agreeing), agreeing[0])
    if best is None:
        return None
    chosen = names[best[1]]
    # `Apple Daily 蘋果日報` beside signals printing `蘋果日報` alone: the bilingual name's Chinese part, which the
    # others agree on (as the registry files such a name under its Chinese part).
    chinese = credits.without_latin_head(chosen)
    if chinese != chosen and fold(chinese) in keys:
        return chinese
    return chosen


_SUFFIX_SEP = re.compile(r"\s*[|｜]\s*|\s+[-–—]+\s+")
_LATIN_BRAND = re.compile(r"[a-z0-9]*")


def _strip_outlet_suffix(title: str | None, names: list[str | None]) -> str | None:
    """A repost keeps the outlet's name its feed appended to the headline (`人口列车是怎样失控的｜大象公会`,
    `中美之间并非“贸易战” - iYouPort`, `…访谈|政见CNPolitics`): the name goes when the post credits it."""
    if not title:
        return title
    seps = list(_SUFFIX_SEP.finditer(title))
    if not seps:
        return title
    head, tail = title[: seps[-1].start()].strip(), fold(title[seps[-1].end() :])
    if len(fold(head)) < 4 or not tail:
        return title
    for name in names:
        key = fold(name or "")
        # The printed suffix may add the outlet's Latin brand to its name (`政见` / `政见CNPolitics`).
        if len(key) >= 2 and (tail == key or (tail.startswith(key) and _LATIN_BRAND.fullmatch(tail[len(key) :]))):
            return head
    return title


def _year_hint(draft: Draft) -> int | None:
    for value in [*draft.published_hints, *draft.weak_published_hints, draft.original_url or "", draft.capture_url or ""]:
        date = parse_any_date(value) or date_from_url(value)
        if date:
            return int(date[:4])
    return None


# A wire story is posted on the day it is filed or a day or two later.
_FILING_LAG_DAYS = 3


def _filing_day(month_day: tuple[int, int], stamp: str) -> str:
    """`新华社北京9月6日电` on a page stamped 2023-09-07: the dateline's day is the story's (GOLD-SPEC:
    the dateline wins), in the stamp's year; a stamp that is not a few days after it is kept.
    Only for datelines filed at UTC+8: `新华社巴黎12月9日电` stamped 12-10 07:57 Beijing time is one moment."""
    try:
        stamped = dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return stamp
    for year in (stamped.year, stamped.year - 1):
        filed = make_date(year, *month_day)
        if filed and 0 < (stamped - dt.date.fromisoformat(filed)).days <= _FILING_LAG_DAYS:
            return filed
    return stamp


def _resolve_published(draft: Draft, found: _Credits) -> str | None:
    if draft.published_stated:
        return draft.published
    line = found.dateline
    if line and line.date:
        return line.date
    # Stamps the page states (meta, the date under the headline), then dates opening the body,
    # then the weak ones (update times, dates found away from the headline).
    for hint in [*draft.published_hints, *found.header_dates, *found.credit_dates, *draft.weak_published_hints]:
        date = parse_any_date(hint)
        if date:
            return _filing_day(line.month_day, date) if line and line.month_day and line.filed_in_utc8 else date
    if line and line.month_day:
        # Wire datelines (`新华社巴黎12月9日电`) give the local day of filing, not a year.
        year = _year_hint(draft)
        if year:
            return make_date(year, *line.month_day)
    return date_from_url(draft.original_url) or date_from_url(draft.capture_url)


def build_article(draft: Draft, name: str, registry: OutletRegistry) -> Article:
    found = _Credits(authors=list(draft.authors))
    blocks = _strip_title_echo(draft.blocks, draft.title)
    body = _read_credits(_strip_leading_meta(blocks, found), found)
    if not body:
        # A gallery tells its story in its captions: with no other text they are the body (and stay captions).
        captions = list(dict.fromkeys(image.caption for image in draft.images if image.caption))
        body = _read_credits(captions, found)
    title = draft.title
    if title and found.original_title and title.endswith(("...", "…")) and found.original_title.startswith(title.rstrip(".…")):
        # Portals shorten headlines; reposts print the whole one as `本文原标题：《…》`.
        title = found.original_title
    draft.published_hints.extend(found.header_dates)
    if not body and _is_headline_only(draft.blocks, title):
        # A flash item whose only text is its headline keeps the headline as its body.
        body = [title]
    authors = _dedupe(found.authors)
    if not authors:
        authors = _dedupe(draft.fallback_authors)
    if not authors:
        for image in draft.images:
            authors = _dedupe([*authors, *credits.caption_writers(image.caption or "")])
    if not authors and draft.format != "site-html":
        # `冯睎干：…` names the writer of a re-posted opinion column; on a news site's own page the
        # name before the colon is the person quoted (`黎智英：就算坐監亦揀呢條路`) far more often.
        writer = credits.title_author(draft.title)
        authors = [writer] if writer else []
    credited = credits.title_source_prefix(title)
    if credited:
        # `【澎湃新闻】标题`, `【BBC报导】标题`: the bracket credits the source; the headline follows it.
        title, source = credited
        if source:
            draft.outlet_hints.append(source)
    text = (title or "") + "\n" + "\n".join(body)
    language = detect_language(text)
    outlet = _resolve_outlet(draft, found, registry, language, text)
    # The rules' choice is one signal among the capture's names; the learned chooser weighs them all.
    dateline_outlet = found.dateline.outlet if found.dateline else None
    outlet = choose_outlet(draft, found.sources, dateline_outlet, body, title, registry, language, text, outlet)
    outlet_names = {fold(name) for name in [outlet, *found.sources, *draft.outlet_hints] if name}
    if outlet_names and any(fold(a) in outlet_names for a in authors):
        # An author field naming the outlet that is credited as the source (`article:author` 参考消息 beside
        # `来源：参考消息`) names no person.
        authors = [a for a in authors if fold(a) not in outlet_names]
    if draft.format != "site-html":
        title = _strip_outlet_suffix(title, [outlet, *found.sources, *draft.outlet_hints, *draft.site_names])
    return Article(
        file=name,
        format=draft.format,
        title=title,
        published=_resolve_published(draft, found),
        outlet=outlet,
        authors=authors,
        # A credit inside the article outranks one found elsewhere on the page, unless that one is
        # the chief editor's (`责任编辑`) and the article's only a plain `编辑`.
        editor=(found.editor if found.editor and (found.chief_editor or not draft.editor) else draft.editor)
        or draft.fallback_editor,
        original_url=draft.original_url,
        body=body,
        images=draft.images,
        tags=draft.tags,
        language=language,
        publisher=draft.publisher,
        capture_url=draft.capture_url,
        confidence=draft.confidence,
    )


_CONTROL_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _fit(text: str, max_chars: int) -> tuple[str, bool]:
    """`text` within `max_chars`: payloads that are never text go first; a cut is the last resort."""
    if len(text) <= max_chars:
        return text, False
    text = shrink(text)
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars], True


def extract_text(
    text: str, name: str = "", options: ExtractOptions = _DEFAULT, *, source_bytes: int | None = None,
    bytes_cut: Cut | None = None,
) -> Article:
    """Extract an article from already-decoded capture text.

    `source_bytes` is the size of the capture the text was decoded from (a cut is reported against
    it); `bytes_cut` says those bytes were already cut to the budget before decoding.
    """
    total = len(text)
    text, cut_here = _fit(text, options.max_chars)
    cut = bytes_cut
    if cut_here:
        of, unit = (source_bytes, "bytes") if source_bytes is not None else (total, "characters")
        cut = Cut(options.max_chars, "characters", of, unit)
    # Control characters are never text, and lxml refuses strings that contain them.
    # (A search first: pages rarely have any, and str.translate walks every character.)
    if _CONTROL_CHAR.search(text):
        text = _CONTROL_CHAR.sub("", text)
    fmt = detect_format(text)
    draft = _read(text, fmt)
    article = build_article(draft, name, load_registry(options.outlet_files))
    if cut is not None:
        article.warnings.append(cut.warning())
        if article.body:
            # Where the text stops, the reader sees that it was cut, not that the article ends there.
            article.body[-1] = f"{article.body[-1]} {TRUNCATION_MARK}"
    return article


class _TimedOut(BaseException):
    """Raised by the alarm handler. A BaseException, so `except Exception` in a library cannot eat it."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _TimedOut


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `_TimedOut` in the body after `seconds`, where a SIGALRM timer can be had; else no limit."""
    if (
        seconds is None
        or seconds <= 0
        or not hasattr(signal, "setitimer")
        # Signal handlers can only be installed from the main thread.
        or threading.current_thread() is not threading.main_thread()
        # There is one real-time timer per process: someone else's (a test runner's) is left alone.
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        # A handler installed from C reads back as None and cannot be reinstalled; default is closest.
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def extract_capture(
    data: bytes | str, name: str = "", options: ExtractOptions = _DEFAULT, charset: str | None = None
) -> Article:
    """Extract an article from a capture; failures come back as `Article(error=…)`, never raised.
    `charset`: what the transport declared of bytes (an HTTP header), weighed by `decode`."""
    encoding = None
    source_bytes: int | None = None
    bytes_cut: Cut | None = None
    try:
        with _time_limit(options.timeout_seconds):
            if isinstance(data, bytearray | memoryview):
                data = bytes(data)
            if isinstance(data, bytes):
                # No character takes more than 4 bytes in any encoding we read, so this prefix holds
                # all `max_chars` characters extract_text keeps; decoding the rest is wasted memory.
                # What is never text (inline images, scripts) goes first, so the article is not what is cut.
                limit = options.max_chars * 4
                source_bytes = len(data)
                if len(data) > limit:
                    data = shrink(data)
                    if len(data) > limit:
                        data = data[:limit]
                        bytes_cut = Cut(limit, "bytes", source_bytes, "bytes")
                decoded = decode(data, charset)
                text, encoding = decoded.text, decoded.encoding
            else:
                text = data
            article = extract_text(text, name, options, source_bytes=source_bytes, bytes_cut=bytes_cut)
    except _TimedOut:
        return Article(file=name, encoding=encoding, error=f"extraction timed out after {options.timeout_seconds:g} s")
    except DecodeError as exc:
        return Article(file=name, error=str(exc))
    except RecursionError:
        return Article(file=name, error="markup nested too deeply to parse")
    except MemoryError:
        return Article(file=name, error="capture too large to parse in memory")
    except Exception as exc:
        return Article(file=name, error=f"extraction failed: {type(exc).__name__}: {exc}")
    article.encoding = encoding
    if not article.body:
        # Never an empty body without a reason. A picture story (a title, photos, their captions) is
        # still an article; anything else without text is not one.
        if article.images:
            article.warnings.append(f"no article text found in capture, only {len(article.images)} picture(s)")
        else:
            article.error = "no article text found in capture" + (" (a title, but no body)" if article.title else "")
    return article
