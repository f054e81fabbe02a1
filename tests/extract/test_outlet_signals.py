"""How a page names its outlet when no credit does (issue 8, branch outlet): the page's own signals
(og:site_name, the title's suffix, the copyright holder, the logo) are weighed by agreement. Pages are
modelled on conventions seen across sites, never a copy of one page."""

from __future__ import annotations

from newsdesk.extract import extract_text
from newsdesk.extract.credits import outlet_part, parse_dateline, read_credit_line

_PARAGRAPH = "市政府今天召开新闻发布会，介绍全市防汛工作进展，各区已完成排水设施检修，应急队伍全部到位待命。"


def _page(title: str, footer: str, logo_alt: str = "") -> str:
    logo = f"<div class='logo'><img src='/img/logo.png' alt='{logo_alt}'></div>" if logo_alt else ""
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{logo}"
        f"<h1>全市防汛工作进展</h1><div class='article'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div>"
        f"<div class='footer'>{footer}</div></body></html>"
    )


def test_two_signals_naming_the_site_beat_a_stray_title_suffix() -> None:
    # The title's last part is a channel; the copyright line and the logo both name the site.
    page = _page("全市防汛工作进展_要闻频道", "版权所有 某某市新闻网 2024", logo_alt="某某市新闻网")
    assert extract_text(page).outlet == "某某市新闻网"


def test_a_single_signal_still_names_the_site() -> None:
    assert extract_text(_page("全市防汛工作进展", "版权所有 某某市新闻网")).outlet == "某某市新闻网"


def test_licence_and_sponsor_lines_in_the_footer_name_no_outlet() -> None:
    footer = "Copyright © 2024 营业执照 备案号：京ICP备12345号 本网站由某某传媒承办"
    assert extract_text(_page("全市防汛工作进展", footer)).outlet is None


def test_a_footer_repeated_in_every_column_counts_once() -> None:
    # The site's name in the title suffix and the logo agree; the footer's holder, printed three times, does not win.
    footer = "<p>©2024 某某传媒中心</p>" * 3
    page = _page("全市防汛工作进展 - 某某晚报", footer, logo_alt="某某晚报网")
    assert extract_text(page).outlet == "某某晚报"


def _bare_page(copyright_meta: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>全市防汛工作进展</title>"
        f"<meta name='copyright' content='{copyright_meta}'></head><body>"
        f"<h1>全市防汛工作进展</h1><div class='article'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></body></html>"
    )


def test_the_copyright_meta_names_the_site_when_nothing_else_does() -> None:
    assert extract_text(_bare_page("某某日報")).outlet == "某某日報"
    assert extract_text(_bare_page("某某时报网版权所有")).outlet == "某某时报网"
    assert extract_text(_bare_page("Copyright © 2005-2024 某某晚报 All Rights Reserved")).outlet == "某某晚报"


def test_a_company_or_host_in_the_copyright_meta_names_no_outlet() -> None:
    assert extract_text(_bare_page("Copyright © 2019 AD Internet Limited")).outlet is None
    assert extract_text(_bare_page("Copyright © 2018 example-daily.com")).outlet is None


def test_a_source_list_of_one_outlets_outputs_credits_that_outlet() -> None:
    # `原文来自新京报网站、新京报微信公号` (archive reposts): the site and the WeChat account are one outlet.
    assert read_credit_line("原文来自某某晚报网站、某某晚报微信公号").sources == ["某某晚报"]
    assert read_credit_line("来源：某某晚报~~网站~~、某某晚报客户端").sources == ["某某晚报"]
    # Several different sources still name none of them the outlet.
    line = read_credit_line("来源：某某日报、某某晚报")
    assert line is not None and line.sources == []


def test_dates_counters_home_links_and_copyright_claims_are_not_part_of_the_outlet() -> None:
    assert outlet_part("来源：某某日报 2024-01-02 10:20") == "某某日报"
    assert outlet_part("某某日报2024年1月2日") == "某某日报"
    assert outlet_part("某某晚报 阅读数：1234") == "某某晚报"
    assert outlet_part("某某新闻网首页") == "某某新闻网"
    assert outlet_part("某某日报社版权所有") == "某某日报社"
    assert outlet_part("Copyright © 2005-2024 某某晚报") == "某某晚报"
    # Digits that are the name's own stay (`1905电影网`, `39健康网`).
    assert outlet_part("1905电影网") == "1905电影网"
    assert outlet_part("39健康网") == "39健康网"


def test_an_outlet_alone_in_brackets_opening_the_article_is_its_dateline() -> None:
    # `(德国之声中文网) 在…` (dw.com), `(星島日報報道)政府…` (stheadline.com).
    line = parse_dateline("(某某之声中文网) 在日前举行的线上论坛上，主持人表示")
    assert line is not None and line.outlet == "某某之声中文网"
    line = parse_dateline("（某某日報報道）政府今日公布新一輪防疫措施")
    assert line is not None and line.outlet == "某某日報"
    # `（据新华社）`: the wire it is according to.
    line = parse_dateline("（据某某社）政府今日公布新一轮防疫措施")
    assert line is not None and line.outlet == "某某社"
    # A bracket that is no outlet's name (a picture mark, a part number, the paper unnamed) is none.
    assert parse_dateline("（图）政府今日公布") is None
    assert parse_dateline("（上）政府今日公布") is None
    assert parse_dateline("（本報訊）政府今日公布") is None


def test_a_mirror_names_the_outlet_its_bracketed_dateline_prints() -> None:
    post = (
        "<html><head><meta charset='utf-8'><title>论坛</title></head><body><article>"
        f"<p>(某某之声中文网) {_PARAGRAPH}</p><p>{_PARAGRAPH}</p></article></body></html>"
    )
    assert extract_text(post).outlet == "某某之声中文网"


def _meta_page(metas: dict[str, str]) -> str:
    tags = "".join(f"<meta property='{k}' content='{v}'>" for k, v in metas.items())
    return (
        f"<html><head><meta charset='utf-8'><title>全市防汛工作进展</title>{tags}</head><body>"
        f"<h1>全市防汛工作进展</h1><div class='article'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></body></html>"
    )


def test_the_app_link_meta_names_the_site_when_no_site_name_does() -> None:
    # `al:ios:app_name` carries the site's brand on 8world.com, hk01.com, hket.com, i-cable.com, now.com and
    # tvb.com (corpus train, corpus-fresh 1-2), sometimes with a slogan after a dash.
    assert extract_text(_meta_page({"al:ios:app_name": "某某新聞 - 新聞及生活資訊平台"})).outlet == "某某新聞"
    assert extract_text(_meta_page({"al:android:app_name": "某某日报"})).outlet == "某某日报"
    # og:site_name still goes first.
    page = _meta_page({"og:site_name": "某某新聞網", "al:ios:app_name": "某某動新聞"})
    assert extract_text(page).outlet == "某某新聞網"


def test_the_dublin_core_rights_holder_is_read_like_the_copyright_meta() -> None:
    # ettoday.net and ltn.com.tw fill `dcterms.rightsHolder` with the site's name.
    assert extract_text(_meta_page({"dcterms.rightsHolder": "某某時報電子報"})).outlet == "某某時報電子報"
    assert extract_text(_meta_page({"dcterms.rightsHolder": "Example Media Co., Ltd."})).outlet is None
