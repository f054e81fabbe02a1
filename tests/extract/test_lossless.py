"""Nothing is lost silently: a capture's text reaches the body, or an `error` or a warning says why.

Each class of loss found in issue 9 is reproduced on a real capture: a page over the size budget
because of what is not text (an inline image, a bundled script), a page over it because of text,
a paragraph too long for the parser, markdown nested past the renderer's limit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.archive import Archive
from newsdesk.archive.export import FORMATS, read_export, write_export
from newsdesk.archive.ingest import ingest
from newsdesk.extract import ExtractOptions, extract_capture
from newsdesk.extract.oversize import TRUNCATION_MARK, shrink
from newsdesk.model import Article
from tests.conftest import DEV

CAPTURES = DEV / "captures"
SITE_PAGE = "people__1.html"
MIRROR_MD = "p8__1019651.md"
SMALL = "gnews__2565666.md"
BUDGET = ExtractOptions().max_chars
# Just over the budget: the capture is cut unless what is not text goes first.
OVER = BUDGET + 500_000
ZH = "这是一段新闻正文，记者在现场看到了很多市民排队等候，情况非常复杂。"


@cache
def capture_text(name: str) -> str:
    return (CAPTURES / name).read_text(encoding="utf-8")


@cache
def baseline(name: str) -> Article:
    article = extract_capture(capture_text(name).encode("utf-8"), name)
    assert article.error is None and article.body
    return article


def after_body_tag(page: str, insert: str) -> str:
    body = re.search(r"<body[^>]*>", page, re.IGNORECASE)
    assert body, "the seed page has a <body>"
    return page[: body.end()] + insert + page[body.end() :]


def after_title_line(markdown: str, insert: str) -> str:
    first, rest = markdown.split("\n", 1)
    return f"{first}\n\n{insert}\n\n{rest}"


# --- past the size budget: what is not text goes before anything is cut -------------------------

PAYLOADS = {
    "img-data-uri": '<p><img src="data:image/png;base64,' + "iVBORw0KGgo" * (OVER // 11) + '" alt="图"></p>',
    "css-data-uri": '<div style="background:url(data:image/jpeg;base64,' + "/9j/4AAQ" * (OVER // 8) + ')"></div>',
    "style": "<style>" + ".a{color:red}" * (OVER // 13) + "</style>",
    "script": '<script type="text/javascript">var bundle = "' + "x" * OVER + '";</script>',
    "svg": '<svg viewBox="0 0 10 10"><path d="' + "M0 0L1 1" * (OVER // 8) + '"/></svg>',
    "noscript": "<noscript>" + '<img src="https://x.cn/pixel.gif">' * (OVER // 33) + "</noscript>",
    "comment": "<!-- " + "旧版页面 " * (OVER // 5) + " -->",
}


@pytest.mark.parametrize("kind", list(PAYLOADS))
def test_large_payload_before_the_article_does_not_cost_the_article(kind: str) -> None:
    page = after_body_tag(capture_text(SITE_PAGE), PAYLOADS[kind])
    assert len(page) > BUDGET
    article = extract_capture(page.encode("utf-8"), SITE_PAGE)
    assert article.error is None
    assert article.body == baseline(SITE_PAGE).body
    assert article.title == baseline(SITE_PAGE).title
    # Nothing was cut: only what was never text went.
    assert article.warnings == []


def test_inline_image_in_a_markdown_mirror_does_not_cost_the_article() -> None:
    image = "![图](data:image/png;base64," + "iVBORw0KGgo" * (OVER // 11) + ")"
    article = extract_capture(after_title_line(capture_text(MIRROR_MD), image), MIRROR_MD)
    assert article.error is None and article.warnings == []
    assert article.body == baseline(MIRROR_MD).body


def test_inline_image_past_the_byte_budget_does_not_cost_the_article() -> None:
    # 40 MB of base64 is past the 4-bytes-a-character cut made before decoding, too.
    image = '<img src="data:image/jpeg;base64,' + "/9j/4AAQ" * 5_000_000 + '">'
    data = after_body_tag(capture_text(SITE_PAGE), image).encode("utf-8")
    assert len(data) > 4 * BUDGET
    article = extract_capture(data, SITE_PAGE)
    assert article.error is None and article.warnings == []
    assert article.body == baseline(SITE_PAGE).body


def test_metadata_survives_the_shrink() -> None:
    json_ld = '<script type="application/ld+json">{"datePublished": "2020-01-01"}</script>'
    saved_from = "<!-- saved from url=(0033)https://www.example.com/a.html -->"
    page = f"{saved_from}<html><head>{json_ld}<script>{'x' * 100}</script></head><body><!--{'x' * 2000}--></body></html>"
    assert shrink(page) == f"{saved_from}<html><head>{json_ld}<script></script></head><body></body></html>"


@pytest.mark.parametrize("page", ["<script>" + "x" * 100, "<!--" * 1000 + "x" * 100, "data:," + "<" * 100])
def test_shrink_leaves_unterminated_payloads_alone(page: str) -> None:
    assert shrink(page) == page
    assert shrink(page.encode()) == page.encode()


# --- past the budget with text: cut, and said so ------------------------------------------------


def long_article(paragraphs: int) -> str:
    body = "".join(f"<p>第{i}段。{ZH * 10}</p>\n" for i in range(paragraphs))
    return f"<html><head><meta charset='utf-8'><title>长篇报道</title></head><body><article>{body}</article></body></html>"


def test_text_past_the_budget_is_cut_with_a_warning_and_a_marker() -> None:
    page = long_article(24_000)
    assert len(page) > BUDGET
    article = extract_capture(page, "long")
    assert article.error is None
    assert article.warnings == [f"capture cut at {BUDGET:,} characters (of {len(page):,})"]
    assert article.body[0].startswith("第0段。")
    assert article.body[-1].endswith(TRUNCATION_MARK)
    assert sum(block.count(TRUNCATION_MARK) for block in article.body) == 1


def test_bytes_past_the_byte_budget_are_cut_with_a_warning() -> None:
    options = ExtractOptions(max_chars=10_000)
    data = long_article(200).encode("utf-8")
    article = extract_capture(data, "long", options)
    assert article.error is None
    assert article.warnings == [f"capture cut at 10,000 characters (of {len(data):,} bytes)"]
    assert article.body[-1].endswith(TRUNCATION_MARK)


def test_a_capture_within_the_budget_has_no_warning() -> None:
    assert baseline(SITE_PAGE).warnings == []
    assert not any(TRUNCATION_MARK in block for block in baseline(SITE_PAGE).body)


def test_warnings_survive_the_record() -> None:
    article = extract_capture(long_article(200), "long", ExtractOptions(max_chars=10_000))
    record = article.to_record()
    assert record["warnings"] == article.warnings
    assert Article.from_record(record).warnings == article.warnings
    # Records written before the field existed still load.
    del record["warnings"]
    assert Article.from_record(record).warnings == []


def test_warnings_reach_the_archive_and_every_export(tmp_path: Path) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / "long.html").write_text(long_article(200), encoding="utf-8")
    shutil.copy(CAPTURES / SMALL, folder / SMALL)
    with Archive(tmp_path / "archive.db") as archive:
        summary = ingest([folder], archive, ExtractOptions(max_chars=10_000))
        assert summary.new == 2
        records = {Path(r["captures"][0]).name: r for r in archive.iter_articles()}
        cut = records["long.html"]
        assert cut["warnings"] == [f"capture cut at 10,000 characters (of {(folder / 'long.html').stat().st_size:,} bytes)"]
        assert records[SMALL]["warnings"] == []
        assert archive.article_info(cut["id"])["article"]["warnings"] == cut["warnings"]
        for fmt in FORMATS:
            path = tmp_path / f"export.{fmt}"
            write_export(archive.iter_articles(), path, fmt)
            assert {r["id"]: r["warnings"] for r in read_export(path, fmt)} == {r["id"]: r["warnings"] for r in records.values()}


NEWSDESK = Path(sys.executable).parent / "newsdesk"


@pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed next to the interpreter")
def test_extract_shows_the_warning(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    # Plain text past the budget: nothing in it is a payload, so it is cut.
    path.write_text("长篇报道\n\n" + f"{ZH * 1000}\n\n" * (BUDGET // 33_000 + 10), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    run = subprocess.run([str(NEWSDESK), "extract", str(path), "--format", "markdown"], capture_output=True, text=True,
                         env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert f"- **Warning:** capture cut at {BUDGET:,} characters (of " in run.stdout
    assert run.stdout.rstrip().removesuffix("---").rstrip().endswith(TRUNCATION_MARK)
    assert "1 capture(s) were read with warnings" in run.stderr


# --- a paragraph over libxml2's 10 MB text limit ------------------------------------------------

# 3.5 million Chinese characters: 10.5 MB in UTF-8, past the limit, within the character budget.
HUGE_PARAGRAPH = (ZH * (3_500_000 // len(ZH) + 1))[:3_500_000]


def with_paragraph(name: str, paragraph: str, markdown: bool = False) -> str:
    """The capture with `paragraph` added to its article, after the paragraph holding its first block
    (as `<p>` where that paragraph is HTML, unless it is `markdown` to be read as such)."""
    text = capture_text(name)
    at = text.rfind(baseline(name).body[0][:10])
    assert at >= 0
    html_end, markdown_end = text.find("</p>", at), text.find("\n\n", at)
    if html_end >= 0 and (markdown_end < 0 or html_end < markdown_end or name.endswith(".html")):
        end = html_end + len("</p>")
        if markdown:
            return f"{text[:end]}\n\n{paragraph}\n\n{text[end:]}"
        return f"{text[:end]}<p>{paragraph}</p>{text[end:]}"
    return f"{text[:markdown_end]}\n\n{paragraph}\n\n{text[markdown_end:]}"


@pytest.mark.parametrize("name", [SITE_PAGE, MIRROR_MD, "36kr__13115096419.md"])
def test_a_paragraph_over_ten_megabytes_is_kept(name: str) -> None:
    article = extract_capture(with_paragraph(name, HUGE_PARAGRAPH).encode("utf-8"), name)
    assert article.error is None and article.warnings == []
    assert HUGE_PARAGRAPH in article.body
    # Nothing before or after it is lost either.
    assert [block for block in article.body if block != HUGE_PARAGRAPH] == baseline(name).body


def test_a_paragraph_over_ten_megabytes_is_kept_on_a_page_in_another_language() -> None:
    # Pages with little Chinese go to trafilatura, whose own parser stopped at the long paragraph.
    lead, close = "The lead paragraph of the story, as the reporter wrote it.", "The closing words of the story."
    paragraph = ("Репортаж с места событий, текст абзаца. " * 150_000)[:5_800_000]
    page = f"<html><head><title>A long story</title></head><body><article><p>{lead}</p><p>{paragraph}</p><p>{close}</p></article></body></html>"
    assert len(paragraph.encode("utf-8")) > 10_000_000 > len(paragraph)
    article = extract_capture(page.encode("utf-8"), "long-en")
    assert article.error is None
    assert article.body == [lead, paragraph.strip(), close]


# --- markdown nested past the renderer's limit -----------------------------------------------------

DEEP_TEXT = "深层段落的文字，记者写在嵌套很深的地方。"


def nested_items(prefix: str, depth: int) -> str:
    """`depth` list items, each one level deeper than the last, `prefix(i)` making level i."""
    return "\n".join(f"{prefix * i}- 第{i}项" for i in range(depth)) + f"\n{prefix * depth}- {DEEP_TEXT}"


DEEP_MARKDOWN = {
    "quote-list": "> - " * 3000 + DEEP_TEXT,
    "list-quote": "- > " * 3000 + DEEP_TEXT,
    "ordered": "1. " * 3000 + DEEP_TEXT,
    "just-past-the-limit": "- " * 10 + DEEP_TEXT,
    "quote-ordered-tabs": ">\t1)\t" * 1000 + DEEP_TEXT,
    "tab-indented": nested_items("\t", 100),
    "indented-list": nested_items("  ", 300),
    "indented-ordered": nested_items("   ", 300),
    "indented-quoted": nested_items("  > ", 100),
}


@pytest.mark.parametrize("kind", list(DEEP_MARKDOWN))
@pytest.mark.parametrize("name", [MIRROR_MD, "36kr__13115096419.md"])
def test_markdown_nested_past_the_limit_keeps_its_text(name: str, kind: str) -> None:
    article = extract_capture(with_paragraph(name, DEEP_MARKDOWN[kind], markdown=True), name)
    assert article.error is None
    text = "\n".join(article.body)
    assert DEEP_TEXT in text
    # Every item on the way down, and the article around the deep part.
    assert all(f"第{i}项" in text for i in range(DEEP_MARKDOWN[kind].count("- 第")))
    assert all(block in article.body for block in baseline(name).body)


# --- every capture: text, or a reason -------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
CORPUS = sorted(
    [*CAPTURES.iterdir(), *(DEV.parent / "stories-dev" / "captures").iterdir(), *(REPO / "examples").iterdir()]
)


def has_text_or_reason(article: Article) -> bool:
    """The contract: a body, or an error saying why not; a picture story (no text, pictures) says so."""
    if article.error is not None:
        return bool(article.error) and not article.body
    return bool(article.body) or bool(article.images and article.warnings)


@cache
def hostile_cases() -> dict[str, bytes | str]:
    page, mirror = capture_text(SITE_PAGE), capture_text(MIRROR_MD)
    cases: dict[str, bytes | str] = {
        "empty": b"",
        "blank": " \n\t\n",
        "binary": bytes(range(256)) * 8,
        "title-only-page": "<html><head><title>只有标题的页面</title></head><body></body></html>",
        "title-only-mirror": "### 只有标题的镜像\n\n---\n",
        "title-only-post": "---\ntitle: 只有标题的文章\ndate: 2023-05-01\n---\n",
        "script-only-page": "<html><head><title>脚本</title></head><body><script>document.write('正文')</script></body></html>",
        "nav-only-page": "<html><head><title>导航</title></head><body><nav><a href='/'>首页</a> <a href='/news'>新闻</a></nav></body></html>",
        "picture-post": "---\ntitle: 图片新闻\n---\n\n![](https://x.cn/photo.jpg)\n",
        "chinese-utf16-le": "".join(re.findall(r"[\u3000-\u303f\u4e00-\u9fff]+", page)).encode("utf-16-le"),
        "chinese-utf16-be": "".join(re.findall(r"[\u3000-\u303f\u4e00-\u9fff]+", mirror)).encode("utf-16-be"),
        "huge-paragraph-mirror": with_paragraph(MIRROR_MD, HUGE_PARAGRAPH),
    }
    cases.update({f"payload-{kind}": after_body_tag(page, payload) for kind, payload in PAYLOADS.items()})
    cases.update({f"deep-{kind}": with_paragraph(MIRROR_MD, md, markdown=True) for kind, md in DEEP_MARKDOWN.items()})
    return cases


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_real_capture_gives_text_or_a_reason(path: Path) -> None:
    article = extract_capture(path.read_bytes(), str(path))
    assert has_text_or_reason(article), article.to_record()


@pytest.mark.parametrize("kind", list(hostile_cases()))
def test_every_hostile_capture_gives_text_or_a_reason(kind: str) -> None:
    article = extract_capture(hostile_cases()[kind], kind)
    assert has_text_or_reason(article), (kind, article.error, article.warnings, article.body[:3])


def test_an_empty_body_is_never_without_a_reason() -> None:
    # These used to come back as articles with a title, no body and `error: null`.
    for kind in ("title-only-page", "title-only-mirror", "title-only-post", "script-only-page"):
        article = extract_capture(hostile_cases()[kind], kind)
        assert article.body == [] and article.error == "no article text found in capture (a title, but no body)", kind
    picture = extract_capture(hostile_cases()["picture-post"], "picture-post")
    assert picture.error is None and picture.images
    assert picture.warnings == ["no article text found in capture, only 1 picture(s)"]


# --- properties: a real capture plus X ----------------------------------------------------------
# A fast slice: small budgets (ExtractOptions.max_chars) make small captures oversize, so each example
# costs what an ordinary capture does.

# Seeds the payload can be placed in: HTML pages with a `<body>`, markdown whose first block is printed as read.
HTML_NAMES = sorted(
    p.name for p in CAPTURES.iterdir() if p.suffix == ".html" and re.search(r"<body[^>]*>", capture_text(p.name), re.I)
)
MARKDOWN_NAMES = sorted(
    p.name for p in CAPTURES.iterdir()
    if p.suffix == ".md" and baseline(p.name).body and capture_text(p.name).rfind(baseline(p.name).body[0][:10]) >= 0
)
PAYLOAD_MAKERS = {
    "img-data-uri": lambda n: f'<img src="data:image/png;base64,{"iVBORw0KGgo" * (n // 11 + 1)}">',
    "md-data-uri": lambda n: f'![图](data:image/gif;base64,{"R0lGODlh" * (n // 8 + 1)})',
    "style": lambda n: f"<style>{'.a{color:red}' * (n // 13 + 1)}</style>",
    "script": lambda n: f"<script>var s = '{'x' * n}';</script>",
    "svg": lambda n: f'<svg><path d="{"M0 0L1 1" * (n // 8 + 1)}"/></svg>',
    "comment": lambda n: f"<!-- {'旧版 ' * (n // 3 + 1)} -->",
}


@st.composite
def capture_plus_payload(draw: st.DrawFn) -> tuple[str, str, int]:
    """A real capture with a payload that is never text, the whole over a budget the capture fits."""
    markdown = draw(st.booleans())
    name = draw(st.sampled_from(MARKDOWN_NAMES if markdown else HTML_NAMES))
    kind = draw(st.sampled_from(sorted(PAYLOAD_MAKERS)))
    budget = len(capture_text(name)) + 100
    # Past the budget in characters, and often past the 4-bytes-a-character cut before decoding too;
    # never so short that it would be kept (a short comment can be a page's metadata).
    payload = PAYLOAD_MAKERS[kind](draw(st.integers(budget + 2000, 5 * budget + 2000)))
    text = with_paragraph(name, payload, markdown=True) if markdown else after_body_tag(capture_text(name), payload)
    return name, text, budget


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(capture_plus_payload(), st.booleans())
def test_a_payload_over_the_budget_never_costs_the_article(case: tuple[str, str, int], as_bytes: bool) -> None:
    name, text, budget = case
    article = extract_capture(text.encode("utf-8") if as_bytes else text, name, ExtractOptions(max_chars=budget))
    assert article.error is None and article.warnings == []
    assert article.body == baseline(name).body


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(p.name for p in CAPTURES.iterdir())), st.floats(0.05, 0.95), st.booleans())
def test_a_capture_over_the_budget_is_cut_and_says_so(name: str, fraction: float, as_bytes: bool) -> None:
    text = capture_text(name)
    budget = max(200, int(len(text) * fraction))
    article = extract_capture(text.encode("utf-8") if as_bytes else text, name, ExtractOptions(max_chars=budget))
    assert has_text_or_reason(article)
    cut = [w for w in article.warnings if w.startswith(f"capture cut at {budget:,} characters (of ")]
    if cut:
        # The text stops where the cut is, and says so there (or says there is no text before it).
        assert article.error or (article.body and article.body[-1].endswith(TRUNCATION_MARK)) or article.images
    else:
        # What went to fit the budget was never text.
        assert article.body == baseline(name).body


CONTAINER_TOKENS = ["> ", ">", "- ", "* ", "+ ", "1. ", "12) ", "\t", "  ", "   ", ">\t", "-\t"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(MARKDOWN_NAMES),
    st.lists(st.sampled_from(CONTAINER_TOKENS), min_size=1, max_size=12),
    st.integers(1, 2000),
    st.integers(1, 40),
)
def test_markdown_nested_any_way_keeps_its_text(name: str, unit: list[str], repeat: int, lines: int) -> None:
    # `lines` lines, each nested deeper than the last by the drawn mix of quotes, markers and indents.
    prefix = "".join(unit)
    step = max(1, repeat // lines)
    deep = "\n".join(f"{prefix * (step * i)}第{i}项" for i in range(lines)) + f"\n{prefix * repeat}{DEEP_TEXT}"
    article = extract_capture(with_paragraph(name, deep, markdown=True), name)
    assert article.error is None
    text = "\n".join(article.body)
    assert DEEP_TEXT in text
    assert all(f"第{i}项" in text for i in range(lines))
    assert all(block in article.body for block in baseline(name).body)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('<img src="data:image/png;base64,{}">', '<img src="data:image/png;base64,">'),
        # Base64 wrapped over lines (as mail and some savers write it) and SVG markup stay inside the quotes.
        ("<img src='data:image/png;base64,{}\n{}\n{}'>", "<img src='data:image/png;base64,'>"),
        ('<img src="data:image/svg+xml;utf8,<svg><text>{}</text></svg>">', '<img src="data:image/svg+xml;utf8,">'),
        ("<div style='background:url(data:image/jpeg;base64,{})'>", "<div style='background:url(data:image/jpeg;base64,)'>"),
        ("![图](data:image/gif;base64,{})", "![图](data:image/gif;base64,)"),
        ("<img src=data:image/png;base64,{} alt=图>", "<img src=data:image/png;base64, alt=图>"),
    ],
)
def test_shrink_empties_data_uris(before: str, after: str) -> None:
    blob = "QUJD" * 100
    page = f"<p>前文</p>{before.format(blob, blob, blob)}<p>后文</p>"
    assert shrink(page) == f"<p>前文</p>{after}<p>后文</p>"
    assert shrink(page.encode("gb18030")) == f"<p>前文</p>{after}<p>后文</p>".encode("gb18030")


def test_a_gallery_tells_its_story_in_its_captions() -> None:
    # A photo gallery (as DW and others publish them): every paragraph is a picture's caption, so the
    # body came out empty. With no other text, the captions are the body; they stay captions too.
    captions = [f"第{i}张图：{ZH * 3}" for i in range(5)]
    slides = "".join(f'<div><img src="https://x.cn/{i}.jpg" width="100%"><br><b>第{i}张图</b>：{ZH * 3}</div>' for i in range(5))
    post = f"---\ntitle: 图集：一周要闻\ndate: 2020-07-23\n---\n\n<div>\n{slides}\n</div>\n"
    article = extract_capture(post, "gallery")
    assert article.error is None and article.warnings == []
    assert article.body == captions
    assert [image.caption for image in article.images] == captions
