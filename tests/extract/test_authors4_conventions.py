"""Conventions for sites never seen (issue 8, branch authors4): failures of the corpus's train split read
with the outlet registry blind (leave-one-site-out) and of corpus-fresh batches 1-2. Pages are modelled
on those sites' shapes, never a copy of one page."""

from __future__ import annotations

import json

from newsdesk.extract import extract_text
from newsdesk.extract.credits import header_credits
from newsdesk.extract.dates import restated_in_own_zone

_LEAD = "国务院联防联控机制今日举行新闻发布会，介绍近期疫情防控工作情况，并回答记者提问，多地加强管控措施。"


def _portal_page(author: str, copyright_meta: str, title_site: str, byline: str = "") -> str:
    return (
        "<html><head><meta charset='utf-8'>"
        f"<title>多地加强疫情管控措施_{title_site}</title>"
        f"<meta name='author' content='{author}'><meta name='copyright' content='{copyright_meta}'>"
        "</head><body><h1>多地加强疫情管控措施</h1>"
        f"<div class='post_body'>{byline}<p>{_LEAD}</p><p>{_LEAD}</p></div>"
        f"<p class='tie-reminder'>网友评论仅供其表达个人看法，并不表明{author}立场。</p></body></html>"
    )


def test_an_author_meta_naming_the_copyright_holder_is_the_site() -> None:
    # 163.com: `<meta name="author" content="网易">` beside `<meta name="copyright" content="网易版权所有">`.
    assert extract_text(_portal_page("青柚", "青柚版权所有", "青柚新闻")).authors == []
    # csdn.net: the author meta repeats the document title's site part (`…-CSDN.NET`).
    assert extract_text(_portal_page("青柚快讯", "", "青柚快讯")).authors == []
    # A person in the author meta, printed on the page, is still the writer.
    assert extract_text(_portal_page("王小明", "青柚版权所有", "青柚新闻")).authors == ["王小明"]


def _wordpress_page(utc: str, zoned: str) -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "法官被指偏袒", "datePublished": utc}
    return (
        "<html><head><meta charset='utf-8'><title>法官被指偏袒 - 某某新闻</title>"
        f"<meta property='article:published_time' content='{utc}'>"
        f"<script type='application/ld+json'>{json.dumps(ld, ensure_ascii=False)}</script></head><body>"
        f"<article><h1>法官被指偏袒</h1><time class='entry-date published' datetime='{zoned}' itemprop='datePublished'>"
        f"</time><div class='entry-content'><p>{_LEAD}</p><p>{_LEAD}</p></div></article></body></html>"
    )


def test_a_utc_stamp_restated_in_the_sites_zone_gives_the_sites_day() -> None:
    # newslooks.com: `article:published_time` 2025-02-22T04:19:09+00:00, JSON-LD 2025-02-21T23:19:09-05:00.
    page = _wordpress_page("2025-02-22T04:19:09+00:00", "2025-02-21T23:19:09-05:00")
    assert extract_text(page).published.startswith("2025-02-21")
    # points-media.com: the same pair at UTC+8 (`…T18:22:47+00:00` / `…T02:22:47+08:00`).
    assert restated_in_own_zone(["2025-11-27T18:22:47+00:00", "2025-11-28T02:22:47+08:00"]) == "2025-11-28T02:22:47+08:00"
    # Another moment is another stamp (an update), not the same one restated.
    assert restated_in_own_zone(["2025-02-22T04:19:09+00:00", "2025-02-21T20:00:00-05:00"]) is None
    assert restated_in_own_zone(["2025-02-21T23:19:09-05:00"]) is None


def test_a_slash_byline_closed_by_its_places() -> None:
    # pts.org.tw: reporters filing from two places name both before the verb.
    line = header_credits("黃志強 林怡君 張家豪／新北 台南報導 發布時間：2023-08-24 12:31")
    assert line is not None and line.authors == ["黃志強", "林怡君", "張家豪"]
    # digitimes.com.tw: a known place alone closes the byline, the date beside it.
    line = header_credits("黃志強／台北 2024/09/25 02:40")
    assert line is not None and line.authors == ["黃志強"]
    # A word after the slash that is no place is no byline's end.
    assert header_credits("黃志強／台北人") is None


def test_a_name_ending_in_wen_opens_a_dated_slash_byline() -> None:
    # worldjournal.com `记者陈熙文／华盛顿报导 2025-02-06 12:36`, guancha.cn's writer 王文: the 文 that ends
    # a name is no label 文 (`文／X`), so the byline before the date still names its reporters.
    line = header_credits("陳大文／台北報導 2024/09/05 02:39")
    assert line is not None and line.authors == ["陳大文"]
    line = header_credits("王文、林怡君／綜合報導 發布時間：2024-09-05")
    assert line is not None and line.authors == ["王文", "林怡君"]


def test_a_menu_link_after_a_bare_writers_label_names_no_writer() -> None:
    # hkej.com's menu `作者搜尋` (author search) above the article; udn.com's heading `作者文章`.
    for line in ("作者搜尋", "作者文章", "記者列表"):
        found = header_credits(line)
        assert found is None or found.authors == []
    # A writer whose name holds such a word, after a colon or the label, is still one.
    line = header_credits("作者：李文章")
    assert line is not None and line.authors == ["李文章"]
    line = header_credits("記者 張三")
    assert line is not None and line.authors == ["張三"]
