"""Markdown mirrors that file the article under a section of its own (issue 8, branch body3).

Archive sites built with a static generator print `# headline`, then `## 正文 { data-search-exclude }`
(the article's own section, an attribute list after its heading), then sections of their own: an
automatic summary, a record table, an archive notice. Modelled on batches 1-2 of corpus-fresh, never a
copy of one page.
"""

from __future__ import annotations

from newsdesk.extract import extract_text

_PARAGRAPHS = [
    "一位年轻的囚犯上周在英格兰北部的监狱死亡，她曾对朋友说，如果被关入男子监狱就会自杀。",
    "活动人士指出，这样的安置对囚犯是极大的危险，调查发现性骚扰的几率远高于普通囚犯。",
]


def _mirror(section: str) -> str:
    body = "\n\n".join(_PARAGRAPHS)
    return (
        "# 英国一女囚被关入男牢后死亡\n\n"
        f"{section}\n\n"
        "**来源**: 参考消息网  \n\n"
        f"{body}\n"
        "<!-- original_link https://example.com/7635300.shtml -->\n"
        "## 摘要与附加信息\n\n"
        "本文报道了一位年轻囚犯在监狱中的死亡事件，引起了广泛的关注。\n\n"
        "> 摘要为自动生成，仅供检索与参考。\n\n"
        "### 附加信息 { data-search-exclude }\n\n"
        "| Attribute | Value |\n|---|---|\n| Author | 参考消息网 |\n\n"
        "本文由数字档案馆归档整理，仅供浏览。\n"
    )


def test_the_article_is_its_body_section_alone() -> None:
    assert extract_text(_mirror("## 正文 { data-search-exclude }"), "x.md").body == _PARAGRAPHS


def test_a_heading_keeps_its_words_but_not_its_attribute_list() -> None:
    text = "# 标题在此处\n\n### 事件经过 {#jingguo .section}\n\n" + "\n\n".join(_PARAGRAPHS) + "\n"
    body = extract_text(text, "x.md").body
    assert "事件经过" in body and not any("{" in block for block in body)
    assert [b for b in body if b in _PARAGRAPHS] == _PARAGRAPHS
