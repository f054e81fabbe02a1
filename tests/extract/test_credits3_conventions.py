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
    # Astro's blog template writes `pubDate`, Hugo `publishDate`.
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


def test_a_page_in_another_language_without_a_date_stamp_is_dated_by_the_date_it_prints() -> None:
    page = _release("<p>Ends/Thursday, November 27, 2025<br>Issued at HKT 15:35</p>")
    assert extract_text(page).published == "2025-11-27"
    assert extract_text(_release("<p>Ends</p>")).published is None


def test_a_page_in_another_language_names_its_json_ld_person_author() -> None:
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
    # Above the article, beside the other credits...
    head = "**来源**: 某某晚报  \n**时间**: 2008年07月12日 08:48  \n**作者**: 王明"
    assert (extract_text(_mirror(head, "")).published or "")[:10] == "2008-07-12"
    # ...or below it, with the editor's credit.
    foot = "**责任编辑：李华**  \n**来源：某某新闻**  \n**时间：2023年9月20日**"
    assert (extract_text(_mirror("", foot)).published or "")[:10] == "2023-09-20"
    # An update time is not the article's date.
    assert extract_text(_mirror("", "**更新时间：2023年9月21日**")).published is None


def _hk_page(info: str, lead: str = _PARA) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>政府成立三個工作組 - 某某報</title></head><body>"
        "<div class='menu'><a href='/hk'>港聞</a> <a href='/world'>國際</a></div>"
        f"<div class='post'><h1>政府成立三個工作組</h1><div class='post-meta'>{info}</div>"
        f"<div class='post-content'><p>{lead}</p><p>{_PARA}</p><p>{_PARA}</p></div></div></body></html>"
    )


def test_the_category_an_element_is_marked_as_beside_the_date_is_no_writer() -> None:
    assert extract_text(_hk_page("<a class='category'>港聞</a> 2025.11.28 11:18:13")).authors == []
    # A name beside the date that no element marks as the category is still the writer.
    assert extract_text(_hk_page("<span>陳大文</span> 2025.11.28 11:18:13")).authors == ["陳大文"]


def test_an_unbracketed_titled_byline_after_the_outlets_bracket_names_the_reporters() -> None:
    lead = "【某某報訊】記者陳大文、李小明報道：大埔屋苑昨日發生五級火，政府宣布成立三個工作組跟進。"
    assert extract_text(_hk_page("2025.11.28", lead)).authors == ["陳大文", "李小明"]
    # The title followed by anything but names closed by the report verb is prose.
    prose = "【某某報訊】記者昨日到現場了解情況報道：大埔屋苑昨日發生五級火，政府宣布成立三個工作組跟進。"
    assert extract_text(_hk_page("2025.11.28", prose)).authors == []


def test_a_labelled_credit_may_sign_with_a_lower_case_handle() -> None:
    closing = "政府官員出席回應，會議持續至晚上。（编译：csw）"
    page = _hk_page("2025.11.28", "【某某報訊】" + _PARA).replace(f"<p>{_PARA}</p></div>", f"<p>{closing}</p></div>")
    assert extract_text(page).authors == ["csw"]
    # Unlabelled, a lower-case word is no name; nor is a CMS account.
    assert extract_text(page.replace("（编译：csw）", "（csw）")).authors == []
    assert extract_text(page.replace("（编译：csw）", "（作者：admin）")).authors == []


def _column_page(after_headline: str, header_above_body: bool = False) -> str:
    """The headline inside the article's container (nothing above the body anchors its lines), or, with
    `header_above_body`, a header block between headline and body."""
    story = "".join(f"<p>{_PARA}</p>" for _ in range(4))
    if header_above_body:
        return (
            "<html><head><meta charset='utf-8'><title>议员辩论多项议案 - 某某日报</title></head><body>"
            f"<div class='head'><h1>议员辩论多项议案</h1><div class='info'>{after_headline}</div></div>"
            f"<div class='content'>{story}</div></body></html>"
        )
    return (
        "<html><head><meta charset='utf-8'><title>议员辩论多项议案 - 某某日报</title></head><body>"
        f"<main><h1>议员辩论多项议案</h1>{after_headline}<time>2023年9月10日</time>{story}</main></body></html>"
    )


def test_a_name_printed_before_the_writers_title_is_the_byline() -> None:
    # On two lines straight after the headline, the title a reporter's or the outlet alone...
    assert extract_text(_column_page("<ul><li>陳岩</li><li>某某日报記者</li></ul>")).authors == ["陳岩"]
    assert extract_text(_column_page("<ul><li>尼克·馬什（Nick Marsh）</li><li>某某新闻網記者</li></ul>")).authors == [
        "尼克·馬什"
    ]
    # ...or on one line under the headline.
    assert extract_text(_column_page("金泰勋 某某日报記者", header_above_body=True)).authors == ["金泰勋"]


def test_a_tag_and_a_source_after_the_date_are_no_byline() -> None:
    assert extract_text(_column_page("<time>2024年12月23日</time><a>特朗普</a> <span>美联社</span>")).authors == []
    # A title that is no reporter's, on one line, names nobody.
    assert extract_text(_column_page("金泰勋 某某日报社长", header_above_body=True)).authors == []


def test_credit_lines_above_the_first_paragraph_do_not_hide_its_dateline() -> None:
    head = "正文\n\n时间: 2008年07月12日 08:48\n\n作者: 王明"
    lead = "本报讯（记者 王明 通讯员 李华 实习生 赵强）" + _PARA
    text = f"# 议员辩论多项议案\n\n{head}\n\n{lead}\n\n{_PARA}\n\n{_PARA}\n"
    assert extract_text(text).authors == ["王明", "李华", "赵强"]
    # Three paragraphs of prose first: a bracket further down is not the dateline.
    late = f"# 议员辩论多项议案\n\n{head}\n\n{_PARA}\n\n{_PARA}\n\n{_PARA}\n\n{lead}\n"
    assert extract_text(late).authors == ["王明"]


def test_a_date_after_a_sentence_among_the_header_lines_is_another_storys() -> None:
    from newsdesk.extract.html_page import _header_date

    # Between the headline and a body read from the next story loaded below it stand the end of the
    # headline's own story, then the next story's header: its date is not the article's.
    lines = ["白宫未立即置评。", "另一方面，联合国特别报告员12日盛赞这项举动。", "国际", "特朗普签行政命令", "2025年02月06日"]
    assert _header_date(lines) is None
    assert _header_date(["国际", "2025年02月13日", "美联社"]) == "2025-02-13"


def _masthead_page(foot: str) -> str:
    story = "".join(f"<p>{_PARA}</p>" for _ in range(4))
    return (
        "<html><head><meta charset='utf-8'><title>议员辩论多项议案 - 某某日报</title></head><body>"
        "<div class='top'><span class='logo'>某某日报</span><span class='date'>2025年 2月 27日 03:19</span></div>"
        f"<div class='art'><h1>议员辩论多项议案</h1><div class='content'>{story}<p>{foot}</p></div></div>"
        "</body></html>"
    )


def test_a_stamp_printed_before_an_update_stamp_is_the_publication_date() -> None:
    page = _masthead_page("输入 : 2025-02-10 10:12 | 更新 : 2025-02-10 11:26")
    assert (extract_text(page).published or "")[:10] == "2025-02-10"
    # An update stamp alone dates nothing: the masthead's date is all the page has.
    alone = _masthead_page("更新 : 2025-02-11 11:26")
    assert (extract_text(alone).published or "")[:10] == "2025-02-27"
