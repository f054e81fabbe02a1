"""The fast slice of bench/fuzz.py: hostile captures (tests/fuzz/hostile.py) through extraction
and ingest, a few hundred of them, the same ones every run (`derandomize`).

Each case is a file, read as `newsdesk` reads it (containers unpacked), so a case can be one
capture or several. The contract (`check_article`): no exception escapes `extract_capture`; an
empty body always carries an error; a cut carries both the warning and the marker; a construction
keeps its text unless it failed or says it was cut. Ingest never raises, stores every capture or
its failure, and leaves an archive SQLite and FTS5 find sound. The large constructions run at a
small scale here; bench/fuzz.py runs them at the issue's sizes.
"""

from __future__ import annotations

import random
import sqlite3
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.archive import Archive, ingest
from newsdesk.extract import extract_capture
from newsdesk.sources.containers import iter_all_captures
from tests.archive.helpers import fts_is_sound
from tests.fuzz.hostile import CONSTRUCTIONS, CONTAINERS, MUTATORS, Case, check_article, load_seeds, make_case

SCALE = 0.01
# The smaller real captures (most of them): the slice stays fast; the bench mutates them all.
SEEDS = tuple(seed for seed in load_seeds() if len(seed.data) < 60_000)


def _case(number: int, rng_seed: int) -> Case:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names the zip cases ask for
        return make_case(random.Random(rng_seed), SEEDS, SCALE, number)


def _extract_all(case: Case, folder: Path) -> int:
    path = folder / case.name
    path.write_bytes(case.data)
    read = 0
    try:
        for raw in iter_all_captures([path]):
            read += 1
            if raw.data is None:
                assert raw.error, f"a capture without bytes has a reason: {case.how}"
                continue
            article = extract_capture(raw.data, raw.path)
            problems = check_article(article, case.expect if raw.path == str(path) else None)
            assert not problems, (case.how, problems, article.error, article.warnings)
    finally:
        path.unlink()
    return read


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_no_hostile_capture_breaks_the_extraction_contract(tmp_path: Path, rng_seed: int) -> None:
    _extract_all(_case(0, rng_seed), tmp_path)


@pytest.mark.parametrize("kind", sorted(CONSTRUCTIONS))
def test_every_construction_keeps_its_text_or_says_why(tmp_path: Path, kind: str) -> None:
    """Each defect class of issue 9 at least once, unmutated, whatever the draws above gave."""
    for number in range(3):
        rng = random.Random(f"{kind}-{number}")
        suffix, data, expect = CONSTRUCTIONS[kind](rng, SCALE)
        _extract_all(Case(f"{kind}{suffix}", data, kind, expect), tmp_path)


@pytest.mark.parametrize("kind", sorted(CONTAINERS))
def test_every_container_class_is_read_or_refused_with_a_reason(tmp_path: Path, kind: str) -> None:
    for number in range(6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            suffix, data, _ = CONTAINERS[kind](random.Random(f"{kind}-{number}"), SCALE, SEEDS)
        _extract_all(Case(f"{kind}-{number}{suffix}", data, kind), tmp_path)


def test_every_mutator_changes_bytes_deterministically() -> None:
    seed = load_seeds()[0]
    for name, mutate in MUTATORS.items():
        first = mutate(random.Random(1), seed.data, load_seeds())
        assert first == mutate(random.Random(1), seed.data, load_seeds()), name


def test_ingest_of_hostile_batches_never_raises_and_loses_nothing(tmp_path: Path) -> None:
    """Three batches of 40 cases into one archive, as bench/fuzz.py does with 10,000."""
    rng = random.Random(9)
    db = tmp_path / "fuzz.db"
    read = unchanged = 0
    with Archive(db) as archive:
        for batch in range(3):
            folder = tmp_path / f"batch-{batch}"
            folder.mkdir()
            for number in range(40):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    case = make_case(rng, SEEDS, SCALE, batch * 100 + number)
                (folder / case.name).write_bytes(case.data)
            summary = ingest([folder], archive)
            read += summary.read
            unchanged += summary.unchanged
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
        failed = conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM failures WHERE error IS NULL OR error = ''").fetchone()[0] == 0
    finally:
        conn.close()
    assert fts_is_sound(db)
    assert stored + failed == read - unchanged and read >= 120


# --- what the fuzzer found (bench/fuzz.py), one regression each ------------------------------------

_ARTICLE = "".join(f"<p>{lead}</p>" for lead in (
    "新华社北京3月5日电 国务院总理在人民大会堂作政府工作报告，提出今年经济增长预期目标。",
    "记者在现场看到，许多代表认真听取报告并做了记录，会后接受采访时表示对未来充满信心。",
    "报告还提出了一系列改善民生的措施，包括扩大就业、提高养老金和加强医疗保障等内容。",
))


@pytest.mark.parametrize(
    ("canonical", "markup"),
    [
        # A hostile fragment (`\x1b[2J`, a terminal escape) inside a link a mirror labels as the original.
        ("https://www.example.com/news/1.html", '<p>原文链接：<a href="http://[2J/page.html">原文</a></p>'),
        ("https://www.example.com/news/1.html", '<p>本文转自<a href="https://[::1/x">大纪元</a></p>'),
        # The page's canonical link.
        ("https://[2J/news/1.html", ""),
    ],
)
def test_an_address_with_a_broken_bracketed_host_is_text_not_a_crash(canonical: str, markup: str) -> None:
    """urllib raises ValueError for `http://[2J/…` (a bracketed host that is no IP address) or an
    unclosed `[`: extraction failed with "ValueError: '2J' does not appear to be an IPv4 or IPv6
    address" and the article was lost."""
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府工作报告</title>'
        f'<link rel="canonical" href="{canonical}"></head>'
        f"<body><h1>政府工作报告</h1>{markup}{_ARTICLE}</body></html>"
    )
    article = extract_capture(page.encode(), "broken-host.html")
    assert article.error is None, article.error
    assert "许多代表认真听取报告" in "".join(article.body)
