"""/api/ answers what the CLI answers: each endpoint against `newsdesk … --format jsonl` run on the same
archive (the commands run in process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.console import invoke_newsdesk, needs_console_script

pytestmark = needs_console_script


def cli_jsonl(db: Path, *args: str) -> list[dict[str, Any]]:
    result = invoke_newsdesk(*args, "--db", db, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def api(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("cli_args", "path", "params"),
    [
        (["search", "拉夫羅夫"], "/api/search", {"q": "拉夫羅夫"}),
        (["search", "普丁", "--limit", "3", "--offset", "1"], "/api/search", {"q": "普丁", "limit": 3, "offset": 1}),
        (["search", "布林肯", "--exact", "--outlet", "大紀元"], "/api/search", {"q": "布林肯", "exact": True, "outlet": "大紀元"}),
        (["search", "普京", "--since", "2022-02-01", "--until", "2022-03-31"], "/api/search",
         {"q": "普京", "since": "2022-02-01", "until": "2022-03-31"}),
        (["list", "--limit", "100000"], "/api/list", {"limit": 100000}),
        (["list", "--outlet", "GNews", "--limit", "5", "--offset", "2"], "/api/list", {"outlet": "GNews", "limit": 5, "offset": 2}),
        (["stories"], "/api/stories", {"limit": 100000}),
        (["stories", "--entity", "普京"], "/api/stories", {"entity": "普京", "limit": 100000}),
        (["stories", "--since", "2022-01-01", "--until", "2022-12-31"], "/api/stories",
         {"since": "2022-01-01", "until": "2022-12-31", "limit": 100000}),
        (["stats"], "/api/stats", {}),
        (["stats", "--by", "publication"], "/api/stats", {"by": "publication"}),
        (["failures"], "/api/failures", {}),
        (["copies"], "/api/copies", {}),
        (["copies", "--articles"], "/api/copies", {"articles": True}),
    ],
)
def test_api_lists_answer_what_the_cli_prints(
    client: TestClient, web_db: Path, cli_args: list[str], path: str, params: dict[str, Any]
) -> None:
    expected = cli_jsonl(web_db, *cli_args)
    assert expected or cli_args[0] in {"failures"}, "the comparison must compare something"
    assert api(client, path, **params) == expected


def test_api_single_records_answer_what_the_cli_prints(client: TestClient, web_db: Path) -> None:
    articles = cli_jsonl(web_db, "list")
    stories = cli_jsonl(web_db, "stories")
    copied = cli_jsonl(web_db, "copies", "--articles")
    assert articles and stories and copied
    for article in articles[:5]:
        show = invoke_newsdesk("show", article["id"], "--db", web_db, "--format", "jsonl")
        assert api(client, f"/api/articles/{article['id']}") == json.loads(show.stdout)
        # A unique prefix names the article, as on the command line.
        assert api(client, f"/api/articles/{article['id'][:10]}")["id"] == article["id"]
    for story in stories[:5]:
        assert api(client, f"/api/stories/{story['id']}") == cli_jsonl(web_db, "story", story["id"])[0]
    for name in ("Sergey Lavrov", "拉夫羅夫", "普京"):
        assert api(client, f"/api/entities/{name}") == cli_jsonl(web_db, "entity", name)[0]
    one = copied[0]["id"]
    assert api(client, "/api/copies", article=one) == cli_jsonl(web_db, "copies", "--article", one)


def test_api_entity_sends_its_stories_a_page_at_a_time_as_the_cli_does(client: TestClient, web_db: Path) -> None:
    for name in ("俄罗斯", "普京"):
        every = cli_jsonl(web_db, "entity", name)[0]
        assert len(every["stories"]) >= 3, "the comparison must page through something"
        whole = client.get(f"/api/entities/{name}", params={"limit": 100000})
        assert whole.json() == every and int(whole.headers["x-total-count"]) == len(every["stories"])
        paged = client.get(f"/api/entities/{name}", params={"limit": 2, "offset": 1})
        expected = cli_jsonl(web_db, "entity", name, "--limit", "2", "--offset", "1")[0]
        assert paged.json() == expected == {**every, "stories": every["stories"][1:3]}
        assert int(paged.headers["x-total-count"]) == len(every["stories"])
        # Pages one after another give every story once, in order.
        pages = [client.get(f"/api/entities/{name}", params={"limit": 2, "offset": k}).json()["stories"]
                 for k in range(0, len(every["stories"]), 2)]
        assert [s for page in pages for s in page] == every["stories"]


def test_api_pages_say_the_total(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "普京", "limit": 2})
    assert len(response.json()) == 2
    assert int(response.headers["x-total-count"]) > 2
    response = client.get("/api/list", params={"limit": 3})
    assert len(response.json()) == 3 and int(response.headers["x-total-count"]) > 3


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/search?q=%28%E6%99%AE%E4%BA%AC", 400),
        ("/api/search?q=x&since=yesterday", 400),
        ("/api/articles/ffffffffffffffffff", 404),
        ("/api/stories/zzzz", 404),
        ("/api/entities/NoSuchPersonAnywhere", 404),
        ("/api/list?limit=0", 422),
    ],
)
def test_api_errors_are_one_json_line(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status, response.text
    body = response.json()
    assert "Traceback" not in response.text
    assert isinstance(body, dict) and ("error" in body or "detail" in body)


def test_openapi_schema_lists_every_endpoint(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/search", "/api/list", "/api/articles/{article_id}", "/api/stories", "/api/stories/{story_id}",
                 "/api/entities/{name}", "/api/stats", "/api/failures", "/api/copies"):
        assert path in schema["paths"], path
