"""What a page states about itself: JSON-LD, og/article meta, <time>, canonical, and the headline.

The markup below is cut down from real pages (the site is named at each), keeping the parts that matter.
"""

from __future__ import annotations

import pytest
from lxml import html

from newsdesk.extract import extract_capture
from newsdesk.extract.html_meta import best_title, read_page_meta, strip_site_name
from tests.conftest import DEV


def meta_of(markup: str):
    return read_page_meta(html.fromstring(markup))


# udn.com: NewsArticle inside a list, the author a Person whose name is the printed byline.
UDN = """<html><head><title>核汙水排入海 中日緊張升溫 | 日本核汙水入海 | 全球 | 聯合新聞網</title>
<meta property="og:site_name" content="聯合新聞網">
<meta property="og:title" content="核汙水排入海 中日緊張升溫 | 聯合新聞網">
<meta name="author" content="聯合新聞網">
<meta property="article:published_time" content="2023-08-28T01:05:07+08:00">
<link rel="canonical" href="https://udn.com/news/story/123707/7398504">
<script type="application/ld+json">[{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"核汙水排入海 中日緊張升溫","datePublished":"2023-08-28T01:05:07+08:00",
"author":{"@type":"Person","name":"編譯茅毅、記者謝守真／綜合報導"},
"publisher":{"@type":"Organization","name":"聯合新聞網"}}]</script></head>
<body><h1 class="article-content__title">核汙水排入海 中日緊張升溫</h1>
<span class="article-content__author">編譯茅毅、記者謝守真／綜合報導</span></body></html>"""

# bbc.com/zhongwen: @graph, the author an Organization (the site, not a writer).
BBC = """<html><head><title>中國經濟是一顆「定時炸彈」嗎？ - BBC News 中文</title>
<meta property="og:site_name" content="BBC News 中文">
<script type="application/ld+json">{"@context":"http://schema.org","@graph":[{"@type":"ReportageNewsArticle",
"headline":"中國經濟是一顆「定時炸彈」嗎？","datePublished":"2023-08-31T07:30:05.000Z",
"author":{"@type":"NewsMediaOrganization","name":"BBC News 中文"},
"mainEntityOfPage":{"@id":"https://www.bbc.com/zhongwen/trad/business-66668559"}}]}</script></head>
<body><header><h1 class="logo"><a href="/">BBC News 中文</a></h1></header>
<main><h1 id="content">中國經濟是一顆「定時炸彈」嗎？</h1></main></body></html>"""


def test_json_ld_in_a_list_gives_headline_date_person_and_publisher() -> None:
    page = meta_of(UDN)
    assert page.headline == "核汙水排入海 中日緊張升溫"
    assert page.published[0] == "2023-08-28T01:05:07+08:00"
    assert page.ld_authors == ["編譯茅毅、記者謝守真／綜合報導"]
    assert page.publisher == "聯合新聞網"
    assert page.canonical == "https://udn.com/news/story/123707/7398504"


def test_json_ld_graph_organization_author_is_not_a_writer() -> None:
    page = meta_of(BBC)
    assert page.headline == "中國經濟是一顆「定時炸彈」嗎？"
    assert page.published == ["2023-08-31T07:30:05.000Z"]
    assert page.ld_authors == []
    assert page.canonical == "https://www.bbc.com/zhongwen/trad/business-66668559"


def test_logo_heading_is_never_the_title() -> None:
    page = meta_of(BBC)
    assert page.headings == ["中國經濟是一顆「定時炸彈」嗎？"]
    assert best_title(page) == "中國經濟是一顆「定時炸彈」嗎？"


def test_site_name_is_never_the_title() -> None:
    # A page whose only <h1> is its masthead and whose <title> is the site's name.
    page = meta_of(
        "<html><head><title>自由時報電子報</title><meta property='og:site_name' content='自由時報電子報'></head>"
        "<body><h1>自由時報電子報</h1><div class='title'><h2>侯、郭金門較勁 地方政要選邊站</h2></div></body></html>"
    )
    assert best_title(page) != "自由時報電子報"


@pytest.mark.parametrize(
    ("title", "sites", "headline"),
    [
        ("法国全国大罢工再次严重影响交通-新华网", [], "法国全国大罢工再次严重影响交通"),  # xinhuanet.com
        ("女儿出嫁，郑板桥画了几笔兰花当嫁妆--文化--人民网", [], "女儿出嫁，郑板桥画了几笔兰花当嫁妆"),  # people.com.cn
        ("交通运输部：着力打造京津冀区域综合立体交通网络-股票频道-和讯网", [], "交通运输部：着力打造京津冀区域综合立体交通网络"),
        ("中國經濟是一顆「定時炸彈」嗎？ - BBC News 中文", ["BBC News 中文"], "中國經濟是一顆「定時炸彈」嗎？"),
        ("新聞透視》黑道變網紅 斷金流才是反制之道 - 社會新聞 - 中國時報", [], "新聞透視》黑道變網紅 斷金流才是反制之道"),
        ("COVID-19 疫苗接種進度", [], "COVID-19 疫苗接種進度"),
    ],
)
def test_title_loses_the_site_suffix(title: str, sites: list[str], headline: str) -> None:
    assert strip_site_name(title, sites) == headline


def test_time_element_and_weak_stamps() -> None:
    page = meta_of(
        "<html><head><meta name='lastmod' content='2024-05-23'></head><body>"
        "<time datetime='2024-05-20T14:33:00+08:00' pubdate>2024-05-20 14:33</time>"
        "<time datetime='2024-05-21'>相關新聞</time></body></html>"
    )
    assert page.published == ["2024-05-20T14:33:00+08:00"]
    assert page.weak_published == ["2024-05-23", "2024-05-21"]


def test_headline_printed_in_a_title_element_when_there_is_no_h1() -> None:
    # zsnews.cn: no <h1>; the document title appends the source to the headline.
    page = meta_of(
        "<html><head><title>顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作 东区办事处_中山网</title></head>"
        "<body><div class='title'>顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作</div></body></html>"
    )
    assert best_title(page) == "顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作"


# --- Through the whole extractor, on dev captures ------------------------------------------------


def test_header_source_is_cut_at_the_channel() -> None:
    # people.com.cn prints `2019年06月15日08:18 来源：人民网-文化频道` under the headline.
    path = DEV / "captures" / "people__1.html"
    article = extract_capture(path.read_bytes(), str(path))
    assert article.outlet == "人民网"
    assert article.published and article.published.startswith("2019-06-15")


def test_banner_date_above_the_headline_is_not_the_publication_date() -> None:
    markup = (
        "<html><head><title>某市召开会议_某市政府网</title></head><body>"
        "<div class='top'>今天是2023年3月5日 星期日 农历二月十四</div>"
        "<h1>某市召开2023年经济工作会议</h1><div class='info'>发布时间：2023-02-28 10:21 来源：某市政府办公室</div>"
        "<div class='content'><p>2月27日，某市召开2023年经济工作会议，总结去年工作，部署今年任务。会议指出，要坚持稳中求进。</p>"
        "<p>会议强调，各地各部门要狠抓落实，确保全年目标任务顺利完成，推动经济运行整体好转，实现质的有效提升。</p>"
        "<p>会议要求，要抓好项目建设，扩大有效投资，稳住外贸外资基本盘，持续优化营商环境，激发市场主体活力。</p></div>"
        "</body></html>"
    )
    article = extract_capture(markup.encode(), "gov.html")
    assert article.published is not None and article.published.startswith("2023-02-28")
    assert article.outlet == "某市政府办公室"
