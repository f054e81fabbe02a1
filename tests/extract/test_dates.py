"""Publication dates as Chinese and English news writes them, in text, metadata and URLs."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdesk.extract.dates import date_from_url, make_date, parse_any_date, parse_cn_date, with_year

# --- Chinese dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2022年2月1日", "2022-02-01"),
        ("2022年02月01日", "2022-02-01"),
        ("2022 年 2 月 1 日", "2022-02-01"),
        ("2021年5月20号", "2021-05-20"),
        ("2021年5月20號", "2021-05-20"),
        ("发布时间：2022年2月1日 10:30", "2022-02-01"),
        # Chinese numerals, with 零, 〇 or ○ for zero.
        ("二零一九年十一月二十八日", "2019-11-28"),
        ("二〇二一年五月二十日", "2021-05-20"),
        ("二○二一年五月二十日", "2021-05-20"),
        ("二零二零年十二月三十一日", "2020-12-31"),
        ("二零二零年十月一日", "2020-10-01"),
        ("二零二零年一月十日", "2020-01-10"),
        ("二零二零年三月二十一日", "2020-03-21"),
    ],
)
def test_parse_cn_date(text: str, date: str) -> None:
    assert parse_cn_date(text) == date


@pytest.mark.parametrize(
    "text",
    ["2022年2月30日", "2022年13月1日", "二〇二二年二月三十日", "12月9日", "没有日期", ""],
)
def test_parse_cn_date_rejects_impossible_or_partial(text: str) -> None:
    assert parse_cn_date(text) is None


# --- Any date ----------------------------------------------------------------------------------


def test_rfc2822_gmt_is_a_utc_datetime() -> None:
    value = parse_any_date("Wed, 02 Feb 2022 02:38:07 GMT")
    assert value == "2022-02-02T02:38:07+00:00"
    stamp = dt.datetime.fromisoformat(value)
    assert stamp.utcoffset() == dt.timedelta(0)
    assert stamp.date() == dt.date(2022, 2, 2)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Wed, 02 Feb 2022 10:38:07 +0800", "2022-02-02T10:38:07+08:00"),
        ("2022-02-02T10:38:07+08:00", "2022-02-02T10:38:07+08:00"),
        ("2022-02-02T02:38:07Z", "2022-02-02T02:38:07+00:00"),
        ("2022-02-02T02:38:07.123Z", "2022-02-02T02:38:07+00:00"),
        ("2022-02-01T23:30:00-05:00", "2022-02-01T23:30:00-05:00"),
    ],
)
def test_datetime_with_zone_keeps_its_offset(text: str, value: str) -> None:
    assert parse_any_date(text) == value


def test_datetime_without_zone_invents_none() -> None:
    value = parse_any_date("2021-03-21 16:41:54")
    assert value is not None
    assert value.startswith("2021-03-21")
    stamp = dt.datetime.fromisoformat(value)
    assert stamp.tzinfo is None
    assert (stamp.hour, stamp.minute, stamp.second) == (16, 41, 54)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2022-02-01", "2022-02-01"),
        ("2022/2/1", "2022-02-01"),
        ("2022.02.01", "2022-02-01"),
        (" 2022-02-01 ", "2022-02-01"),
        ("2022年2月1日", "2022-02-01"),
        ("二零一九年十一月二十八日", "2019-11-28"),
        ("更新时间: 2022-02-01 08:00", "2022-02-01"),
        # English news.
        ("February 2, 2022", "2022-02-02"),
        ("Feb. 2, 2022", "2022-02-02"),
        ("Feb 2, 2022", "2022-02-02"),
        ("2 February 2022", "2022-02-02"),
        ("Updated: February 2, 2022 10:38 AM ET", "2022-02-02"),
    ],
)
def test_parse_any_date_day(text: str, date: str) -> None:
    value = parse_any_date(text)
    assert value is not None
    assert value[:10] == date


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "Invalid Date",
        "invalid date",
        "null",
        "undefined",
        "NaN",
        "2022年2月30日",
        "2022-02-30",
        "2022-13-01",
        "February 30, 2022",
        "不是日期",
        "1850-01-01",
    ],
)
def test_parse_any_date_rejects(text: str | None) -> None:
    assert parse_any_date(text) is None


def test_make_and_with_year() -> None:
    assert make_date(2022, 2, 1) == "2022-02-01"
    assert make_date(2022, 2, 30) is None
    assert with_year(12, 9, 2021) == "2021-12-09"
    assert with_year(12, 9, None) is None
    assert with_year(2, 29, 2021) is None


# --- Dates stamped in URLs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "date"),
    [
        ("https://www.epochtimes.com/gb/22/2/1/n13547108.htm", "2022-02-01"),
        ("https://www.epochtimes.com/b5/22/2/1/n13547108.htm", "2022-02-01"),
        ("/gb/22/2/1/n13547108.htm", "2022-02-01"),
        ("https://www.ntdtv.com/gb/2021/05/20/a103124021.html", "2021-05-20"),
        ("/2021/05/20/a103124021.html", "2021-05-20"),
        ("https://www.secretchina.com/news/gb/2022/02/07/997541.html", "2022-02-07"),
        ("http://www.xinhuanet.com/world/2019-09/05/c_1124966041.htm", "2019-09-05"),
        ("https://news.example.com/201909/05/123.html", "2019-09-05"),
        ("/201909/05/", "2019-09-05"),
        ("https://www.rfi.fr/cn/中国/20190905-香港", "2019-09-05"),
        ("http://www.gov.cn/xinwen/t20190905_123456.html", "2019-09-05"),
        ("20190905", "2019-09-05"),
        # 人民网: /n1/YYYY/MMDD/
        ("http://politics.people.com.cn/n1/2019/0905/c1001-31337433.html", "2019-09-05"),
    ],
)
def test_date_from_url(url: str, date: str) -> None:
    assert date_from_url(url) == date


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        # RFA's MMDDYYYYhhmmss stamps are unreliable: no date rather than a wrong one.
        "https://www.rfa.org/mandarin/yataibaodao/gangtai/jkdv-07262019161648.html",
        "jkdv-07262019161648.html",
        "https://www.bbc.com/zhongwen/simp/world-60219005",
        "https://www.voachinese.com/a/6423567.html",
        "https://www.epochtimes.com/gb/n13547108.htm",
        "https://example.com/2021/13/45/post.html",
        # A date-like host is not a path stamp.
        "https://20190905.example.com/post",
    ],
)
def test_no_date_from_url(url: str | None) -> None:
    assert date_from_url(url) is None
