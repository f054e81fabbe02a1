"""Metadata conventions that hold across sites (issue 8): each test is a small synthetic capture
modelled on a convention at least two sites or templates print, never a copy of one page."""

from __future__ import annotations

from newsdesk.extract import extract_text
from newsdesk.extract.chrome import headline_link, is_foreign_link, unwrap_archived

# --- original_url: the address a repost credits ----------------------------------------------

_PARAGRAPH = "这是一段足够长的正文，用来让抽取器把它当作文章的正文段落来读，而不是页面上的零碎文字。" * 2


def _post(front: str, body: str) -> str:
    return f"---\nlayout: post\n{front}\n---\n\n{body}\n\n{_PARAGRAPH}\n\n{_PARAGRAPH}\n"


def test_archive_post_links_the_original_title_after_a_source_credit() -> None:
    text = _post(
        'title: 某地工人返乡纪实 （某某网报道）\ndate: 2020-02-27',
        "原文来自某某网：~~[某地工人返乡纪实](http://news.example.com/2020-02-26/1015.html)~~",
    )
    assert extract_text(text).original_url == "http://news.example.com/2020-02-26/1015.html"


def test_feed_post_links_its_headline_over_a_rule() -> None:
    text = _post(
        'title: "[两岸] 某校学生案再触动舆论"\ndate: 2020-08-01T06:22:44.000Z',
        "[[两岸] 某校学生案再触动舆论](https://radio.example.org/news/view/id/42)\n------",
    )
    assert extract_text(text).original_url == "https://radio.example.org/news/view/id/42"


def test_a_link_labelled_original_is_the_original() -> None:
    text = _post("title: 一篇转载的评论\ndate: 2018-04-26", "本文来自某传媒，[原文](https://outlet.example.com/article/7/)为付费阅读。")
    assert extract_text(text).original_url == "https://outlet.example.com/article/7/"


def test_front_matter_from_key_names_the_item_link() -> None:
    text = _post("title: 一篇转载\ndate: 2014-11-25\nfrom: https://outlet.example.net/article/279", "正文开头。")
    assert extract_text(text).original_url == "https://outlet.example.net/article/279"


def test_a_link_to_an_archive_copy_is_not_the_original() -> None:
    body = "原文存档：[某地化工厂屡出事的原因](http://archive.li/abcde#selection-1.1)"
    assert extract_text(_post("title: 某地化工厂屡出事的原因\ndate: 2019-03-22", body)).original_url is None
    assert not is_foreign_link("https://someone.github.io/2019/03/22/post.html")
    assert unwrap_archived("https://web.archive.org/web/20210630/https://www.example.com/a/1") == "https://www.example.com/a/1"


def test_only_a_link_whose_text_agrees_with_the_title_counts() -> None:
    head = "相关阅读：[另一篇完全无关的文章标题](https://outlet.example.com/other)"
    assert headline_link(head, "某地工人返乡纪实", is_foreign_link) is None
    assert headline_link("[某地工人返乡纪实](https://outlet.example.com/a)", "某地工人返乡纪实", is_foreign_link) == "https://outlet.example.com/a"


# --- authors: reporters in brackets closing the article -----------------------------------------

def _page(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html><head><meta charset='utf-8'><title>某市突降暴雨 局地积水严重_新闻网</title></head><body>"
        f"<h1>某市突降暴雨 局地积水严重</h1><div class='article'>{body}</div></body></html>"
    )


_LEAD = "昨日傍晚，一场突如其来的暴雨袭击了全市，多条道路出现积水，交通一度受阻，气象部门随即发布预警。"


def test_a_reporter_credit_in_brackets_closing_the_last_paragraph_names_the_author() -> None:
    article = extract_text(_page([_LEAD, "据统计，全市平均降水量达到24.8毫米，最大降水量出现在山区。(记者王小明)"]))
    assert article.authors == ["王小明"]


def test_names_alone_in_a_closing_bracket_are_the_authors() -> None:
    assert extract_text(_page([_LEAD, "气象台提醒市民注意出行安全，尽量减少外出。", "（陳大文）"])).authors == ["陳大文"]
    assert extract_text(_page([_LEAD, "气象台提醒市民注意出行安全。（張三 李四）"])).authors == ["張三", "李四"]


def test_a_closing_bracket_naming_a_source_or_a_photo_names_nobody() -> None:
    assert extract_text(_page([_LEAD, "气象台提醒市民注意出行安全。（新华社）"])).authors == []
    assert extract_text(_page([_LEAD, "气象台提醒市民注意出行安全。（资料图片）"])).authors == []
    # Mid-article, a bracket at a paragraph's end is not a sign-off.
    assert extract_text(_page(["气象台提醒市民注意出行安全。（王小明）", _LEAD])).authors == []


def test_a_vertical_stroke_separates_label_and_names() -> None:
    from newsdesk.extract.credits import read_credit_line

    line = read_credit_line("作者丨甲乙 丙丁 编辑丨戊己")
    assert line is not None and line.authors == ["甲乙", "丙丁"] and line.editor == "戊己"


def test_a_column_before_a_reporter_title_is_not_a_writer() -> None:
    from newsdesk.extract.credits import read_credit_line

    assert read_credit_line("文丨某某智库特约评论员 张三").authors == ["张三"]
    assert read_credit_line("文/某报记者 李四").authors == ["李四"]


# --- outlet: the outlet a repost credits for its link --------------------------------------------

def test_the_source_credited_before_the_original_link_is_the_outlet() -> None:
    text = _post(
        "title: 某教授生前访谈\ndate: 2019-02-11\ncategories: Archive",
        "原文来自「某某观察」：~~[某教授生前访谈](https://mp.weixin.qq.com/s/AbCdEf)~~",
    )
    article = extract_text(text)
    assert article.outlet == "某某观察"
    assert article.original_url == "https://mp.weixin.qq.com/s/AbCdEf"
    spaced = _post("title: 年轻人迷信知识付费\ndate: 2019-01-02", "原文来自某某大家 ~~[年轻人迷信知识付费](http://portal.example.com/a/1.html)~~")
    assert extract_text(spaced).outlet == "某某大家"


# --- published: a UTC meta stamp against the day the page prints -----------------------------------

def _stamped_page(stamp: str, printed: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>某案今日宣判 - 某某日報</title>"
        f"<meta property='article:published_time' content='{stamp}'></head><body>"
        # The date is printed away from the headline (below the article), so only the meta stamp
        # and the page's printed dates decide.
        f"<h1>某案今日宣判</h1><div class='article'><p>{_LEAD}</p><p>{_LEAD}</p></div>"
        f"<footer><span class='time'>{printed}</span></footer></body></html>"
    )


def test_a_utc_stamp_gives_the_local_day_the_page_prints() -> None:
    assert extract_text(_stamped_page("2021-06-21T18:00:00Z", "2021.06.22 02:00")).published[:10] == "2021-06-22"


def test_local_time_labelled_utc_keeps_the_day_printed() -> None:
    # Some sites stamp local time with a +00:00 offset: the page prints the stamp's own day.
    assert extract_text(_stamped_page("2023-09-04T19:30:00+00:00", "2023/09/04 19:30")).published[:10] == "2023-09-04"


def test_utc_day_is_kept_when_the_page_prints_no_date() -> None:
    from newsdesk.extract.dates import local_day_of_utc_stamp

    assert local_day_of_utc_stamp("2021-06-21T18:00:00Z", set()) is None
    assert local_day_of_utc_stamp("2021-06-21T18:00:00+08:00", {"2021-06-22"}) is None


# --- title: the outlet's name a repost's feed appends ----------------------------------------------

def test_a_repost_title_loses_the_outlet_name_the_post_credits() -> None:
    post = _post(
        "title: 人口问题是怎样失控的｜某某公会\ndate: 2018-09-15",
        "原文来自订阅号「某某公会」：~~[人口问题是怎样失控的](https://mp.weixin.qq.com/s/XyZ)~~",
    )
    assert extract_text(post).title == "人口问题是怎样失控的"
    branded = _post(
        "title: 某教授生前访谈|某某观察Watch\ndate: 2019-02-11",
        "原文来自「某某观察Watch」：~~[某教授生前访谈](https://mp.weixin.qq.com/s/AbCdEf)~~",
    )
    assert extract_text(branded).title == "某教授生前访谈"


def test_a_repost_title_keeps_a_rubric_or_a_name_nobody_credits() -> None:
    assert extract_text(_post("title: 独家|病毒测序溯源始末\ndate: 2020-02-27", "正文开头。")).title == "独家|病毒测序溯源始末"
    assert extract_text(_post("title: 两岸关系 - 新的变局\ndate: 2020-02-27", "正文开头。")).title == "两岸关系 - 新的变局"


# --- outlet: page furniture beside the date is not a name -------------------------------------------

def test_a_font_size_control_beside_the_date_is_not_an_outlet() -> None:
    from newsdesk.extract.credits import unlabelled_credit

    assert unlabelled_credit("文字大小", allow_person=True) is None
    assert unlabelled_credit("字級設定", allow_person=True) is None
    assert unlabelled_credit("某某日報", allow_person=True) == ("outlet", "某某日報")


# --- mirrors: a markdown heading over an HTML body ------------------------------------------------

_FEED_ITEM = (
    "<!--1594382038000-->\n[某国防长拒绝强硬批评 避谈庇护问题](https://news.example.de/zh/a-54121293)\n------\n\n"
    f"<div><i>某记者<br>2020-07-10T08:18:12.447Z</i></div><p>(某某之声中文网) {_LEAD}</p><p>{_LEAD}</p>"
    "<h2>小标题</h2>" + f"<p>{_LEAD}</p>"
)


def test_a_feed_item_opening_with_a_markdown_heading_takes_its_title_and_link() -> None:
    article = extract_text(_FEED_ITEM)
    assert article.title == "某国防长拒绝强硬批评 避谈庇护问题"
    assert article.original_url == "https://news.example.de/zh/a-54121293"


def test_markdown_heading_shapes() -> None:
    from newsdesk.extract.chrome import markdown_heading

    assert markdown_heading("# 某某标题在此\n<p>正文</p>") == ("某某标题在此", None)
    assert markdown_heading("<div>不是标题</div>\n---\n") is None
    assert markdown_heading("<!--x-->\n[[两岸] 某某标题](https://a.example/1)\n======\n") == ("[两岸] 某某标题", "https://a.example/1")


# --- authors: `names／verb` opening a header line that goes on with other credits -----------------

def test_a_slash_byline_sharing_its_line_with_dates() -> None:
    from newsdesk.extract.credits import header_credits

    line = header_credits("王大明 李小華／編譯 發布時間：2023-08-24 07:31 更新時間：2023-08-24 08:32")
    assert line is not None and line.authors == ["王大明", "李小華"]
    line = header_credits("陳小明／綜合報導 2023-08-25 10:00")
    assert line is not None and line.authors == ["陳小明"]


def test_a_credit_phrase_glued_to_an_outlet_is_not_its_name() -> None:
    from newsdesk.extract.credits import outlet_part

    assert outlet_part("本文来源于某某统计局") == "某某统计局"
    assert outlet_part("来源于某某商报") == "某某商报"
    # A two-character word is a label only with its colon: `来源` glued on may be part of a name.
    assert outlet_part("来源：某某商报-财经频道") == "某某商报"


# --- title: a bracket crediting the source before the headline ------------------------------------

def test_a_source_bracket_before_the_headline_is_a_credit_not_the_title() -> None:
    from newsdesk.extract.credits import title_source_prefix

    assert title_source_prefix("【澎湃新闻】某教授：明代的儒学教育") == ("某教授：明代的儒学教育", "澎湃新闻")
    assert title_source_prefix("【BBC报导】某某案面临审判") == ("某某案面临审判", "BBC")
    assert title_source_prefix("【媒体报道】某记者：哪有记者不发声") == ("某记者：哪有记者不发声", None)
    # Topic rubrics stay part of the headline, even one ending like an outlet (台).
    assert title_source_prefix("【新冠肺炎】某区新增确诊") is None
    assert title_source_prefix("【图集】某地示威五人被捕") is None
    assert title_source_prefix("【苏拉袭台】小三通明起停航") is None


def test_a_repost_crediting_its_source_in_the_title_files_it_there() -> None:
    article = extract_text(_post("title: 【BBC报导】某某案面临审判\ndate: 2022-05-18\ncategories: [媒体报道]", "正文开头。"))
    assert article.title == "某某案面临审判"
    assert article.outlet == "BBC"


# --- credits: the role after the name (magazines) ---------------------------------------------------

def test_a_credit_with_the_role_after_the_names() -> None:
    from newsdesk.extract.credits import read_credit_line

    line = read_credit_line("《某刊》记者 张小三 李四 实习生王五 | 文")
    assert line is not None and line.authors == ["张小三", "李四", "王五"]
    assert read_credit_line("赵六 \\| 编辑").editor == "赵六"
    assert read_credit_line("记者钱七／文").authors == ["钱七"]
    # Two words around a slash are not a credit unless the second is a role.
    assert read_credit_line("中国 / 文化") is None


def test_a_bracketed_outlet_without_a_date_opens_a_byline() -> None:
    from newsdesk.extract.credits import parse_dateline

    line = parse_dateline("【某某网】（记者张小三 实习记者李四）某地的年夜饭做了六道菜。")
    assert line is not None and line.outlet == "某某网" and line.authors == ["张小三", "李四"]
    # A topic rubric before a bracket is no dateline.
    assert parse_dateline("【新冠肺炎】（图）某地新增病例") is None


# --- published: a wire dateline's day against a later page stamp ---------------------------------

def _wire_page(stamp: str, dateline: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>某报刊发文章 国产大模型陆续开放</title>"
        f"<meta property='article:published_time' content='{stamp}'></head><body>"
        f"<h1>某报刊发文章 国产大模型陆续开放</h1><div class='article'><p>{dateline} {_LEAD}</p>"
        f"<p>{_LEAD}</p></div></body></html>"
    )


def test_the_wire_datelines_day_wins_over_a_later_stamp() -> None:
    assert extract_text(_wire_page("2023-09-07T09:56:47", "新华社北京9月6日电")).published[:10] == "2023-09-06"
    # Across a new year the stamp's previous year is the dateline's.
    assert extract_text(_wire_page("2024-01-01T08:00:00", "新华社北京12月31日电")).published[:10] == "2023-12-31"


def test_a_stamp_far_from_the_datelines_day_is_kept() -> None:
    # A dateline that is not a few days before the stamp is a different event's; the stamp stands.
    assert extract_text(_wire_page("2023-09-20T09:00:00", "新华社北京9月6日电")).published[:10] == "2023-09-20"


def test_a_foreign_datelines_day_does_not_override_the_local_stamp() -> None:
    # Paris on the 9th late evening is Beijing on the 10th: the page's own day stands.
    assert extract_text(_wire_page("2019-12-10T07:57:40", "新华社巴黎12月9日电")).published[:10] == "2019-12-10"


# --- outlet: the name the site prints for itself, not the registry's --------------------------------

def _site_page(site_name: str, url: str, credit: str = "") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>某案今日宣判 - {site_name}</title>"
        f"<meta property='og:site_name' content='{site_name}'><link rel='canonical' href='{url}'></head><body>"
        f"<h1>某案今日宣判</h1><div class='article'><p>{_LEAD}</p><p>{_LEAD}</p>{credit}</div></body></html>"
    )


def test_the_sites_own_chinese_name_wins_over_the_registry_name_of_its_host() -> None:
    # stheadline.com prints 頭條日報 (the registry files the host under 星島日報); ltn.com.tw prints 自由時報電子報.
    assert extract_text(_site_page("頭條日報 Headline Daily", "https://hd.stheadline.com/news/1/")).outlet == "頭條日報"
    assert extract_text(_site_page("自由時報電子報", "https://news.ltn.com.tw/news/1")).outlet == "自由時報電子報"


def test_a_bilingual_site_name_is_filed_under_the_chinese_name_the_registry_knows() -> None:
    assert extract_text(_site_page("Apple Daily 蘋果日報", "https://hk.appledaily.com/a/1/")).outlet == "蘋果日報"


def test_an_english_site_name_goes_to_the_registry_name() -> None:
    assert extract_text(_site_page("The Paper", "https://www.thepaper.cn/newsDetail_forward_1")).outlet == "澎湃新闻"


def test_a_source_naming_the_site_unnamed_or_the_internet_is_no_outlet() -> None:
    from newsdesk.extract.credits import is_non_outlet

    assert is_non_outlet("本站原创") and is_non_outlet("網絡") and not is_non_outlet("某某网")
    page = _site_page("某某日報", "https://unknown.example.org/a/1", "<p>来源：网络</p>")
    assert extract_text(page).outlet == "某某日報"


def test_with_nothing_else_the_copyright_holder_or_the_logo_names_the_site() -> None:
    def page(footer: str) -> str:
        return (
            "<html><head><meta charset='utf-8'><title>某所召开干部职工大会</title></head><body>"
            f"<div class='header'>{footer}</div><h1>某所召开干部职工大会</h1>"
            f"<div class='article'><p>{_LEAD}</p><p>{_LEAD}</p></div></body></html>"
        )

    assert extract_text(page("<p>版权所有 某省淡水水产研究所 Copyright © 2018</p>")).outlet == "某省淡水水产研究所"
    assert extract_text(page("<p>Copyright © 2010-2024 某某信息科技有限公司 不得转载</p>")).outlet is None
    assert extract_text(page("<a class='logo' href='/'><img src='/logo.png' alt='某某閱讀'></a>")).outlet == "某某閱讀"


def test_a_blog_category_naming_a_kind_of_post_is_no_outlet() -> None:
    assert extract_text(_post("title: 某地工人返乡纪实\ndate: 2020-02-27\ncategories: Archive", "正文开头。")).outlet is None


# --- authors: a desk, then the reporters ----------------------------------------------------------

def test_a_byline_naming_its_desk_first_names_the_reporters() -> None:
    from newsdesk.extract.credits import header_credits, signoff_authors

    assert signoff_authors("國際中心／許元馨報導") == ["許元馨"]
    assert header_credits("上報快訊／鍾知諭、袁維駿 2023年08月30日 14:50:00").authors == ["鍾知諭", "袁維駿"]
    # A desk alone names nobody.
    assert header_credits("【即時中心／綜合報導】").authors == []
    assert signoff_authors("（財經中心／台北報導）") == []
    assert extract_text(_page(["大陸中心／李小明報導", _LEAD, _LEAD])).authors == ["李小明"]


def test_an_update_stamp_beside_the_date_is_not_a_name() -> None:
    from newsdesk.extract.credits import unlabelled_credit

    assert unlabelled_credit("更新", allow_person=True) is None


def test_an_author_element_names_the_writer_when_nothing_else_does() -> None:
    def page(marks: str) -> str:
        return (
            "<html><head><meta charset='utf-8'><title>某市突降暴雨</title></head><body>"
            f"<h1>某市突降暴雨</h1><div class='info'>{marks}</div>"
            f"<div class='article'><p>{_LEAD}</p><p>{_LEAD}</p></div></body></html>"
        )

    assert extract_text(page("<span id='author_baidu'>王小帆</span>")).authors == ["王小帆"]
    # Several names are a list (columnists, commenters), not the byline; a heading is not a name.
    assert extract_text(page("<div class='author'>吴小波</div><div class='author'>郝小倩</div>")).authors == []
    assert extract_text(page("<div class='comment'><span class='author'>王小帆</span></div>")).authors == []


# --- published: a date-marked element, when nothing else dates the page -------------------------------

def test_a_date_marked_element_dates_a_page_that_states_no_other_date() -> None:
    def page(stamp: str) -> str:
        return (
            "<html><head><meta charset='utf-8'><title>某市突降暴雨</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a></div><h1>某市突降暴雨</h1>"
            f"<div class='article'><p>{_LEAD}</p><p>{_LEAD}</p></div>{stamp}</body></html>"
        )

    assert extract_text(page("<p class='time'><span>2019-05-17</span> 来源：某某网</p>")).published[:10] == "2019-05-17"
    assert extract_text(page("<div class='date'>2018-08-02</div>")).published[:10] == "2018-08-02"
    # A commenter's stamp is not the article's.
    assert extract_text(page("<div class='comment'><span class='time'>2019-05-18 09:21</span></div>")).published is None


def test_a_commentator_title_is_a_role_not_a_name() -> None:
    assert extract_text(_page([_LEAD, "气象台提醒市民注意出行安全。（评论员 王小明 李大同）"])).authors == ["王小明", "李大同"]
    assert extract_text(_page([_LEAD, "气象台提醒市民注意出行安全。（某某日报评论员）"])).authors == []


# --- title: a page whose title is only the site's name ------------------------------------------------

def test_a_page_titled_with_the_sites_name_takes_the_heading_over_its_article() -> None:
    page = (
        "<html><head><meta charset='utf-8'><title>某省淡水水产研究所官网</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/news'>新闻动态</a></div>"
        "<div class='left'><h5>某省淡水水产研究所召开干部职工大会暨党风廉政建设大会</h5>"
        f"<div class='content'><p>{_LEAD}</p><p>{_LEAD}</p></div></div>"
        "<div class='footer'>版权所有 某省淡水水产研究所</div></body></html>"
    )
    assert extract_text(page).title == "某省淡水水产研究所召开干部职工大会暨党风廉政建设大会"


def test_a_labelled_publication_date_anywhere_dates_a_page_that_states_no_other() -> None:
    page = (
        "<html><head><meta charset='utf-8'><title>某区调研众创金融街</title></head><body>"
        f"<h1>某区调研众创金融街</h1><div class='article'><p>{_LEAD}</p><p>{_LEAD}</p></div>"
        "<table><tr><td><font>发布日期：<!-- begin -->2019-03-06<!-- end --></font></td></tr></table></body></html>"
    )
    assert extract_text(page).published[:10] == "2019-03-06"
