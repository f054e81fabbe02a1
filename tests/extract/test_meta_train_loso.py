"""Metadata conventions added for unseen sites (issue 8, branch meta8): each test is a small synthetic
capture modelled on a convention at least two training sites print (named in each rule's comment),
never a copy of one page."""

from __future__ import annotations

from newsdesk.extract import extract_text

_LEAD = "昨日傍晚，一场突如其来的暴雨袭击了全市，多条道路出现积水，交通一度受阻，气象部门随即发布预警。"


def _page(paragraphs: list[str], head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><meta charset='utf-8'><title>某市突降暴雨 局地积水严重</title>{head}</head><body>"
        f"<h1>某市突降暴雨 局地积水严重</h1><div class='article'>{body}</div></body></html>"
    )


def test_a_wechat_header_names_the_writers_then_the_account() -> None:
    article = extract_text(_page(["原创 张三 李四 某某观察", _LEAD, _LEAD]))
    assert article.authors == ["张三", "李四"]
    assert article.outlet == "某某观察"
    # The header is printed as part of the article.
    assert article.body[0] == "原创 张三 李四 某某观察"
    translated = extract_text(_page(["原创： 王五编译 某某研究", _LEAD, _LEAD]))
    assert (translated.authors, translated.outlet) == (["王五"], "某某研究")


def test_an_original_credit_naming_only_an_outlet_stays_a_source() -> None:
    article = extract_text(_page(["原创 某某都市报 2019-09-09 16:01:46", _LEAD, _LEAD]))
    assert article.outlet == "某某都市报"
    assert article.authors == []


def test_a_picture_credit_linking_its_source_names_no_outlet() -> None:
    page = (
        "<html><head><meta charset='utf-8'><title>你为用户做总结了吗？ | 某某产品社区</title></head><body>"
        "<h1>你为用户做总结了吗？</h1><div class='article'>"
        f"<p>{_LEAD}</p><p>{_LEAD}</p>"
        "<p>题图来自 <a href='https://pictures.example.com/'>PicStock</a>，基于 CC0 协议</p></div></body></html>"
    )
    assert extract_text(page).outlet == "某某产品社区"
    reposted = page.replace("题图来自 ", "本文转自 ")
    assert extract_text(reposted).outlet == "PicStock"


def test_an_author_credit_outside_the_article_names_the_writer_when_nothing_else_does() -> None:
    def page(credit: str) -> str:
        return (
            "<html><head><meta charset='utf-8'><title>某地推行无人驾驶耕种</title></head><body>"
            "<h1>某地推行无人驾驶耕种</h1><div class='article'>"
            f"<p>{_LEAD}</p><p>{_LEAD}</p></div><div class='tools'>{credit}</div>"
            "<div class='comment'><p>作者：网友甲乙</p></div></body></html>"
        )

    assert extract_text(page("<span class='editor'>[作者: 刘小仓 责任编辑: 杨小宇 ]</span>")).authors == ["刘小仓"]
    assert extract_text(page("<table><tr><td>作者： 记者王小照</td></tr></table>")).authors == ["王小照"]
    # A commenter's signature is nobody's byline.
    assert extract_text(page("")).authors == []


def test_a_reporter_field_joining_name_and_place_gives_the_name() -> None:
    from newsdesk.extract.credits import split_names

    assert split_names("林小儀_台中") == ["林小儀"]
    assert split_names("王大明-高雄") == ["王大明"]


def test_an_author_field_naming_the_credited_outlet_names_nobody() -> None:
    head = "<meta property='article:author' content='某某消息'>"
    page = _page([_LEAD, _LEAD], head).replace("<div class='article'>", "<div class='article'><p>来源：某某消息</p>")
    article = extract_text(page)
    assert (article.outlet, article.authors) == ("某某消息", [])
    named = _page([_LEAD, _LEAD], "<meta property='article:author' content='王小明'>")
    named = named.replace("<div class='article'>", "<div class='article'><p>来源：某某消息 作者：王小明</p>")
    assert extract_text(named).authors == ["王小明"]


def test_a_widely_cited_outlet_in_the_author_meta_is_the_source_not_a_writer() -> None:
    article = extract_text(_page([_LEAD, _LEAD], "<meta name='author' content='参考消息'>"))
    assert article.authors == []
    assert article.outlet == "参考消息"
