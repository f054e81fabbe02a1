"""Body conventions of many sites (issue 8, branch body): page shapes modelled on the corpus's train-split
pages, never a copy of one page; each convention has a negative beside it."""

from __future__ import annotations

from newsdesk.extract import extract_text

_STORY = [
    "本报讯 今年以来，本市养老服务人才缺口持续扩大，多所高校开设养老服务管理专业，毕业生供不应求。",
    "记者从市民政局获悉，全市已建成社区养老服务中心三百余家，明年将再新增一百家，岗位需求随之上升。",
]


def _mainland_page(blocks: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in blocks)
    return (
        "<html><head><meta charset='utf-8'><title>养老服务人才走俏</title></head><body>"
        f"<h1>养老服务人才走俏</h1><div class='article'>{body}</div></body></html>"
    )


def test_a_caption_with_an_unbracketed_credit_or_opening_with_pictured_is_not_body() -> None:
    # youth.cn (`…现场。山东女子学院供图`), 163.com (`图为…`, `… 资料图`), thepaper (`…。视觉中国 资料`),
    # cjn.cn and 39.net (`…截图`), stheadline (`…。資料圖片`).
    captions = [
        "5月9日，某女子学院养老服务管理专业毕业生就业双选会现场。某女子学院供图",
        "图为某镇某村村民委员会",
        "图为社区停车场道闸 资料图",
        "共享单车。视觉中国 资料",
        "英国某报网站题为《城市再次充满欢声笑语》的报道截图。",
        "特區政府嚴厲批評所謂制裁。資料圖片",
    ]
    page = _mainland_page([_STORY[0], *captions[:3], _STORY[1], *captions[3:]])
    assert extract_text(page).body == _STORY


def test_a_paragraph_that_mentions_a_screenshot_or_a_bare_credit_word_stays() -> None:
    kept = [
        "他随后在朋友圈发布了截图。",  # a sentence about a screenshot, not a caption's credit
        "资料图",  # the credit alone is a photo story's line, as `新华社发（刘满仓摄）` is
        # A paragraph longer than any caption may open with the same words.
        "图为何物，众说纷纭，专家认为这幅画描绘的是古代集市的繁华景象，与史书记载相符，值得进一步研究，"
        "博物馆也将在下个月举办专题展览，向公众展示这幅画的修复过程与研究成果，欢迎市民前往参观，"
        "展览期间还将安排专家导览和讲座，市民可通过官方网站提前预约，每日限额五百人。",
    ]
    assert extract_text(_mainland_page([*_STORY, *kept])).body == [*_STORY, *kept]
