"""Outlet conventions of round 3 (issue 8, branch outlet3), read on the train split and corpus-fresh batches 1-2.
Pages are modelled on the convention, never a copy of one page."""

from __future__ import annotations

import pytest

from newsdesk.extract import credits, extract_text

_PARAGRAPH = "市政府今天召开新闻发布会，介绍全市防汛工作进展，各区已完成排水设施检修，应急队伍全部到位待命。"


def _page(info: str, closing: str = "") -> str:
    # An article template with no site name of its own: the outlet comes from the lines under the headline.
    return (
        "<html><head><meta charset='utf-8'><title>全市防汛工作进展</title></head><body>"
        "<div class='article'><h1>全市防汛工作进展</h1>"
        f"<div class='info'>{info}</div>"
        f"<div class='content'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}{closing}</p></div></div>"
        "</body></html>"
    )


@pytest.mark.parametrize(
    "icon",
    [
        "<img src='/views_eye.png' alt='views'>",
        "<i class='icon-eye'></i>",
    ],
)
def test_an_icon_sets_a_counter_and_a_share_label_apart_from_the_source(icon: str) -> None:
    # `来源: X` then a view counter behind an eye icon, then `分享到:`, in spans with no space between them.
    info = (
        "<span class='mr'>2024-12-20</span><span class='mr'>来源: 某某日报</span>"
        f"<span class='mr'>{icon}159</span><span class='share'>分享到:</span><img src='/wechat.png' alt=''>"
    )
    assert extract_text(_page(info)).outlet == "某某日报"


def test_text_glued_without_an_icon_stays_one_piece() -> None:
    # Only a picture separates: a name split over two spans is one name.
    info = "<span>2024-12-20</span> <span>来源：</span><span>某某</span><span>日报</span>"
    assert extract_text(_page(info)).outlet == "某某日报"


def test_outlets_listed_under_a_writing_label_name_no_single_outlet() -> None:
    # A compiled report closes with its sources under `文：` (as `来源：A、B` lists them): none is the writer.
    line = credits.read_credit_line("文：《某某邮报》、某某社")
    assert line is not None and line.sources == []
    assert credits.read_credit_line("文：甲乙新闻网、丙丁日报").sources == []
    # A single outlet credited as the writer is unchanged.
    assert credits.read_credit_line("文｜某某時報").sources == ["某某時報"]


def test_a_compiled_reports_closing_list_leaves_the_sites_own_name() -> None:
    page = _page("<span>2024-12-20</span>", closing="（文：《某某邮报》、某某社）").replace(
        "<title>全市防汛工作进展</title>",
        "<title>全市防汛工作进展 | 某某报</title><meta property='og:site_name' content='某某报'>",
    )
    assert extract_text(page).outlet == "某某报"


def _self_named_page(site_name: str, title_suffix: str, beside_date: str, publisher: str = "") -> str:
    # A site naming itself twice (og:site_name and the title's suffix); under the headline, a name beside the date.
    ld = (
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "publisher": {{"@type": "Organization", '
        f'"name": "{publisher}"}}}}</script>'
        if publisher
        else ""
    )
    return (
        "<html><head><meta charset='utf-8'>"
        f"<title>全市防汛工作进展 - 社會新聞 - {title_suffix}</title>"
        f"<meta property='og:site_name' content='{site_name}'>{ld}</head><body>"
        "<div class='article'><h1>全市防汛工作进展</h1>"
        f"<div class='info'><span>{beside_date}</span> <span>2024-06-01 10:20</span></div>"
        f"<div class='content'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></div>"
        "</body></html>"
    )


def test_a_name_beside_the_date_that_the_pages_own_signals_also_give_is_the_outlet() -> None:
    # The paper a story ran in, beside the date and in the title's suffix, on a site calling itself by its web
    # brand twice (og:site_name, publisher): the paper is the writer, with no registry entry to say so.
    page = _self_named_page("某某新聞網", "某某時報", "某某時報", publisher="某某新聞網")
    assert extract_text(page).outlet == "某某時報"
    # A channel beside the date that no signal of the site gives stays a channel.
    page = _self_named_page("某某新聞網", "某某新聞網", "教育熱點", publisher="某某新聞網")
    assert extract_text(page).outlet == "某某新聞網"


def test_a_bilingual_site_name_gives_the_chinese_part_its_other_signals_agree_on() -> None:
    # og:site_name `Brand Daily 某某日報`, the title's suffix `某某日報`: the Chinese name the page prints.
    page = (
        "<html><head><meta charset='utf-8'><title>全市防汛工作进展 ｜ 某某日報</title>"
        "<meta property='og:site_name' content='Brand Daily 某某日報'></head><body>"
        f"<div class='article'><h1>全市防汛工作进展</h1><div class='content'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p>"
        "</div></div></body></html>"
    )
    assert extract_text(page).outlet == "某某日報"
    # Alone, the bilingual name stays as printed (nothing says which part the page goes by).
    alone = page.replace("｜ 某某日報</title>", "</title>")
    assert extract_text(alone).outlet == "Brand Daily 某某日報"


def test_a_title_part_that_is_the_headline_is_no_site_name() -> None:
    # `站名--标题：副题` (the site first) and `专题｜标题`: the part after the separator is the headline, not the site.
    for title in ("某某股市预测--全市防汛工作进展：各区完成检修", "防汛专题｜全市防汛工作进展：各区完成检修"):
        page = (
            f"<html><head><meta charset='utf-8'><title>{title}</title>"
            "<meta property='og:title' content='全市防汛工作进展：各区完成检修'></head><body>"
            "<div class='article'><h1>全市防汛工作进展：各区完成检修</h1>"
            f"<div class='content'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></div>"
            "<div class='footer'>版权所有 某某财经网</div></body></html>"
        )
        assert extract_text(page).outlet == "某某财经网", title
