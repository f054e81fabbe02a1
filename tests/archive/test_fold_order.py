"""Folding at the edges of its rules does not depend on arrival order.

Real captures (tests/data/dev) made to sit where the rules decide: the same text at one address
four days apart (a re-capture), re-posts three and four days after the text they copy, under the
very headline or a wrapped one, a retitled copy a day off, a flash at the page's address, a chain
that only its middle link connects, and two teasers either side of the length below which texts
are not compared. Whatever order they arrive in, the archive holds the same articles: the same
captures grouped together, under the same ids, with the same publications.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.analysis.stories import Analysis
from newsdesk.archive import Archive
from newsdesk.archive import fold as folding
from newsdesk.archive.schema import aggregate_differences
from newsdesk.archive.store import capture_hash
from newsdesk.extract import extract_capture
from tests.archive.helpers import BASE, BRIEF, add_in_order, read, without_original_url
from tests.archive.test_fold import flash, naming

HEADLINE = "北极会议登场 美俄外长首次面对面会谈"
_POST = re.compile(r'<div class="post_content".*?\n</div>\n', re.S)
# Two of the brief's items, cut to make a teaser's text just under and just over MIN_TEXT.
_BRIEF_ITEMS = "日本各党在参院选战最后周日展开消费税论战。马来西亚突然扣押中石油子公司2亿多美元。"


def dated(text: str, day: int) -> str:
    """BASE as printed on another day of May 2021 (its dateline; the address keeps its own date)."""
    assert "2021年05月20日讯" in text
    return text.replace("2021年05月20日讯", f"2021年05月{day:02d}日讯")


def headlined(text: str, headline: str) -> str:
    assert f"### {HEADLINE}" in text
    return text.replace(f"### {HEADLINE}", f"### {headline}", 1)


def teaser(chars: int) -> str:
    """The brief without its address, its text one paragraph: the dateline and `chars` characters."""
    text = _POST.sub(
        lambda m: '<div class="post_content" itemprop="articleBody">\n <p>\n'
        f"  【新唐人北京时间2019年07月15日讯】{_BRIEF_ITEMS[:chars]}\n </p>\n</div>\n",
        without_original_url(read(BRIEF)),
        count=1,
    )
    return text


def edge_captures() -> dict[str, bytes]:
    base = read(BASE)
    items = {
        "a20.md": dated(base, 20),
        # The page captured again four days later: the same text at the same address.
        "a24_recapture.md": dated(base, 24) + "\n<!-- captured again -->\n",
        # Re-posts of the text at other addresses, 3 and 4 days after a20, the second under a wrapped
        # headline: 23 is within the slack of a20 and a24; 27 of a24 only.
        "c23_repost.md": naming(dated(base, 23), "https://www.epochtimes.com/gb/21/5/23/n12966789.htm"),
        "d27_repost.md": headlined(naming(dated(base, 27), "https://gnews.org/zh-hans/3169755"), f"樱花FM┃{HEADLINE}"),
        # Mirror copies without the address: a day before a20 under a retitled headline (no slack: another
        # article), and four days before it under the very headline (beyond the slack).
        "e19_retitled.md": headlined(without_original_url(dated(base, 19)), f"{HEADLINE}（更新）"),
        "f16_mirror.md": without_original_url(dated(base, 16)),
        # A chain only its middle link connects: 16 - (18) - 20 under the same headline, another address each.
        "g18_bridge.md": naming(dated(base, 18), "https://gnews.org/zh-hans/9"),
        # A flash at the page's address, dated a week before.
        "h13_flash.md": flash(dated(base, 13)),
        # Teasers either side of MIN_TEXT: the shorter one is not compared by its text.
        "t_short.md": teaser(10),
        "t_long.md": teaser(13),
    }
    return {name: text.encode("utf-8") for name, text in items.items()}


def test_the_edge_captures_sit_at_the_edges() -> None:
    """The set tests what it says: dates 3 and 4 days apart, teasers either side of MIN_TEXT."""
    articles = {name: extract_capture(data, name) for name, data in edge_captures().items()}
    days = {name: article.published for name, article in articles.items()}
    assert days["a20.md"] == "2021-05-20" and days["a24_recapture.md"] == "2021-05-24"
    assert articles["a20.md"].original_url == articles["a24_recapture.md"].original_url
    assert days["c23_repost.md"] == "2021-05-23" and days["d27_repost.md"] == "2021-05-27"
    assert days["f16_mirror.md"] == "2021-05-16" and articles["f16_mirror.md"].original_url is None
    assert articles["g18_bridge.md"].original_url == "https://gnews.org/zh-hans/9"
    short, long_ = (len(folding.body_text(articles[name])) for name in ("t_short.md", "t_long.md"))
    assert short < folding.MIN_TEXT <= long_, (short, long_)


class _Replay:
    """Extract each capture once; ingest them in a given order into a fresh archive; describe the result."""

    def __init__(self, folder: Path) -> None:
        self.data = edge_captures()
        self.articles = {name: extract_capture(data, name) for name, data in self.data.items()}
        self.folder = folder
        self.runs = 0

    def run(self, order: list[str]) -> dict[str, Any]:
        self.runs += 1
        db = self.folder / f"order-{self.runs}.db"
        with Archive(db) as archive:
            add_in_order(archive, self.data, self.articles, order)
            ids = sorted(row.id for row in archive.list(limit=1000))
            captures, publications = archive.provenance(ids)
        conn = sqlite3.connect(db)
        try:
            article_of = {Path(path).name: article for path, article in conn.execute("SELECT path, article_id FROM captures")}
        finally:
            conn.close()
        return {
            "article of each capture": article_of,
            "captures of each article": {article: sorted(Path(p).name for p in paths) for article, paths in captures.items()},
            "publications": {
                article: sorted(
                    (pub["outlet"] or "", pub["url"] or "", pub["published"] or "", tuple(sorted(Path(p).name for p in pub["captures"])))
                    for pub in pubs
                )
                for article, pubs in publications.items()
            },
        }


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> _Replay:
    return _Replay(tmp_path_factory.mktemp("edge-orders"))


@pytest.fixture(scope="module")
def in_name_order(replay: _Replay) -> dict[str, Any]:
    return replay.run(sorted(replay.data))


def _groups(result: dict[str, Any]) -> set[frozenset[str]]:
    return {frozenset(names) for names in result["captures of each article"].values()}


def test_the_edge_captures_group_as_an_archivist_expects(in_name_order: dict[str, Any]) -> None:
    """The page and its re-capture, the flash at its address, the re-posts within the slack of any of them,
    and the mirror the bridge connects are one article; the retitled copy a day off stays apart; the two
    teasers stay apart (the shorter is not compared by its text)."""
    assert _groups(in_name_order) == {
        frozenset({"a20.md", "a24_recapture.md", "c23_repost.md", "d27_repost.md", "f16_mirror.md", "g18_bridge.md",
                   "h13_flash.md"}),
        frozenset({"e19_retitled.md"}),
        frozenset({"t_short.md"}),
        frozenset({"t_long.md"}),
    }


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.data())
def test_every_arrival_order_gives_the_same_articles_ids_and_publications(
    replay: _Replay, in_name_order: dict[str, Any], data: st.DataObject
) -> None:
    order = data.draw(st.permutations(sorted(replay.data)))
    assert replay.run(list(order)) == in_name_order


@pytest.mark.parametrize("days_apart", [4, 30])
def test_the_same_text_at_the_same_address_days_apart_is_one_article(tmp_path: Path, days_apart: int) -> None:
    """A page captured again later: whatever the dateline printed then, one article, both captures kept."""
    base = read(BASE)
    later = base.replace("2021年05月20日讯", f"2021年06月{days_apart - 11:02d}日讯") if days_apart > 11 else dated(base, 20 + days_apart)
    captures = {"first.md": base.encode(), "again.md": later.encode()}
    for order in (["first.md", "again.md"], ["again.md", "first.md"]):
        db = tmp_path / f"{order[0]}.db"
        with Archive(db) as archive:
            archive.begin()
            for name in order:
                archive.add_capture(capture_hash(captures[name]), extract_capture(captures[name], name))
            archive.commit()
            (row,) = archive.list()
            assert sorted(Path(p).name for p in archive.provenance([row.id])[0][row.id]) == ["again.md", "first.md"]


def _ingest(db: Path, captures: dict[str, bytes], order: list[str]) -> dict[str, str]:
    """capture name → the id of its article, after ingesting `order`."""
    with Archive(db) as archive:
        archive.begin()
        for name in order:
            archive.add_capture(capture_hash(captures[name]), extract_capture(captures[name], name))
        archive.commit()
        return {Path(p).name: a for a, paths in archive.provenance([r.id for r in archive.list()])[0].items() for p in paths}


def test_a_repost_elsewhere_gives_the_article_the_same_id_whichever_came_first(tmp_path: Path) -> None:
    """The id used to come from whichever capture opened the article: the re-post first, its address."""
    captures = {name: data for name, data in edge_captures().items() if name in ("a20.md", "c23_repost.md")}
    first = _ingest(tmp_path / "page-first.db", captures, ["a20.md", "c23_repost.md"])
    second = _ingest(tmp_path / "repost-first.db", captures, ["c23_repost.md", "a20.md"])
    assert len(set(first.values())) == 1
    assert first == second


def test_a_teaser_too_short_to_compare_is_not_folded_by_a_longer_one_after_it(tmp_path: Path) -> None:
    """Below MIN_TEXT a capture is not compared by its text, whether it comes first or second."""
    captures = {name: data for name, data in edge_captures().items() if name.startswith("t_")}
    for order in (["t_short.md", "t_long.md"], ["t_long.md", "t_short.md"]):
        ids = _ingest(tmp_path / f"{order[0]}.db", captures, order)
        assert ids["t_short.md"] != ids["t_long.md"], order


def test_an_id_the_article_had_before_still_finds_it(tmp_path: Path) -> None:
    """The re-post opens an article under its own address; the page at the outlet's address (the first
    address, in key order) then gives the article its id. The re-post's id still finds it."""
    captures = {name: data for name, data in edge_captures().items() if name in ("a20.md", "f16_mirror.md")}
    captures["repost.md"] = naming(dated(read(BASE), 21), "https://www.secretchina.com/news/gb/2021/05/21/1.html").encode()
    db = tmp_path / "a.db"
    before = _ingest(db, captures, ["repost.md"])["repost.md"]
    with Archive(db) as archive, archive.writing():
        Analysis(archive).update()
    after = _ingest(db, captures, ["a20.md"])["repost.md"]
    with Archive(db) as archive:
        # The kept entity counts follow the rows the rename moved (the page, now shown, is placed again).
        assert not any(aggregate_differences(archive.conn).values())
        with archive.writing():
            Analysis(archive).update()
        placed = {a for (a,) in archive.conn.execute("SELECT article_id FROM story_articles")}
        assert after in placed and before not in placed
        assert archive.conn.execute("SELECT COUNT(*) FROM mentions WHERE article_id=?", (before,)).fetchone()[0] == 0
        assert not any(aggregate_differences(archive.conn).values())
    mirror = _ingest(db, captures, ["f16_mirror.md"])["f16_mirror.md"]
    assert before != after
    with Archive(db) as archive:
        assert archive.resolve_id(before) == after
        assert archive.resolve_id(after) == after
        assert archive.article(archive.resolve_id(before[:8])).title == HEADLINE
        # The mirror, four days before the page, opened an article of its own; it is not merged yet.
        assert mirror != after


def test_a_renamed_article_keeps_its_place_in_its_story(tmp_path: Path) -> None:
    """Two mirror copies without an address: the article is named after the lesser capture hash. The copy that
    sorts first arriving second renames the article but changes nothing it shows: it stays in its story, with
    its mentions, and the kept entity counts follow it."""
    texts = [without_original_url(read(BASE)), without_original_url(read(BASE)) + "\n<!-- captured again -->\n"]
    first, second = sorted((t.encode() for t in texts), key=capture_hash, reverse=True)
    captures = {"first.md": first, "second.md": second}
    db = tmp_path / "a.db"
    before = _ingest(db, captures, ["first.md"])["first.md"]
    with Archive(db) as archive, archive.writing():
        Analysis(archive).update()
        (story,) = archive.conn.execute("SELECT story_id FROM story_articles WHERE article_id=?", (before,)).fetchone()
        mentions = archive.conn.execute("SELECT COUNT(*) FROM mentions WHERE article_id=?", (before,)).fetchone()[0]
    after = _ingest(db, captures, ["second.md"])["second.md"]
    with Archive(db) as archive:
        assert after != before and archive.resolve_id(before) == after
        assert archive.conn.execute("SELECT story_id FROM story_articles WHERE article_id=?", (after,)).fetchone() == (story,)
        assert archive.conn.execute("SELECT COUNT(*) FROM mentions WHERE article_id=?", (after,)).fetchone()[0] == mentions > 0
        assert not any(aggregate_differences(archive.conn).values())
        with archive.writing():
            assert Analysis(archive).update() == 0
