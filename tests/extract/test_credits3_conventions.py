"""Credit and date conventions of issue 8 (branch credits3): small captures modelled on a convention,
never a copy of a corpus or tuning page, each beside one that must not be read as it."""

from __future__ import annotations

from newsdesk.extract import extract_text

_PARA = "香港立法会今日举行会议，议员就多项议案进行辩论，政府官员出席回应，会议持续至晚上。"
_EN_PARA = (
    "The department said today that residents affected by the flooding may visit any of its offices "
    "during office hours to replace their documents without an appointment. "
)


def _post(front_matter: str) -> str:
    return f"---\ntitle: '议员辩论多项议案'\n{front_matter}\n---\n\n{_PARA}\n\n{_PARA}\n"


def test_a_front_matter_field_naming_publication_dates_a_post_without_a_date_field() -> None:
    # Astro's blog template writes `pubDate`, Hugo `publishDate` (tuning: tokoy-animenews only; the key words are
    # data/dates.toml's, which meta tags on several sites already need: the meta convention, read in front matter).
    assert (extract_text(_post("pubDate: 2026-03-06T07:40:03Z")).published or "")[:10] == "2026-03-06"
    assert (extract_text(_post("publishDate: 2024-01-02")).published or "")[:10] == "2024-01-02"
    # `date` still wins; an update field dates nothing.
    assert extract_text(_post("date: 2023-05-23\npubDate: 2023-05-01")).published[:10] == "2023-05-23"
    assert extract_text(_post("lastmod: 2024-01-02")).published is None


def _site_page(date_element: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>议员辩论多项议案 - 某某财经</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/hk'>港股</a></div>"
        "<div class='newshead'>议员辩论多项议案</div>"
        f"<div class='content'>{''.join(f'<p>{_PARA}</p>' for _ in range(5))}</div>"
        # The row of source, time and votes stands where nothing anchors it to the headline.
        f"<div class='row'><div class='source'>某某财经</div>{date_element}<div class='votes'>推荐 1</div></div>"
        "<div class='footer'>版权所有 某某财经</div></body></html>"
    )


def test_a_date_element_whose_script_prints_the_local_time_is_dated_by_the_text_beside_the_script() -> None:
    # Tuning: aastocks only; kept as a reading fix (a script's source is no visible text), not a convention.
    element = (
        "<div class='newstime'><script>document.write(ConvertToLocalTime({dt:'2025/02/06 03:08'}));</script>"
        "2025/02/05 19:08 GMT</div>"
    )
    assert (extract_text(_site_page(element)).published or "")[:10] == "2025-02-05"
    # The script alone is no date.
    script_only = "<div class='newstime'><script>document.write(ConvertToLocalTime({dt:'2025/02/06 03:08'}));</script></div>"
    assert extract_text(_site_page(script_only)).published is None


def _release(closing: str, head: str = "") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>Arrangements for residents affected by flooding</title>{head}"
        "</head><body><div id='nav'><a href='/'>Home</a> | <a href='/sitemap'>Sitemap</a></div>"
        "<h1>Arrangements for residents affected by flooding</h1>"
        f"<div id='pressrelease'>{''.join(f'<p>{_EN_PARA}</p>' for _ in range(4))}{closing}</div>"
        "<div id='footer'><a href='/archive'>Archives</a> <a href='/top'>Back to top</a></div></body></html>"
    )


def test_a_page_in_another_language_names_its_json_ld_person_author() -> None:
    # Tuning: scmp only on the generic reader; the JSON-LD author convention is the one Chinese pages of many
    # sites already need (html_meta._ld_names), read on pages in other languages too.
    ld = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
        '"headline":"Arrangements","author":{"@type":"Person","name":"Jane Doe"},'
        '"publisher":{"@type":"Organization","name":"Daily Example"}}</script>'
    )
    assert extract_text(_release("<p>By Jane Doe</p>", head=ld)).authors == ["Jane Doe"]
    organisation = ld.replace('"@type":"Person","name":"Jane Doe"', '"@type":"Organization","name":"Daily Example"')
    assert extract_text(_release("", head=organisation)).authors == []


def _mirror(head_lines: str, foot_lines: str) -> str:
    return (
        "# 议员辩论多项议案\n\n"
        f"{head_lines}\n\n"
        + "\n\n".join([_PARA] * 4)
        + f"\n\n{foot_lines}\n"
    )


def test_a_labelled_date_among_the_articles_credit_lines_is_its_date() -> None:
    # Sites: chinanews.com.cn, ifeng.com and thepaper.cn mirrors (corpus-fresh 1-2).
    # Above the article, beside the other credits...
    head = "**来源**: 某某晚报  \n**时间**: 2008年07月12日 08:48  \n**作者**: 王明"
    assert (extract_text(_mirror(head, "")).published or "")[:10] == "2008-07-12"
    # ...or below it, with the editor's credit.
    foot = "**责任编辑：李华**  \n**来源：某某新闻**  \n**时间：2023年9月20日**"
    assert (extract_text(_mirror("", foot)).published or "")[:10] == "2023-09-20"
    # An update time is not the article's date.
    assert extract_text(_mirror("", "**更新时间：2023年9月21日**")).published is None


def _masthead_page(foot: str) -> str:
    story = "".join(f"<p>{_PARA}</p>" for _ in range(4))
    return (
        "<html><head><meta charset='utf-8'><title>议员辩论多项议案 - 某某日报</title></head><body>"
        "<div class='top'><span class='logo'>某某日报</span><span class='date'>2025年 2月 27日 03:19</span></div>"
        f"<div class='art'><h1>议员辩论多项议案</h1><div class='content'>{story}<p>{foot}</p></div></div>"
        "</body></html>"
    )


def test_a_stamp_printed_before_an_update_stamp_is_the_publication_date() -> None:
    # Sites: chosun.com (the foot's pair; the masthead's date was taken) and cna.com.tw (X（Y 更新）under the
    # headline, read the same, already dated by the header).
    page = _masthead_page("输入 : 2025-02-10 10:12 | 更新 : 2025-02-10 11:26")
    assert (extract_text(page).published or "")[:10] == "2025-02-10"
    # An update stamp alone dates nothing: the masthead's date is all the page has.
    alone = _masthead_page("更新 : 2025-02-11 11:26")
    assert (extract_text(alone).published or "")[:10] == "2025-02-27"
