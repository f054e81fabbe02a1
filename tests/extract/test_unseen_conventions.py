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


def test_an_own_report_dateline_names_the_paper_on_its_portals_page() -> None:
    # `【大公報訊】` on 大公文匯網's page (tkww.hk), `【侨报讯】` (uschinapress.com): the paper's own report, not a
    # wire it re-runs; the paper wrote it, under whatever name its web portal goes by.
    lead = _LEAD
    page = _own_site_page("某某新聞網").replace(_WIRE_LEAD, "【某某日報訊】" + lead)
    assert extract_text(page).outlet == "某某日報"
    # The wire's dated filing on the same page still leaves the site as the outlet.
    assert extract_text(_own_site_page("某某新聞網")).outlet == "某某新聞網"


# --- body: the site's notices printed in the article's flow ---------------------------------------

_STORY = [
    "颱風海葵今晨在台東登陸，中央氣象署表示，暴風圈已籠罩全台，各地風雨明顯增強，民眾應避免外出。",
    "氣象署指出，颱風中心預計傍晚由台南附近出海，北部及東北部山區仍有豪雨，累積雨量可能超過五百毫米。",
]


def _article_page(extra: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in [*_STORY, *extra])
    return (
        "<html><head><meta charset='utf-8'><title>颱風海葵登陸</title></head><body>"
        f"<h1>颱風海葵登陸</h1><div class='article'>{body}</div></body></html>"
    )


def test_copyright_notices_app_promotions_and_tag_lists_are_not_the_article() -> None:
    # Shapes printed by several sites each (thepaper, cna, 39.net, woshipm; ltn, nytimes, thepaper;
    # chinatimes, cna): a notice, a promotion and a tag list after the story.
    notices = [
        "本網站之文字、圖片及影音，非經授權，不得轉載、公開播送或公開傳輸及利用。",
        "某某新闻报料：4009-20-4009 某某新闻，未经授权不得转载",
        "不用抽 不用搶 現在用APP看新聞 保證天天中獎 點我下載APP 按我看活動辦法",
        "點擊下載iOS App 點擊下載Android App",
        "#颱風 #海葵 #停班停課",
        "#IAEA",
    ]
    assert extract_text(_article_page(notices)).body == _STORY


def test_sentences_about_apps_and_hash_headed_subheadings_stay() -> None:
    kept = [
        "用戶可以在各大應用商店下載該APP。",
        "#中國外交部：反對美方排擠中國企業",
        "氣象署表示，若民眾未經許可擅自進入管制區，將依法開罰，最高可處三萬元罰鍰。",
    ]
    assert extract_text(_article_page(kept)).body == [*_STORY, *kept]


def test_a_list_heading_after_the_article_ends_it() -> None:
    # upmedia `熱門閱讀`, bbc `熱讀` / `特別推薦`, cna `聚焦新聞`: other stories' teasers follow.
    for heading in ("熱門閱讀", "熱讀", "特別推薦", "聚焦新聞"):
        teasers = [heading, "● 某明星演唱會裝扮遭群嘲 她一身名牌卻被酸", "● 某劇口碑爆棚 原定男女主換人"]
        assert extract_text(_article_page(teasers)).body == _STORY, heading


def test_a_list_heading_before_the_article_is_only_dropped() -> None:
    page = _article_page([]).replace("<div class='article'>", "<div class='article'><p>新聞專題</p>")
    assert extract_text(page).body == _STORY


def test_a_short_block_closing_with_a_picture_credit_is_a_caption() -> None:
    captions = [
        "某演員在新片中飾演老婆離奇失蹤的男子，角色正邪難辨。（取自微博）",  # upmedia
        "參選人昨與黨籍立委十指緊扣，高喊加油。（讀者提供）",  # ltn
        "◎ 专家认为，减肥应该运动和健康饮食相结合。/图：网络截图",  # 39.net
        "災區民眾清理家園，志願者送來物資。（圖／翻攝自微博）",  # setn
    ]
    assert extract_text(_article_page(captions)).body == _STORY


def test_a_photographers_credit_alone_or_a_reposts_captioned_paragraph_stays() -> None:
    kept = ["新华社发（刘满仓摄）", "医护人员冒着雪将医院里的物品搬离。（中青报·中青网见习记者 李强/摄）"]
    assert extract_text(_article_page(kept)).body == [*_STORY, *kept]


def test_a_page_of_captions_only_keeps_them() -> None:
    only = "<p>災區民眾清理家園，志願者送來物資和食物。（圖／翻攝自微博）</p>"
    page = (
        "<html><head><meta charset='utf-8'><title>災區直擊</title></head><body><h1>災區直擊</h1>"
        f"<div class='article'>{only}</div></body></html>"
    )
    # (The picture credit closing the block is read as a credit, as on any paragraph.)
    assert extract_text(page).body == ["災區民眾清理家園，志願者送來物資和食物。"]


# --- credits: Hong Kong typesetting and names ending in 文 ---------------------------------------

def test_the_vertical_colon_of_hong_kong_pages_separates_label_and_value() -> None:
    from newsdesk.extract.credits import header_credits

    # `記者︰脫芷晴` (ulifestyle.com.hk), `攝影︰` (appledaily.com), `傳真︰` (stheadline.com): U+FE30.
    assert header_credits("記者︰脫芷晴").authors == ["脫芷晴"]
    assert header_credits("撰文︰陳大文").authors == ["陳大文"]
    assert header_credits("攝影︰李小明").authors == []
    assert header_credits("責任編輯︰李四").editor == "李四"
    page = _article_page(["記者︰脫芷晴"])
    assert extract_text(page).authors == ["脫芷晴"]


def test_a_name_ending_in_wen_is_not_cut_before_the_next_credit() -> None:
    from newsdesk.extract.credits import header_credits

    assert header_credits("記者：陳大文 攝影：李小明").authors == ["陳大文"]
    assert header_credits("撰文：陳大文 編輯：李四").authors == ["陳大文"]
    assert header_credits("記者陳大文／台北報導").authors == ["陳大文"]
    # The label 文 itself still opens a credit after a space or at the start.
    assert header_credits("文：王小明 攝影：李小明").authors == ["王小明"]


def test_a_writers_title_in_brackets_after_the_name_is_not_part_of_it() -> None:
    from newsdesk.extract.credits import header_credits

    # Opinion pages sign `作者：X（某大學教授）`, `文：X（時事評論員）`; the name alone is the writer.
    assert header_credits("作者：陳大文（香港中文大學教授）").authors == ["陳大文"]
    assert header_credits("文：陳大文（時事評論員）").authors == ["陳大文"]
    assert header_credits("（作者：張三）").authors == ["張三"]


def test_a_feed_author_filed_as_a_category_with_the_same_suffix_is_the_outlet() -> None:
    # RSS-to-blog exports (dev: pingwest `品玩 - 用户`, bishijie `币世界 - 快讯`) file the feed under a category
    # spelled like its author, suffix and all, beside a shared one (`新媒体`): the feed's source is the outlet.
    post = (
        "---\ntitle: 新机发布\ncategories:\n    - 新媒体\n    - 某某科技 - 用户\nauthor: 某某科技 - 用户\n"
        "date: 2021-01-26 10:00:00\n---\n\n" + _LEAD + "\n\n" + _LEAD + "\n"
    )
    article = extract_text(post)
    assert article.outlet == "某某科技"
    assert article.authors == []
