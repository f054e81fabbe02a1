"""The region cascade's decision: rule, model and a generic reading, and which agreement wins."""

from __future__ import annotations

from newsdesk.extract.region import CascadeParams, Measures, cascade_choice

ARTICLE = ["港鐵宣布明日起車費平均上調百分之三點四，多名乘客接受訪問時表示不滿。", "港鐵發言人回應指，今次調整是按既定機制計算。"]
MORE = ["公司會繼續推出各種優惠，減輕乘客負擔，並檢討票價機制。", "立法會議員要求港鐵交代盈利用途，並考慮凍結票價一年。"]
MENU = ["首頁 港聞 財經 娛樂 體育 國際 兩岸 評論", "熱門文章 排行榜 推薦閱讀 更多"]
PARAMS = CascadeParams(
    sure=0.8, generic="trafilatura", prefer_model=0.0, extend=1.6, contained=0.8, alone=0.3, rule_sure=60.0, rule_loose=0.3,
    model_trust=2.0,
)


def measures(
    rule: list[str], model: list[str], generic: list[str], rule_score: float = 20.0, model_score: float = 0.5
) -> Measures:
    return Measures(
        rule_score,
        {"rule": lambda: rule, "model": lambda: model, "generic": lambda: generic, "fallback": lambda: ARTICLE + MORE},
        lambda: model_score,
    )


def test_a_very_dense_rule_region_is_taken_without_reading_more() -> None:
    m = measures(ARTICLE, MENU, MENU, rule_score=80.0)
    assert cascade_choice(m, PARAMS) == ("rule", PARAMS.rule_sure_confidence)
    assert m.used == {"rule"}


def test_rule_and_model_agreeing_need_no_generic_reading() -> None:
    m = measures(ARTICLE, ARTICLE, MENU)
    choice, confidence = cascade_choice(m, PARAMS)
    assert (choice, confidence) == ("rule", 1.0)
    assert "generic" not in m.used


def test_the_generic_reading_arbitrates_a_disagreement() -> None:
    # The rule took a menu, the model the article; trafilatura's reading sides with the model.
    m = measures(MENU, ARTICLE, ARTICLE)
    choice, confidence = cascade_choice(m, PARAMS)
    assert choice == "model" and confidence == 1.0
    assert "generic" in m.used


def test_a_far_longer_generic_reading_holding_the_choice_replaces_it() -> None:
    m = measures(MENU, ARTICLE[:1], ARTICLE + MORE)
    assert cascade_choice(m, PARAMS)[0] == "generic"


def test_a_page_with_neither_region_has_no_article() -> None:
    # Not even the generic reading is asked: on a page of menus it would return the menu.
    m = measures([], [], MENU)
    assert cascade_choice(m, PARAMS) == ("model", 0.0)
    assert "generic" not in m.used


def test_a_dense_region_of_titles_and_links_is_not_taken_alone() -> None:
    titles = ["港鐵加價 乘客不滿", "立法會議員促凍結票價", "港鐵公布全年業績", "票價調整機制檢討"]
    m = measures(titles, ARTICLE, ARTICLE, rule_score=80.0)
    assert cascade_choice(m, PARAMS)[0] == "model"
    assert "model" in m.used


def test_a_dense_region_running_on_past_a_related_list_heading_is_not_taken_alone() -> None:
    # A related list above the article inside the region: the pipeline ends the article at its
    # heading, so the region is not sure: the model is read and, disagreeing, the generic reading.
    region = ["新酷产品第一时间免费试玩，快来体验吧！", "相关新闻：", "港鐵加價 乘客不滿", *ARTICLE, *MORE]
    m = measures(region, MORE, MORE, rule_score=80.0)
    assert cascade_choice(m, PARAMS)[0] == "model"
    assert {"model", "generic"} <= m.used
    # The same heading closing the article (little text after it) leaves the region sure.
    m = measures([*ARTICLE, *MORE, "相关新闻：", "港鐵加價 乘客不滿"], MENU, MENU, rule_score=80.0)
    assert cascade_choice(m, PARAMS) == ("rule", PARAMS.rule_sure_confidence)


def test_a_model_sure_of_its_region_needs_no_second_opinion() -> None:
    m = measures(MENU, ARTICLE, MENU, model_score=0.9)
    params = CascadeParams(sure=0.8, model_trust=0.7, rule_sure=60.0)
    assert cascade_choice(m, params) == ("model", 0.9)
    assert "generic" not in m.used


def test_with_no_dense_region_and_an_empty_generic_reading_trafilatura_reads_the_page() -> None:
    # The model's region may be a copyright line; the rule alone would have asked trafilatura.
    m = measures([], ["Copyright © 2016 All Rights Reserved."], [])
    assert cascade_choice(m, PARAMS)[0] == "fallback"


# A flash item: one short paragraph. Generic readers that miss it return a teaser list instead:
# headlines, dates and "【详细】" links, blocks that end no sentence.
FLASH = ["財聯社8月21日電，高通宣布推出新一代中階手機晶片，支援生成式AI功能，預計年底前上市。"]
TEASERS = [
    "山东日照：小蓝莓助力农业发展",
    "5月22日，在山东省日照市东港区陈疃镇蓝莓产学研基地，农户在采摘蓝莓...【详细】",
    "强图打榜 2024-05-23 09:41:17",
    "美股三大指数集体收涨 科技股领涨",
    "国际早班车 2024-05-23 08:08",
]


def test_a_generic_teaser_list_does_not_replace_a_short_flash_item() -> None:
    # Neither region agrees with the generic reading, which would make it the article; but that
    # reading is mostly titles, so it only arbitrates.
    m = measures(FLASH, FLASH + MENU, TEASERS)
    assert cascade_choice(m, PARAMS)[0] != "generic"


def test_a_generic_reading_that_adds_a_teaser_list_does_not_extend_a_flash_item() -> None:
    # Far longer and holding the flash item, but what it adds is a list of headlines.
    m = measures(FLASH, MENU, FLASH + TEASERS)
    assert cascade_choice(m, PARAMS)[0] == "rule"


def test_a_generic_reading_of_prose_still_replaces_regions_that_miss_the_article() -> None:
    # The rule took a disclaimer, the model a menu; the generic reading is the flash item itself.
    disclaimer = ["本網站的內容概不構成任何投資意見，投資者不應只按本網站內容進行投資。", "資料如有錯漏而令閣下蒙受損失，本公司概不負責。"]
    m = measures(disclaimer, MENU, FLASH)
    assert cascade_choice(m, PARAMS)[0] == "generic"
