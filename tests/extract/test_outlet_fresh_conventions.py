"""Outlet conventions read on corpus-fresh batches 1-2 once they were promoted to tuning (issue 8, branch
outlet2). Pages are modelled on the convention, never a copy of one page."""

from __future__ import annotations

from newsdesk.extract import extract_text

_PARAGRAPH = "市政府今天召开新闻发布会，介绍全市防汛工作进展，各区已完成排水设施检修，应急队伍全部到位待命。"


def _page(site_meta: str, title_suffix: str, beside_date: str) -> str:
    # A news site's article template: og:site_name and the title's suffix name the site; under the
    # headline, the date shares a line with a channel label, a column name or a "listen" button.
    return (
        "<html><head><meta charset='utf-8'>"
        f"<title>全市防汛工作进展 - 要闻 - {title_suffix}</title>"
        f"<meta property='og:site_name' content='{site_meta}'></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/news'>要闻</a></div>"
        "<div class='article'><h1>全市防汛工作进展</h1>"
        f"<div class='info'><span>2024-06-01 10:20</span> <span>{beside_date}</span></div>"
        f"<div class='content'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></div>"
        "</body></html>"
    )


def test_a_channel_beside_the_date_does_not_outrank_the_sites_own_name() -> None:
    # Four-character column/channel names beside the date (dotdotnews.com, tkww.hk).
    assert extract_text(_page("某某新聞-moumounews", "某某新聞", "教育熱點")).outlet == "某某新聞"
    assert extract_text(_page("某某文匯網", "某某文匯網", "香港即時")).outlet == "某某文匯網"


def test_a_player_button_beside_the_date_is_no_outlet() -> None:
    # `听新闻` ends like an outlet's name but is a text-to-speech button (worldjournal.com).
    assert extract_text(_page("某某新闻网", "某某新闻网", "听新闻")).outlet == "某某新闻网"


def test_a_known_outlet_beside_the_date_still_names_the_writer() -> None:
    # A re-posted wire printed beside the date is the writer, even on a site that names itself.
    assert extract_text(_page("某某新闻网", "某某新闻网", "中央社")).outlet == "中央社"


def test_an_account_beside_the_date_names_the_outlet_when_the_site_does_not_name_itself() -> None:
    # Platforms print the posting account beside the date; with no agreeing site name it is the outlet.
    page = _page("某某新闻网", "某某新闻网", "华夏人文").replace("- 某某新闻网</title>", "</title>")
    page = page.replace("<meta property='og:site_name' content='某某新闻网'>", "")
    assert extract_text(page).outlet == "华夏人文"


def _closing_page(closing: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>全市防汛工作进展</title></head><body><h1>全市防汛工作进展</h1>"
        f"<div class='article'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}{closing}</p></div></body></html>"
    )


def test_the_employer_before_a_reporters_title_in_a_closing_bracket_is_no_author() -> None:
    # `（央视记者 刘骁骞）` closing a report (cnr.cn); `（记者张淼淼）` keeps working as before.
    assert extract_text(_closing_page("（央视记者 刘骁骞）")).authors == ["刘骁骞"]
    assert extract_text(_closing_page("（某某台记者王小明）")).authors == ["王小明"]
    assert extract_text(_closing_page("（记者张淼淼）")).authors == ["张淼淼"]


def _ld_page(author: str, site_name: str, byline: str = "") -> str:
    ld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "全市防汛工作进展", '
        f'"author": {author}}}'
    )
    return (
        "<html><head><meta charset='utf-8'><title>全市防汛工作进展</title>"
        f"<meta property='og:site_name' content='{site_name}'>"
        f"<script type='application/ld+json'>{ld}</script></head><body><h1>全市防汛工作进展</h1>"
        f"<div class='article'><p class='byline'>{byline}</p><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></body></html>"
    )


def test_a_json_ld_person_may_give_its_name_as_a_list() -> None:
    page = _ld_page('{"@type": "Person", "name": ["马克·洛伊滕艾格"]}', "某某新闻", "马克·洛伊滕艾格")
    assert extract_text(page).authors == ["马克·洛伊滕艾格"]


def test_the_sites_latin_brand_as_json_ld_author_names_no_writer() -> None:
    # WordPress sites file staff posts under the brand (`The Witness` on `法庭線 The Witness`).
    page = _ld_page('{"name": "The Witness"}', "法庭線 The Witness", "The Witness")
    assert extract_text(page).authors == []
    assert extract_text(_ld_page('{"name": "Ada Wong"}', "法庭線 The Witness", "Ada Wong")).authors == ["Ada Wong"]


def _ld_article(author_json: str, byline: str) -> str:
    ld = f'{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "全市防汛工作进展", "author": {author_json}}}'
    return (
        "<html><head><meta charset='utf-8'><title>全市防汛工作进展</title>"
        f"<script type='application/ld+json'>{ld}</script></head><body><h1>全市防汛工作进展</h1>"
        f"<div class='article'>{byline}<p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></body></html>"
    )


def test_a_json_ld_person_the_page_never_prints_is_the_filing_account() -> None:
    # CMSs put the web editor who filed the story in JSON-LD (dotdotnews.com, atvnewsonline.com).
    assert extract_text(_ld_article('{"@type": "Person", "name": "王小明"}', "")).authors == []
    printed = _ld_article('{"@type": "Person", "name": "王小明"}', "<p class='byline'>記者 王小明</p>")
    assert extract_text(printed).authors == ["王小明"]
    # A value with a place or a desk after the name counts as printed when the name is.
    desk = _ld_article('"李立達／台北"', "<div class='author'>李立達</div>")
    assert extract_text(desk).authors == ["李立達"]


def _credit_page(credit_line: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>全市防汛工作进展</title></head><body>"
        f"<div class='article'><h1>全市防汛工作进展</h1><div class='info'>2024-06-01 10:20 {credit_line}</div>"
        f"<div class='content'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></div></body></html>"
    )


def test_the_internet_as_a_writer_or_the_web_desk_as_a_source_names_nobody() -> None:
    # CMS placeholders on re-posted stories: `来源：互联网 作者：网络` (17173.com), `来源：网络编辑` (jpchinapress.com).
    article = extract_text(_credit_page("来源：互联网 作者：网络"))
    assert article.authors == [] and article.outlet is None
    assert extract_text(_credit_page("来源：网络编辑")).outlet is None
    assert extract_text(_credit_page("来源：某某日报 作者：王小明")).authors == ["王小明"]
