"""Publication-date conventions shared by sites never seen (issue 8, branch published): pages modelled
on the convention, never a copy of a corpus page, each with a page that must not be read as one."""

from __future__ import annotations

from newsdesk.extract import extract_text
from newsdesk.extract.dates import RFC2822_STAMP, calendar_badge_date

_PARA = "香港立法会今日举行会议，议员就多项议案进行辩论，政府官员出席回应，会议持续至晚上。"
_PARA2 = "多名议员在会上发言，要求政府尽快公布详细方案，并就相关安排咨询公众意见。"


def _feed_mirror(stamp_block: str, fetched_mark: str = "<!--1594296685000-->\n") -> str:
    """An RSS-to-markdown mirror: the headline linked to the original over a rule, then the item's HTML
    (some mirrors open the file with an HTML comment stamping when they fetched the item)."""
    return (
        f"{fetched_mark}"
        "[立法会辩论多项议案](https://news.example-outlet.org/a/legco-debate/5495846.html)\n"
        "------\n\n"
        f"{stamp_block}" + f"<p>{_PARA}</p><p>{_PARA2}</p>" * 3 + "\n"
    )


def test_a_feed_mirrors_mail_style_stamp_under_the_headline_is_the_date() -> None:
    article = extract_text(_feed_mirror("<div><i>Thu, 09 Jul 2020 10:38:51 GMT</i></div>"))
    assert (article.published or "")[:10] == "2020-07-09"
    assert article.body[0] == _PARA


def test_a_labelled_stamp_keeps_the_day_it_states() -> None:
    # 20:55 UTC is already the 24th at UTC+8, but the page states the 23rd.
    article = extract_text(_feed_mirror("日期：Tue, 23 Jun 2020 20:55:54 +0000\n\n", fetched_mark=""))
    assert (article.published or "")[:10] == "2020-06-23"


def test_an_iso_stamp_under_an_unread_byline_is_the_date() -> None:
    # The feed printed an empty writer field as `null` before the name.
    article = extract_text(_feed_mirror("<div><i>null 王明<br>2020-07-10T08:18:12.447Z</i></div>"))
    assert (article.published or "")[:10] == "2020-07-10"
    assert _PARA in article.body


def test_a_feed_mirror_without_a_stamp_has_no_date() -> None:
    article = extract_text(_feed_mirror(""))
    assert article.published is None
    assert article.body[0] == _PARA


def test_a_stamp_needs_weekday_day_month_year_and_time() -> None:
    assert RFC2822_STAMP.search("Thu, 09 Jul 2020 10:38:51 GMT")
    assert RFC2822_STAMP.search("Tue, 23 Jun 2020 20:55:54 +0000")
    assert not RFC2822_STAMP.search("Thursday in July 2020")
    assert not RFC2822_STAMP.search("09 Jul 2020")


def _site_page(badge: str, after: str = "") -> str:
    return (
        "<html><head><meta charset='utf-8'><title>研究所召开职工大会</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/news'>重要信息</a></div>"
        f"<div class='article'><h1>研究所召开职工大会</h1>{badge}<div class='content'><p>{_PARA}</p><p>{_PARA2}</p>"
        f"<p>{_PARA}</p></div></div>{after}<div class='footer'>版权所有 某某研究所</div></body></html>"
    )


def test_a_calendar_badge_with_day_over_year_and_month_is_the_date() -> None:
    badge = "<div class='data'><div class='day'>21</div><div class='year'>2024年02月</div></div>"
    assert extract_text(_site_page(badge)).published == "2024-02-21"


def test_a_calendar_badge_with_month_day_weekday_and_year_apart_is_the_date() -> None:
    badge = (
        "<ul><li class='publish'><span class='month'>Dec </span><span class='date'>28 </span>"
        "<span class='day'>Sat </span><span class='year'>2013 </span><span class='time'>00:28</span></li></ul>"
    )
    assert extract_text(_site_page(badge)).published == "2013-12-28"


def test_a_year_alone_or_a_badge_in_the_comments_is_no_date() -> None:
    assert extract_text(_site_page("<p class='meta'><span class='year'>2013</span> 年度报告</p>")).published is None
    comments = (
        "<div class='comments'><div class='data'><div class='day'>28</div>"
        "<div class='year'>2013年12月</div></div><p>留言内容</p></div>"
    )
    assert extract_text(_site_page("", after=comments)).published is None


def test_badge_pieces() -> None:
    assert calendar_badge_date("2024年02月", None, ["21"]) == "2024-02-21"
    assert calendar_badge_date("2013", "Dec", ["Sat", "28"]) == "2013-12-28"
    assert calendar_badge_date("2013", "12月", ["28日"]) == "2013-12-28"
    assert calendar_badge_date("2013", None, ["28"]) is None
    assert calendar_badge_date("2024年02月", None, ["30"]) is None
    assert calendar_badge_date("第2024期", None, ["21"]) is None


def _portal_page(header: list[str]) -> str:
    # The region holds the breadcrumb and the credits under the headline (thepaper-like templates).
    lines = "".join(f"<p>{line}</p>" for line in header)
    return (
        "<html><head><meta charset='utf-8'><title>立法会辩论多项议案_某某新闻</title></head><body>"
        f"<div class='news'><div class='crumb'>首页 > 时事</div><h1>立法会辩论多项议案</h1>{lines}"
        + f"<p>{_PARA}</p><p>{_PARA2}</p>" * 3 + "</div><div class='footer'>关于我们</div></body></html>"
    )


def test_the_date_under_a_byline_of_an_unknown_form_is_read() -> None:
    article = extract_text(_portal_page(["王明/某某青年报", "2019-09-24 09:10"]))
    assert (article.published or "")[:10] == "2019-09-24"


def test_a_short_line_over_a_sentence_stays_in_the_body() -> None:
    article = extract_text(_portal_page(["会议纪要"]))
    assert article.published is None
    assert "会议纪要" in article.body
