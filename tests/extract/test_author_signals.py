"""Writers named by bylines and the page's structured data (issue 8): conventions shared by many sites;
pages modelled on them, never a copy of one page."""

from __future__ import annotations

import json

from newsdesk.extract import extract_text
from newsdesk.extract.credits import header_credits, meta_authors, parse_dateline

_PARAGRAPH = "今年春天我们去了一趟山里，沿着溪水走了整整一天，看到了许多从未见过的野花和鸟，回来后整理了这些照片。"


def _page(head: str = "", body_top: str = "") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>山里的春天</title>{head}</head><body>{body_top}"
        f"<h1>山里的春天</h1><div class='article'><p>{_PARAGRAPH}</p><p>{_PARAGRAPH}</p></div></body></html>"
    )


def _ld(author: object) -> str:
    item = {"@context": "https://schema.org", "@type": "Article", "headline": "山里的春天", "author": author}
    return f"<script type='application/ld+json'>{json.dumps(item, ensure_ascii=False)}</script>"


def test_a_json_ld_person_named_by_a_handle_is_not_taken_for_the_writer() -> None:
    # Publishing systems type the uploading account as a Person (WordPress/Yoast: `DesignCA`, `Galileo Cheng`
    # on pages whose byline names someone else): a handle is no writer's name just because it is typed so.
    assert extract_text(_page(_ld({"@type": "Person", "name": "王xx"}))).authors == []


def test_a_json_ld_person_with_a_name_is_the_writer() -> None:
    # The page prints the name (a JSON-LD Person printed nowhere is the filing account: test_outlet_fresh_conventions).
    page = _page(_ld({"@type": "Person", "name": "张三"}), "<span class='name'>张三</span>")
    assert extract_text(page).authors == ["张三"]


def test_an_untyped_handle_is_still_not_taken_for_a_name() -> None:
    assert extract_text(_page(_ld("王xx"))).authors == []


def test_a_slashed_label_parted_from_the_name_by_a_space_credits_it() -> None:
    # `文/图 X` (thepaper.cn's picture stories, blog reposts): the space parts label and name as `撰文 X` does.
    assert header_credits("文/图 王小明").authors == ["王小明"]
    assert header_credits("撰文 王小明").authors == ["王小明"]
    # A one-character label still needs its separator: `文 X` is no credit.
    assert header_credits("文 王小明") is None


def test_a_reporter_and_a_correspondent_in_one_byline_are_both_writers() -> None:
    # `记者 X 通讯员 Y` (mainland papers): the reporter's name is a person, not the correspondent's outlet.
    assert header_credits("本报记者 张三 通讯员 李四").authors == ["张三", "李四"]
    assert header_credits("记者张三 通讯员李四").authors == ["张三", "李四"]
    # What runs into a reporter's title under a writing label is still the outlet.
    line = header_credits("文/某某社记者 张三")
    assert line is not None and line.authors == ["张三"] and line.sources == ["某某社"]


def test_an_author_field_setting_the_site_apart_with_a_bar_names_the_writer() -> None:
    assert meta_authors(["张三 | 某某日报"], ["某某日报"]) == (["张三"], [])
    assert meta_authors(["张三｜李四"], []) == (["张三", "李四"], [])


def test_a_labelled_byline_in_brackets_opening_the_article_names_the_writer() -> None:
    for opening in ("（文/张三）市政府今天召开新闻发布会", "【撰文：张三】市政府今天召开新闻发布会"):
        line = parse_dateline(opening)
        assert line is not None and line.authors == ["张三"]
    # A picture credit, a rubric or a source in brackets names no writer.
    for opening in ("（图/张三）市政府今天", "【独家】市政府今天", "（来源：某某社）市政府今天"):
        assert parse_dateline(opening) is None


def test_an_unbracketed_reporters_byline_opening_the_article_names_the_writers() -> None:
    line = parse_dateline("記者張三、李四／台北報導 市長今日宣布新一輪防疫措施")
    assert line is not None and line.authors == ["張三", "李四"]
    # Without the reporter's title, or run into the sentence, a slash is no byline.
    assert parse_dateline("記者會上，市長／今天報導 很多") is None


def test_a_microdata_person_declared_the_author_is_the_writer() -> None:
    # schema.org microdata says as plainly as JSON-LD who wrote the article (blog and tech platforms whose
    # JSON-LD, if any, types the author an Organization).
    person = (
        "<div itemprop='author' itemscope itemtype='http://schema.org/Person'>"
        "<meta itemprop='name' content='Lin Hai'><meta itemprop='url' content='https://example.com/u/1'></div>"
        "<div itemprop='publisher' itemscope itemtype='http://schema.org/Organization'>"
        "<meta itemprop='name' content='某某社区'></div>"
    )
    assert extract_text(_page(body_top=person)).authors == ["Lin Hai"]
    # The publisher's name is no writer's.
    organisation = person.replace("Person", "Organization")
    assert extract_text(_page(body_top=organisation)).authors == []


def test_labels_joined_by_a_comma_or_slash_share_their_value() -> None:
    # `采访、整理：X、Y`, `编译/整理：X` (interview write-ups, reposted translations): every name is the writers'.
    assert header_credits("采访、整理：张三、李四、王五").authors == ["张三", "李四", "王五"]
    assert header_credits("记者/摄影：张三").authors == ["张三"]
    # Joined labels that credit no writer name nobody as one.
    line = header_credits("编辑、校对：张三")
    assert line is not None and line.authors == [] and line.editor == "张三"
    # A slash before a name is still the label's separator.
    line = header_credits("编辑/张三 采访/李四")
    assert line is not None and line.authors == ["李四"] and line.editor == "张三"


def test_a_site_calling_itself_by_what_it_is_opens_with_its_reporters() -> None:
    # `本站讯（通讯员 X Y）`, `本院讯（记者 X）` (hospital, university and government sites): the own-report
    # dateline (`新京报讯（记者 X）`) from a site that names no outlet; the reporter's title makes it a byline.
    line = parse_dateline("本站讯（职工通讯员 张三 李四）为深入推进技能培训，我院举办了比赛。")
    assert line is not None and line.authors == ["张三", "李四"] and line.outlet is None
    # Without a reporter's title, a bracket after 讯 names nobody.
    assert parse_dateline("快讯（张三）为深入推进技能培训，我院举办了比赛。") is None


def test_a_note_thanking_contributors_names_no_writer() -> None:
    # `X、实习记者Y对此文亦有贡献` (caixin), `（实习生X对此文亦有贡献）` (ifeng), `X对本文有研究贡献` (nytimes).
    paragraphs = "".join(f"<p>{_PARAGRAPH}</p>" for _ in range(3))
    for note in ("某某记者张三、实习记者李四对此文亦有贡献", "（实习生王五对此文亦有贡献）", "赵六對本文有研究貢獻。"):
        page = (
            "<html><head><meta charset='utf-8'><title>山里的春天</title></head><body><h1>山里的春天</h1>"
            f"<div class='article'><p>（记者 陈七）{_PARAGRAPH}</p>{paragraphs}<p>{note}</p></div></body></html>"
        )
        assert extract_text(page).authors == ["陈七"], note


def test_a_translator_credited_under_the_article_is_not_its_writer() -> None:
    # cn.nytimes prints `翻譯：X` under an article its author meta (`byl`) credits to the writer; csdn.net closes a
    # translated piece `（翻译/X 编辑/Y）` under the writer's byline.
    page = (
        "<html><head><meta charset='utf-8'><title>山里的春天</title><meta name='author' content='JANE DOE'>"
        f"</head><body><h1>山里的春天</h1><p class='byline'>JANE DOE</p><div class='article'><p>{_PARAGRAPH}</p>"
        f"<p>{_PARAGRAPH}</p></div><footer class='author-info'><p>翻譯：王小明</p></footer></body></html>"
    )
    assert extract_text(page).authors == ["JANE DOE"]
    # Printed as part of the article, the translator's line stays body as a byline does.
    inside = page.replace("</div><footer class='author-info'><p>翻譯：王小明</p></footer>", "<p>翻譯：王小明</p></div>")
    article = extract_text(inside)
    assert article.authors == ["JANE DOE"] and article.body[-1] == "翻譯：王小明"
    line = header_credits("翻译/王小明 编辑/李四")
    assert line is not None and line.authors == [] and line.editor == "李四"


def _report(first_lines: str) -> str:
    return f"# 会议开幕\n\n{first_lines}\n\n{_PARAGRAPH}\n\n{_PARAGRAPH}\n"


def test_the_place_a_reporter_filed_from_is_not_a_second_writer() -> None:
    # `每经记者 杨羚强 发自上海`, `本报记者 邹华 发自上海`: the filing place closes the byline, known place or not.
    for byline, names in [
        ("本报记者 王明 发自北京", ["王明"]),
        ("记者 赵六 发自上海", ["赵六"]),
        ("本报记者 李华 张强 发自布宜诺斯艾利斯", ["李华", "张强"]),
    ]:
        assert extract_text(_report(byline), "a.md").authors == names, byline


def test_a_special_dispatch_dateline_names_its_reporter_like_any_wire_dateline() -> None:
    # 专电 (Xinhua, CNA): `（中央社記者楊明珠東京29日專電）` reads as `（中央社記者X台北4日電）` does.
    article = extract_text(_report(f"（中央社記者楊明珠東京29日專電）{_PARAGRAPH}"), "b.md")
    assert article.authors == ["楊明珠"]
    assert article.outlet == "中央社"
