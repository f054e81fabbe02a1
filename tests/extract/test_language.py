"""Language and script of an article: zh-Hans, zh-Hant, en, or None when there is too little to tell."""

from __future__ import annotations

import pytest

from newsdesk.extract.language import detect_language

SIMPLIFIED = (
    "【大纪元2022年02月02日讯】（大纪元记者张婷综合报导）俄乌战争将满一年之际，中共最高外交官王毅抵达莫斯科，"
    "与俄罗斯外长拉夫罗夫会谈。分析人士认为，国际两大阵营更加对立，北京与莫斯科的关系受到各国关注。"
)
TRADITIONAL = (
    "【大紀元2022年02月02日訊】（大紀元記者張婷綜合報導）俄烏戰爭將滿一年之際，中共最高外交官王毅抵達莫斯科，"
    "與俄羅斯外長拉夫羅夫會談。分析人士認為，國際兩大陣營更加對立，北京與莫斯科的關係受到各國關注。"
)
TAIWAN = "台灣的台北市政府今天舉行記者會，台中與台南的官員也到場說明防疫措施，市民可以在戶外除下口罩。"
HONG_KONG = "香港政府今日宣布，將會放寬社交距離措施，食肆晚市堂食時間延長至凌晨兩點，酒吧亦可重開。"
ENGLISH = (
    "China's top diplomat Wang Yi arrived in Moscow on Tuesday for talks with Russian officials, "
    "as the war in Ukraine approaches its first anniversary and the two blocs drift further apart."
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (SIMPLIFIED, "zh-Hans"),
        (TRADITIONAL, "zh-Hant"),
        (TAIWAN, "zh-Hant"),
        (HONG_KONG, "zh-Hant"),
        (ENGLISH, "en"),
        # Latin brand names in a Chinese paragraph.
        ("苹果公司今天在加州举行iPhone 13发布会，发布了多款新产品，包括iPad和Apple Watch。", "zh-Hans"),
        ("蘋果公司今天在加州舉行iPhone 13發表會，發表了多款新產品，包括iPad和Apple Watch。", "zh-Hant"),
        # A Chinese name quoted in an English report.
        ("Xi Jinping (习近平) met the visiting delegation in Beijing on Monday, state media reported.", "en"),
        # A title and body joined, as the pipeline does.
        ("国际两大阵营更加对立 王毅访俄 或见普京\n" + SIMPLIFIED, "zh-Hans"),
        ("國際兩大陣營更加對立 王毅訪俄 或見普京\n" + TRADITIONAL, "zh-Hant"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_the_same_text_in_both_scripts_differs() -> None:
    assert detect_language(SIMPLIFIED) != detect_language(TRADITIONAL)


@pytest.mark.parametrize("text", ["", "   ", "2022-02-02", "……", "你好"])
def test_too_little_to_tell(text: str) -> None:
    assert detect_language(text) is None
