"""Stories over a real archive: the seeds' events, incremental placement, the CLI's shapes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.analysis.stories import NEAR_DAY_BONUS, PLACES_ONLY_SHARE, TEXT_SHARE, Analysis, Member, event_day
from newsdesk.archive import Archive, ingest
from newsdesk.model import Article, Image
from tests.console import invoke_newsdesk

EXAMPLES = Path(__file__).parents[2] / "examples"
NEWSDESK = str(Path(sys.executable).parent / "newsdesk")


@pytest.fixture()
def seeded(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "a.db")
    ingest([EXAMPLES], archive)
    analysis = Analysis(archive)
    archive.begin()
    analysis.update()
    archive.commit()
    return archive


def _story_of(archive: Archive) -> dict[str, str]:
    rows = archive.conn.execute(
        "SELECT c.path, s.story_id FROM captures c JOIN story_articles s ON s.article_id = c.article_id"
    ).fetchall()
    return {Path(path).name[:3]: story for path, story in rows}


def test_seed_events_are_grouped(seeded: Archive) -> None:
    story = _story_of(seeded)
    # 000 and 001 report the 2022-02-01 Blinken–Lavrov call; 002, 003, 004 are other events.
    assert story["000"] == story["001"]
    assert len({story["000"], story["002"], story["003"], story["004"]}) == 4


def test_placement_is_incremental(seeded: Archive, tmp_path: Path) -> None:
    before = _story_of(seeded)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "brief.txt").write_text("美国国务卿布林肯会见日本外相\n\n布林肯周五在东京会见日本外相，讨论地区局势。", encoding="utf-8")
    ingest([extra], seeded)
    analysis = Analysis(seeded)
    seeded.begin()
    placed = analysis.update()
    seeded.commit()
    assert placed == 1
    after = _story_of(seeded)
    assert {k: v for k, v in after.items() if k in before} == before
    assert analysis.update() == 0


def _run(*args: str) -> str:
    # In process: these tests are about what the commands answer (the kill test below runs real processes).
    done = invoke_newsdesk(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_cli_stories_entity_and_alias(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    _run("ingest", str(EXAMPLES), "--db", db)
    lines = [json.loads(line) for line in _run("stories", "--db", db, "--format", "jsonl").splitlines()]
    assert len(lines) == 4
    for story in lines:
        assert set(story) == {"id", "label", "start", "end", "entities", "articles"}
        for article in story["articles"]:
            assert set(article) == {"id", "title", "outlet", "published", "day", "day_inferred", "captures"}
            assert all(Path(c).exists() for c in article["captures"])
    zh = json.loads(_run("entity", "拉夫罗夫", "--db", db, "--format", "jsonl"))
    en = json.loads(_run("entity", "Sergey Lavrov", "--db", db, "--format", "jsonl"))
    assert zh["id"] == en["id"] and zh["mentions"]
    assert any("外长" in role for role in zh["roles"])
    lavrov_stories = [json.loads(x)["id"] for x in _run("stories", "--db", db, "--entity", "拉夫羅夫", "--format", "jsonl").splitlines()]
    assert {s["id"] for s in zh["stories"]} == set(lavrov_stories)
    _run("alias", "add", "拉夫罗夫", "老拉", "--db", db)
    assert json.loads(_run("entity", "老拉", "--db", db, "--format", "jsonl"))["id"] == zh["id"]
    story_id = lines[0]["id"]
    detail = json.loads(_run("story", story_id[:8], "--db", db, "--format", "jsonl"))
    assert detail["id"] == story_id and "related" in detail


STORIES_DEV = Path(__file__).parents[1] / "data" / "stories-dev"


def _bcubed(gold: dict[str, str], predicted: dict[str, str]) -> tuple[float, float]:
    """B-cubed precision and recall, as ../shared/eval/bcubed.py computes them."""
    by_gold: dict[str, set[str]] = {}
    by_predicted: dict[str, set[str]] = {}
    for item in gold:
        by_gold.setdefault(gold[item], set()).add(item)
        by_predicted.setdefault(predicted.get(item, f"alone:{item}"), set()).add(item)
    cluster = {item: by_predicted[predicted.get(item, f"alone:{item}")] for item in gold}
    precision = sum(len(cluster[i] & by_gold[gold[i]]) / len(cluster[i]) for i in gold) / len(gold)
    recall = sum(len(cluster[i] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in gold) / len(gold)
    return precision, recall


def test_labelled_events_are_grouped_through_the_cli(tmp_path: Path) -> None:
    """Real reports labelled by event (a copy of ../shared/eval/stories-dev): multi-angle reports
    of one visit, look-alike events on the same people days apart, undated reposts. A gate, not
    the measurement (bench/stories.py): it fails when the grouping gets clearly worse."""
    db = str(tmp_path / "s.db")
    subprocess.run([NEWSDESK, "ingest", str(STORIES_DEV / "captures"), "--db", db], check=True, capture_output=True)
    out = subprocess.run([NEWSDESK, "stories", "--db", db, "--format", "jsonl"], check=True, capture_output=True, text=True)
    predicted = {
        Path(path).name: story["id"]
        for story in map(json.loads, out.stdout.splitlines())
        for article in story["articles"] for path in article["captures"]
    }
    events = json.loads((STORIES_DEV / "events.json").read_text(encoding="utf-8"))["events"]
    gold = {name: event["id"] for event in events for name in event["files"]}
    precision, recall = _bcubed(gold, predicted)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.90, (precision, recall)


@pytest.mark.parametrize(
    ("title", "lead", "images", "day"),
    [
        ("瑞士放弃中立", "撰稿：方舟农场2月28 日，瑞士表示将全面采纳欧盟的制裁措施。", ["https://x.org/wp-content/uploads/2022/03/027.png"],
         "2022-02-28"),
        ("布林肯取消会晤", "By:秘翻新闻2022-02-23继俄罗斯总统普京承认乌克兰东部两个地区独立", [], "2022-02-23"),
        ("普京设定条件", "02/28/2022 在与法国总统马克龙的90分钟谈话中，普京设定了条件。", [], "2022-02-28"),
        ("古特雷斯会见普京", "联合国秘书长古特雷斯26日在莫斯科会见俄罗斯总统普京。", ["https://x.org/uploads/2022/04/a.jpg"], "2022-04-26"),
        # December's upload, January's event: the nearest year.
        ("新年讲话", "1月1日，他发表新年讲话。", ["https://x.org/uploads/2022/12/a.jpg"], "2023-01-01"),
        # A historical date after the event's own is not the event's.
        ("布林肯演讲", "5月27日，使馆发布了2019年9月25日以来的讲话。", ["https://x.org/uploads/2022/05/a.jpg"], "2022-05-27"),
        ("没有日期", "联合国秘书长说，他已提议成立一个联络小组。", ["https://x.org/uploads/2022/04/a.jpg"], None),
        ("只有日", "古特雷斯26日会见普京。", [], None),
    ],
)
def test_event_day_of_an_undated_capture_comes_from_its_lead(title: str, lead: str, images: list[str], day: str | None) -> None:
    # The lead's first sentences run on before the body recalls history.
    filler = "各方对此反应不一，有关方面表示将继续关注事态发展，并呼吁各方保持克制，通过对话解决分歧。" * 3
    article = Article(title=title, body=[lead + filler, "自2月24日入侵以来，战事持续。"], images=[Image(src=s) for s in images])
    assert event_day(article) == (dt.date.fromisoformat(day) if day else None)


def test_event_day_is_the_publication_date_when_there_is_one() -> None:
    article = Article(title="x", published="2023-03-20T12:37:00+00:00", body=["3月1日，他说。"])
    assert event_day(article) == dt.date(2023, 3, 20)


def test_placement_does_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    """Two ingests in processes with different string hashing write the same stories, scores and all
    (a resumed ingest runs in another process than the one it resumes)."""
    import os
    import sqlite3

    dumps = []
    for seed in ("1", "2"):
        db = tmp_path / f"s{seed}.db"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([NEWSDESK, "ingest", str(STORIES_DEV / "captures"), "--db", str(db)], check=True, capture_output=True, env=env)
        with sqlite3.connect(db) as conn:
            dumps.append(conn.execute("SELECT article_id, story_id, score, day, vector FROM story_articles ORDER BY article_id").fetchall())
    assert dumps[0] and dumps[0] == dumps[1]


def test_story_ids_are_prefixes_not_patterns(seeded: Archive) -> None:
    """`_` and `%` typed by a user are characters (issue 9: ids were LIKE patterns)."""
    analysis = Analysis(seeded)
    story_id = _story_of(seeded)["000"]
    assert analysis.story(story_id[:8])[0].id == story_id
    for pattern in ("_" + story_id[1:8], "%" + story_id[2:8]):
        with pytest.raises(KeyError, match="newsdesk stories"):
            analysis.story(pattern)


def _arrive(db: Path, files: list[Path], runs: int) -> Archive:
    """The captures ingested in this order, in `runs` separate ingests each placing what it brought."""
    archive = Archive(db)
    size = -(-len(files) // runs)
    for at in range(0, len(files), size):
        ingest(files[at : at + size], archive)
        with archive.writing():
            Analysis(archive).update()
    return archive


def _stories_by_capture(archive: Archive) -> dict[frozenset[str], str]:
    """Each story as the set of its captures' file names, with its id."""
    return {
        frozenset(Path(c).name for article in row.articles for c in article["captures"]): row.id
        for row in Analysis(archive).stories()
    }


REAL_CAPTURES = sorted((STORIES_DEV / "captures").iterdir()) + sorted(EXAMPLES.glob("0*"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[frozenset[str], str]:
    """The stories of the real captures in one ingest, in their sorted order: what every other order
    and split must give. Computed once; the tests only read it."""
    return _stories_by_capture(_arrive(tmp_path_factory.mktemp("reference") / "ref.db", REAL_CAPTURES, 1))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stories_do_not_depend_on_the_order_captures_arrive_in(
    reference: dict[frozenset[str], str], tmp_path: Path, seed: int
) -> None:
    """Real captures ingested in another order give the same stories with the same ids (issue 12:
    98 stories instead of 99). Placement follows one canonical order (event day, then content)."""
    import random

    shuffled = REAL_CAPTURES[:]
    random.Random(seed).shuffle(shuffled)
    assert _stories_by_capture(_arrive(tmp_path / "shuffled.db", shuffled, 1)) == reference


def _random_splits(files: list[Path], seed: int) -> list[list[Path]]:
    """The files in a random order, cut into 2-8 ingests of random sizes."""
    import random

    rng = random.Random(seed)
    shuffled = files[:]
    rng.shuffle(shuffled)
    cuts = sorted(rng.sample(range(1, len(shuffled)), rng.randint(1, 7)))
    return [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(shuffled)], strict=True)]


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_stories_do_not_depend_on_how_captures_were_split_across_ingests(
    reference: dict[frozenset[str], str], tmp_path: Path, seed: int
) -> None:
    """Issue 12: the same real captures arriving over several ingests, in any order and any split, give
    exactly the stories (and ids) of one ingest and of `stories --rebuild` (before, 0 of 20 random splits
    did: IDF counted what had arrived so far, and only the stories a late report linked to were placed again)."""
    archive = Archive(tmp_path / "split.db")
    for part in _random_splits(REAL_CAPTURES, seed):
        ingest(part, archive)
        with archive.writing():
            Analysis(archive).update()
    assert _stories_by_capture(archive) == reference
    with archive.writing():
        Analysis(archive).rebuild()
    assert _stories_by_capture(archive) == reference


@pytest.mark.parametrize("late", ["gn_2420649.md", "gna_1029796.md"])
def test_a_late_first_report_takes_its_place_in_the_canonical_order(
    reference: dict[frozenset[str], str], tmp_path: Path, late: str
) -> None:
    """The first report of a story (by event day) arriving in a later ingest than the others: it takes
    back the story's later reports, opens the story under its own id and they join it again, so the
    stories and their ids are those of one ingest (without the take-back the story kept the id of the
    report that happened to open it)."""
    archive = _arrive(tmp_path / "late.db", [p for p in REAL_CAPTURES if p.name != late], 1)
    ingest([p for p in REAL_CAPTURES if p.name == late], archive)
    with archive.writing():
        assert Analysis(archive).update() == 1
    assert _stories_by_capture(archive) == reference


def test_rebuild_places_every_article_again_as_one_ingest_would(
    reference: dict[frozenset[str], str], tmp_path: Path
) -> None:
    import random

    shuffled = REAL_CAPTURES[:]
    random.Random(7).shuffle(shuffled)
    archive = _arrive(tmp_path / "runs.db", shuffled, 12)
    with archive.writing():
        placed = Analysis(archive).rebuild()
    assert placed == archive.counts()["articles"]
    assert _stories_by_capture(archive) == reference


def _grouping(jsonl: str) -> dict[str, list[str]]:
    return {story["id"]: sorted(a["id"] for a in story["articles"]) for story in map(json.loads, jsonl.splitlines())}


def test_cli_stories_rebuild_keeps_the_archive_whole_when_killed(tmp_path: Path) -> None:
    """`stories --rebuild` is one transaction: killed at any moment, every article is still in a story
    (the old stories, or the rebuilt ones, which group the same articles under the same ids)."""
    import signal
    import time

    db = str(tmp_path / "k.db")
    _run("ingest", str(STORIES_DEV / "captures"), str(EXAMPLES), "--db", db)
    before = _grouping(_run("stories", "--db", db, "--format", "jsonl"))
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([NEWSDESK, "stories", "--rebuild", "--db", db, "--format", "jsonl"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _grouping(_run("stories", "--db", db, "--format", "jsonl")) == before
    rebuilt = subprocess.run([NEWSDESK, "stories", "--rebuild", "--db", db, "--format", "jsonl"],
                             capture_output=True, text=True, check=True)
    assert _grouping(rebuilt.stdout) == before
    assert "placed in stories again" in rebuilt.stderr


def test_stories_placed_in_arrival_order_by_an_older_version_are_placed_again(seeded: Archive) -> None:
    """An archive whose reports carry no content key (placed before the canonical order) is placed again
    once, whole, rather than keeping the decisions its arrival order made."""
    before = _story_of(seeded)
    with seeded.writing():
        seeded.conn.execute("UPDATE story_articles SET vector = json_remove(vector, '$.key'), story_id = 'old-' || story_id")
        seeded.conn.execute("UPDATE stories SET id = 'old-' || id")
        seeded.conn.execute("UPDATE story_terms SET story_id = 'old-' || story_id")
        placed = Analysis(seeded).update()
    assert placed == seeded.counts()["articles"]
    assert _story_of(seeded) == before
    assert seeded.conn.execute("SELECT COUNT(*) FROM story_articles WHERE json_extract(vector, '$.key') IS NULL").fetchone()[0] == 0


def test_scores_made_in_a_batch_are_the_floats_of_one_comparison_at_a_time(tmp_path: Path) -> None:
    """`_scores` compares a report with every report of its candidate stories in one numpy batch
    (`_TermNumbers.batch` and `.dots`, `Member.best_similarity`): each story's best score must be the very float
    `Member.similarity` gives report by report, or placement could decide otherwise near a threshold.
    Every stored report of the real captures against every story."""
    from newsdesk.analysis.stories import Member, _TermNumbers
    from newsdesk.archive.text import published_day

    archive = _arrive(tmp_path / "a.db", REAL_CAPTURES, 1)
    rows = archive.conn.execute("SELECT story_id, vector, day FROM story_articles ORDER BY article_id").fetchall()
    members = [Member.from_json(vector, published_day(day)) for _, vector, day in rows]
    stories: dict[str, list[Member]] = {}
    for (story_id, _, _), member in zip(rows, members, strict=True):
        stories.setdefault(story_id, []).append(member)
    groups = list(stories.values())
    numbers = _TermNumbers()
    batches = [numbers.batch(group) for group in groups]
    joined = nonzero = 0
    for report in members:
        dots = numbers.dots(report, batches)
        at = 0
        for group in groups:
            shared = dots[2 * at : 2 * (at + len(group))]
            batched = report.best_similarity(group, shared)
            at += len(group)
            assert batched == max(report.similarity(member) for member in group)
            # Sharing terms (reports years apart share words too, but their day gap leaves them no score).
            nonzero += any(shared)
            joined += batched >= 0.35
    # Real comparisons: many stories share something with a report, and each report at least joins its own.
    assert nonzero > 5 * len(members) and joined >= len(members)


def test_candidate_stories_are_counted_from_an_index_alone(seeded: Archive) -> None:
    """The queries `_candidates` runs for a report (the stories sharing its heaviest terms, in its date window
    and undated) read an index that holds the story too: at 100,000 articles a term matches hundreds of index
    rows, each looked up in story_terms otherwise."""
    from newsdesk.analysis.stories import Member
    from newsdesk.archive.text import published_day

    vector, day = seeded.conn.execute("SELECT vector, day FROM story_articles WHERE day IS NOT NULL LIMIT 1").fetchone()
    report = Member.from_json(vector, published_day(day))
    statements: list[str] = []
    seeded.conn.set_trace_callback(statements.append)
    try:
        found = Analysis(seeded)._candidates(report, report.day)
    finally:
        seeded.conn.set_trace_callback(None)
    assert found
    queries = [s for s in statements if "FROM story_terms" in s]
    assert len(queries) == 2
    for query in queries:
        plan = " ".join(row[-1] for row in seeded.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
        assert "USING COVERING INDEX" in plan, plan


@pytest.mark.parametrize(
    ("url", "lead", "day"),
    [
        # An undated re-post that kept the outlet's address: the address's day is the outlet's date.
        ("https://www.rfa.org/mandarin/yataibaodao/shaoshuminzu/hc-07172020100549.html", "新疆卫健委周五下午通报。", "2020-07-17"),
        ("https://cn.nytimes.com/china/20200706/china-detains-xu-zhangrun-critic/", "周一，他被拘留。", "2020-07-06"),
        ("https://www.voachinese.com/a/xuzhangrun-release-from-detention-20200712/5499500.html", "他获释。", "2020-07-12"),
        ("https://example.com/world/2020/07/14/uk-huawei.html", "英国宣布。", "2020-07-14"),
        # A month in the address dates a month-day in the lead.
        ("https://chinadigitaltimes.net/chinese/2020/07/bbc-huawei/", "周二（7月14日），英国改变立场。", "2020-07-14"),
        # No date in the address: the lead decides, as before.
        ("https://cn.ft.com/story/001088551?full=y", "2020年7月14日，特朗普签署法案。", "2020-07-14"),
        # Article numbers and query strings are not dates.
        ("https://gnews.org/zh-hans/2417919/?ref=20200714", "联合国秘书长说。", None),
    ],
)
def test_event_day_of_an_undated_capture_comes_from_its_address(url: str, lead: str, day: str | None) -> None:
    article = Article(title="无日期的转载", original_url=url, body=[lead + "各方对此反应不一。" * 5])
    assert event_day(article) == (dt.date.fromisoformat(day) if day else None)


OWN_CAPTURES = Path(__file__).parents[2] / "bench" / "data" / "stories-own" / "captures"


def test_a_look_alike_days_later_is_another_event(tmp_path: Path) -> None:
    """Beijing names the head of its national security office in Hong Kong (3 July 2020) and the office opens
    five days later: the same office, people and words, two events. Each event's reports from several outlets
    still make one story."""
    appointment = ["oped2_bbc_1048163.md", "oped2_rfi_1047913.md", "oped2_voa_1048105.md", "oped2_reuters_1047998.md"]
    opening = ["oped2_rfi_1047618.md", "oped2_voa_1048006.md", "oped2_reuters_1047885.md"]
    archive = Archive(tmp_path / "a.db")
    ingest([OWN_CAPTURES / name for name in appointment + opening], archive)
    with archive.writing():
        Analysis(archive).update()
    story = {Path(path).name: sid for path, sid in archive.conn.execute(
        "SELECT c.path, s.story_id FROM captures c JOIN story_articles s ON s.article_id = c.article_id")}
    assert len({story[n] for n in appointment}) == 1
    assert len({story[n] for n in opening}) == 1
    assert story[appointment[0]] != story[opening[0]]


CORPUS_CAPTURES = Path(__file__).parents[2] / "bench" / "data" / "corpus" / "captures"


def test_reports_sharing_only_institutions_and_no_words_are_two_events(tmp_path: Path) -> None:
    """The US widens its Clean Network against Chinese apps (singpao.com.hk) and, the same day, an explainer of the
    WeChat order (a WeChat article's backup): both name the State Department and the White House, their headlines
    name no one, and their headlines and leads share almost no words (corpus train split captures). Placed alone,
    they merged on their entity cosine."""
    names = ["singpao.com.hk__2020.html", "mufeng-wechat-backup+taiyangzhaochangshengqi__ty1.html"]
    archive = Archive(tmp_path / "a.db")
    ingest([CORPUS_CAPTURES / name for name in names], archive)
    with archive.writing():
        Analysis(archive).update()
    stories = {sid for (sid,) in archive.conn.execute("SELECT story_id FROM story_articles")}
    assert len(stories) == 2


def _member(text: dict[str, float], heads: frozenset[str] = frozenset()) -> Member:
    entities = {"e:us-state-department": 0.8, "e:white-house": 0.6}
    return Member(text, entities, dt.date(2020, 8, 7), heads=heads, names=heads,
                  anchors=frozenset({"e:us-state-department", "e:white-house"}))


def test_shared_institutions_without_shared_words_count_as_little_as_shared_places() -> None:
    """With no words in common and no one named in either headline, the entity cosine counts PLACES_ONLY_SHARE;
    a headline person both name (other angles on one meeting share few words) or shared words keep it whole."""
    wordless = _member({"a": 1.0}).similarity(_member({"b": 1.0}))
    assert wordless == pytest.approx((1 - TEXT_SHARE) * PLACES_ONLY_SHARE + NEAR_DAY_BONUS)
    putin = frozenset({"vladimir-putin"})
    assert _member({"a": 1.0}, putin).similarity(_member({"b": 1.0}, putin)) == pytest.approx(
        (1 - TEXT_SHARE) + NEAR_DAY_BONUS)
    worded = _member({"a": 0.6, "c": 0.8}).similarity(_member({"b": 0.6, "c": 0.8}))
    assert worded == pytest.approx(TEXT_SHARE * 0.64 + (1 - TEXT_SHARE) + NEAR_DAY_BONUS)
