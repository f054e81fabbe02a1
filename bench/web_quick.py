#!/usr/bin/env python3
"""A quick in-process timing of a few web pages on a bench/web.py archive (no server, no RESULTS):

    python bench/web_quick.py bench/out/web/web-100000.db search|story|entity [N]

Search: 8 fixed queries, each asked three times. Story: N of the 200 largest stories; entity: the N most
mentioned entities; each asked once (the app remembers those pages per archive version). One warm-up request
first, through FastAPI's TestClient; prints each time and the median and maximum.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from urllib.parse import quote

from fastapi.testclient import TestClient

from newsdesk.web.app import create_app

QUERIES = ["普京", "美国 OR 欧盟", "乌克兰", "习近平 台湾", "北极理事会", "经济 增长"]


def urls(db: str, kind: str, n: int) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    if kind == "search":
        return [f"/search?q={quote(q)}" for q in QUERIES] + [
            f"/search?q={quote('普京')}&since=2020-01-01&until=2020-06-30", f"/search?q={quote('普京')}&page=3"]
    if kind == "story":
        ids = [row[0] for row in conn.execute("SELECT id FROM stories ORDER BY size DESC, id LIMIT 200")]
        return [f"/stories/{story_id}" for story_id in random.Random(7).sample(ids, min(n, len(ids)))]
    ids = [row[0] for row in conn.execute(
        "SELECT entity_id FROM mentions GROUP BY entity_id ORDER BY COUNT(*) DESC, entity_id LIMIT ?", (n,))]
    return [f"/entities/{quote(entity_id)}" for entity_id in ids]


def main() -> None:
    db, kind = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    asked = urls(db, kind, n)[:n]
    # Entity and story pages are remembered per archive version: asked once each.
    # One event loop and worker-thread pool for all requests, as `newsdesk serve` has (without `with`, the
    # TestClient starts a loop per request, and each request's thread opens the archive and loads its analysis).
    with TestClient(create_app(db)) as client:
        rounds = 3 if kind == "search" else 1
        client.get(asked[0] if kind == "search" else "/entities")
        times = []
        for url in asked * rounds:
            start = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - start) * 1000)
            print(f"{times[-1]:8.1f} ms {status} {url}")
    times.sort()
    print(f"{kind}: n={len(times)} median {times[len(times) // 2]:.1f} ms max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
