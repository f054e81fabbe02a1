"""`newsdesk alias add/list/remove/undo` as a user runs them, on a real archive of real captures:
an alias that would merge two known people is refused unless --merge, and every merge can be taken back."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import copy_archive
from tests.console import EXAMPLES, invoke_newsdesk, needs_console_script, run_newsdesk

STORIES = Path(__file__).resolve().parent / "data" / "stories-dev" / "captures"
# Reports naming Macron and Putin (and, in the later one, both).
FIRST = ["gn_1927696.md"]
LATER = ["gn_2095381.md"]

pytestmark = needs_console_script


def _entity(db: Path, name: str) -> dict[str, object]:
    done = invoke_newsdesk("entity", name, "--db", db, "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _mentions(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT article_id, entity_id, count, role FROM mentions ORDER BY 1, 2").fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("aliases")
    captures = folder / "captures"
    captures.mkdir()
    for name in FIRST:
        shutil.copyfile(STORIES / name, captures / name)
    shutil.copyfile(next(EXAMPLES.glob("003_*")), captures / "example.txt")
    db = folder / "a.db"
    done = invoke_newsdesk("ingest", captures, "--db", db)
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def archive(built: Path, tmp_path: Path) -> Path:
    """The archive ingested once for the module, copied: each test changes its own."""
    return copy_archive(built, tmp_path / "a.db")


def test_an_alias_naming_two_known_people_is_refused_and_changes_nothing(archive: Path) -> None:
    putin, macron, mentions = _entity(archive, "普京"), _entity(archive, "马克龙"), _mentions(archive)
    # Through the console script: the refusal a user sees is one message and exit code 2, no traceback.
    done = run_newsdesk("alias", "add", "普京", "马克龙", "--db", archive)
    assert done.returncode == 2
    assert "two different entities" in done.stderr and "--merge" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _entity(archive, "马克龙") == macron and _entity(archive, "普京") == putin
    assert _mentions(archive) == mentions
    listed = invoke_newsdesk("alias", "list", "--db", archive, "--format", "jsonl")
    assert listed.returncode == 0 and listed.stdout == ""


@pytest.mark.parametrize(
    ("name", "alias", "why"),
    [("普京", "普京", "same name"), ("普京", "普亭", None), ("普京", "  ", "empty"), ("普京", "P", "too short"),
     ("普京", "Путин", None), ("普丁", "蒲亭", None)],
)
def test_alias_add_refuses_names_that_add_nothing(archive: Path, name: str, alias: str, why: str | None) -> None:
    done = invoke_newsdesk("alias", "add", name, alias, "--db", archive)
    assert "Traceback" not in done.stderr + done.stdout
    if why is None:
        # Already one entity (another script, a registered spelling): nothing to do, nothing recorded.
        assert done.returncode == 0 and "nothing to do" in done.stdout
    else:
        assert done.returncode == 2 and why in done.stderr
    assert invoke_newsdesk("alias", "list", "--db", archive, "--format", "jsonl").stdout == ""


def test_a_merge_is_listed_and_undone_whole_even_after_more_articles_arrive(archive: Path, tmp_path: Path) -> None:
    putin, macron, mentions = _entity(archive, "普京"), _entity(archive, "马克龙"), _mentions(archive)
    done = invoke_newsdesk("alias", "add", "普京", "马克龙", "--merge", "--db", archive)
    assert done.returncode == 0, done.stderr
    merged = _entity(archive, "马克龙")
    assert merged["id"] == putin["id"] and "Emmanuel Macron" in merged["aliases"]

    listed = [json.loads(line) for line in invoke_newsdesk("alias", "list", "--db", archive, "-f", "jsonl").stdout.splitlines()]
    assert listed == [{"name": "普京", "alias": "马克龙", "entity_id": putin["id"], "entity": "普京",
                       "merged": macron["id"], "added": listed[0]["added"]}]

    # Articles placed while the two are one entity are read again for both when the merge is undone.
    later = tmp_path / "later"
    later.mkdir()
    for name in LATER:
        shutil.copyfile(STORIES / name, later / name)
    assert invoke_newsdesk("ingest", later, "--db", archive).returncode == 0

    undone = invoke_newsdesk("alias", "undo", "--db", archive)
    assert undone.returncode == 0, undone.stderr
    assert "its own entity again" in undone.stdout
    after_putin, after_macron = _entity(archive, "普京"), _entity(archive, "马克龙")
    assert after_macron["id"] == macron["id"] and after_putin["id"] == putin["id"]
    assert set(after_macron["aliases"]) == set(macron["aliases"])
    assert not {"Emmanuel Macron", "马克龙", "Macron"} & set(after_putin["aliases"])
    # The first articles' mentions are as they were; the later one credits Macron again, not Putin.
    before_ids = {row[0] for row in mentions}
    assert [row for row in _mentions(archive) if row[0] in before_ids] == mentions
    later_macron = [row for row in _mentions(archive) if row[0] not in before_ids and row[1] == macron["id"]]
    assert later_macron
    assert invoke_newsdesk("alias", "list", "--db", archive, "-f", "jsonl").stdout == ""
    assert invoke_newsdesk("alias", "undo", "--db", archive).returncode == 1


def test_alias_remove_takes_back_one_alias(archive: Path) -> None:
    assert invoke_newsdesk("alias", "add", "拉夫罗夫", "Lavrovsky", "--db", archive).returncode == 0
    assert _entity(archive, "Lavrovsky")["name"] == "拉夫罗夫"
    missing = invoke_newsdesk("alias", "remove", "拉夫罗夫", "Nobody", "--db", archive)
    assert missing.returncode == 2 and "not one of your aliases" in missing.stderr
    done = invoke_newsdesk("alias", "remove", "拉夫罗夫", "Lavrovsky", "--db", archive)
    assert done.returncode == 0, done.stderr
    gone = invoke_newsdesk("entity", "Lavrovsky", "--db", archive)
    assert gone.returncode == 2 and "no entity" in gone.stderr
    assert "Lavrovsky" not in _entity(archive, "拉夫罗夫")["aliases"]


def test_a_learned_pair_naming_two_known_people_is_reported_not_applied(tmp_path: Path) -> None:
    captures = tmp_path / "captures"
    captures.mkdir()
    (captures / "slip.txt").write_text(
        "法俄领导人通话\n\n2022年2月20日，法国总统马克龙与俄罗斯总统通话。图为弗拉基米尔·普京（Emmanuel Macron）。\n",
        encoding="utf-8",
    )
    db = tmp_path / "a.db"
    done = invoke_newsdesk("ingest", captures, "--db", db)
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "two different known entities" in output and "alias list --refused" in output
    refused = invoke_newsdesk("alias", "list", "--refused", "--db", db, "-f", "jsonl")
    assert [json.loads(line)["entities"] for line in refused.stdout.splitlines()] == [["vladimir-putin", "emmanuel-macron"]]
    assert _entity(db, "Emmanuel Macron")["id"] == "emmanuel-macron"
    assert _entity(db, "普京")["id"] == "vladimir-putin"
