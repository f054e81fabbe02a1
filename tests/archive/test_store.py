"""The archive as a whole: idempotent ingest, folding, revisions, best-capture provenance,
search, quarantined failures.

Every scenario is built from real captures (tests/data/dev/captures) and variants of them;
see tests/archive/helpers.py for how each variant is made.
"""

from __future__ import annotations

import gzip
import os
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsdesk.archive import Archive, ingest
from newsdesk.archive import fold as folding
from newsdesk.archive.schema import MIGRATIONS
from newsdesk.archive.store import IngestOutcome
from newsdesk.archive.text import QueryError, fold
from newsdesk.extract import extract_capture
from newsdesk.sources.files import RawCapture
from tests.archive.helpers import (
    BASE,
    BASE_PARAGRAPHS,
    BRIEF,
    CAPTURES,
    SAME_DAY,
    dump,
    fts_is_sound,
    ingest_into,
    read,
    revised,
    traditional,
    without_original_url,
    write,
)

ORIGINAL_URL = "https://www.ntdtv.com/gb/2021/05/20/a103124021.html"


class Run:
    """An archive and what each ingested file became (by file name)."""

    def __init__(self, archive: Archive, outcomes: dict[str, IngestOutcome]) -> None:
        self.archive = archive
        self.outcomes = outcomes

    def article_of(self, name: str) -> str:
        article_id = self.outcomes[name].article_id
        assert article_id is not None, (name, self.outcomes[name])
        # The id the capture's article had when it came in: a later capture may have given the article
        # another (its first address's), and the old one finds it.
        return self.archive.resolve_id(article_id)


RunFiles = Callable[[dict[str, str | bytes]], Run]


@pytest.fixture
def run_files(tmp_path: Path) -> Iterator[RunFiles]:
    """Ingest named captures in name order (as a folder is walked) into a fresh archive."""
    opened: list[Archive] = []

    def run(files: dict[str, str | bytes]) -> Run:
        folder = write(tmp_path / f"in-{len(opened)}", files)
        archive = Archive(tmp_path / f"archive-{len(opened)}.db")
        opened.append(archive)
        outcomes: dict[str, IngestOutcome] = {}

        def record(raw: RawCapture, outcome: IngestOutcome) -> None:
            outcomes[Path(raw.path).name] = outcome

        ingest([folder], archive, on_capture=record)
        assert sorted(outcomes) == sorted(files), "every capture is accounted for"
        return Run(archive, outcomes)

    yield run
    for archive in opened:
        archive.close()


# --- re-ingest ---------------------------------------------------------------------------


def test_reingesting_the_same_captures_changes_nothing(tmp_path: Path) -> None:
    base = read(BASE)
    folder = write(tmp_path / "extra", {
        "tw.md": traditional(base),
        "rev.md": revised(base),
        "junk.bin": random.Random(3).randbytes(4096),
        "cut.md.gz": gzip.compress(base.encode(), mtime=0)[:300],
    })
    db = tmp_path / "a.db"
    first = ingest_into(db, CAPTURES, folder)
    assert first.new >= 50 and first.folded >= 1 and first.revisions >= 1 and first.failed == 2, first
    before = dump(db)

    again = ingest_into(db, CAPTURES, folder)

    assert dump(db) == before
    assert again.read == first.read
    assert again.unchanged == again.read, again
    assert (again.new, again.folded, again.revisions, again.failed) == (0, 0, 0, 0)


def test_a_capture_seen_under_another_name_is_unchanged(tmp_path: Path) -> None:
    """Identity is the bytes, not the path: a copy elsewhere is the same capture."""
    db = tmp_path / "a.db"
    ingest_into(db, write(tmp_path / "one", {"a.md": BASE.read_bytes()}))
    before = dump(db)
    summary = ingest_into(db, write(tmp_path / "two", {"copy-of-a.md": BASE.read_bytes()}))
    assert summary.unchanged == 1 and summary.read == 1
    assert dump(db) == before


# --- folding -----------------------------------------------------------------------------


def test_traditional_script_copy_folds_into_one_article_keeping_both_captures(run_files: RunFiles) -> None:
    base = read(BASE)
    run = run_files({"a_mirror.md": base, "b_tw.md": traditional(base)})
    article_id = run.article_of("a_mirror.md")
    assert run.outcomes["a_mirror.md"].status == "new"
    assert run.outcomes["b_tw.md"].status == "folded"
    assert run.article_of("b_tw.md") == article_id
    # One address (the 原文地址 both print): one publication holding both captures.
    assert run.archive.counts() == {"articles": 1, "publications": 1, "captures": 2, "failures": 0}
    info = run.archive.article_info(article_id)
    assert [Path(c["path"]).name for c in info["captures"]] == ["a_mirror.md", "b_tw.md"]
    assert info["revisions"] == 1 and {c["revision"] for c in info["captures"]} == {1}


def test_traditional_copy_without_its_url_folds_on_text_alone(run_files: RunFiles) -> None:
    """No URL to go by: the bodies (folded to one script) are near-duplicates and title and date agree."""
    base = read(BASE)
    run = run_files({"a_mirror.md": base, "b_tw_no_url.md": without_original_url(traditional(base))})
    outcome = run.outcomes["b_tw_no_url.md"]
    assert outcome.status == "folded", outcome
    assert outcome.article_id == run.article_of("a_mirror.md")
    assert "near-duplicate" in outcome.reason
    assert run.archive.counts()["articles"] == 1


def test_captures_naming_the_same_original_url_fold(run_files: RunFiles) -> None:
    """The URL written another way (scheme, www, tracking parameters, fragment, trailing slash),
    in a mirror with other navigation: still the same original."""
    base = read(BASE)
    other = base.replace(
        f"原文地址（需翻墙访问）：{ORIGINAL_URL}",
        "原文地址（需翻墙访问）：http://ntdtv.com/gb/2021/05/20/a103124021.html/?utm_source=twitter&utm_medium=social#comments",
    ).replace("[热点推荐](../../indexes/热点推荐.md)", "[今日要闻](../../indexes/今日要闻.md)")
    assert other != base
    run = run_files({"a.md": base, "b.md": other})
    outcome = run.outcomes["b.md"]
    assert outcome.status == "folded", outcome
    assert outcome.article_id == run.article_of("a.md")
    # The address is named, and the texts agree: an address alone folds nothing.
    assert outcome.reason == "same original URL (ntdtv.com/gb/2021/05/20/a103124021.html): same text (similarity 1.00)"


def test_near_duplicates_naming_different_originals_are_one_article_published_twice(run_files: RunFiles) -> None:
    """The same wire text the outlet published at two addresses: one article with two
    publications, one per address, each holding its capture."""
    base = read(BASE)
    other_url = ORIGINAL_URL.replace("a103124021", "a103124077")
    other = base.replace(ORIGINAL_URL, other_url)
    run = run_files({"a.md": base, "b.md": other})
    outcome = run.outcomes["b.md"]
    assert outcome.status == "folded", outcome
    assert outcome.reason.endswith("title and date agree, published at another address"), outcome.reason
    assert run.archive.counts()["articles"] == 1
    publications = run.archive.publications(run.article_of("a.md"))
    assert sorted((p["url"], [Path(c).name for c in p["captures"]]) for p in publications) == [
        (ORIGINAL_URL, ["a.md"]), (other_url, ["b.md"]),
    ]


def _look_alike_brief(text: str, title_day: int, dateline_day: int) -> str:
    """The 7月14日 brief as another day's brief would read: one item replaced, no original URL."""
    text = text.replace("### 7月14日国际新闻简讯", f"### 7月{title_day}日国际新闻简讯")
    text = text.replace("2019年07月15日讯", f"2019年07月{dateline_day:02d}日讯")
    text = text.replace("法国总统马克宏宣布，建法国太空司令部。", "德国总理默克尔宣布，将访问中国。")
    return without_original_url(text)


def _similarity(a: str, b: str) -> float:
    first, second = extract_capture(a.encode(), "a"), extract_capture(b.encode(), "b")
    signature = folding.signature(folding.body_text(first))
    return folding.similarity(folding.signature_bytes(signature), folding.signature(folding.body_text(second)))


def test_next_days_brief_does_not_fold_into_this_days(run_files: RunFiles) -> None:
    brief = read(BRIEF)
    look_alike = _look_alike_brief(brief, title_day=15, dateline_day=16)
    # The bodies alone would fold them: title and date are what tell the two briefs apart.
    assert _similarity(brief, look_alike) >= folding.SIMILARITY_THRESHOLD
    run = run_files({"a.md": brief, "b.md": look_alike})
    assert run.outcomes["b.md"].status == "new", run.outcomes["b.md"]
    assert run.archive.counts()["articles"] == 2


def test_a_title_with_another_number_is_another_article_even_on_the_same_day(run_files: RunFiles) -> None:
    """Same date, similar body: only the title's number (7月15日) says it is another brief."""
    brief = read(BRIEF)
    look_alike = _look_alike_brief(brief, title_day=15, dateline_day=15)
    run = run_files({"a.md": brief, "b.md": look_alike})
    assert run.archive.article(run.article_of("b.md")).published == run.archive.article(run.article_of("a.md")).published
    assert run.outcomes["b.md"].status == "new", run.outcomes["b.md"]


def test_same_brief_with_one_item_changed_is_still_that_brief(run_files: RunFiles) -> None:
    """The control for the look-alike: same title and date, the same edit to the body."""
    brief = read(BRIEF)
    run = run_files({"a.md": brief, "b.md": _look_alike_brief(brief, title_day=14, dateline_day=15)})
    assert run.outcomes["b.md"].article_id == run.article_of("a.md")
    assert run.archive.counts()["articles"] == 1


def test_same_headline_a_week_later_with_a_paragraph_replaced_does_not_fold(run_files: RunFiles) -> None:
    base = read(BASE)
    later = without_original_url(base).replace("2021年05月20日讯", "2021年05月27日讯")
    later = later.replace("不过，美国国务院周三发表的声明中，没有提及峯会。", "一周后，双方再次通电话，讨论了北极航道与气候合作。")
    assert _similarity(base, later) >= folding.SIMILARITY_THRESHOLD
    run = run_files({"a.md": base, "b.md": later})
    assert run.outcomes["b.md"].status == "new", run.outcomes["b.md"]
    assert run.archive.counts()["articles"] == 2


def test_a_band_collision_below_the_similarity_threshold_is_a_new_article(run_files: RunFiles) -> None:
    """Same headline and date, no URL, a third of the text replaced: the LSH index offers the
    article as a candidate, and the similarity check turns it down."""
    base = read(BASE)
    replacements = [b for b in extract_capture((CAPTURES / "soh_rdzz__n3171162.md").read_bytes(), "o").body if len(b) > 25]
    variant = without_original_url(base)
    for paragraph, replacement in zip(
        ("表示，美国寻求和俄罗斯建立“可预测的稳定关系”，双方利益在很多领域存在“交叉和重叠”，但也存在分歧。",
         BASE_PARAGRAPHS[0], "拉夫罗夫认为美俄存在“严重分歧”，但必须在相似利益问题上合作。"),
        replacements[1:4], strict=True,
    ):
        assert paragraph in variant
        variant = variant.replace(paragraph, replacement)
    first = folding.signature(folding.body_text(extract_capture(base.encode(), "a")))
    second = folding.signature(folding.body_text(extract_capture(variant.encode(), "b")))
    assert set(folding.band_keys(first)) & set(folding.band_keys(second)), "precondition: an LSH candidate"
    assert folding.similarity(folding.signature_bytes(first), second) < folding.SIMILARITY_THRESHOLD
    run = run_files({"a.md": base, "b.md": variant})
    assert run.outcomes["b.md"].status == "new", run.outcomes["b.md"]


def test_different_articles_by_one_outlet_on_one_day_stay_apart(run_files: RunFiles) -> None:
    first, second = SAME_DAY
    # Without their URLs, only the text can tell them apart.
    run = run_files({"a.md": without_original_url(read(first)), "b.md": without_original_url(read(second))})
    a, b = (run.archive.article(run.article_of(name)) for name in ("a.md", "b.md"))
    assert a.outlet == b.outlet and a.published == b.published, "same outlet, same day"
    assert run.outcomes["b.md"].status == "new"
    assert run.archive.counts()["articles"] == 2


def test_revised_version_is_kept_as_a_revision_not_merged(run_files: RunFiles) -> None:
    base = read(BASE)
    run = run_files({"a.md": base, "b_revised.md": revised(base)})
    article_id = run.article_of("a.md")
    outcome = run.outcomes["b_revised.md"]
    assert outcome.status == "revision", outcome
    assert outcome.article_id == article_id
    info = run.archive.article_info(article_id)
    assert info["revisions"] == 2
    assert [(Path(c["path"]).name, c["revision"]) for c in info["captures"]] == [("a.md", 1), ("b_revised.md", 2)]
    # The article reads as its latest revision; the first version stays on record as a capture.
    body = "\n".join(run.archive.article(article_id).body)
    assert "更新：第1段在发稿后改写" in body
    assert [c["best"] for c in info["captures"]] == [False, True]
    assert run.archive.counts() == {"articles": 1, "publications": 1, "captures": 2, "failures": 0}


def test_the_latest_revision_is_shown_even_from_a_poorer_capture(run_files: RunFiles) -> None:
    """A correction that shortened the text scores lower than the first version; the article
    still reads as corrected."""
    base = read(BASE)
    corrected = base
    for paragraph in BASE_PARAGRAPHS:
        corrected = corrected.replace(paragraph, "此段已更正。")
    run = run_files({"a.md": base, "b_corrected.md": corrected})
    assert run.outcomes["b_corrected.md"].status == "revision"
    info = run.archive.article_info(run.article_of("a.md"))
    first, latest = info["captures"]
    assert latest["score"] < first["score"], "precondition: the correction is the poorer capture"
    assert (first["best"], latest["best"]) == (False, True)
    assert "此段已更正。" in run.archive.article(info["id"]).body


def test_copy_of_a_revision_folds_into_that_revision(run_files: RunFiles) -> None:
    """A traditional-script mirror of the revised text, without the URL, is the revision again
    (the near-duplicate check compares with every revision, not only the first)."""
    base = read(BASE)
    run = run_files({
        "a.md": base,
        "b_revised.md": revised(base),
        "c_revised_tw.md": without_original_url(traditional(revised(base))),
    })
    outcome = run.outcomes["c_revised_tw.md"]
    assert outcome.status == "folded", outcome
    assert outcome.article_id == run.article_of("a.md")
    info = run.archive.article_info(outcome.article_id)
    assert [c["revision"] for c in info["captures"]] == [1, 2, 2]
    assert info["revisions"] == 2


# --- best capture ------------------------------------------------------------------------


def test_best_capture_is_explained_and_follows_the_more_complete_capture(run_files: RunFiles) -> None:
    """The poorer copy (no original URL) comes first; the mirror that names its original then
    becomes the best, and the article takes its fields."""
    base = read(BASE)
    run = run_files({"a_poor.md": without_original_url(traditional(base)), "b_full.md": base})
    article_id = run.article_of("a_poor.md")
    assert run.article_of("b_full.md") == article_id
    info = run.archive.article_info(article_id)
    captures = {Path(c["path"]).name: c for c in info["captures"]}
    assert set(captures) == {"a_poor.md", "b_full.md"}
    for capture in captures.values():
        assert capture["score_reason"] and "body characters" in capture["score_reason"]
        assert capture["fold_reason"] and capture["sha256"]
    assert [name for name, c in captures.items() if c["best"]] == ["b_full.md"]
    best = captures["b_full.md"]
    assert best["score"] > captures["a_poor.md"]["score"]
    assert "original_url" in best["score_reason"] and "original_url" not in captures["a_poor.md"]["score_reason"]
    assert info["best_reason"] == f"best capture: {best['score_reason']}"
    assert info["article"]["original_url"] == ORIGINAL_URL
    assert info["article"]["title"] == "北极会议登场 美俄外长首次面对面会谈", "the best capture's script"


def test_equal_captures_keep_the_first_as_best(run_files: RunFiles) -> None:
    base = read(BASE)
    run = run_files({"a.md": base, "b.md": base + "\n"})
    info = run.archive.article_info(run.article_of("a.md"))
    assert [c["best"] for c in info["captures"]] == [True, False]
    assert info["captures"][0]["score"] == info["captures"][1]["score"]


# --- reading -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    db = tmp_path_factory.mktemp("dev") / "dev.db"
    ingest_into(db, CAPTURES)
    archive = Archive(db)
    yield archive
    archive.close()


def test_list_filters_by_outlet_and_inclusive_dates(dev_archive: Archive) -> None:
    rows = list(dev_archive.list())
    assert len(rows) == dev_archive.counts()["articles"]
    dated = [r.published for r in rows if r.published]
    assert dated == sorted(dated), "oldest first"
    epoch = list(dev_archive.list(outlet="大纪元"))
    assert epoch and all(r.outlet == "大纪元" for r in epoch)
    # `until` takes the whole day: a date-time on that day is in.
    day = list(dev_archive.list(since="2022-02-02", until="2022-02-02"))
    assert {r.published for r in day} == {"2022-02-02", "2022-02-02T02:38:07+00:00"}
    assert not list(dev_archive.list(since="2022-02-03", until="2022-02-06"))
    assert all(r.captures and all(Path(p).exists() for p in r.captures) for r in rows), "paths as ingested"


def test_resolve_id_takes_a_prefix_and_explains_misses(dev_archive: Archive) -> None:
    some = next(iter(dev_archive.list()))
    assert dev_archive.resolve_id(some.id[:8]) == some.id
    with pytest.raises(KeyError, match="newsdesk list"):
        dev_archive.resolve_id("zzzz")
    with pytest.raises(KeyError, match="ambiguous"):
        dev_archive.resolve_id("")
    # Wildcards are characters (issue 9: `show _84fd1c9` and `show %fd1c968` opened articles).
    for pattern in ("_" + some.id[1:8], "%" + some.id[2:8], some.id[:7] + "%"):
        with pytest.raises(KeyError, match="newsdesk list"):
            dev_archive.resolve_id(pattern)


def test_stats_count_articles_per_outlet_and_month(dev_archive: Archive) -> None:
    stats = dev_archive.stats()
    assert sum(count for _, _, count in stats) == dev_archive.counts()["articles"]
    assert ("大纪元", "2022-02", 1) in stats
    assert all(month == "unknown" or len(month) == 7 for _, month, _ in stats)


def test_iter_articles_is_id_ordered_with_capture_paths(dev_archive: Archive) -> None:
    records = list(dev_archive.iter_articles())
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert all(r["captures"] and r["file"] == r["id"] for r in records)


# --- search ------------------------------------------------------------------------------

BBC_PARAGRAPH = "英国广播公司BBC中文网随后报道，人权组织已把名单交给各国政府。"
# Two made-up articles of one shape: the query word once in the title, or twice in the body only.
TITLE_HIT = "plain-title-hit.txt", "冰川观测站今日启用\n\n{}\n\n{}\n"
BODY_HIT = "plain-body-hit.txt", "北方观测网络建设提速\n\n{}\n\n{}\n"


@pytest.fixture(scope="module")
def search_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The dev captures, with 000 (布林肯与俄外长通话) replaced by its traditional-script copy,
    plus an article that mentions BBC and the title-versus-body pair."""
    folder = tmp_path_factory.mktemp("search")
    files: dict[str, str | bytes] = {
        p.name: p.read_bytes() for p in sorted(CAPTURES.iterdir()) if not p.name.startswith("000_")
    }
    files["000_tw.txt"] = traditional(read(CAPTURES / "000_b8f021c9504a85f9.txt"))
    human_rights = read(CAPTURES / "soh_zgxw__n3169083.md")
    anchor = '<div class="content">\n'
    assert anchor in human_rights
    files["soh_zgxw__n3169083.md"] = human_rights.replace(anchor, f"{anchor} <p>\n  {BBC_PARAGRAPH}\n </p>\n", 1)
    filler = ["该项目由多家研究机构共同承担，预计明年完成全部设备的安装与调试工作。", "专家表示，相关数据将向公众开放，供学术界免费使用。"]
    files[TITLE_HIT[0]] = TITLE_HIT[1].format(*filler)
    files[BODY_HIT[0]] = BODY_HIT[1].format("新建的冰川观测站将与冰川研究所合作，" + filler[0], filler[1])
    db = folder / "search.db"
    ingest_into(db, write(folder / "in", files))
    archive = Archive(db)
    yield archive
    archive.close()


def _ids_by_capture(archive: Archive) -> dict[str, str]:
    return {Path(p).name: r.id for r in archive.list() for p in r.captures}


def _ids(archive: Archive, query: str, **filters: str) -> set[str]:
    return {row.id for row in archive.search(query, limit=1000, **filters)}


def _containing(archive: Archive, text: str) -> set[str]:
    """Ground truth: articles whose folded title or body contains `text` (folded)."""
    key = fold(text)
    return {
        r["id"] for r in archive.iter_articles()
        if key in fold(r["title"] or "") or key in fold("\n".join(r["body"]))
    }


def test_traditional_query_finds_simplified_text_and_back(search_archive: Archive) -> None:
    ids = _ids_by_capture(search_archive)
    traditional_article = search_archive.article(ids["000_tw.txt"])
    simplified_article = search_archive.article(ids["002_583555913b494f65.txt"])
    assert "拉夫羅夫" in "".join(traditional_article.body)
    assert "拉夫罗夫" in "".join(simplified_article.body) and "羅" not in "".join(simplified_article.body)

    found_by_traditional = _ids(search_archive, "拉夫羅夫")
    found_by_simplified = _ids(search_archive, "拉夫罗夫")
    assert ids["002_583555913b494f65.txt"] in found_by_traditional
    assert ids["000_tw.txt"] in found_by_simplified
    assert found_by_traditional == found_by_simplified == _containing(search_archive, "拉夫罗夫")


def test_full_width_latin_finds_half_width(search_archive: Archive) -> None:
    ids = _ids_by_capture(search_archive)
    assert _ids(search_archive, "ＢＢＣ") == {ids["soh_zgxw__n3169083.md"]}
    assert _ids(search_archive, "ＢＢＣ") == _ids(search_archive, "bbc")
    lavrov = _ids(search_archive, "Ｌａｖｒｏｖ")
    assert ids["000_tw.txt"] in lavrov and ids["004_1de7367779586eca.txt"] in lavrov
    assert lavrov == _ids(search_archive, "Lavrov") == _containing(search_archive, "lavrov")


@pytest.mark.parametrize("word", ["拉夫罗夫", "美国国务卿", "普京", "俄罗斯外长", "布林肯", "冰川观测站"])
def test_a_word_finds_exactly_the_articles_containing_it(search_archive: Archive, word: str) -> None:
    expected = _containing(search_archive, word)
    assert expected, word
    assert _ids(search_archive, word) == expected


def test_phrase_query_needs_the_characters_together(search_archive: Archive) -> None:
    phrase = _ids(search_archive, '"美国国务卿"')
    assert phrase == _containing(search_archive, "美国国务卿")
    # An article with 美国 and 国务卿 apart is not a phrase match, but is an AND match.
    apart = (_ids(search_archive, "美国 AND 国务卿")) - phrase
    assert apart, "the dev set has an article with 美国 and 国务卿 apart"
    assert all("美国国务卿" not in fold(search_archive.article(i).title or "") for i in apart)


def test_boolean_operators_are_set_operations(search_archive: Archive) -> None:
    blinken, wang, ma = (_ids(search_archive, w) for w in ("布林肯", "王毅", "马云"))
    assert blinken and wang and ma
    assert _ids(search_archive, "布林肯 AND 王毅") == blinken & wang != set()
    assert _ids(search_archive, "布林肯 王毅") == blinken & wang, "adjacent words mean AND"
    assert _ids(search_archive, "布林肯 OR 马云") == blinken | ma
    assert _ids(search_archive, "布林肯 NOT 王毅") == blinken - wang != set()
    assert _ids(search_archive, "布林肯 AND NOT 王毅") == blinken - wang
    putin = _ids(search_archive, "普京")
    assert _ids(search_archive, "(布林肯 OR 马云) AND 普京") == (blinken | ma) & putin
    assert _ids(search_archive, "普京 (王毅 OR 马云)") == putin & (wang | ma)


@pytest.mark.parametrize("character", ["俄", "图", "习", "台", "峯"])
def test_single_character_query_finds_it_anywhere(search_archive: Archive, character: str) -> None:
    """Also where the character ends a run of CJK text (`(图)`, `访俄`, `学习`)."""
    expected = _containing(search_archive, character)
    assert expected
    assert _ids(search_archive, character) == expected


def test_filters_narrow_search(search_archive: Archive) -> None:
    everywhere = search_archive.search("拉夫罗夫", limit=100)
    epoch = search_archive.search("拉夫罗夫", outlet="大纪元", limit=100)
    # The filter means the outlet, whichever script its captures print the name in.
    assert epoch and {r.outlet for r in epoch} == {"大纪元", "大紀元"}
    assert {r.id for r in epoch} == {r.id for r in everywhere if r.outlet in {"大纪元", "大紀元"}}
    # 2022-02-02 holds a plain date and a date-time; `until` includes the whole day.
    day = search_archive.search("拉夫罗夫", since="2022-02-02", until="2022-02-02", limit=100)
    assert sorted(r.published or "" for r in day) == ["2022-02-02", "2022-02-02T02:38:07+00:00"]
    later = search_archive.search("拉夫罗夫", since="2022-02-03", limit=100)
    assert later and all((r.published or "")[:10] >= "2022-02-03" for r in later)
    earlier = search_archive.search("拉夫罗夫", until="2022-02-01", limit=100)
    assert earlier and all("" < (r.published or "")[:10] <= "2022-02-01" for r in earlier)
    assert len(later) + len(day) + len(earlier) == len([r for r in everywhere if r.day])


def test_every_filter_is_the_unfiltered_result_narrowed(search_archive: Archive) -> None:
    """Filters are index tokens (text.facet_tokens); they must select exactly what the columns say."""
    articles = {r.id: r for r in search_archive.list()}
    outlets = sorted({r.outlet for r in articles.values() if r.outlet})
    ranges = [("2021-05-01", "2022-02-28"), ("2022-01-01", None), (None, "2021-12-31"), ("2022-02-01", "2022-02-01"),
              ("2030-01-01", None), ("2022-03-01", "2022-02-01"), (None, None)]
    for word in ("拉夫罗夫", "俄罗斯", "的"):
        everything = _ids(search_archive, word)
        for outlet in [None, *outlets]:
            for since, until in ranges:
                expected = {
                    i for i in everything
                    if (outlet is None or articles[i].outlet in search_archive.outlet_names(outlet))
                    # By the day the article is placed by: an undated one by the day its lead gives.
                    and (since is None or (articles[i].day or "") >= since)
                    and (until is None or "" < (articles[i].day or "") <= until)
                }
                filters = {k: v for k, v in (("outlet", outlet), ("since", since), ("until", until)) if v}
                assert _ids(search_archive, word, **filters) == expected, (word, filters)


def test_outlet_names_gather_the_scripts_and_registry_names_of_one_outlet(search_archive: Archive) -> None:
    stored = {r.outlet for r in search_archive.list() if r.outlet}
    assert {"大纪元", "大紀元"} <= stored
    for name in ("大纪元", "大紀元", "The Epoch Times", "EPOCH TIMES"):
        assert search_archive.outlet_names(name) == ["大紀元", "大纪元"], name
    assert search_archive.outlet_names("新唐人") == sorted(n for n in stored if n in {"新唐人", "新唐人电视台"})
    assert search_archive.outlet_names("没有这家媒体") == []


@pytest.mark.parametrize("option", ["since", "until"])
def test_a_filter_date_that_is_no_date_is_a_query_error(search_archive: Archive, option: str) -> None:
    with pytest.raises(QueryError, match=f"--{option} 'Invalid Date' is not a date: give it as YYYY-MM-DD"):
        search_archive.search("拉夫罗夫", **{option: "Invalid Date"})


def test_an_archive_from_before_facets_is_reindexed_on_opening(search_archive: Archive, tmp_path: Path) -> None:
    """Schema 2 had a two-column index without first characters after figures; opening migrates it."""
    old = tmp_path / "old.db"
    search_archive.conn.execute("VACUUM INTO ?", (str(old),))
    conn = sqlite3.connect(old, isolation_level=None)
    conn.executescript(
        "DROP TABLE article_fts;"
        " CREATE VIRTUAL TABLE article_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0');"
        " INSERT INTO article_fts(rowid, title, body) SELECT seq, title, body FROM articles;"
        " PRAGMA user_version = 2;"
    )
    conn.close()
    migrated = Archive(old)
    try:
        assert migrated.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        for query, filters in [("拉夫罗夫", {}), ("2月1日", {}), ("布林肯", {"outlet": "大纪元", "since": "2022-01-01"})]:
            assert [r.id for r in migrated.search(query, **filters)] == [r.id for r in search_archive.search(query, **filters)]
    finally:
        migrated.close()


def test_title_hit_ranks_above_body_only_hit(search_archive: Archive) -> None:
    ids = _ids_by_capture(search_archive)
    rows = search_archive.search("冰川观测站")
    assert [r.id for r in rows] == [ids[TITLE_HIT[0]], ids[BODY_HIT[0]]]


def test_title_hits_rank_above_body_hits_on_real_articles(search_archive: Archive) -> None:
    rows = search_archive.search("撤军", limit=100)
    in_title = [fold("撤军") in fold(r.title or "") for r in rows]
    assert any(in_title) and not all(in_title)
    assert in_title == sorted(in_title, reverse=True), [(r.title, flag) for r, flag in zip(rows, in_title, strict=True)]


def test_snippets_mark_the_match(search_archive: Archive) -> None:
    ids = _ids_by_capture(search_archive)
    rows = {r.id: r for r in search_archive.search("拉夫罗夫", limit=100)}
    # The traditional article's snippet shows its own script, marked.
    assert "<b>拉夫羅夫</b>" in (rows[ids["000_tw.txt"]].snippet or "")
    assert "<b>拉夫罗夫</b>" in (rows[ids["002_583555913b494f65.txt"]].snippet or "")
    for row in rows.values():
        assert row.snippet and row.snippet.count("<b>") == row.snippet.count("</b>") >= 1
    bbc = search_archive.search("ＢＢＣ")[0]
    assert "<b>BBC</b>" in (bbc.snippet or "")


def test_search_rows_carry_capture_paths(search_archive: Archive) -> None:
    for row in search_archive.search("普京", limit=100):
        assert row.captures and all(Path(p).exists() for p in row.captures)
        record = row.to_record(with_snippet=True)
        assert set(record) == {"id", "title", "outlet", "published", "day", "day_inferred", "captures", "snippet", "publications"}
        # Every capture path is in exactly one publication.
        assert sorted(c for p in record["publications"] for c in p["captures"]) == sorted(record["captures"])
        assert all(set(p) == {"outlet", "url", "published", "captures"} for p in record["publications"])


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("(布林肯 OR 王毅", "not closed"),
        ("布林肯 OR 王毅)", "no '('"),
        ("()", "empty parentheses"),
        ("布林肯 OR OR 王毅", "between operators"),
        ("(布林肯 OR)", "on each side"),
        ("NOT 王毅", "cannot start with NOT"),
        ("  ", "nothing to search for"),
        ('"" AND', "nothing to search for"),
    ],
)
def test_bad_query_is_a_query_error_that_says_what_to_do(search_archive: Archive, query: str, hint: str) -> None:
    with pytest.raises(QueryError) as caught:
        search_archive.search(query)
    message = str(caught.value)
    assert hint in message
    assert "fts5" not in message and "syntax error" not in message


def test_query_fts5_rejects_anyway_is_still_a_query_error(search_archive: Archive) -> None:
    """Whatever slips past the parser and FTS5 refuses comes back as QueryError with a hint."""
    match = "use words"
    original = search_archive.conn

    class Refusing:
        def execute(self, sql: str, params: object = ()) -> object:
            if "MATCH" in sql:
                raise sqlite3.OperationalError('fts5: syntax error near ""')
            return original.execute(sql, params)  # type: ignore[arg-type]

    search_archive.conn = Refusing()  # type: ignore[assignment]
    try:
        with pytest.raises(QueryError, match=match) as caught:
            search_archive.search("布林肯")
    finally:
        search_archive.conn = original
    assert "fts5" not in str(caught.value)


# --- failures ----------------------------------------------------------------------------


def test_failures_are_quarantined_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = read(BASE)
    folder = write(tmp_path / "batch", {
        "a_junk.bin": random.Random(7).randbytes(64 * 1024),
        "b_good.md": good,
        "c_cut.md.gz": gzip.compress(good.encode(), mtime=0)[:400],
        "d_empty.txt": b"",
        "e_good.md": read(BRIEF),
    })
    db = tmp_path / "a.db"
    summary = ingest_into(db, folder)
    assert (summary.read, summary.new, summary.failed) == (5, 2, 3), summary
    with Archive(db) as archive:
        failures = {Path(f["path"]).name: f["error"] for f in archive.failures()}
        assert set(failures) == {"a_junk.bin", "c_cut.md.gz", "d_empty.txt"}
        assert "binary" in failures["a_junk.bin"]
        assert "truncated gzip" in failures["c_cut.md.gz"]
        assert failures["d_empty.txt"] == "no article text found in capture"
        stored = {Path(p).name for row in archive.list() for p in row.captures}
        assert stored == {"b_good.md", "e_good.md"}
    assert summary.reasons, "failure reasons are counted"


def test_a_failing_batch_does_not_touch_what_was_stored(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    ingest_into(db, CAPTURES)
    before = dump(db)
    junk = write(tmp_path / "junk", {
        "x.bin": random.Random(1).randbytes(10_000),
        "y.html.gz": gzip.compress(read(BASE).encode(), mtime=0)[:100],
        "z.md": b"\x00\x01\x02" * 500,
    })
    summary = ingest_into(db, junk)
    assert summary.failed == 3
    after = dump(db)
    assert {k: v for k, v in after.items() if k != "failures"} == {k: v for k, v in before.items() if k != "failures"}
    assert len(after["failures"]) == len(before["failures"]) + 3
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert fts_is_sound(db)


def test_a_file_name_that_is_not_utf8_does_not_stop_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    odd = Path(os.fsdecode(bytes(folder) + b"/\xff\xfe.md"))  # Python sees the bytes as surrogate escapes
    try:
        odd.write_bytes(BASE.read_bytes())
    except (OSError, UnicodeEncodeError):
        pytest.fail("the file system refused a non-UTF-8 name; this test needs one (Linux allows any bytes)")
    (folder / "z_ok.md").write_bytes(BRIEF.read_bytes())
    db = tmp_path / "a.db"
    summary = ingest_into(db, folder)
    assert (summary.new, summary.failed) == (2, 0), summary
    with Archive(db) as archive:
        paths = sorted(p for row in archive.list() for p in row.captures)
    assert paths[0].endswith("/\\xff\\xfe.md")
    assert paths[1].endswith("/z_ok.md")
