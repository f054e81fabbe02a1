"""Publication dates in the shapes Chinese and English news uses.

Everything returns ISO 8601: `YYYY-MM-DD`, or a date-time with offset when the source
gives a time and zone. Impossible dates (`Invalid Date`, 2月30日) give None.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from email.utils import parsedate_to_datetime
from functools import lru_cache
from importlib import resources

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "〇零○Ｏ一二三四五六七八九十"

YMD_CN = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]")
YMD_CN_NUMERALS = re.compile(rf"(?P<y>[{_CN_NUM}]{{4}})年(?P<m>[{_CN_NUM}]{{1,3}})月(?P<d>[{_CN_NUM}]{{1,3}})[日号號]")
YMD_NUMERIC = re.compile(
    # A time may be glued to the date on either side: `2005.08.2605:39`, `04:102023/08/28`.
    r"(?:(?<!\d)|(?<=\d:\d\d))(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:(?!\d)|(?=\d{1,2}:\d{2}))"
    r"(?:[ T]*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_EN_MONTH = (
    r"(?P<{}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_EN_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# English news: `February 2, 2022`, `Feb. 2, 2022`, `2 February 2022`.
YMD_EN = re.compile(
    r"\b" + _EN_MONTH.format("mon") + r"\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})\b"
    r"|\b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+" + _EN_MONTH.format("mon2") + r"\.?,?\s+(?P<y2>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
# Feed and mail stamps (RFC 2822) that RSS mirrors print as the date line: `Thu, 09 Jul 2020 10:38:51 GMT`.
RFC2822_STAMP = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun),\s+\d{1,2}\s+" + _EN_MONTH.format("rfc_mon")
    + r"\s+(?:19|20)\d{2}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:gmt|ut|utc|z|[+-]\d{4})?",
    re.IGNORECASE,
)
_CN_TIME = re.compile(r"\s*(?P<H>[01]?\d|2[0-3])[:：︰](?P<M>[0-5]\d)(?:[:：︰](?P<S>[0-5]\d))?(?!\d)")
MD_CN = re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]")
# URL stamps: /2021/05/20/, /gb/22/2/1/, /20190905/, /201909/05, -20191210-
_URL_YMD = re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})(?=/|[^\d])")
_URL_YYMD = re.compile(r"/(?:gb|b5|big5|ch|cn|tw)/(?P<y>\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/")
_URL_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_URL_YM_D = re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)/(?P<d>[0-3]\d)(?!\d)")
# 人民网: /n1/2019/0905/c1001-31337433.html
_URL_Y_MD = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)/")


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS[ch]
    return value


def make_date(year: int, month: int, day: int) -> str | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if not 1990 <= date.year <= dt.date.today().year + 1:
        return None
    return date.isoformat()


def parse_cn_date(text: str) -> str | None:
    """First full date written out in Chinese (`2022年2月1日`, `二零一九年十一月二十八日`)."""
    m = YMD_CN.search(text)
    if m:
        return make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    m = YMD_CN_NUMERALS.search(text)
    if m:
        try:
            return make_date(_cn_number(m["y"]), _cn_number(m["m"]), _cn_number(m["d"]))
        except KeyError:
            return None
    return None


def parse_any_date(text: str) -> str | None:
    """A date (or date-time with offset) from free text, HTML meta or front matter."""
    text = (text or "").strip()
    if not text or text.lower() in {"invalid date", "null", "none", "nan", "undefined"}:
        return None
    iso = _parse_iso(text)
    if iso:
        return iso
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        stamp = None
    if stamp is not None:
        return _format(stamp)
    cn = parse_cn_date(text)
    if cn:
        # `2019年06月15日08:18`: portals print the time straight after the day.
        day = YMD_CN.search(text)
        m = _CN_TIME.match(text, day.end()) if day else None
        if m:
            return f"{cn}T{int(m['H']):02d}:{m['M']}:{m['S'] or '00'}"
        return cn
    m = YMD_NUMERIC.search(text)
    if m:
        return make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    m = YMD_EN.search(text)
    if m:
        month = _EN_MONTHS[(m["mon"] or m["mon2"])[:3].lower()]
        return make_date(int(m["y"] or m["y2"]), month, int(m["d"] or m["d2"]))
    return None


def _parse_iso(text: str) -> str | None:
    candidate = text.replace("Z", "+00:00")
    try:
        stamp = dt.datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if not 1990 <= stamp.year <= dt.date.today().year + 1:
        return None
    if len(text) <= 10:
        return stamp.date().isoformat()
    return _format(stamp)


def _format(stamp: dt.datetime) -> str | None:
    if not 1990 <= stamp.year <= dt.date.today().year + 1:
        return None
    if stamp.tzinfo is None:
        return stamp.isoformat(timespec="seconds") if (stamp.hour, stamp.minute) != (0, 0) else stamp.date().isoformat()
    return stamp.isoformat(timespec="seconds")


def date_from_url(url: str | None) -> str | None:
    """The date a URL path is stamped with, when it has an unambiguous one."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I)
    for pattern in (_URL_YMD, _URL_YM_D, _URL_Y_MD):
        m = pattern.search(path)
        if m:
            return make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    m = _URL_YYMD.search(path)
    if m:
        return make_date(2000 + int(m["y"]), int(m["m"]), int(m["d"]))
    m = _URL_COMPACT.search(path)
    if m:
        return make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return None


_BADGE_YEAR = re.compile(r"(?P<y>(?:19|20)\d{2})(?:\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?)?")


def calendar_badge_date(year: str, month: str | None, days: list[str]) -> str | None:
    """The date a calendar badge prints in pieces, each in its own element: the day (`21`) over
    the year and month (`2024年02月`), or month, day, weekday and year apart (`Dec` `28` `Sat` `2013`).
    `days` are the texts marked as day or date; a weekday among them is passed over."""
    y = _BADGE_YEAR.fullmatch(year.strip())
    if not y:
        return None
    month_number = int(y["m"]) if y["m"] else None
    if month_number is None and month:
        word = month.strip().rstrip("月").strip(". ")
        month_number = int(word) if word.isdigit() else _EN_MONTHS.get(word[:3].lower())
    day_number = next((int(d.strip().rstrip("日号號")) for d in days if re.fullmatch(r"\s*\d{1,2}\s*[日号號]?\s*", d)), None)
    if month_number is None or day_number is None:
        return None
    return make_date(int(y["y"]), month_number, day_number)


def with_year(month: int, day: int, year: int | None) -> str | None:
    return make_date(year, month, day) if year else None


# Chinese-language outlets print their own day: China, Hong Kong, Macau, Taiwan, Singapore and
# Malaysia all keep UTC+8.
# Labels of an update time (`更新：…`, `最后更新`, `編輯於`): a stamp they mark is not the publication's.
UPDATED = re.compile(r"更新|修改|編輯於|编辑于|updated", re.I)
_LOCAL_ZONE = dt.timezone(dt.timedelta(hours=8))
_UTC_STAMP = re.compile(r"T\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]00:?00)$", re.IGNORECASE)


def printed_dates(text: str) -> set[str]:
    """Every full date a text prints, as YYYY-MM-DD (`2021.06.22 02:00`, `2021年6月22日`)."""
    found: set[str] = set()
    for pattern in (YMD_NUMERIC, YMD_CN):
        for m in pattern.finditer(text):
            date = make_date(int(m["y"]), int(m["m"]), int(m["d"]))
            if date:
                found.add(date)
    return found


def is_utc_stamp(stamp: str) -> bool:
    return bool(_UTC_STAMP.search(stamp.strip()))


def local_day_of_utc_stamp(stamp: str, printed: set[str]) -> str | None:
    """The page's own day for a UTC meta stamp that falls on another day at UTC+8, when the page
    prints that day and not the UTC one (`2021-06-21T18:00:00Z` on a page showing `2021.06.22
    02:00`). Pages that print local time labelled as UTC (the UTC day is the one printed) keep it."""
    if not is_utc_stamp(stamp):
        return None
    try:
        moment = dt.datetime.fromisoformat(re.sub(r"Z$", "+00:00", stamp.strip(), flags=re.IGNORECASE))
    except ValueError:
        return None
    local = moment.astimezone(_LOCAL_ZONE).date().isoformat()
    utc_day = moment.date().isoformat()
    if local != utc_day and local in printed and utc_day not in printed:
        return local
    return None


def restated_in_own_zone(stamps: list[str]) -> str | None:
    """The first stamp, when it is UTC, as another of the page's stamps restates it in the site's own
    zone: WordPress pages print `article:published_time` and JSON-LD's `datePublished` in UTC and the
    `<time itemprop="datePublished">` under the headline with their offset (newslooks.com
    `2025-02-22T04:19:09+00:00` / `2025-02-21T23:19:09-05:00`, points-media.com `…T18:22:47+00:00` /
    `…T02:22:47+08:00`). The zoned stamp's day is the page's."""
    if not stamps or not is_utc_stamp(stamps[0]):
        return None
    first = _instant(stamps[0])
    if first is None:
        return None
    for stamp in stamps[1:]:
        moment = _instant(stamp)
        if moment is not None and moment == first and moment.utcoffset() != dt.timedelta(0):
            return stamp.strip()
    return None


def _instant(stamp: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(re.sub(r"Z$", "+00:00", stamp.strip(), flags=re.IGNORECASE))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@lru_cache(maxsize=1)
def publication_key_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of data/dates.toml: those a key naming the publication stamp holds, and those that
    make it another stamp (an update, an expiry)."""
    data = tomllib.loads((resources.files("newsdesk") / "data" / "dates.toml").read_text(encoding="utf-8"))
    publish = tuple(w for entry in data["meta_publish"] for w in entry["words"])
    not_publish = tuple(w for entry in data["meta_not_publish"] for w in entry["words"])
    return publish, not_publish


def names_publication(key: str) -> bool:
    """Whether a metadata key (a meta tag's name, a front-matter field) names the publication stamp:
    `firstpublishedtime`, `pubDate`, `publishDate`, `date.available`, never `lastmod` or `updated`."""
    key = key.lower()
    publish, not_publish = publication_key_words()
    return any(w in key for w in publish) and not any(w in key for w in not_publish)
