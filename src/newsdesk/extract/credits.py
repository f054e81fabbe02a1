"""Datelines, bylines, editor credits and source lines of Chinese (and English) news: one grammar.

A credit line is a run of `label：value` items (`文/X 图/Y 编辑/Z`, `2023-03-05 10:21 来源：人民网 作者：张三`,
`证券时报网作者：李在山`), read the same way in a page's header, in the body and in front matter.
Besides labels, the trade has a few fixed shapes, each read here once:
`【大纪元2022年02月02日讯】（大纪元记者张婷综合报导）`, `新华社巴黎12月9日电（记者唐霁）`,
`（中央社記者X台北4日電）`, `〔記者X／台北報導〕`, `新唐人记者毕心慈、宇微综合报导`, `報導．攝影╱韓旭爾`.

The words (labels, reporter titles, report verbs, places, zones, non-names, headline rubrics) live
in `data/credits.toml` (see `vocab.py`), each with the sites that justify it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from newsdesk.extract import vocab
from newsdesk.extract.dates import MD_CN, YMD_CN, YMD_NUMERIC, parse_any_date, parse_cn_date
from newsdesk.extract.outlets import load_registry

_CJK = r"\u4e00-\u9fff"
_OPEN = "（(【[〔「"
_CLOSE = "）)】]〕」"


@lru_cache(maxsize=1)
def _gazetteer_places() -> frozenset[str]:
    """Place names of the bundled gazetteer (Chinese forms only): countries and cities in datelines."""
    path = Path(str(resources.files("newsdesk") / "data" / "gazetteer.toml"))
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    places: set[str] = set()
    for entity in data.get("entity", []):
        if entity.get("kind") != "place":
            continue
        for name in [entity.get("name", ""), *entity.get("aliases", [])]:
            if 2 <= len(name) <= 6 and re.fullmatch(f"[{_CJK}]+", name):
                places.add(name)
    return frozenset(places)


# `记者站` is a bureau, not a reporter's title.
_REPORTER = vocab.section_pattern("reporter") + "(?!站)"
_VERB = vocab.section_pattern("report_verb")
_ZONE = vocab.section_pattern("zone")
_PLACES = vocab.words("place") | _gazetteer_places()
_UTC8_PLACES = vocab.words("place", "utc8")
_PLACE = vocab.alternation(_PLACES)
_NON_NAME = re.compile(vocab.section_pattern("non_name"))
_LABEL_JOIN = re.compile(r"\s*[、/／&＆]\s*")


class _LabelRoles(dict[str, str]):
    """Each label form → its role; a compound label (`采访、整理`, `编辑/摄影`) credits as an author when
    one of its labels does, else as its first label does."""

    def __missing__(self, label: str) -> str:
        roles = [self[part] for part in _LABEL_JOIN.split(label) if part in self]
        if not roles:
            raise KeyError(label)
        return "author" if "author" in roles else roles[0]


_LABEL_ROLE = _LabelRoles(vocab.label_roles())
_ONE_LABEL = vocab.alternation(frozenset(_LABEL_ROLE))
# A label, then a separator; labels that credit bare (`记者张三`) may go without one. A label of two
# characters or more may be parted from its value by a space (`撰文 张三`, `文/图 张三`). Labels joined
# by `、`, `/` or `&` share one value (`采访、整理：X、Y`, `编译/整理：X`).
_LABEL = re.compile(
    r"(?P<label>" + _ONE_LABEL + r"(?:\s*[、/／&＆]\s*" + _ONE_LABEL + r"(?=\s*[:：︰｜|/／╱丨]))*"
    + r")(?P<sep>\s*[:：︰｜|/／╱丨]\s*|(?:(?<=\w\w)|(?<=[/／]\w))\s+(?=\S))?"
)
_BARE = vocab.words("label", bare=True)
_CN_NUMERAL = "〇零○一二三四五六七八九"

# --- Names ------------------------------------------------------------------------------------

_NAME_SPLIT = re.compile(
    rf"\s*[、，,;；/／&＆]\s*|(?<=[{_CJK}]{{2}})\s*[和及与與]\s*(?=[{_CJK}]{{2}})|(?<=[{_CJK}])\s+(?=[{_CJK}])"
)
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
# A name's original spelling in brackets: 让-路易斯‧马格林（Jean-Louis Margolin）.
_LATIN_PAREN = re.compile(r"\s*[（(][A-Za-z][A-Za-z .\-‧·']*[）)]")
_PLACE_PREFIX = re.compile(f"^{_PLACE}(?=[{_CJK}]{{2,}})")
_PLACE_SUFFIX = re.compile(f"{_PLACE}$")
_ROLE_PREFIX = re.compile(rf"^(?:[{_CJK}]{{0,6}}?{_REPORTER})\s*[:：︰]?\s*")
_CJK_NAME = re.compile(rf"[{_CJK}][{_CJK}·‧•・\-]{{1,15}}")
# Latin names are capitalised (`Jane Doe`, `DAVID E. SANGER`); `name` and `admin` are template text.
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z .'\-]{1,40}")


_VERB_ONLY = re.compile(f"{_VERB}")
_VERB_END = re.compile(rf"[{_CJK}]{{2,4}}\s*{_VERB}$")


def _looks_like_name(part: str) -> bool:
    if _NON_NAME.search(part) or re.search(r"\d", part) or part in _PLACES or _VERB_ONLY.fullmatch(part):
        return False
    if _CJK_NAME.fullmatch(part):
        # Given names run to three characters; longer ones are transliterations with a middle dot
        # or pen names (`李小飞刀`).
        return len(part) <= 5 or bool(re.search(r"[·‧•・\-]", part))
    return bool(_LATIN_NAME.fullmatch(part)) and len(part.split()) <= 4


_ROLE_ONLY = re.compile(vocab.section_pattern("reporter"))
_INNER_ROLE = re.compile(rf"(?<=[{_CJK}]{{2}})\s*{vocab.section_pattern('reporter')}\s*(?=[{_CJK}]{{2}})")


def split_names(text: str) -> list[str]:
    """People named in a byline's name list: `张三、李四`, `张三 李四`, `采菊纽约` → 采菊."""
    names = []
    # `萧辉实习记者于璐`, `刘宇瀚 通讯员 李春妮`: a second reporter's title separates two names.
    text = _INNER_ROLE.sub("、", _PAREN.sub("", text).strip())
    for part in _NAME_SPLIT.split(text):
        part = part.strip(" ·.。:：()（）【】[]「」\"'")
        part = _PLACE_PREFIX.sub("", part)
        if len(part) >= 4 and not re.search(r"[A-Za-z]", part):
            # `林欣儀_台中` (chinatimes.com's reporter field): the place goes with what joined it.
            part = _PLACE_SUFFIX.sub("", part).rstrip("_-")
        if (
            part
            and len(part) <= 24
            and not _NON_NAME.search(part)
            and not re.search(r"\d", part)
            and not _ROLE_ONLY.fullmatch(part)
        ):
            names.append(part)
    return names


def strip_role(name: str) -> str:
    """`台灣特派員鄭智仁` → `鄭智仁`, `記者吳婉英` → `吳婉英`."""
    stripped = _ROLE_PREFIX.sub("", name.strip())
    return stripped or name.strip()


# `東京樱花团/百花李香`: the group a volunteer writes for is not the writer.
_GROUP_PREFIX = re.compile(r"^\S*?(?:农场|農場|团|團|小组|小組|组|組|Farm|Group|Team)\s*[/／\s–—-]+\s*(?=\S)")


def person(value: str) -> str:
    value = _LATIN_PAREN.sub("", value).strip(" *#＃")
    return _GROUP_PREFIX.sub("", value).strip() or value


# --- Datelines -------------------------------------------------------------------------------

_CN_DATE = (
    r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
    rf"|[{_CN_NUMERAL}]{{4}}年[{_CN_NUMERAL}十]{{1,3}}月[{_CN_NUMERAL}十]{{1,3}}日"
)
DATELINE = re.compile(
    rf"^\s*[【\[]\s*(?P<outlet>[^【】\[\]\d{_CN_NUMERAL}]{{2,14}}?)\s*{_ZONE}?\s*"
    rf"(?P<date>{_CN_DATE})\s*(?:讯|訊|电|電|报道|報道)?\s*[】\]]"
)
# `【财新网】（记者萧辉 实习记者于璐）`: the same bracket without a date, when reporters follow it.
_BRACKET_OUTLET = re.compile(r"^\s*[【\[]\s*(?P<outlet>[^【】\[\]\d（）()]{2,12}?)\s*(?:讯|訊)?\s*[】\]]\s*(?=[（(])")
# `【大公報訊】…` (tkww.hk), `【侨报讯】…` (uschinapress.com): an outlet's own report in brackets, undated, with no
# byline bracket after it. The report word (讯/專訊) makes the bracket a credit; `【本報訊】` names no outlet.
_BRACKET_REPORT = re.compile(rf"^\s*【\s*(?P<outlet>[{_CJK}A-Za-z.]{{2,12}}?)\s*(?:专讯|專訊|讯|訊)\s*】")
# 新华社巴黎12月9日电（记者唐霁）; 人民网郑州1月16日电（智泓）; IT之家9月30日消息; 本报北京3月5日电.
# Outlet and place run together, so a known place splits them first, then an outlet-like ending.
_WIRE_TAIL = r"\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*(?:专电|專電|电|電|消息|讯|訊)(?=\s|[，,（(：︰:]|$)"
_NOT_WEEKDAY = r"^\s*(?!(?:周|週|星期)[一二三四五六日天])"
_WIRE_DATELINES = (
    re.compile(_NOT_WEEKDAY + rf"(?P<outlet>[{_CJK}]{{2,8}}?)(?P<place>{_PLACE})" + _WIRE_TAIL),
    re.compile(
        _NOT_WEEKDAY + rf"(?P<outlet>[A-Za-z]+[{_CJK}]{{0,4}}|[{_CJK}]{{0,7}}?"
        + vocab.section_pattern("outlet_suffix") + rf")(?P<place>[{_CJK}]{{0,6}}?)" + _WIRE_TAIL
    ),
    re.compile(_NOT_WEEKDAY + rf"(?P<outlet>[{_CJK}]{{2,8}}?)(?P<place>[{_CJK}]{{0,6}}?)" + _WIRE_TAIL),
)


# 新京报讯（记者 陆一夫）; 北京商报讯（记者 岳品瑜 董晗萱）; 本报讯（记者易靖）: an outlet's own report, no date.
_OWN_REPORT = re.compile(
    rf"^\s*(?P<outlet>[{_CJK}A-Za-z]{{0,9}}?" + vocab.section_pattern("outlet_suffix") + r")\s*(?:讯|訊)\s*(?=[（(])"
)
# `本站讯`, `本院讯`, `我校讯`: any short name before 讯 (whose reporters are then read only after a title).
_SELF_REPORT = re.compile(rf"^\s*[{_CJK}]{{1,6}}(?:讯|訊)\s*(?=[（(])")
# An outlet alone in brackets opening the article (`(德国之声中文网) 在…`, `(星島日報報道)政府…`).
_PAREN_OUTLET = re.compile(
    rf"^\s*[（(]\s*(?:据|據)?\s*(?P<outlet>[{_CJK}A-Za-z]{{0,9}}?" + vocab.section_pattern("outlet_suffix")
    + r")\s*(?:报道|報道|报导|報導|讯|訊)?\s*[）)]\s*(?=\S)"
)


def _wire_dateline(text: str) -> re.Match[str] | None:
    for pattern in _WIRE_DATELINES:
        m = pattern.match(text)
        if m:
            return m
    return None


# The reporters after a dateline or opening a paragraph: `（记者唐霁）`, `（大纪元记者张婷综合报导）`,
# `（記者王小明／台北報導）`, `(智泓)`. A bracket without a reporter title must hold names only.
_BYLINE_PAREN = re.compile(
    rf"^[（(〔【]\s*(?:[^（）()〔〕【】]{{0,12}}?{_REPORTER}\s*[:：︰]?\s*)(?P<names>[^（）()〔〕【】]{{1,40}}?)\s*"
    rf"(?:[/／╱]\s*[^（）()〔〕【】]{{0,12}}?)?\s*{_VERB}?\s*[）)〕】]"
)
# 中央社: `（中央社記者戴雅真台北29日電）`: reporters, then place and day, in one bracket. A place
# the vocabulary does not know is taken to be two characters (most are), so the name keeps the rest.
_WIRE_PAREN = re.compile(
    rf"^[（(]\s*(?P<outlet>[{_CJK}A-Za-z]{{2,8}}?)(?:{_REPORTER})\s*(?P<names>[^（）()]{{2,40}}?)\s*"
    rf"(?P<place>{_PLACE}|[{_CJK}]{{2}})\s*(?P<d>\d{{1,2}})\s*日\s*(?:专电|專電|电|電)\s*[）)]"
)
# Taiwanese bylines: `〔記者X、Y／台北報導〕`, `（李志展、林丞偉／台北報導）`, `作者朱蒲青／台北報導`. Reporters
# filing from two places name both (pts.org.tw `陳冠勳 張梓嘉 溫正衡／新北 台南報導`); a known place alone
# closes the byline too (digitimes.com.tw `李立達／台北 2024/09/25 02:40`).
_SLASH_BYLINE = re.compile(
    rf"^[（(〔【\[]?\s*(?:[^（）()〔〕【】\[\]／/╱]{{0,12}}?(?:{_REPORTER}|作者))?\s*(?P<names>[^（）()〔〕【】\[\]／/╱]{{2,30}}?)\s*"
    rf"[／/╱]\s*(?:(?:(?:{_PLACE})\s+)?(?:{_PLACE}|[{_CJK}]{{2,3}})?\s*{_VERB}|(?:{_PLACE})(?=\s|$))\s*[）)〕】\]]?"
)

# A desk, then the reporters: `國際中心／許元馨報導`, `上報快訊／鍾知諭、袁維駿`.
_DESK_BYLINE = re.compile(
    rf"^[（(〔【\[]?\s*[{_CJK}A-Za-z]{{0,8}}?{vocab.section_pattern('desk')}\s*[／/╱]\s*"
    rf"(?P<names>[^（）()〔〕【】\[\]／/╱\d，。,]{{2,30}}?)\s*(?:{_VERB})?\s*[）)〕】\]]?$"
)


def desk_byline(line: str) -> list[str]:
    """Reporters of a byline naming their desk first, with the date it may share a line with."""
    if len(line) > 60:
        return []
    m = _DESK_BYLINE.match(date_line_remainder(line))
    return _names_only(m["names"]) if m else []


@dataclass(slots=True)
class Dateline:
    outlet: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    # When the date is only month and day (wire datelines), the year must come from elsewhere.
    month_day: tuple[int, int] | None = None
    # Where a wire dateline was filed (`新华社巴黎12月9日电` → 巴黎), when it names a place.
    place: str | None = None
    # An outlet's own report (`【大公報訊】`, `新京报讯（记者…）`), not a wire's filing from a place on a day.
    own_report: bool = False

    @property
    def filed_in_utc8(self) -> bool:
        """Filed where the clock is the pages' own (UTC+8): its day is on the stamps' calendar."""
        return self.place is not None and self.place in _UTC8_PLACES


def _names_only(text: str) -> list[str]:
    """The people of a byline's name list; `王金茹对此文亦有贡献` (a contributor's note) is none."""
    return [n for n in (strip_role(p) for p in split_names(text)) if _looks_like_name(n)]


def _byline_names(text: str) -> list[str]:
    """Reporters named in a byline bracket or after a dateline, if what follows is one."""
    m = _BYLINE_PAREN.match(text) or _SLASH_BYLINE.match(text)
    if m:
        return _names_only(m["names"])
    # `人民网郑州1月16日电（智泓）`: a bracket of names only, straight after the dateline.
    m = re.match(r"^[（(]\s*(?P<names>[^（）()，。]{2,20}?)\s*[）)]", text)
    if m:
        names = split_names(m["names"])
        if names and all(_looks_like_name(n) and not _is_outlet(n) for n in names):
            return names
    return []


def is_outlet_name(name: str) -> bool:
    """A dateline's outlet that is a name (`北京商报`), not `本报`/`本网` (the paper itself, unnamed)."""
    return looks_like_outlet(name) and not _NON_NAME.search(name)


_NON_OUTLET = re.compile(vocab.section_pattern("non_outlet"))


def is_non_outlet(name: str) -> bool:
    """A source value naming no outlet (`本站原创`, `网络`): the site unnamed, or the internet."""
    return bool(_NON_OUTLET.fullmatch(name.strip()))


def _is_outlet(name: str) -> bool:
    return looks_like_outlet(name) or load_registry().by_name(name) is not None


def parse_dateline(text: str) -> Dateline | None:
    """Outlet, date and reporters from the opening of an article's first paragraph."""
    m = DATELINE.match(text)
    if m:
        line = Dateline(outlet=m["outlet"].strip(), date=parse_cn_date(m["date"]))
        line.authors = _byline_names(text[m.end():].lstrip())
        return line
    m = _BRACKET_OUTLET.match(text)
    if m and (looks_like_outlet(m["outlet"]) or load_registry().by_name(m["outlet"])):
        authors = _byline_names(text[m.end():].lstrip())
        if authors:
            return Dateline(outlet=m["outlet"].strip(), authors=authors)
    m = _BRACKET_REPORT.match(text)
    if m and is_outlet_name(m["outlet"]):
        return Dateline(outlet=m["outlet"], authors=_byline_names(text[m.end() :].lstrip()), own_report=True)
    m = _WIRE_PAREN.match(text.lstrip())
    if m:
        return Dateline(outlet=m["outlet"], authors=split_names(m["names"]))
    m = _wire_dateline(text)
    if m and len(m["outlet"]) >= 2 and not m["outlet"].startswith(("据", "據", "今", "昨")):
        line = Dateline(outlet=m["outlet"], month_day=(int(m["m"]), int(m["d"])), place=m["place"] or None)
        line.authors = _byline_names(text[m.end():].lstrip())
        return line
    m = _OWN_REPORT.match(text)
    if m:
        return Dateline(outlet=m["outlet"], authors=_byline_names(text[m.end():].lstrip()), own_report=True)
    m = _SELF_REPORT.match(text)
    byline = _BYLINE_PAREN.match(text[m.end() :].lstrip()) if m else None
    if byline:
        # `本站讯（职工通讯员 X Y）`, `本院讯（记者 X）`: the same own-report dateline from a site that calls
        # itself by what it is rather than by an outlet's name; the bracket's reporter title makes it a byline.
        return Dateline(authors=_names_only(byline["names"]))
    m = _PAREN_OUTLET.match(text)
    if m and is_outlet_name(m["outlet"]):
        return Dateline(outlet=m["outlet"])
    text = text.lstrip()
    m = _BYLINE_PAREN.match(text) or (_SLASH_BYLINE.match(text) if text[:1] in _OPEN else None)
    if m is None and _TITLED_START.match(text):
        # `記者張三／台北報導 市長今日…`: unbracketed, the byline opens with the reporter's title and is
        # set apart from the text by a space.
        m = _SLASH_BYLINE.match(text)
        spaced = m is not None and (m.group(0)[-1].isspace() or re.match(r"\s", text[m.end() : m.end() + 1]))
        m = m if spaced and not re.search(r"[，。！？,;；]", m["names"]) else None
    if m:
        return Dateline(authors=[strip_role(n) for n in split_names(m["names"])])
    return _bracketed_byline(text)


_TITLED_START = re.compile(rf"^(?:{_REPORTER}|作者)")
_SHORT_BRACKET = re.compile(r"^[（(【\[〔](?P<inner>[^（）()【】\[\]〔〕]{3,30})[）)】\]〕]")


def _bracketed_byline(text: str) -> Dateline | None:
    """`（文/张三）市政府…`, `【撰文：张三】…`: a labelled byline in brackets opening the article."""
    m = _SHORT_BRACKET.match(text)
    line = read_credit_line(m["inner"]) if m else None
    if line is not None and line.is_byline and line.authors:
        return Dateline(authors=line.authors)
    return None


# --- Sign-offs -------------------------------------------------------------------------------

_SIGNOFF = re.compile(
    rf"^[（(]?\s*(?:[{_CJK}]{{0,8}}?){_REPORTER}\s*[:：︰]?\s*(?P<names>[^，。！？（）()/／]{{1,40}}?)\s*"
    rf"(?:[/／]\s*[^，。！？（）()/／]{{0,12}}?)?\s*{_VERB}?\s*[）)]?\s*$"
)
# Taiwanese papers close with `報導．攝影╱韓旭爾`, sometimes run into the last paragraph.
_TRAILING_CREDIT = re.compile(
    rf"(?:^|[。！？」”])\s*(?:{_VERB}|文字|文)(?:\s*[．・.、]\s*{_VERB})?\s*[╱/／]\s*(?P<names>[{_CJK}、]{{2,12}})\s*$"
)


# `财新记者X、实习记者Y对此文亦有贡献` (caixin), `（实习生X对此文亦有贡献）` (ifeng), `X对本文有研究贡献` (nytimes):
# a note thanking contributors, who are not the article's writers.
_CONTRIBUTOR_NOTE = re.compile(r"[对對](?:此|本)文[^，。！？]{0,10}[贡貢][献獻]\s*[。.]?\s*[）)]?\s*$")


def signoff_authors(block: str) -> list[str] | None:
    """Reporters named by a closing or opening credit block that is body (`新唐人记者韩霏综合报导`)."""
    if len(block) > 60:
        return None
    if _CONTRIBUTOR_NOTE.search(block):
        return []
    block = _BULLET.sub("", _LATIN_PAREN.sub("", block))
    m = _SIGNOFF.match(block) or _SLASH_BYLINE.fullmatch(block.strip())
    if m and _names_only(m["names"]):
        return _names_only(m["names"])
    desk = desk_byline(block)
    if desk:
        return desk
    if m:
        return []
    line = read_credit_line(block)
    if line and line.is_byline and line.authors:
        return line.authors
    return None


# `…达到68.4毫米。(记者张淼淼)`, `…实现轻松换新。(李楠)`, a last block `（羅森）`: the article closes
# with its reporters in brackets (chinanews.com, sina.com.cn, sina.com.tw, news.cn).
_CLOSING_BRACKET = re.compile(r"(?:^|(?<=[。！？!?」”』…]))\s*[（(](?P<inner>[^（）()]{2,30})[）)]\s*$")
# Names alone are two or three characters (`（资料图片）`, `（视觉中国）` are four); a photo word is a caption's.
_BRACKET_NAME = re.compile(rf"[{_CJK}]{{2,3}}|[A-Z][A-Za-z .'\-]{{1,30}}")
_PHOTO_WORD = re.compile(vocab.section_pattern("label", "photo"))
_MAX_CLOSING_NAMES = 4


def closing_bracket_authors(block: str) -> list[str]:
    """Reporters named in brackets closing an article: a reporter's credit (`（记者张三）`) or names
    alone (`（张三）`, `（张三 李四）`); a bracket naming an outlet, a photo or a source is none."""
    m = _CLOSING_BRACKET.search(block[-40:])
    if not m:
        return []
    inner = m["inner"].strip()
    line = read_credit_line(inner)
    if line is not None:
        return line.authors if line.is_byline else []
    if _SIGNOFF.fullmatch(inner):
        # `（央视记者 刘骁骞）`: what precedes the reporter's title is the employer, not a second person.
        return signoff_authors(inner) or []
    parts = split_names(inner)
    if not 1 <= len(parts) <= _MAX_CLOSING_NAMES or _PHOTO_WORD.search(inner):
        return []
    if all(_BRACKET_NAME.fullmatch(p) and _looks_like_name(p) and not _is_outlet(p) for p in parts):
        return parts
    return []


def trailing_credit(block: str) -> list[str]:
    m = _TRAILING_CREDIT.search(block[-40:])
    return split_names(m["names"]) if m else []


# --- `label：value` credit lines ------------------------------------------------------------

_DATE_SPAN = re.compile(
    YMD_NUMERIC.pattern + r"|" + YMD_CN.pattern.replace("?P<", "?P<cn_")
    + r"(?:\s*(?:\d{1,2}[:：︰]\d{2}(?:[:：︰]\d{2})?))?"
    + r"|(?<!\d)\d{1,2}[-/月]\d{1,2}日?\s+\d{1,2}:\d{2}(?::\d{2})?|(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])"
)
_SENTENCE = re.compile(r"[。！？!?]|[，,].{12}")
_VALUE_TRIM = " \t:：︰|｜/／╱,，;；、·•・-—_《》" + _OPEN + _CLOSE
# What ends an outlet's name inside a source value: a channel, a byline, a note (`人民网-文化频道`,
# `人民网 原创稿`, `游民星空[整理]`).
# `微信「捌零记」`, `微信「晒爱思PsyEyes」`: the platform, then the account in brackets.
_PLATFORM = re.compile(r"^(?:微信公众号|微信公眾號|公众号|公眾號|微信订阅号|订阅号|訂閱號|头条号|頭條號|微信(?=\s*[「『“]))\s*[:：︰]?\s*")
# `上報 Up Media`, `香港經濟日報HKET`: a brand set apart, or a short acronym; a Latin word glued on is part
# of the name (`晒爱思PsyEyes`, `凤凰WEEKLY`).
_LATIN_TAIL = re.compile(rf"(?<=[{_CJK}]{{2}})(?:\s+[A-Za-z][A-Za-z .&'\-]*|[A-Z]{{2,5}})$")
_LATIN_HEAD = re.compile(rf"^[A-Za-z][A-Za-z.&'\-]*(?:\s+[A-Za-z][A-Za-z.&'\-]*)*\s+(?=[{_CJK}]{{2}})")


def without_latin_head(name: str) -> str:
    """`Apple Daily 蘋果日報` → `蘋果日報`: a bilingual name's Chinese part."""
    return _LATIN_HEAD.sub("", name)
# Markdown strikethrough (`~~`) around a linked title also ends the name before it.
_OUTLET_END = re.compile(
    rf"\s*[-–—_|｜·•/／\[【（(“”「」:：︰，,~]|(?<=[{_CJK}])\s+(?=[{_CJK}])"
    # A date or a counter printed after the name (`某某日报 2024-01-02`, `某某网 12`), the home link and
    # the copyright claim glued on (`X新闻网首页`, `X日报社版权所有`).
    rf"|\s*(?:19|20)\d\d\s*[-/.年]\s*\d|(?<=[{_CJK}])\s+\d|(?<=[{_CJK}]{{2}})(?:首页|首頁|版权所有|版權所有)$"
)
# A copyright mark and its years before the name (`© 2024 某某日报`, `Copyright 2005-2024 X`).
_COPYRIGHT_HEAD = re.compile(r"^(?:copyright|©|\(c\))\s*(?:©\s*)?(?:(?:19|20)\d\d(?:\s*[-–—~]\s*(?:19|20)\d\d)?)?\s*", re.I)


@dataclass(slots=True)
class CreditLine:
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    chief_editor: bool = False
    sources: list[str] = field(default_factory=list)
    date: str | None = None
    roles: set[str] = field(default_factory=set)
    # Whatever precedes the first label when it is not a date: an outlet that prints its name before
    # the byline (`证券时报网作者：李在山`).
    lead: str | None = None

    @property
    def is_byline(self) -> bool:
        """A line naming only writers (translators, photographers): printed as the article's byline, so body."""
        return bool(self.roles & {"author", "translator"}) and self.roles <= {"author", "translator", "photo"}


_GLUED_LABEL_CHARS = 3


def outlet_part(value: str) -> str:
    """The outlet's name in a source value, cut before any channel, byline or note."""
    value = _COPYRIGHT_HEAD.sub("", _BULLET.sub("", value).strip(_VALUE_TRIM)).strip(_VALUE_TRIM)
    m = _LABEL.match(value)
    if m and _LABEL_ROLE[m["label"]] == "source" and (m["sep"] or len(m["label"]) >= _GLUED_LABEL_CHARS):
        # `来源：人民网-文化频道`, as some pages fill their og:site_name; `本文来源于国家统计局`: a
        # label of three or more characters is a credit phrase even glued to the name.
        value = value[m.end() :]
    # `本文来自微信公众号：[硅星人Pro]`: the account is the outlet, not the platform.
    value = _PLATFORM.sub("", value.strip(_VALUE_TRIM + "*~")).strip(_VALUE_TRIM + "“”\"'*~")
    for m in _LABEL.finditer(value):
        if m.start() > 0 and (m["sep"] or m["label"] in _BARE):
            value = value[: m.start()]
            break
    m = _OUTLET_END.search(value)
    if m and m.start() >= 2:
        value = value[: m.start()]
    # `香港經濟日報HKET`, `上報 Up Media`: a Chinese name keeps its own form, not the Latin brand after it.
    value = _LATIN_TAIL.sub("", value)
    return value.strip(_VALUE_TRIM + "*~")


def _editor_name(value: str) -> str | None:
    # `杨倩_NF4425`: portals append the editor's staff code.
    value = re.sub(r"_[A-Za-z]{0,4}\d+\b", "", value).strip(_VALUE_TRIM + "#＃*")
    if not value or _SENTENCE.search(value) or value.startswith(("部", "們", "们")):
        return None
    if not re.fullmatch(r"[A-Za-z .'\-]+", value):
        # `编辑/尚燕 采访/常春`: the editor is the first name; the rest are other credits.
        value = re.split(r"[\s，,;；]+", value)[0].strip(_VALUE_TRIM)
    return value if 0 < len(value) <= 20 else None


# Bullets and rules that open a credit line: `■記者蔡少玲`, `—— 编辑：X`.
_BULLET = re.compile(r"^[\s■□●○◆◇▲△▼▽★☆※◎•▌｜|—–\-]+")
def _read_source(value: str, found: CreditLine, bare: bool = False) -> bool:
    """`来源：人民网-文化频道`, `原文来自好奇心日报：~~标题~~`: the outlet, and whatever note follows it.

    A note after the name (the original's title, a channel) is allowed when the name is plainly an
    outlet's: one the registry knows, one that ends like an outlet, or a WeChat account."""
    outlet = outlet_part(value)
    if not outlet or len(outlet) > 24 or re.search(r"[，,。；;！？]", outlet):
        return False
    tail = value.strip(_VALUE_TRIM + "“”\"'*~").removeprefix(outlet).strip(_VALUE_TRIM + "“”\"'*~")
    # After a bare label (`原创不易，请点赞`) any note makes the name doubtful.
    plain = not tail or (not bare and len(value) <= 40 and not _SENTENCE.search(value))
    # `原文来自财经E法：~~标题~~`: a name the original's title follows after a colon.
    after = value.strip(_VALUE_TRIM + "“”\"'*~").removeprefix(outlet).lstrip(" *~」』》”")
    titled = not bare and after[:1] in {"：", "︰", ":"}
    named = looks_like_outlet(outlet) or _ACRONYM.fullmatch(outlet) or load_registry().find_in(outlet)
    if not (plain or titled or named or _PLATFORM.match(value)):
        return False
    found.roles.add("source")
    if not _SOURCE_LIST.search(value[: len(outlet) + 8]):
        found.sources.append(outlet)
    else:
        # `信息来源：A研究院、B研究院等` names several sources, none of them the outlet; unless they all
        # are one outlet's outputs (`新京报网站、新京报微信公号`).
        shared = _shared_outlet(value)
        if shared:
            found.sources.append(shared)
    return True


def _shared_outlet(listed: str) -> str | None:
    """The outlet every item of a `、` list begins with (`新京报网站、新京报微信公号` → 新京报), if it names one."""
    items = [item.strip(_VALUE_TRIM + "*~") for item in listed.split("、") if item.strip(_VALUE_TRIM + "*~")]
    if len(items) < 2:
        return None
    shared = items[0]
    for item in items[1:]:
        while not item.startswith(shared):
            shared = shared[:-1]
    if len(shared) >= 2 and (looks_like_outlet(shared) or load_registry().by_name(shared)):
        return shared
    return None


_OUTLET_LIKE = re.compile(vocab.section_pattern("outlet_suffix") + r"$", re.IGNORECASE)
_BRACKET_TAG = re.compile(r"^[【\[][^【】\[\]]{1,8}[】\]]$")


def looks_like_outlet(text: str) -> bool:
    """A short name that ends like an outlet's (`证券时报网`, `东森新闻云` does not, `IT之家` does)."""
    return 2 <= len(text) <= 16 and bool(_OUTLET_LIKE.search(text)) and not _SENTENCE.search(text)


def date_in(line: str) -> str | None:
    """The date (with its time, when printed) a short line states: `2019-09-07 15:10:53 来源：…`."""
    for m in _DATE_SPAN.finditer(line):
        if re.search(r"年|\d{4}", m.group(0)):
            date = parse_any_date(m.group(0))
            if date:
                return date
    return None


# Magazines put the role after the name: `《财经》记者 甲 乙 实习生丙 | 文`, `丁 | 编辑` (caijing.com.cn),
# `记者杨建伟／文`, `沈佳音／编辑` (vistastory.com). The escaped markdown pipe (`\|`) is a pipe.
_REVERSED = re.compile(
    r"^(?P<names>[^|｜丨/／╱:：︰]{2,60}?)\s*\\?[|｜丨/／╱]\s*(?P<label>"
    + vocab.alternation(frozenset(w for w, r in _LABEL_ROLE.items() if r in {"author", "editor", "chief_editor"}))
    + r")$"
)
_OUTLET_BEFORE_ROLE = re.compile(rf"^\S{{0,12}}?(?:{_REPORTER})\s*[:：︰]?\s*(?=\S)")


def _reversed_credit(line: str) -> CreditLine | None:
    m = _REVERSED.match(line.strip("*_ "))
    if not m:
        return None
    role = _LABEL_ROLE[m["label"]]
    value = m["names"].strip(_VALUE_TRIM + "*_")
    found = CreditLine(roles={role})
    if role == "author":
        names = _author_names(_OUTLET_BEFORE_ROLE.sub("", value, count=1))
        if not names:
            return None
        found.authors = names
    else:
        found.editor = _editor_name(value)
        if found.editor is None or not _looks_like_name(found.editor):
            return None
        found.chief_editor = role == "chief_editor"
    return found


def read_credit_line(text: str, max_chars: int = 120, lenient: bool = False) -> CreditLine | None:
    """The credits a short line states, or None when the line is not (only) credits.

    `2023-03-05 10:21 来源：人民网 作者：张三` gives the date, the source and the author;
    `证券时报网作者：李在山` gives the author, and the outlet as `lead`. Strict (body lines): every
    item must read as a credit. Lenient (the header lines between a page's title and its body, where
    credits share a line with share buttons and counters): items that do not read are skipped.
    """
    line = _BULLET.sub("", text).strip()
    if not line or len(line) > max_chars:
        return None
    reversed_credit = _reversed_credit(line)
    if reversed_credit is not None:
        return reversed_credit
    account_header = _account_header(line)
    if account_header is not None:
        return account_header
    found = CreditLine()
    date = _DATE_SPAN.search(line)
    if date and re.search(r"年|\d{4}", date.group(0)):
        found.date = parse_any_date(date.group(0))
    rest = _DATE_SPAN.sub(" ", line) if date else line
    byline = _SLASH_BYLINE.match(rest.strip())
    if (
        byline
        and (re.match(r"\s|$", rest.strip()[byline.end() :]) or byline.group(0)[-1].isspace())
        # Names alone before the slash; labelled ones (`編譯茅毅、記者謝守真／綜合報導`) are read as labels
        # (a name ending in 文, `陈熙文`, holds no label 文: see below).
        and not any(_is_label_at(m, rest.strip()) for m in _LABEL.finditer(rest.strip()[: byline.start("names") + len(byline["names"])]))
    ):
        # `鄭惟仁 鍾建剛／編譯 發布時間：…`, `楊智家／綜合報導 2023-08-25`: a byline closed by its
        # verb opens the line (the verb may also be a label, 編譯, whose value it is not).
        names = _names_only(byline["names"])
        if names:
            found.authors.extend(names)
            found.roles.add("author")
            rest = rest.strip()[byline.end() :]
    items = [m for m in _LABEL.finditer(rest) if _is_label_at(m, rest)]
    if not items:
        return found if found.roles and not rest.strip(_VALUE_TRIM) else None
    lead = rest[: items[0].start()].strip(_VALUE_TRIM)
    if lead:
        if looks_like_outlet(lead):
            found.lead = lead
        elif not lenient and not _BRACKET_TAG.match(rest[: items[0].start()].strip()):
            # `资金来源：…`, `原作者…`: the label is part of a longer word.
            return None
    for i, m in enumerate(items):
        end = items[i + 1].start() if i + 1 < len(items) else len(rest)
        value = rest[m.end() : end]
        # A bracketed credit closes with its bracket: `（作者：张三）正文…` is not all credit. A bracket
        # the value opens itself (`「界面新闻」：…`) is the value's own.
        close = re.search(f"[{re.escape(_CLOSE)}]", value)
        own = close is not None and re.search(f"[{re.escape(_OPEN)}]", value[: close.start()])
        if close and not own and value[close.end():].strip(_VALUE_TRIM):
            if not lenient:
                return None
            value = value[: close.start()]
        role = _LABEL_ROLE[m["label"]]
        if role == "author":
            # `作者：陳大文（香港中文大學教授）`: the writer's title or affiliation in brackets after the name
            # (trimming would leave its opening bracket on the name).
            value = _TRAILING_NOTE.sub("", value.strip())
        # A two-character label without a colon is also an everyday word (`原创不易`, `记者问`); longer
        # bare labels are phrases only credits use (`原文来自`, `本文来自`).
        loose = not m["sep"] and len(m["label"]) <= 2
        nxt = items[i + 1] if i + 1 < len(items) else None
        if (
            role == "author"
            and m["label"] not in _REPORTER_WORDS
            and nxt is not None
            and nxt["label"] in _BARE
            and re.search(rf"[{_CJK}A-Za-z》」』]$", value)
        ):
            # `采写：南都见习记者 林子沛`, `文/新华社记者 张三`: what runs into a reporter's title is
            # the reporter's outlet, not a writer. A reporter's own value is a person: `记者 张三 通讯员 李四`.
            found.roles.add(role)
            outlet = value.strip(_VALUE_TRIM)
            if looks_like_outlet(outlet) or load_registry().find_in(outlet):
                found.sources.append(outlet)
            continue
        if role == "author" and m["label"] not in _REPORTER_WORDS:
            # `文丨政能亮特约评论员 韩涵`, `文/新华社记者 张三`: a column or outlet before a reporter's
            # title, under a writing label, is where the writer works, not a second writer.
            value = _COLUMN_BEFORE_ROLE.sub("", value.strip(_VALUE_TRIM), count=1)
        if not _read_item(role, value.strip(_VALUE_TRIM), found, bare=loose) and not lenient:
            return None
    return found if found.roles or found.date else None


def _is_label_at(m: re.Match[str], text: str) -> bool:
    """Whether a label match credits: a bare label only if it may stand bare, none glued to a Latin word."""
    if not m["sep"] and m["label"] not in _BARE:
        return False
    if m.start() and re.match(r"[A-Za-z0-9]", text[m.start() - 1]):
        return False
    # `記者：陳大文 攝影：李小明`: a name (or word) ending in 文 is not followed by the label 文.
    return not (m["label"] == "文" and m.start() and re.match(f"[{_CJK}]", text[m.start() - 1]))


_REPORTER_WORDS = vocab.words("reporter")
_TRAILING_NOTE = re.compile(rf"(?<=[{_CJK}A-Za-z])\s*[（(][^（）()]{{1,30}}[）)]$")

# A WeChat article's header, kept when its posts are re-published: `原创 作者 [作者…] 公众号`, the writers
# (a role such as 编译 may follow a name) and last the account that published it. Seen on
# sina.com.cn (`原创： 路闻卓立编译 人民币交易与研究`) and terminus2049 (`原创 俞琴 黎诗韵 财经E法`).
_ACCOUNT_HEADER = re.compile(
    rf"^原创\s*[:：︰]?\s*(?P<names>(?:[{_CJK}]{{2,4}}?(?:{_VERB})?\s+){{1,4}})(?P<account>[{_CJK}A-Za-z0-9]{{2,20}})$"
)


def _account_header(line: str) -> CreditLine | None:
    m = _ACCOUNT_HEADER.match(line)
    if not m:
        return None
    names = [re.sub(rf"{_VERB}$", "", n) for n in m["names"].split()]
    if not all(_looks_like_name(n) for n in names) or looks_like_outlet(names[-1]):
        return None
    # Roles: the writers' header is printed as part of the article (a byline), the account is its source.
    return CreditLine(authors=names, sources=[m["account"]], roles={"author"})
_COLUMN_BEFORE_ROLE = re.compile(rf"^[{_CJK}A-Za-z]{{2,10}}?(?:{_REPORTER})\s*[:：︰]?\s*(?=\S)")


def _read_item(role: str, value: str, found: CreditLine, bare: bool = False) -> bool:
    """Record one `label：value` item; False when the value is not what the label announces."""
    if not value:
        # A date label's value was read as the line's date; `来源：` with the name elsewhere credits nothing.
        return role == "date"
    if role == "source" and len(value) >= 2:
        return _read_source(value, found, bare)
    if len(value) > 40 or _SENTENCE.search(value) or (bare and (len(value) < 2 or re.search(r"[，,。；;！？]", value))):
        return False
    if role == "author":
        names = _author_names(value, bare)
        if names is None:
            if looks_like_outlet(value) or _ACRONYM.fullmatch(value):
                # `文｜工商時報`, `圖文／CTWANT`: an outlet credited as the writer. A compiled report's list
                # (`文：《华盛顿邮报》、中央社`) names no one outlet, as a source list does not.
                if not _SOURCE_LIST.search(value):
                    found.sources.append(value)
                elif shared := _shared_outlet(value):
                    found.sources.append(shared)
                found.roles.add("source")
                return True
            return False
        found.authors.extend(names)
    elif role in {"editor", "chief_editor"} and _VERB_END.search(value):
        # `編輯 陳妍如 報導`: a name closed by a report verb is the reporter's byline.
        names = _author_names(value)
        if not names:
            return False
        found.authors.extend(names)
        role = "author"
    elif role in {"editor", "chief_editor"}:
        name = _editor_name(value)
        if name is None:
            return False
        if found.editor is None or (role == "chief_editor" and not found.chief_editor):
            found.editor, found.chief_editor = name, role == "chief_editor"
    elif role == "source":
        return _read_source(value, found)
    elif role == "date":
        found.date = found.date or parse_any_date(value)
    found.roles.add(role)
    return True


_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,11}")
_SOURCE_LIST = re.compile(r"[、]|等$")
_BARE_NAMES = re.compile(rf"(?:[{_CJK}]{{2,4}}|[A-Za-z][A-Za-z .'\-]{{1,30}})(?:\s*[、\s/／&和]\s*(?:[{_CJK}]{{2,4}}|[A-Za-z][A-Za-z .'\-]{{1,30}}))*")


# `作者搜尋`, `作者文章`: a menu link or a heading after a bare label, not a writer.
_LABEL_TAILS = vocab.words("label_tail")
# `邹华 发自上海`: the place a reporter filed from closes the byline, whatever the place.
_FILED_FROM = re.compile(rf"\s*{vocab.section_pattern('filed_from')}\s*[{_CJK}A-Za-z]{{0,12}}$")


def _author_names(value: str, bare: bool = False) -> list[str] | None:
    """Writers in an author credit's value; None when the value is not a list of names.

    After a bare label (`记者张三`, no colon) only a tight list of two-to-four-character names reads
    as a byline: `记者在现场看到` is prose.
    """
    value = _LATIN_PAREN.sub("", value)
    # `X／台北報導`, `X 綜合報導`, `X纽约报道`: the place and the verb close the byline.
    value = re.sub(rf"\s*[/／╱]\s*[{_CJK}]{{0,4}}?\s*{_VERB}$|\s*(?:{_PLACE})?\s*{_VERB}$", "", value)
    value = re.sub(rf"\s*[/／╱]\s*(?:{_PLACE})$", "", value)
    value = _FILED_FROM.sub("", value)
    if bare and (not _BARE_NAMES.fullmatch(value.strip()) or value.strip() in _LABEL_TAILS):
        return None
    parts = [person(p) for p in split_names(value)]
    parts = [strip_role(p) for p in parts if p]
    if not parts:
        # Only a desk or a board (`大纪元编辑部`): a credit, naming nobody.
        return [] if _NON_NAME.search(value) else None
    if any(looks_like_outlet(p) or _ACRONYM.fullmatch(p) for p in parts):
        return None
    names = [p for p in parts if _looks_like_name(p)]
    return names if len(names) == len(parts) else None


def editor_of(block: str) -> str | None:
    """The editor named by an editor credit line (`责任编辑：林妍`, `【纠错】 责任编辑： 尹世杰`)."""
    line = read_credit_line(block, max_chars=60)
    return line.editor if line else None


def mixed_credit(block: str) -> tuple[list[str], str] | None:
    """`（特约记者：冰凌；责编：寇天力）`: a reporter and an editor on one line."""
    line = read_credit_line(block)
    if not line or not line.editor or not line.authors or line.sources:
        return None
    return line.authors, line.editor


def source_of(block: str) -> str | None:
    """The outlet a source line names (`来源：新华社`)."""
    line = read_credit_line(block, max_chars=50)
    if not line or not line.sources or line.roles - {"source", "date"}:
        return None
    return line.sources[0]


# --- Titles and captions ---------------------------------------------------------------------

_TITLE_AUTHOR = re.compile(rf"^(?P<name>[{_CJK}·‧・]{{2,6}})[：︰:]\s*\S")
# Title prefixes before a colon that are labels, sources or places, never a writer.
_TITLE_LABEL = re.compile(
    "^" + vocab.section_pattern("title_label") + "$|" + vocab.section_pattern("title_label_suffix") + "$"
)


def title_author(title: str | None) -> str | None:
    """`冯睎干：…` opinion titles name their writer before the colon."""
    if not title:
        return None
    m = _TITLE_AUTHOR.match(title)
    name = m["name"] if m else ""
    if not m or _TITLE_LABEL.search(name) or not _looks_like_name(name) or "的" in name:
        return None
    if len(name) > 3 and not re.search(r"[·‧・]", name):
        # `中央表态：…`: four characters without a middle dot are a phrase far more often than a name.
        return None
    return m["name"]


def month_day_in(text: str) -> tuple[int, int] | None:
    m = MD_CN.search(text)
    return (int(m["m"]), int(m["d"])) if m else None


_BRACKETED = re.compile(r"[（(](?P<inner>[^（）()]{2,60})[）)]")


def caption_writers(caption: str) -> list[str]:
    """Writers a picture's caption credits: `（文／摄影：张易书，地点：台湾）` names the article's writer
    too. Photographers alone (`（摄影：X）`) are not writers."""
    for m in _BRACKETED.finditer(caption):
        for part in re.split(r"[，,；;]", m["inner"]):
            if re.search(r"(?:摄|攝|摄影|攝影|供图|供圖)$", part.strip()):
                continue
            line = read_credit_line(part, lenient=True)
            if line and line.authors:
                return line.authors
    return []


# --- Header lines, meta tags, banners ---------------------------------------------------------

_BANNER = re.compile(vocab.section_pattern("banner"))


def is_banner(line: str) -> bool:
    """A page banner's date (`今天是2023年3月5日 星期日`, weather, a clock), never the article's."""
    # Banners space their words out (`氣 溫 ： 31 度`).
    return bool(_BANNER.search(re.sub(r"\s+", "", line)))


def is_date_line(line: str) -> bool:
    """A line that states a date (`2023-03-05 10:21 来源：人民网`), not a sentence or a caption that
    mentions one (`2023年9月1日，被形容為「完美風暴」的…`), nor a banner."""
    return len(line) <= 120 and not re.search(r"[。！？]|[，,].{6}", line) and not is_banner(line)


def header_credits(line: str) -> CreditLine | None:
    """Credits of one line between a page's headline and its body: labels, or a bare byline."""
    found = read_credit_line(line, lenient=True)
    if found is not None:
        return found
    stripped = line.strip()
    m = _SLASH_BYLINE.fullmatch(stripped) or _BYLINE_PAREN.fullmatch(stripped) or _SIGNOFF.fullmatch(stripped)
    names = [strip_role(n) for n in split_names(m["names"])] if m else []
    names = [n for n in names if _looks_like_name(n) and n not in _LABEL_TAILS] or desk_byline(stripped)
    if m or names:
        return CreditLine(authors=names, roles={"author"})
    return None


_EDITOR_ANYWHERE = re.compile(
    vocab.section_pattern("label", "chief_editor") + rf"\s*[:：︰｜|]\s*(?P<name>[{_CJK}A-Za-z0-9·‧]{{1,20}})"
)


def editor_anywhere(line: str) -> str | None:
    """A `责任编辑：X` credit anywhere on a page (sites print it below the article, outside the body)."""
    m = _EDITOR_ANYWHERE.search(line)
    return m["name"].strip() if m else None


_BY = re.compile(r"^(?:by|作者|文|記者|记者)\s*[:：︰]?\s*", re.IGNORECASE)
_EDITOR_BEFORE = re.compile(vocab.alternation(vocab.words("label", "editor") | vocab.words("label", "chief_editor")) + r"\s*[:：︰｜|/／]?\s*$")


_BAR = re.compile(r"\s*[|｜]\s*")


def meta_authors(values: list[str], site_names: list[str]) -> tuple[list[str], list[str]]:
    """Writers named by author meta tags or JSON-LD, and outlets named there instead (an account
    that re-posts a wire story names the wire: `author: 新华社`). The site's own name and desks go."""
    sites = {re.sub(r"\W+", "", n).lower() for n in site_names if n}
    names: list[str] = []
    outlets: list[str] = []
    for value in values:
        if "@" in value or "http" in value:
            continue
        # `张三 | 某某日报`: a writer and the site, set apart by a bar.
        for piece in (p for p in _BAR.split(value) if p.strip()):
            line = header_credits(piece) if _LABEL.search(piece) else None
            parts = line.authors if line else [strip_role(p) for p in split_names(_BY.sub("", piece.strip()))]
            for part in parts:
                folded = re.sub(r"\W+", "", part).lower()
                if not folded or folded in sites:
                    continue
                if _is_outlet(part) or load_registry().find_in(part):
                    outlets.append(part)
                elif _looks_like_name(part):
                    names.append(part)
    return names, outlets


def element_author(texts: list[str]) -> str | None:
    """The writer a page's author element names (`<span class="author">紀曉風</span>`), when every such
    element holding a bare name names the same one: several names are a list (comments, columnists)."""
    names: set[str] = set()
    for text in (collapse_space(t) for t in texts):
        if re.fullmatch(f"[{_CJK}]{{2,3}}", text):
            if text not in _LABEL_ROLE and _looks_like_name(text) and not _is_outlet(text):
                names.add(text)
            continue
        # `作者 : 林海`: the element holds a credit line.
        line = read_credit_line(text) if len(text) <= 40 else None
        if line is not None and line.is_byline:
            names.update(line.authors)
    return names.pop() if len(names) == 1 else None


def collapse_space(text: str) -> str:
    return " ".join(text.split())


def printed_as_writer(name: str, text: str) -> bool:
    """Whether the page prints the name other than as an editor's credit (CMS author tags often
    hold the web editor: `<meta name=author content=X>` … `编辑：X`)."""
    at = text.find(name)
    while at >= 0:
        if not _EDITOR_BEFORE.search(text[max(0, at - 8) : at]):
            return True
        at = text.find(name, at + len(name))
    return False


# `…處1年以下有期徒刑。（編輯：李亨山）1120823`: a bracketed credit run into the last paragraph,
# sometimes followed by the wire's story code.
_TRAILING_BRACKET = re.compile(r"[（(](?P<inner>[^（）()]{2,40})[）)]\s*[0-9A-Za-z]{0,12}\s*$")


def trailing_bracket_credit(block: str) -> tuple[CreditLine, str] | None:
    """A credit in brackets closing a paragraph, and the paragraph without it."""
    m = _TRAILING_BRACKET.search(block[-60:])
    if not m:
        return None
    line = read_credit_line(m["inner"])
    if line is None or not line.roles:
        return None
    start = len(block) - len(block[-60:]) + m.start()
    return line, block[:start].rstrip()


_FURNITURE = re.compile(vocab.section_pattern("furniture"))
_DATE_LABEL = re.compile(vocab.section_pattern("label", "date") + r"\s*[:：︰]?")
_UNLABELLED_JUNK = re.compile(r"[，,。！？|｜]|[:：︰].{8}")


def _has_label(text: str) -> bool:
    return any(m["sep"] or m["label"] in _BARE for m in _LABEL.finditer(text))


def date_line_remainder(line: str) -> str:
    """What a header line prints besides its date: `华夏人文 2020-03-09 18:14:21` → `华夏人文`."""
    return _DATE_LABEL.sub(" ", _DATE_SPAN.sub(" ", line)).strip(_VALUE_TRIM)


def unlabelled_credit(text: str, allow_person: bool) -> tuple[str, str] | None:
    """A name printed next to the date under a headline, without a label: ("outlet", name) for
    an outlet or an account (`华夏人文`, `证券时报网`), ("author", name) for a person (`洪毅`)."""
    whole = text.strip(_VALUE_TRIM)
    text = outlet_part(text)
    if not 2 <= len(text) <= 16 or _UNLABELLED_JUNK.search(whole) or _FURNITURE.search(text):
        return None
    if _has_label(text) or is_banner(text):
        return None
    if looks_like_outlet(text) or load_registry().find_in(text):
        return "outlet", text
    if re.search(r"\d", text):
        return None
    if allow_person and text == whole and re.fullmatch(f"[{_CJK}]{{2,3}}", text) and _looks_like_name(text):
        return "author", text
    if allow_person and re.fullmatch(rf"[{_CJK}A-Za-z]{{4,10}}", text):
        return "outlet", text
    return None
    if looks_like_outlet(text) or load_registry().find_in(text):
        return "outlet", text
    if allow_person and text == whole and re.fullmatch(f"[{_CJK}]{{2,3}}", text) and _looks_like_name(text):
        return "author", text
    if allow_person and re.fullmatch(rf"[{_CJK}A-Za-z]{{4,10}}", text):
        return "outlet", text
    return None


def front_matter_author(value: str) -> tuple[list[str], list[str]]:
    """Writers and outlets a post's `author:` field names: a credit (`記者吳婉英`, `台灣特派員鄭智仁`),
    an outlet (`IT 之家`, `Aljazeera 半岛网`, `36kr`) or a writer's own name (`不無`)."""
    value = value.strip()
    line = header_credits(value)
    if line and (line.authors or line.sources):
        return line.authors, line.sources
    if load_registry().find_in(value) or looks_like_outlet(value) or not _looks_like_name(value):
        return [], [value]
    return [value], []


# `【澎湃新闻】谢贵安：…`, `【BBC报导】…`, `【媒体报道】…`: a bracket before the headline that credits
# where the story comes from (an outlet, or a report verb), not a topic rubric (`【新冠肺炎】`, `【图集】`).
_TITLE_SOURCE = re.compile(r"^\s*[【\[](?P<inner>[^【】\[\]]{2,14})[】\]]\s*(?=\S)")
_REPORT_TAIL = re.compile(rf"(?:{_VERB})$")
_OUTLET_SUFFIXES = vocab.words("outlet_suffix")


def title_source_prefix(title: str | None) -> tuple[str, str | None] | None:
    """The headline without a source-crediting bracket that opens it, and the outlet the bracket
    names (None for a bare `【报道】`/`【媒体报道】`); None when the title opens with no such bracket."""
    if not title:
        return None
    m = _TITLE_SOURCE.match(title)
    if not m:
        return None
    inner = m["inner"].strip()
    named = _REPORT_TAIL.sub("", inner).strip()
    is_report = named != inner
    # `媒体` alone only says "the press": an outlet's ending, not an outlet.
    generic = not named or named in _OUTLET_SUFFIXES or bool(_NON_NAME.fullmatch(named))
    # A topic can end like an outlet (`【蘇拉襲台】`): without a report verb, only a known outlet credits.
    known = load_registry().by_name(named) is not None
    if not generic and (known or (is_report and (looks_like_outlet(named) or _ACRONYM.fullmatch(named)))):
        return title[m.end() :].strip(), named
    if is_report and generic:
        return title[m.end() :].strip(), None
    return None
