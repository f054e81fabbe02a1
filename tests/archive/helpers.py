"""Shared by the archive tests: real captures, variants made from them, and a full dump of an archive.

Variants are made from real captures (tests/data/dev/captures) the way they turn up in the
wild: the same page in traditional script (OpenCC s2tw), a mirror without the original-URL
line, a revised version with paragraphs rewritten, a look-alike with another date.
"""

from __future__ import annotations

import copy
import random
import re
import sqlite3
from pathlib import Path
from typing import Any

import opencc

from newsdesk.archive import Archive, IngestSummary, ingest
from newsdesk.archive.store import capture_hash
from newsdesk.extract import extract_capture
from newsdesk.model import Article
from tests.conftest import DEV

CAPTURES = DEV / "captures"
# 新唐人, 2021-05-20: 布林肯 meets 拉夫罗夫; names its original (原文地址 line); nine paragraphs.
BASE = CAPTURES / "002_583555913b494f65.txt"
# Paragraphs of BASE, as printed in the capture, that the variants below rewrite.
BASE_PARAGRAPHS = (
    "布林肯周四发推文重申：如果俄罗斯侵犯乌克兰等地，美国将做出回应。",
    "拜登此前多次提议，和俄罗斯总统普京会晤。而布林肯和拉夫罗夫的会晤，被认为是为美俄峯会做准备。",
    "俄罗斯外长拉夫罗夫：“世界局势很大程度上依赖美俄关系。如果我们能在冲突局势，和策略稳定性上达到积极效果，我们应该能在相似利益问题上合作。”",
)
# 新唐人, 2019-07-15: a daily brief whose title carries its date (7月14日国际新闻简讯).
BRIEF = CAPTURES / "prog202__a102622636.md"
# Two 希望之声 articles of the same day (2019-09-10).
SAME_DAY = (CAPTURES / "soh_rdzz__n3171162.md", CAPTURES / "soh_zgxw__n3169755.md")

_S2TW = opencc.OpenCC("s2tw")
_ORIGINAL_URL_LINE = re.compile(r"^.*原文地址.*\n?", re.M)
# Tables of schema 1; `dump` compares whatever tables the archive has, these must be among them.
CORE_TABLES = ("meta", "articles", "captures", "revisions", "signatures", "lsh_bands", "failures")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def traditional(text: str) -> str:
    """The same capture in traditional script, as a Taiwanese mirror would carry it."""
    return _S2TW.convert(text)


def without_original_url(text: str) -> str:
    """A mirror that dropped the `原文地址` line: only the text can tell what it is a copy of."""
    out = _ORIGINAL_URL_LINE.sub("", text)
    assert out != text, "the capture has no 原文地址 line to drop"
    return out


def revised(text: str) -> str:
    """BASE with three of its nine paragraphs rewritten: a correction, not a copy."""
    for number, paragraph in enumerate(BASE_PARAGRAPHS):
        assert paragraph in text, paragraph
        replacement = f"更新：第{number + 1}段在发稿后改写，记者随后获得了新的消息来源，并据此补充了会谈细节与各方的回应。" * 2
        text = text.replace(paragraph, replacement)
    return text


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def ingest_into(db: Path, *paths: Path) -> IngestSummary:
    with Archive(db) as archive:
        return ingest(list(paths), archive)


def add_in_order(archive: Archive, data: dict[str, bytes], articles: dict[str, Article], order: list[str]) -> None:
    """Add captures already extracted (`articles`, by name) in `order`, in one transaction, as `ingest()` does
    once a capture is extracted: extraction runs once however many orders a test tries."""
    archive.begin()
    for name in order:
        archive.add_capture(capture_hash(data[name]), copy.deepcopy(articles[name]))
    archive.commit()


def tables(conn: sqlite3.Connection) -> list[str]:
    """Every ordinary table. The FTS index's shadow tables are left out: their b-tree segments
    depend on how many transactions wrote them, so the index is compared by its content."""
    return [
        name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'article_fts_%' ORDER BY name"
        )
    ]


def dump(db: Path) -> dict[str, Any]:
    """Every row of every table (in rowid order, so insertion order counts too), the full-text
    index's content, and the schema version."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out: dict[str, Any] = {}
        for table in tables(conn):
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
            if "WITHOUT ROWID" in sql.upper():
                out[table] = sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            else:
                out[table] = conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
        out["article_fts"] = conn.execute("SELECT rowid, title, body FROM article_fts ORDER BY rowid").fetchall()
        out["user_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    assert set(CORE_TABLES) <= set(out), sorted(out)
    return out


def fts_is_sound(db: Path) -> bool:
    """FTS5's own check that its index agrees with its content."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def text_pools() -> tuple[list[str], list[str]]:
    """Real headlines and paragraphs (cut short, to keep captures small) from the dev captures."""
    titles, paragraphs = [], []
    for path in sorted(CAPTURES.iterdir()):
        article = extract_capture(path.read_bytes(), path.name)
        if article.language != "zh-Hans" or not article.title:
            continue
        titles.append(article.title)
        paragraphs += [b[:60] for b in article.body if len(b) >= 20 and not b.startswith("【")]
    return titles, paragraphs


def mirror_capture(tag: str, number: int, rng: random.Random, titles: list[str], paragraphs: list[str]) -> str:
    year, month, day = 2019 + number % 5, 1 + number % 12, 1 + number % 28
    title = f"{rng.choice(titles)[:12]}{rng.choice(paragraphs)[:6]}"
    body = "\n".join(f" <p>\n  {p}\n </p>" for p in rng.sample(paragraphs, 2))
    return (
        f"### {title}\n------------------------\n\n<div class=\"post_content\">\n"
        f" <p>\n  【新唐人北京时间{year}年{month:02d}月{day:02d}日讯】{rng.choice(paragraphs)}\n </p>\n{body}\n</div>\n<hr/>\n"
        f"原文地址（需翻墙访问）：https://www.ntdtv.com/gb/{year}/{month:02d}/{day:02d}/{tag}{100000 + number}.html\n"
    )
