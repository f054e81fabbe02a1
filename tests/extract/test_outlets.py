"""The outlet registry: names in either script, hosts and subdomains, user extensions."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.extract import extract_capture
from newsdesk.extract.credits import outlet_part
from newsdesk.extract.outlets import Outlet, OutletRegistry, _key, bundled_outlets_path, load_registry
from tests.conftest import DEV


@pytest.fixture
def registry() -> OutletRegistry:
    return OutletRegistry.from_toml(bundled_outlets_path())


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("NEWSDESK_OUTLETS", raising=False)
    load_registry.cache_clear()
    yield
    load_registry.cache_clear()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- By URL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.epochtimes.com/gb/22/2/1/n13547108.htm", "大纪元"),
        ("https://www.epochtimes.com/b5/22/2/1/n13547108.htm", "大纪元"),
        ("https://epochtimes.com/gb/22/2/1/n13547108.htm", "大纪元"),
        ("https://i.ntdtv.com/assets/uploads/2021/05/a.jpg", "新唐人"),
        ("https://www.ntdtv.com/gb/2021/05/20/a103124021.html", "新唐人"),
        ("https://www.secretchina.com/news/gb/2022/02/07/997541.html", "看中国"),
        ("https://www.soundofhope.org/post/123", "希望之声"),
        ("https://www.minghui.org/mh/articles/2019/11/28/1.html", "明慧网"),
        ("http://www.xinhuanet.com/world/2019-09/05/c_1124966041.htm", "新华社"),
        ("https://www.rfa.org/mandarin/yataibaodao/gangtai/jkdv-07262019161648.html", "自由亚洲电台"),
        ("HTTPS://WWW.EPOCHTIMES.COM/gb/", "大纪元"),
        ("https://www.epochtimes.com:443/gb/", "大纪元"),
        ("epochtimes.com/gb/22/2/1/n13547108.htm", "大纪元"),
        # The most specific domain wins: money.udn.com is 经济日报, udn.com is 联合新闻网.
        ("https://money.udn.com/money/story/1/2.html", "经济日报"),
        ("https://udn.com/news/story/1/2", "联合新闻网"),
    ],
)
def test_by_url(registry: OutletRegistry, url: str, name: str) -> None:
    outlet = registry.by_url(url)
    assert outlet is not None
    assert outlet.name == name


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://www.example.com/news/1.html",
        # Only whole labels match: neither a longer name nor a domain used as a subdomain.
        "https://fakeepochtimes.com/gb/",
        "https://epochtimes.com.evil.example/gb/",
        "http://[::1",
    ],
)
def test_by_url_unknown(registry: OutletRegistry, url: str | None) -> None:
    assert registry.by_url(url) is None


# --- By name -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("大纪元", "大纪元"),
        ("大紀元", "大纪元"),
        ("大紀元時報", "大纪元"),
        ("Epoch Times", "大纪元"),
        ("epoch times", "大纪元"),
        ("EpochTimes", "大纪元"),
        ("新唐人", "新唐人"),
        ("NTD", "新唐人"),
        ("看中國", "看中国"),
        ("希望之聲", "希望之声"),
        ("明慧網", "明慧网"),
        ("新華社", "新华社"),
        ("  看中国 ", "看中国"),
    ],
)
def test_by_name_in_either_script(registry: OutletRegistry, query: str, name: str) -> None:
    outlet = registry.by_name(query)
    assert outlet is not None
    assert outlet.name == name


@pytest.mark.parametrize("query", [None, "", "不存在的报社", "大"])
def test_by_name_unknown(registry: OutletRegistry, query: str | None) -> None:
    assert registry.by_name(query) is None


# --- Named in a text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Aljazeera 半岛网", "半岛网"),
        ("转载自GNews", "GNews"),
        ("本文转自大紀元", "大纪元"),
        ("来源：新华社", "新华社"),
        ("据BBC报道", "BBC中文"),
        ("via The Epoch Times", "大纪元"),
        ("RFA记者报道", "自由亚洲电台"),
        # The longest name wins: 纽约时报中文网, not 纽约时报 and not the bare 时报.
        ("纽约时报中文网报道", "纽约时报中文网"),
    ],
)
def test_find_in(registry: OutletRegistry, text: str, name: str) -> None:
    outlet = registry.find_in(text)
    assert outlet is not None
    assert outlet.name == name


@pytest.mark.parametrize(
    "text",
    [
        "",
        "毫无关系的文字",
        # Latin acronyms (DW, AP, SOH, ifeng) inside ordinary words name no outlet.
        "Edward Snowden",
        "Japan Times",
        "Snapchat",
        "Kaifeng",
    ],
)
def test_find_in_nothing(registry: OutletRegistry, text: str) -> None:
    assert registry.find_in(text) is None


# --- The bundled data --------------------------------------------------------------------------


def test_bundled_names_and_domains_are_unambiguous() -> None:
    data = tomllib.loads(bundled_outlets_path().read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    domains: dict[str, str] = {}
    for entry in data["outlet"]:
        for spelling in (entry["name"], *entry.get("aliases", [])):
            owner = names.setdefault(_key(spelling), entry["name"])
            assert owner == entry["name"], f"{spelling!r} names both {owner} and {entry['name']}"
        for domain in entry.get("domains", []):
            owner = domains.setdefault(domain.lower().removeprefix("www."), entry["name"])
            assert owner == entry["name"], f"{domain!r} belongs to both {owner} and {entry['name']}"


def test_every_bundled_outlet_resolves_to_itself(registry: OutletRegistry) -> None:
    data = tomllib.loads(bundled_outlets_path().read_text(encoding="utf-8"))
    for entry in data["outlet"]:
        for spelling in (entry["name"], *entry.get("aliases", [])):
            assert registry.by_name(spelling).name == entry["name"]
        for domain in entry.get("domains", []):
            assert registry.by_url(f"https://{domain}/x").name == entry["name"]


# --- User extensions ---------------------------------------------------------------------------

USER_TOML = """
[[outlet]]
name = "测试日报"
aliases = ["測試日報", "Test Daily"]
domains = ["testdaily.example"]

# An existing name (in the other script) extends the bundled entry.
[[outlet]]
name = "大紀元"
aliases = ["Epoch Times Deutschland"]
domains = ["epochtimes.de"]
"""


def check_user_outlets(registry: OutletRegistry) -> None:
    added = registry.by_name("測試日報")
    assert added is not None
    assert added.name == "测试日报"
    assert registry.by_name("test daily") is added
    assert registry.by_url("https://news.testdaily.example/a/1.html") is added

    djy = registry.by_name("大纪元")
    assert djy is not None
    assert djy.name == "大纪元"
    assert registry.by_name("Epoch Times Deutschland") is djy
    assert registry.by_url("https://www.epochtimes.de/politik/") is djy
    # What the bundled entry knew is kept.
    assert registry.by_url("https://www.epochtimes.com/gb/") is djy
    assert registry.by_name("大紀元時報") is djy


def test_from_toml_user_file(tmp_path: Path) -> None:
    user = write(tmp_path, "mine.toml", USER_TOML)
    check_user_outlets(OutletRegistry.from_toml(bundled_outlets_path(), user))


def test_load_registry_extra_argument(tmp_path: Path, fresh_cache: None) -> None:
    user = write(tmp_path, "mine.toml", USER_TOML)
    check_user_outlets(load_registry((str(user),)))
    assert load_registry().by_name("测试日报") is None


def test_load_registry_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> None:
    assert load_registry().by_name("测试日报") is None
    user = write(tmp_path, "mine.toml", USER_TOML)
    monkeypatch.setenv("NEWSDESK_OUTLETS", str(user))
    load_registry.cache_clear()
    check_user_outlets(load_registry())


def test_load_registry_env_holds_several_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    one = write(tmp_path, "one.toml", '[[outlet]]\nname = "甲报"\ndomains = ["jia.example"]\n')
    two = write(tmp_path, "two.toml", '[[outlet]]\nname = "乙报"\ndomains = ["yi.example"]\n')
    monkeypatch.setenv("NEWSDESK_OUTLETS", os.pathsep.join([str(one), "", str(two)]))
    load_registry.cache_clear()
    registry = load_registry()
    assert registry.by_url("https://jia.example/").name == "甲报"
    assert registry.by_url("https://yi.example/").name == "乙报"
    assert registry.by_name("大纪元").name == "大纪元"


def test_user_entry_may_claim_a_domain(tmp_path: Path) -> None:
    user = write(tmp_path, "mine.toml", '[[outlet]]\nname = "美国之音粤语"\ndomains = ["voacantonese.com"]\n')
    registry = OutletRegistry.from_toml(bundled_outlets_path(), user)
    assert registry.by_url("https://www.voacantonese.com/a/1.html").name == "美国之音粤语"
    assert registry.by_url("https://www.voachinese.com/a/1.html").name == "美国之音"


def test_add_extends_existing_entry() -> None:
    registry = OutletRegistry([Outlet("看中国", ["看中國"], ["secretchina.com"])])
    registry.add(Outlet("看中國", ["Secret China"], ["kanzhongguo.com"]))
    outlet = registry.by_name("secret china")
    assert outlet is registry.by_name("看中国")
    assert outlet.name == "看中国"
    assert outlet.aliases == ["看中國", "Secret China"]
    assert outlet.domains == ["secretchina.com", "kanzhongguo.com"]
    assert registry.by_url("https://www.kanzhongguo.com/x") is outlet


def test_a_single_alias_string_is_one_alias(tmp_path: Path) -> None:
    user = write(
        tmp_path, "mine.toml", '[[outlet]]\nname = "测试日报"\naliases = "Test Daily"\ndomains = "testdaily.example"\n'
    )
    registry = OutletRegistry.from_toml(user)
    assert registry.by_name("Test Daily").name == "测试日报"
    assert registry.by_name("T") is None
    assert registry.by_url("https://testdaily.example/").name == "测试日报"


# --- Helpful errors ----------------------------------------------------------------------------


def test_entry_without_name_is_a_helpful_error(tmp_path: Path) -> None:
    user = write(
        tmp_path,
        "mine.toml",
        '[[outlet]]\nname = "测试日报"\n\n[[outlet]]\naliases = ["Nameless Daily"]\ndomains = ["nameless.example"]\n',
    )
    with pytest.raises(ValueError, match="name") as info:
        OutletRegistry.from_toml(user)
    message = str(info.value)
    assert "mine.toml" in message
    # Which entry: the user can find it in a long file.
    assert "Nameless Daily" in message or "nameless.example" in message


def test_single_bracket_table_is_a_helpful_error(tmp_path: Path) -> None:
    user = write(tmp_path, "mine.toml", '[outlet]\nname = "测试日报"\n')
    with pytest.raises(ValueError, match=r"\[\[outlet\]\]") as info:
        OutletRegistry.from_toml(user)
    assert "mine.toml" in str(info.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    user = write(tmp_path, "mine.toml", '[[outlet]]\nname = "测试日报\n')
    with pytest.raises(ValueError) as info:
        OutletRegistry.from_toml(user)
    assert "mine.toml" in str(info.value)


def test_aliases_of_the_wrong_type_is_a_helpful_error(tmp_path: Path) -> None:
    user = write(tmp_path, "mine.toml", '[[outlet]]\nname = "测试日报"\naliases = 3\n')
    with pytest.raises(ValueError, match="aliases") as info:
        OutletRegistry.from_toml(user)
    assert "mine.toml" in str(info.value)


# --- An outlet's name, never a byline or channel glued on -----------------------------------------


@pytest.mark.parametrize(
    ("hint", "name"),
    [
        ("人民网-文化频道", "人民网"),  # people.com.cn
        ("人民网-人民日报", "人民网"),  # people.com.cn
        ("来源：人民网-文化频道 原创稿", "人民网"),
        ("北青网-北京青年报 北京 举报", "北青网"),  # 163.com
        ("证券时报网作者：李在山", "证券时报网"),  # stcn.com via hexun
        ("游民星空[整理]", "游民星空"),  # gamersky.com
        ("中国新闻网 王帆", "中国新闻网"),  # southcn.com
        ("上報 / 國際", "上報"),  # upmedia.mg
        ("香港經濟日報HKET", "香港經濟日報"),  # hket.com
        ("上報 Up Media", "上報"),  # upmedia.mg
        ("Aljazeera 半岛网", "Aljazeera 半岛网"),  # a Latin-led name stays whole
        ("BBC News 中文", "BBC News 中文"),
        ("DIGITIMES 科技網", "DIGITIMES 科技網"),
        ("央视新闻客户端", "央视新闻客户端"),
        ("微信「捌零记」：~~[标题](https://mp.weixin.qq.com/s/x)~~", "捌零记"),  # terminus2049 reposts
        ("微信「晒爱思PsyEyes」：", "晒爱思PsyEyes"),  # a Latin word glued on is part of the name
        ("◎凤凰WEEKLY", "凤凰WEEKLY"),  # a bullet is not
    ],
)
def test_outlet_name_is_cut_before_channel_byline_and_notes(hint: str, name: str) -> None:
    assert outlet_part(hint) == name


@pytest.mark.parametrize(
    ("path", "outlet"),
    [
        ("people__1.html", "人民网"),
        ("hexun__1.html", "证券时报网"),
        ("ifeng__ifeng.html", "东森新闻云"),
        ("001_f89465e053944e23.txt", "Aljazeera 半岛网"),
    ],
)
def test_resolved_outlet_carries_no_channel(path: str, outlet: str) -> None:
    capture = DEV / "captures" / path
    assert extract_capture(capture.read_bytes(), str(capture)).outlet == outlet


def test_the_longest_name_the_capture_prints_is_the_outlet() -> None:
    from newsdesk.extract.outlets import name_in_script

    outlet = Outlet(name="某某之声", aliases=["某某之声中文网", "MMZS"], domains=["mmzs.example"])
    assert name_in_script(outlet, "zh-Hans", "(某某之声中文网) 正文……") == "某某之声中文网"
    assert name_in_script(outlet, "zh-Hans", "某某之声报道，正文……") == "某某之声"


def test_a_wechat_article_is_not_the_portal_that_shares_its_parent_domain() -> None:
    registry = load_registry()
    assert registry.by_url("https://mp.weixin.qq.com/s?__biz=abc") is None
    assert registry.by_url("https://new.qq.com/rain/a/20240101A01") is not None
