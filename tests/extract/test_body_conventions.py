"""Body conventions of many sites (issue 8, branch body): page shapes modelled on the corpus's train-split
pages, never a copy of one page; each convention has a negative beside it."""

from __future__ import annotations

from newsdesk.extract import extract_text
from newsdesk.extract.html_tree import parse_html
from newsdesk.extract.region import clean_page, find_region, rule_blocks

_STORY = [
    "本报讯 今年以来，本市养老服务人才缺口持续扩大，多所高校开设养老服务管理专业，毕业生供不应求。",
    "记者从市民政局获悉，全市已建成社区养老服务中心三百余家，明年将再新增一百家，岗位需求随之上升。",
]


def _page(headline: str, blocks: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in blocks)
    return (
        f"<html><head><meta charset='utf-8'><title>{headline}</title></head><body>"
        f"<h1>{headline}</h1><div class='article'>{body}</div></body></html>"
    )


def _mainland_page(blocks: list[str]) -> str:
    return _page("养老服务人才走俏", blocks)


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


_COLUMN_STORY = [
    "颱風海葵今晨在台東登陸，中央氣象署表示，暴風圈已籠罩全台，各地風雨明顯增強，民眾應避免外出。",
    "氣象署指出，颱風中心預計傍晚由台南附近出海，北部及東北部山區仍有豪雨，累積雨量可能超過五百毫米。",
    "農委會提醒農民搶收作物，並加強設施防護，颱風過後將啟動災害救助，受損農戶可向公所申請補助。",
    "交通部表示，台鐵部分路段停駛，高鐵維持正常營運，國內航線全數取消，旅客出門前應先查詢最新資訊。",
]


def _column_page(before: str, after: str, inside: str = "") -> str:
    # The article with the site's menus above it and teasers below, all inside one column (nytimes,
    # bbc, chinatimes, thepaper, cna): the density rule takes the column.
    story = "".join(f"<p>{p}</p>" for p in _COLUMN_STORY[:2]) + inside
    story += "".join(f"<p>{p}</p>" for p in _COLUMN_STORY[2:])
    return (
        "<html><head><meta charset='utf-8'><title>颱風海葵登陸</title></head><body>"
        f"<div class='column'>{before}<h1>颱風海葵登陸</h1>{story}{after}</div></body></html>"
    )


_MENU = "<ul>" + "".join(f"<li><a href='/{i}'>{w}</a></li>" for i, w in enumerate(["國際", "中國", "財經", "科技"])) + "</ul>"
_TEASERS = (
    "<h4>相關報導</h4><ul>"
    "<li><a href='/a'><div><h3>颱風假怎麼放？人事總處說明停班停課標準</h3><p>2023年8月25日</p></div></a></li>"
    "<li><a href='/b'><div><h3>好市多颱風前搶購潮 民眾排隊兩小時</h3><p>2023年8月26日</p></div></a></li>"
    "<li><a href='/c'><div><h3>颱風夜外送員冒雨送餐 網友心疼</h3><p>2023年8月27日</p></div></a></li>"
    "</ul><p>© 2023 Example News Company.</p>"
)


def _rule_read(page: str) -> list[str]:
    """The blocks the density rule's region gives (the cascade hands them on when it picks the rule)."""
    root = parse_html(page)
    clean_page(root)
    element, _ = find_region(root)
    assert element is not None and element.get("class") == "column"
    return rule_blocks(element)[0]


def test_runs_of_links_at_the_regions_edges_are_not_the_article() -> None:
    blocks = _rule_read(_column_page(_MENU, _TEASERS))
    # (The headline and the list's heading are the pipeline's to drop, as on any region.)
    assert blocks == ["颱風海葵登陸", *_COLUMN_STORY, "相關報導"]


def test_the_articles_own_links_and_a_single_link_at_an_edge_stay() -> None:
    # A list of links inside the article (sources the writer chose) does not touch an edge.
    inside = "<ul><li><a href='/r1'>氣象署颱風警報發布標準說明</a></li><li><a href='/r2'>歷年颱風路徑資料庫</a></li></ul>"
    blocks = _rule_read(_column_page("", "", inside))
    assert blocks == ["颱風海葵登陸", *_COLUMN_STORY[:2], "氣象署颱風警報發布標準說明", "歷年颱風路徑資料庫", *_COLUMN_STORY[2:]]
    # One linked line closing the article (`點擊查看本文英文版`) is no run.
    single = "<p><a href='https://example.com/en'>點擊查看本文英文版</a></p>"
    assert _rule_read(_column_page("", single)) == ["颱風海葵登陸", *_COLUMN_STORY, "點擊查看本文英文版"]
    # Nor is a run of links that ends before a Chinese sentence: the sentence after it is the article's.
    closing = _TEASERS.replace("<p>© 2023 Example News Company.</p>", "<p>本報記者將持續追蹤颱風動態，請讀者留意最新報導。</p>")
    assert _rule_read(_column_page("", closing))[-1] == "本報記者將持續追蹤颱風動態，請讀者留意最新報導。"


def test_headlines_printed_as_one_block_at_the_regions_edge_are_a_run_of_links() -> None:
    # A related list flattened into one paragraph of linked headlines (hk01, voi, news.cn), or a
    # pagination row (`【1】【2】【3】`): several links in one block are a run as much as two link blocks.
    related = (
        "<div class='related'><a href='/a'>颱風假怎麼放？人事總處說明停班停課標準</a>"
        "<a href='/b'>好市多颱風前搶購潮 民眾排隊兩小時</a></div>"
    )
    assert _rule_read(_column_page("", related)) == ["颱風海葵登陸", *_COLUMN_STORY]
    # An editor signing below the links stays for the pipeline to read.
    pages = "<div class='pages'><a href='/1'>【1】</a><a href='/2'>【2】</a><a href='/3'>【3】</a></div><div>(责编：王小明)</div>"
    assert _rule_read(_column_page("", pages)) == ["颱風海葵登陸", *_COLUMN_STORY, "(责编：王小明)"]


def test_invitations_to_subscribe_or_download_the_app_are_the_sites() -> None:
    # cna (`訂閱《…》電子報`), udn (`請訂閱…facebook專頁`), hkcnews (`請加入成為…訂戶`), rfi (`下載…應用程序`).
    promos = [
        "訂閱《早安新聞》電子報 每天3分鐘掌握10件天下事",
        "收看更多文章，請訂閱國際新聞facebook專頁：",
        "請加入成為本報的月費訂戶，長期支持我們的工作。所有訂戶都可以收到我們的每周通訊。",
        "下載本台應用程序跟蹤國際時事",
    ]
    page = _mainland_page([_STORY[0], promos[0], _STORY[1], *promos[1:]])
    assert extract_text(page).body == _STORY


def test_sentences_about_subscribers_or_an_apps_download_stay() -> None:
    kept = [
        "该报去年的订户增加了三成，其中电子版订户首次超过纸质版。",
        "用户可在应用商店下载该应用程序，注册后即可免费使用。",
        "订阅制度改革后，读者可以按月付费。",
    ]
    assert extract_text(_mainland_page([*_STORY, *kept])).body == [*_STORY, *kept]


def test_repost_notices_closing_an_article_are_not_body() -> None:
    # `未经允许不得转载` (csdn.net, yeeyi.com) and a platform's `该文仅代表原作者观点`, as `本文仅代表作者…` already was.
    notices = [
        "本文由某网制作发布，未经允许禁止转载。",
        "*以上内容系网友某某自行转载自某网，该文仅代表原作者观点和态度。本平台系信息发布平台，仅提供信息存储空间服务。",
    ]
    assert extract_text(_mainland_page([*_STORY, *notices])).body == _STORY


def test_a_sentence_about_entering_without_permission_stays() -> None:
    kept = "一名男子未经允许进入工地，被保安劝离，警方随后到场了解情况。"
    assert extract_text(_mainland_page([*_STORY, kept])).body == [*_STORY, kept]


def test_a_caption_credited_to_a_news_agency_after_its_sentence_is_not_body() -> None:
    # singtao.ca (`…觉醒文化。美联社`), bastillepost (`…致意。AP圖片。`), chinapress.com.my (`图 美联社`).
    captions = ["市长强调将推动城市更新计划。美联社", "有市民在廣場附近擺放鮮花致意。AP圖片。", "图 路透社"]
    page = _mainland_page([_STORY[0], *captions[:2], _STORY[1], captions[2]])
    assert extract_text(page).body == _STORY


def test_a_sentence_naming_a_news_agency_stays() -> None:
    kept = ["一名官员告诉路透社。", "他在接受美联社采访时表示，计划将如期推进。"]
    assert extract_text(_mainland_page([*_STORY, *kept])).body == [*_STORY, *kept]


_HK_STORY = [
    "大埔屋苑昨日發生五級大火，已造成多人死亡，一名消防員在救援期間殉職，消息傳出後社會各界深表哀悼。",
    "消防員女友今日下午在社交平台發布黑白照片，並留言寫道：",
    "不少網民留言安慰，其中也包括多名藝人，而許多網民紛紛到帖文留言，感謝消防員的付出，祝願他一路好走。",
]


def _hk_page(blocks: list[str]) -> str:
    return _page("屋苑五級火 消防員殉職", blocks)


def test_a_box_of_other_stories_inside_the_article_is_skipped_and_the_article_read_on() -> None:
    # skypost (`同場加映：` over a headline, the article going on below), swissinfo (`相关内容` over a newsletter's name).
    for label in ("同場加映：", "相關內容"):
        box = [label, "健康生活｜健身教練示範兩組伸展動作 睡前做助釋壓安眠"]
        page = _hk_page([_HK_STORY[0], *box, *_HK_STORY[1:]])
        assert extract_text(page).body == _HK_STORY, label


def test_boxes_of_other_stories_after_the_article_end_it() -> None:
    # swissinfo: `相关内容` cards (a rubric, a headline, a `更多阅览` line) one after another below the article.
    cards = []
    for rubric, headline in (("聯邦政治", "新年新法規一覽"), ("文化", "房價高企的背後"), ("氣候變遷", "冰川融化的秘密")):
        cards += ["相關內容", rubric, headline, f"更多閱覽 {headline}"]
    cards.append("在世界政治舞台上，這個中歐小國有著頗多的對外形象，但並非所有信息都準確無誤，我們希望逐一澄清。")
    assert extract_text(_hk_page([*_HK_STORY, *cards])).body == _HK_STORY


def test_a_feed_posts_linked_headline_with_a_rubric_is_no_body() -> None:
    # nodebe4's feeds of rti.org.tw (`[[兩岸] 標題](…)` over a rule) and matters.news (`[[冷戰物語]標題](…)`), the
    # article HTML below: the headline line is markdown, read as such, and the title it repeats is no body.
    paragraphs = [
        "某大學一名學生因案被判緩刑，校方僅處以留校察看，引發輿論不滿，再度觸動社會矛盾，各界要求校方說明。",
        "校方昨日宣布，因為存在多項違紀違規，開除這名學生的學籍，並表示將檢討相關處分程序，避免類似爭議再發生。",
    ]
    for rubric in ("[兩岸] ", "[冷戰物語]"):
        title = f"{rubric}某校學生案再觸動輿論"
        text = (
            f'---\nlayout: post\ntitle: "{title}"\ndate: 2020-08-01T06:22:44.000Z\n---\n<!--1596262964000-->\n'
            f"[{title}](https://radio.example.org/news/view/id/42)\n------\n\n"
            f"<div>\n{paragraphs[0]}<br>{paragraphs[1]}\n</div>\n"
        )
        assert extract_text(text).body == paragraphs, rubric
