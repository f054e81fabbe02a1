"""Hostile capture text on its way out: the terminal (Rich tables and messages) and markdown.

Runs the installed console script (the `newsdesk` next to the interpreter) on an archive built by
`newsdesk ingest` from crafted captures, as a user would.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.console import invoke_newsdesk

NEWSDESK = Path(sys.executable).parent / "newsdesk"

# Rich markup, an OSC 8 hyperlink, a bidi override: none may act on the terminal.
# An emoji code and a trailing backslash are text too.
TITLE = "布林肯[/bold] [link=https://evil.example]点我[/link] 反转\u202e文本 [bold red]假[/] :smile: 末尾\\"
OUTLET = "假台[/red]"
# ESC (colour, and the screen-clearing CSI 2J) and a C1 CSI in a file name, as an archive may well hold.
EVIL_NAME = "evil\x1b[31m\x1b[2J\u009b31mname"
BODY = "".join(
    f"<p>第{i}段：俄罗斯外长拉夫罗夫周二在莫斯科表示，&lt;script&gt;alert(1)&lt;/script&gt; 与 &lt;b&gt;假粗体&lt;/b&gt;"
    " 谈判将继续进行，各方应当保持克制。</p>\n"
    for i in range(4)
)
POST = f"""---
title: '{TITLE}'
author: '{OUTLET}'
original_url: 'https://example.com/a)](javascript:alert(6))'
date: Wed, 02 Feb 2022 02:38:07 GMT
---

<div>
{BODY}
<figure><img src="javascript:alert(2)"><figcaption>图](javascript:alert(3)) 说明</figcaption></figure>
<figure><img src="https://example.com/a b(1).jpg"><figcaption>好图 [x](https://e.com)</figcaption></figure>
<figure><img src="jav&amp;#97;script:alert(7)"><figcaption>实体</figcaption></figure>
<p>结尾 [点我](javascript:alert(5)) 完。</p>
</div>
"""
# What a terminal would act on: ESC, C1 controls, bidi overrides and isolates.
UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def newsdesk(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run(
        [str(NEWSDESK), *map(str, args)], capture_output=True, text=True, timeout=300, env=env, check=False
    )


def ok(*args: str | Path) -> str:
    result = newsdesk(*args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr, result.stderr
    assert not UNSHOWABLE.search(result.stdout + result.stderr), repr(result.stdout + result.stderr)
    return result.stdout + result.stderr


def records(*args: str | Path) -> list[dict[str, Any]]:
    # JSON lines are read back, not shown: in process (what a terminal gets is `ok`'s, through the console script).
    result = invoke_newsdesk(*args, "--format", "jsonl", columns=400)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "captures"
    folder.mkdir()
    (folder / f"{EVIL_NAME}.md").write_text(POST, encoding="utf-8")
    # A capture that fails, so its hostile name is in `failures` and the ingest summary.
    (folder / f"{EVIL_NAME}.bin").write_bytes(random.Random(3).randbytes(4096))
    return folder


@pytest.fixture(scope="module")
def db(captures: Path) -> Path:
    path = captures.parent / "news.db"
    ok("ingest", captures, "--db", path)
    return path


def test_markup_and_controls_in_captures_reach_no_terminal(db: Path) -> None:
    listed = ok("list", "--db", db)
    # The title is shown as it is written: markup as text, the bidi override as its escape.
    assert "布林肯[/bold] [link=https://evil.example]点我[/link]" in listed
    # The outlet is whatever extraction made of the front matter's author (it cuts names at a bracket):
    # shown as stored.
    outlet = records("list", "--db", db)[0]["outlet"]
    assert "反转\\u202e文本 [bold red]假[/] :smile: 末尾\\ " in listed and outlet in listed
    found = ok("search", "拉夫罗夫", "--db", db)
    assert "[link=https://evil.example]" in found
    ok("search", "[/bold]", "--db", db)
    story_id = records("stories", "--db", db)[0]["id"]
    assert "[/bold]" in ok("stories", "--db", db)
    assert "[link=https://evil.example]" in ok("story", story_id, "--db", db)
    article_id = records("list", "--db", db)[0]["id"]
    shown = ok("show", article_id, "--captures", "--db", db)
    # File names: the escape sequences are shown, not run.
    assert "evil\\x1b[31m\\x1b[2J\\x9b31mname.md" in shown
    assert "evil\\x1b[31m\\x1b[2J\\x9b31mname.bin" in ok("failures", "--db", db)
    assert outlet in ok("stats", "--db", db)


def test_jsonl_output_keeps_the_text_exact(captures: Path, db: Path) -> None:
    (row,) = records("list", "--db", db)
    extracted = json.loads(newsdesk("extract", captures / f"{EVIL_NAME}.md").stdout.splitlines()[0])
    assert row["title"] == TITLE and row["outlet"] == extracted["outlet"]
    assert row["captures"][0].endswith(f"{EVIL_NAME}.md")
    (story,) = records("stories", "--db", db)
    assert story["articles"][0]["title"] == TITLE


def test_snippets_escape_capture_html_and_keep_their_own_marks(db: Path) -> None:
    (row,) = records("search", "拉夫罗夫", "--db", db)
    snippet = row["snippet"]
    assert "<b>拉夫罗夫</b>" in snippet
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet
    # Only the archive's own marks are tags: the capture's `<b>` is text.
    assert "&lt;b&gt;假粗体&lt;/b&gt;" in snippet and snippet.count("<b>") == 1
    table = ok("search", "拉夫罗夫", "--db", db)
    assert "<b>假粗体</b>" in table and "<script>alert(1)</script>" in table, "the terminal shows the text as written"
    assert "<b>拉夫罗夫</b>" not in table, "the archive's marks become highlighting"


def _markdown_is_escaped(markdown: str) -> None:
    assert "<script>" not in markdown and "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" not in markdown
    assert "&lt;script&gt;" in markdown
    # No link or image with a javascript: address, whatever the text around it.
    assert not re.search(r"(?<!\\)\]\(\s*javascript:", markdown), markdown
    assert "<javascript:" not in markdown
    # The caption's `](` cannot close the image syntax; the image with a web address stays an image.
    assert "图\\]\\(javascript:alert\\(3\\)\\) 说明" in markdown
    assert "![好图 \\[x\\]\\(https://e.com\\)](https://example.com/a%20b%281%29.jpg)" in markdown
    assert "\\[点我\\](javascript:alert(5))" in markdown
    # The original address stays one link (its `)](` percent-encoded); an entity cannot spell a scheme.
    assert "(https://example.com/a%29]%28javascript:alert%286%29%29)" in markdown
    assert "](jav&amp;#97;script:alert%287%29)" in markdown
    # The title's markup and the bidi override are text in the heading.
    assert "# 布林肯\\[/bold\\] \\[link=https://evil.example\\]点我\\[/link\\] 反转\\\\u202e文本" in markdown
    assert not UNSHOWABLE.search(markdown)


def test_extract_markdown_escapes_capture_html_and_addresses(captures: Path) -> None:
    _markdown_is_escaped(ok("extract", captures / f"{EVIL_NAME}.md", "--format", "markdown"))


def test_show_markdown_escapes_capture_html_and_addresses(db: Path) -> None:
    article_id = records("list", "--db", db)[0]["id"]
    _markdown_is_escaped(ok("show", article_id, "--db", db))
