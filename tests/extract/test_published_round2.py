"""Publication-date conventions of issue 8, round 2 (branch published8): small pages modelled on a
convention several training sites print, never a copy of a corpus page, each beside a page that must
not be read as one."""

from __future__ import annotations

from newsdesk.extract import extract_text

_PARA = "香港立法会今日举行会议，议员就多项议案进行辩论，政府官员出席回应，会议持续至晚上。"
_RELATED = (
    "<div class='related'><h2>相关报道</h2><ul>"
    "<li><a href='/a/1'>议员要求政府公布方案</a> 2022年4月12日</li>"
    "<li><a href='/a/2'>立法会上周休会</a> 2022年3月11日</li></ul></div>"
)


def _page(under_headline: str, head: str = "") -> str:
    """A template that prints the headline inside the article's own container (no headline above the
    body to anchor the lines under it), and a list of related stories with their dates after it."""
    return (
        f"<html><head><meta charset='utf-8'><title>立法会辩论多项议案 - 某某新闻网</title>{head}</head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/hk'>港澳</a> <a href='/world'>国际</a></div>"
        f"<main><h1>立法会辩论多项议案</h1><ul class='byline'><li>王明</li><li>某某新闻网記者</li></ul>{under_headline}"
        f"{''.join(f'<p>{_PARA}</p>' for _ in range(5))}</main>"
        f"{_RELATED}<div class='footer'>版权所有 某某新闻网</div></body></html>"
    )


def test_the_date_in_the_lines_after_a_headline_inside_the_article_container_is_the_date() -> None:
    assert extract_text(_page("<time>2023年8月31日</time>")).published == "2023-08-31"
    # A byline glued to the date.
    assert extract_text(_page("<div>王明 李华2023年9月13日</div>")).published == "2023-09-13"


def test_the_printed_date_outranks_a_meta_stamp_of_another_day_and_keeps_the_time_of_one_that_agrees() -> None:
    crawled = "<meta property='article:published_time' content='2023-09-20T02:00:00+08:00'>"
    assert extract_text(_page("<time>2023年9月13日</time>", head=crawled)).published == "2023-09-13"
    same_day = "<meta property='article:published_time' content='2023-09-13T10:30:00+08:00'>"
    assert extract_text(_page("<time>2023年9月13日</time>", head=same_day)).published == "2023-09-13T10:30:00+08:00"


def test_a_related_storys_date_or_a_sentence_after_the_headline_is_no_date() -> None:
    assert extract_text(_page("")).published is None
    sentence = extract_text(_page("2023年9月13日，立法会举行会议。"))
    assert sentence.published is None


def test_a_meta_tag_the_lists_do_not_name_gives_the_date_when_its_name_says_publication() -> None:
    for name in ("firstpublishedtime", "datecreated", "date.available"):
        page = _page("", head=f"<meta name='{name}' content='2007-08-20 10:11:12'>")
        assert (extract_text(page).published or "")[:10] == "2007-08-20", name


def test_update_expiry_and_generation_stamps_are_no_publication_date() -> None:
    for name in ("lastmodifiedtime", "maketime", "expires", "page-generated"):
        page = _page("", head=f"<meta name='{name}' content='2019-03-22 12:28:37'>")
        assert extract_text(page).published is None, name


def _article_with(closing: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>立法会辩论多项议案</title></head><body>"
        f"<h1>立法会辩论多项议案</h1><div class='article'>{''.join(f'<p>{_PARA}</p>' for _ in range(4))}"
        f"<p>{_PARA}{closing}</p></div><div class='footer'>版权所有 某某新闻网</div></body></html>"
    )


def test_a_bracketed_credit_group_names_the_editor() -> None:
    # `（編輯：X）1120823` closing the last paragraph, `【编辑:X】`, `（翻译/X 编辑/Y）`.
    assert extract_text(_article_with("（編輯：楊小明）1120823")).editor == "楊小明"
    assert extract_text(_article_with("【编辑:马小玲】")).editor == "马小玲"
    assert extract_text(_article_with("（翻译/王小辉 编辑/郭小梅）")).editor == "郭小梅"


def test_a_bracketed_aside_that_is_no_credit_names_no_editor() -> None:
    assert extract_text(_article_with("（编辑部另有说明）")).editor is None
    assert extract_text(_article_with("（記者王小明／台北報導）")).editor is None


def test_an_update_time_after_the_headline_gives_way_to_the_publication_date() -> None:
    lines = "<div><span>更新時間</span><span>2023-09-14 08:00</span> <span>發佈</span><span>2023-09-13 21:10</span></div>"
    assert (extract_text(_page(lines)).published or "")[:10] == "2023-09-13"
    only_update = "<div><span>更新時間</span><span>2023-09-14 08:00</span></div>"
    assert (extract_text(_page(only_update)).published or "")[:10] == "2023-09-14"
