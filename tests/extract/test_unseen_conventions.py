"""Conventions for sites never seen (issue 8, branch unseen8): page shapes modelled on the corpus's
train-split pages (hket.com, news sites re-running a wire), never a copy of one page."""

from __future__ import annotations

import json

from newsdesk.extract import extract_text

_LEAD = "本港第三波疫情仍然嚴峻，衞生防護中心公布今日新增72宗確診個案，其中9宗是輸入個案，63宗屬本地感染。"


def _hk_page(header: str, section: str | None) -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "機動部隊男警初步確診"}
    if section:
        ld["articleSection"] = section
    return (
        "<html><head><meta charset='utf-8'><title>機動部隊男警初步確診 - 某某日報</title>"
        f"<script type='application/ld+json'>{json.dumps(ld, ensure_ascii=False)}</script></head><body>"
        f"<article><h1>機動部隊男警初步確診</h1><div class='info'>{header}</div>"
        f"<div class='content'><p>{_LEAD}</p><p>{_LEAD}</p></div></article></body></html>"
    )


def test_the_pages_own_section_beside_the_date_is_no_writer() -> None:
    # hket.com prints its channel where other templates print the writer: `社會 17:30 2020/08/09`.
    assert extract_text(_hk_page("社會 17:30 2020/08/09", "社會")).authors == []
    # A name beside the date that is not the page's section is still its writer.
    assert extract_text(_hk_page("陳大文 17:30 2020/08/09", "社會")).authors == ["陳大文"]


_WIRE_LEAD = "新华社北京9月6日电 国务院新闻办公室6日举行新闻发布会，介绍今年以来经济运行情况，并回答记者提问。"


def _own_site_page(site_name: str, credit: str = "") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>经济运行情况发布 - {site_name}</title>"
        f"<meta property='og:site_name' content='{site_name}'>"
        "<link rel='canonical' href='https://news.example-daily.hk/article/1'></head><body>"
        f"<h1>经济运行情况发布</h1><div class='article'><p>{_WIRE_LEAD}</p><p>{_LEAD}</p>{credit}</div>"
        "</body></html>"
    )


def test_a_wire_dateline_on_an_outlets_own_page_leaves_the_site_as_outlet() -> None:
    # A site page that opens with the wire's dateline, with no source credit: the site ran the story.
    assert extract_text(_own_site_page("某某日報")).outlet == "某某日報"


def test_a_source_credit_makes_the_page_a_repost_of_the_wire() -> None:
    assert extract_text(_own_site_page("某某日報", "<p>来源：新华社</p>")).outlet == "新华社"
