"""Publications (one outlet's address of an article) and the republication network (`newsdesk copies`).

Real captures: the seeds (examples/), the stories-dev reports (GNews re-posts of its own articles
under `樱花FM┃`/`有声｜` headlines at new addresses) and the stories-own variants (a mirror site's
copies of 001 and of a GNews article, Taiwanese re-reports of 000 and 004), run through the
commands a user runs (in process: what reaches a terminal from a real process is tests/test_cli_errors.py's).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from newsdesk.archive import Archive
from newsdesk.archive import fold as folding
from newsdesk.archive.export import read_export
from newsdesk.archive.publications import edition_key
from newsdesk.archive.schema import MIGRATIONS
from tests.console import invoke_newsdesk

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
STORIES = REPO / "tests" / "data" / "stories-dev" / "captures"
VARIANTS = REPO / "bench" / "data" / "stories-own" / "variants"
SCHEMA5 = REPO / "tests" / "data" / "archive" / "schema5.sql.gz"


def newsdesk(*args: str | Path) -> str:
    result = invoke_newsdesk(*args, columns=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- addresses and headlines -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.ntdtv.com/gb/2021/05/20/a103124021.html", "https://www.ntdtv.com/b5/2021/05/20/a103124021.html"),
        ("https://www.epochtimes.com/gb/22/2/1/n13547108.htm", "http://m.epochtimes.com/b5/22/2/1/n13547108.htm"),
        ("https://www.example.com/news/2022/02/02/blinken-lavrov", "https://www.example.com/news/2022/02/02/blinken-lavrov/amp"),
        ("https://www.bbc.com/zhongwen/simp/world-60234567", "https://www.bbc.com/zhongwen/trad/world-60234567"),
        ("https://www.zaobao.com.sg/realtime/china/story20220202-1234567", "https://amp.zaobao.com.sg/realtime/china/story20220202-1234567"),
        ("https://gnews.org/zh-hans/2617793/", "https://gnews.org/zh-hant/2617793/?utm_source=twitter"),
        ("https://news.example.com/2022/02/02/blinken/index.html", "https://news.example.com/2022/02/02/blinken/"),
        ("https://www.example.com/article.php?id=77&variant=zh-tw", "https://example.com/article.php?id=77&variant=zh-cn"),
        ("https://www.example.com/news/a-1234.amp.html", "https://www.example.com/news/a-1234.html"),
    ],
)
def test_editions_of_one_address_have_one_edition_key(a: str, b: str) -> None:
    assert edition_key(a) is not None and edition_key(a) == edition_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.ntdtv.com/gb/2021/05/20/a103124021.html", "https://www.ntdtv.com/gb/2021/05/20/a103124077.html"),
        ("https://www.example.com/article.php?id=77", "https://www.example.com/article.php?id=78"),
        ("https://gnews.org/zh-hans/2617793/", "https://gnews.org/zh-hans/2623570/"),
        # Regional sections are not script editions: /cn/ and /tw/ may carry other texts.
        ("https://www.rfi.fr/cn/中国/20220202-article", "https://www.rfi.fr/tw/中国/20220202-article"),
    ],
)
def test_other_pages_keep_other_edition_keys(a: str, b: str) -> None:
    assert edition_key(a) != edition_key(b)


def test_home_and_section_pages_have_no_edition_key() -> None:
    assert edition_key("https://m.ntdtv.com/gb/") is None
    assert edition_key("https://www.bbc.com/zhongwen/simp") is None
    assert edition_key(None) is None


@pytest.mark.parametrize(
    ("wrapped", "core"),
    [
        ("樱花FM┃中共指责布林肯对华政策演讲 散布虚假信息渲染中共威胁论", "中共指责布林肯对华政策演讲 散布虚假信息渲染中共威胁论"),
        ("有声｜美欧加大对俄制裁力度 直接针对普京", "美欧加大对俄制裁力度 直接针对普京"),
        ("【G时新闻】古特雷斯会见普京 同意疏散平民", "古特雷斯会见普京 同意疏散平民"),
        ("转载：布林肯与俄外长通话 敦促普京撤军", "布林肯与俄外长通话 敦促普京撤军"),
        ("布林肯与俄外长通话 敦促普京撤军 - 新唐人电视台", "布林肯与俄外长通话 敦促普京撤军"),
        # A wrapper holding a number is part of what the headline says (which day's brief).
        ("【7月15日】国际新闻简讯", "【7月15日】国际新闻简讯"),
        # Nothing left to compare: kept whole.
        ("樱花FM┃简讯", "樱花FM┃简讯"),
    ],
)
def test_headline_core_strips_re_post_wrappers(wrapped: str, core: str) -> None:
    assert folding.headline_core(wrapped) == core


def test_wrapped_headlines_agree_and_briefs_of_other_days_do_not() -> None:
    assert folding.title_similarity("樱花时政┃古特雷斯会见普京 同意疏散平民", "樱花FM┃古特雷斯会见普京 同意疏散平民") == 1.0
    assert folding.titles_agree("有声｜美欧加大对俄制裁力度 直接针对普京", "美欧加大对俄制裁力度 直接针对普京")
    assert not folding.titles_agree("【新唐人】7月14日国际新闻简讯", "【新唐人】7月15日国际新闻简讯")


# --- the archive -------------------------------------------------------------------------------

# The captures read for these tests, and what reading them showed:
# - 001 (Aljazeera 半岛网, 2022-02-02T02:38:07Z, no address) and v02 (环球时事镜像's copy at
#   mirror.example-news.net, the same text and time): one article, Aljazeera first, lag 0.
# - gna_1851114 (GNews, gnews.org/articles/1851114, 2023-10-18T17:47Z), v06 (its traditional-script
#   copy at the same address) and v07 (环球时事镜像's copy, the same time): one article, two publications.
# - six stories-dev pairs: GNews articles re-posted by GNews at another address under `樱花FM┃`,
#   `有声｜` or the same headline, undated: one article each, two GNews publications, no lag.
# - 000 and 001 report one event in different words: two articles.
# - v01 re-reports 000 (大紀元, the same day, at tw.example-news.com): one article; on a tie of days the
#   publication on the outlet's own site (epochtimes.com, by the registry) is listed first.
VARIANT_NAMES = ("v01_000_tw_rereport.html", "v02_001_rewrapped.html", "v06_gna_1851114_s2tw.md",
                 "v07_gna_1851114_rewrapped.html")
REPOSTS = [("gn_2067946.md", "gn_2069261.md"), ("gn_2417919.md", "gn_2445006.md"), ("gn_2420649.md", "gn_2447426.md"),
           ("gn_2420877.md", "gn_2447496.md"), ("gn_2617793.md", "gn_2623570.md"), ("gn_2622601.md", "gn_2625697.md")]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("network")
    captures = folder / "in"
    shutil.copytree(EXAMPLES, captures / "examples")
    shutil.copytree(STORIES, captures / "stories")
    (captures / "variants").mkdir()
    for name in VARIANT_NAMES:
        shutil.copy(VARIANTS / name, captures / "variants" / name)
    db = folder / "a.db"
    newsdesk("ingest", captures, "--db", db)
    return db


def _by_capture(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {Path(c).name: r for r in rows for c in r["captures"]}


def test_the_seeds_alone_are_five_articles_one_publication_each(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    newsdesk("ingest", EXAMPLES, "--db", db)
    rows = jsonl(newsdesk("list", "--db", db, "--format", "jsonl"))
    assert len(rows) == 5
    assert all(len(r["publications"]) == 1 and r["publications"][0]["captures"] == r["captures"] for r in rows)


def test_re_posts_and_copies_are_one_article_with_a_publication_per_address(network: Path) -> None:
    rows = _by_capture(jsonl(newsdesk("list", "--db", network, "--format", "jsonl")))
    assert rows["000_b8f021c9504a85f9.txt"]["id"] != rows["001_f89465e053944e23.txt"]["id"]
    for first, repost in REPOSTS:
        assert rows[first]["id"] == rows[repost]["id"], (first, repost)
        assert sorted(p["url"].rstrip("/").rsplit("/", 1)[-1] for p in rows[first]["publications"]) == sorted(
            [first[3:-3], repost[3:-3]]
        )
    aljazeera = rows["001_f89465e053944e23.txt"]
    assert aljazeera["id"] == rows["v02_001_rewrapped.html"]["id"]
    assert [(p["outlet"], p["url"], [Path(c).name for c in p["captures"]]) for p in aljazeera["publications"]] == [
        ("Aljazeera 半岛网", None, ["001_f89465e053944e23.txt"]),
        ("环球时事镜像", "https://mirror.example-news.net/2022/02/02/aljazeera-blinken.html", ["v02_001_rewrapped.html"]),
    ]
    epoch = rows["000_b8f021c9504a85f9.txt"]
    assert epoch["id"] == rows["v01_000_tw_rereport.html"]["id"]
    assert [p["url"] for p in epoch["publications"]] == [
        "https://www.epochtimes.com/gb/22/2/1/n13547108.htm", "https://tw.example-news.com/world/2022/02/02/blinken-lavrov.html",
    ]
    gnews = rows["gna_1851114.md"]
    assert [(p["outlet"], sorted(Path(c).name for c in p["captures"])) for p in gnews["publications"]] == [
        ("GNews", ["gna_1851114.md", "v06_gna_1851114_s2tw.md"]), ("环球时事镜像", ["v07_gna_1851114_rewrapped.html"]),
    ]
    # `captures` is kept: every capture path of the article, each in one publication.
    for row in rows.values():
        assert sorted(c for p in row["publications"] for c in p["captures"]) == sorted(row["captures"])


def test_copies_gives_the_pairs_read_from_the_captures(network: Path) -> None:
    pairs = {(r["first"], r["later"]): r for r in jsonl(newsdesk("copies", "--db", network, "--format", "jsonl"))}
    assert pairs[("Aljazeera 半岛网", "环球时事镜像")] == {
        "first": "Aljazeera 半岛网", "later": "环球时事镜像", "articles": 1, "timed": 1, "median_lag_hours": 0.0,
        "timed_by": "published (1)",
    }
    assert pairs[("GNews", "环球时事镜像")]["articles"] == 1
    gnews = pairs[("GNews", "GNews")]
    # One pair prints its day under the byline in both copies (`By:**秘翻新闻**` / `**2022-02-26**`): timed by it.
    assert (gnews["articles"], gnews["timed"], gnews["median_lag_hours"], gnews["timed_by"]) == (
        6, 1, 0.0, "untimed (5), published day (1)"
    )
    # Outlets go by any of their names: the registry knows 大纪元 as The Epoch Times.
    only = jsonl(newsdesk("copies", "--db", network, "--format", "jsonl", "--outlet", "半岛网"))
    assert [(r["first"], r["later"]) for r in only] == [("Aljazeera 半岛网", "环球时事镜像")]
    assert jsonl(newsdesk("copies", "--db", network, "--format", "jsonl", "--since", "2023-01-01", "--outlet", "环球时事镜像")) == [
        {**pairs[("GNews", "环球时事镜像")]}
    ]


def test_copies_of_one_article_shows_the_first_publication_and_the_later_ones(network: Path) -> None:
    rows = _by_capture(jsonl(newsdesk("list", "--db", network, "--format", "jsonl")))
    article_id = rows["001_f89465e053944e23.txt"]["id"]
    (record,) = jsonl(newsdesk("copies", "--db", network, "--article", article_id[:10], "--format", "jsonl"))
    assert record["first"]["outlet"] == "Aljazeera 半岛网" and record["first"]["timed_by"] == "published"
    assert [(p["outlet"], p["lag_hours"], p["time"]) for p in record["later"]] == [
        ("环球时事镜像", 0.0, "2022-02-02T02:38:07+00:00"),
    ]
    table = newsdesk("copies", "--db", network, "--article", article_id)
    assert "Aljazeera 半岛网" in table and "环球时事镜像" in table
    listed = list(csv.DictReader(io.StringIO(newsdesk("copies", "--db", network, "--articles", "--format", "csv"))))
    assert [(r["order"], r["outlet"], r["lag_hours"]) for r in listed if r["id"] == article_id] == [
        ("0", "Aljazeera 半岛网", ""), ("1", "环球时事镜像", "0.0"),
    ]
    out = newsdesk("copies", "--db", network, "--format", "csv")
    header, *lines = list(csv.reader(io.StringIO(out)))
    assert header == ["first", "later", "articles", "timed", "median_lag_hours", "timed_by"]
    assert ["Aljazeera 半岛网", "环球时事镜像", "1", "1", "0.0", "published (1)"] in lines


def test_show_lists_publications_with_their_captures_and_why_each_folded(network: Path) -> None:
    rows = _by_capture(jsonl(newsdesk("list", "--db", network, "--format", "jsonl")))
    article_id = rows["gn_2623570.md"]["id"]
    shown = newsdesk("show", article_id, "--db", network)
    section = shown[shown.index("## Publications (2)"):]
    assert "gn_2617793.md: new article" in section or "gn_2623570.md: new article" in section
    assert "published at another address" in section
    info = json.loads(newsdesk("show", article_id, "--db", network, "--format", "json"))
    assert [len(p["captures"]) for p in info["publications"]] == [1, 1]
    assert all(c["fold_reason"] for p in info["publications"] for c in p["captures"])


def test_stats_count_articles_or_publications(network: Path) -> None:
    articles = jsonl(newsdesk("stats", "--db", network, "--format", "jsonl"))
    publications = jsonl(newsdesk("stats", "--db", network, "--format", "jsonl", "--by", "publication"))
    with Archive(network) as archive:
        counts = archive.counts()
    assert sum(r["articles"] for r in articles) == counts["articles"]
    assert sum(r["publications"] for r in publications) == counts["publications"] > counts["articles"]
    assert {"outlet": "环球时事镜像", "month": "2022-02", "publications": 1} in publications


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_exports_carry_the_publications(network: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    newsdesk("export", out, "--db", network)
    records = {r["id"]: r for r in read_export(out)}
    with Archive(network) as archive:
        for article in archive.list():
            exported = records[article.id]["publications"]
            assert [(p["outlet"], p["url"], p["published"], p["captures"]) for p in exported] == [
                (p["outlet"], p["url"], p["published"], p["captures"]) for p in article.publications
            ]
            assert all(p["id"] for p in exported)


# --- migration ---------------------------------------------------------------------------------


def test_a_schema_5_archive_is_migrated_keeping_every_capture(tmp_path: Path) -> None:
    """tests/data/archive/schema5.sql.gz: a schema-5 archive newsdesk 39b73cb wrote from the seeds
    and a GNews re-post pair (kept apart then). Opening it adds the publications: one per capture
    here, each capture in one; nothing stored is lost, and ingest goes on."""
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(gzip.decompress(SCHEMA5.read_bytes()).decode("utf-8"))
    before = conn.execute("SELECT sha256, article_id, fold_reason FROM captures ORDER BY seq").fetchall()
    articles_before = conn.execute("SELECT id, title FROM articles ORDER BY seq").fetchall()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
    conn.close()
    with Archive(db) as archive:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert archive.conn.execute(
            "SELECT sha256, article_id, fold_reason FROM captures ORDER BY seq"
        ).fetchall() == before
        assert archive.conn.execute("SELECT id, title FROM articles ORDER BY seq").fetchall() == articles_before
        assert archive.counts() == {"articles": 7, "publications": 7, "captures": 7, "failures": 0}
        assert archive.conn.execute("SELECT COUNT(*) FROM captures WHERE publication_id IS NULL").fetchone()[0] == 0
        urls = {p["url"] for row in archive.list() for p in row.publications}
        assert "https://gnews.org/zh-hans/2623570/" in urls and "https://www.epochtimes.com/gb/22/2/1/n13547108.htm" in urls
        assert archive.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The migrated archive takes new captures: v02 folds into 001's article as a second publication.
    incoming = tmp_path / "in"
    incoming.mkdir()
    shutil.copy(VARIANTS / "v02_001_rewrapped.html", incoming)
    newsdesk("ingest", incoming, "--db", db)
    rows = _by_capture(jsonl(newsdesk("list", "--db", db, "--format", "jsonl")))
    assert [p["outlet"] for p in rows["v02_001_rewrapped.html"]["publications"]] == ["Aljazeera 半岛网", "环球时事镜像"]


def test_the_migration_reads_captures_a_page_at_a_time_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signatures and LSH bands of the schema-6 migration are the same when captures are read two at a
    time (so a large archive migrates in bounded memory) as when the page holds them all."""
    from newsdesk.archive import schema

    def migrated(name: str) -> tuple[list[tuple], list[tuple]]:
        db = tmp_path / name
        conn = sqlite3.connect(db)
        conn.executescript(gzip.decompress(SCHEMA5.read_bytes()).decode("utf-8"))
        conn.close()
        with Archive(db) as archive:
            signatures = archive.conn.execute("SELECT seq, minhash FROM captures ORDER BY seq").fetchall()
            bands = archive.conn.execute("SELECT band, key, article_id FROM lsh_bands ORDER BY 1, 2, 3").fetchall()
        return signatures, bands

    whole = migrated("whole.db")
    monkeypatch.setattr(schema, "MIGRATION_PAGE", 2)
    paged = migrated("paged.db")
    assert len(whole[0]) == 7 and all(minhash for _, minhash in whole[0])
    assert paged == whole


def test_copies_shows_hostile_outlet_names_as_text(tmp_path: Path) -> None:
    """Two publications of one post: outlets with rich markup, an escape sequence and a formula reach the
    terminal as text and the CSV as a quoted cell (a spreadsheet shows it, never runs it)."""
    from tests.test_cli_escaping import POST, UNSHOWABLE

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text(POST, encoding="utf-8")
    copy = POST.replace("author: '假台[/red]'", "author: '=HYPERLINK(\"x\") 台\x1b[31m[bold]'").replace(
        "original_url: 'https://example.com/a)](javascript:alert(6))'", "original_url: 'https://copy.example/2022/b-7.html'"
    )
    assert copy != POST
    (folder / "b.md").write_text(copy, encoding="utf-8")
    db = tmp_path / "a.db"
    newsdesk("ingest", folder, "--db", db)
    (pair,) = jsonl(newsdesk("copies", "--db", db, "--format", "jsonl"))
    table = newsdesk("copies", "--db", db)
    assert not UNSHOWABLE.search(table), repr(table)
    # Extraction cuts the names at a bracket: what it kept is shown as stored.
    assert pair["first"] in table and pair["later"] in table and pair["first"].startswith("=")
    rows = list(csv.reader(io.StringIO(newsdesk("copies", "--db", db, "--format", "csv"))))
    assert any(cell.startswith("'=HYPERLINK") for cell in rows[1]), rows
    assert pair["articles"] == 1


def test_a_later_outlets_edited_copy_never_becomes_what_the_article_shows(tmp_path: Path) -> None:
    """环球时事镜像 re-publishes 001 six hours later with two paragraphs cut: the same article (a
    second publication, a second revision of its text), shown as Aljazeera published it, in
    either ingest order; `copies` gives the six-hour lag."""
    page = (VARIANTS / "v02_001_rewrapped.html").read_text(encoding="utf-8")
    edited = page.replace("2022-02-02T02:38:07+00:00", "2022-02-02T08:38:07+00:00")
    for paragraph in re.findall(r"<p>(?:突然演习|绍伊古在国防部)[^<]*</p>", page):
        edited = edited.replace(paragraph, "")
    assert edited.count("<p>") == page.count("<p>") - 2
    for first, second in (("a", "b"), ("b", "a")):
        folder = tmp_path / f"in-{first}"
        folder.mkdir()
        shutil.copy(EXAMPLES / "001_f89465e053944e23.txt", folder / f"{first}_aljazeera.txt")
        (folder / f"{second}_copy.html").write_text(edited, encoding="utf-8")
        db = tmp_path / f"{first}.db"
        newsdesk("ingest", folder, "--db", db)
        (row,) = jsonl(newsdesk("list", "--db", db, "--format", "jsonl"))
        assert row["outlet"] == "Aljazeera 半岛网", row
        with Archive(db) as archive:
            assert archive.conn.execute("SELECT revisions FROM articles").fetchone()[0] == 2
        (record,) = jsonl(newsdesk("copies", "--db", db, "--articles", "--format", "jsonl"))
        assert record["first"]["outlet"] == "Aljazeera 半岛网"
        assert [(p["outlet"], p["lag_hours"]) for p in record["later"]] == [("环球时事镜像", 6.0)]
